"""The data subject request (UU 27/2022): everything about one person as one download
(``dossier``), corrections with their reason (``clients.services.person_correct``), and
anonymisation where the law allows it (``selectors.anonymisation_refusals``,
``services.person_anonymise``). Head of office and administrator only. See docs/security.md."""
