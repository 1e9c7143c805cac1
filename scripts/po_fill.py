"""Fill Indonesian translations into locale/id/LC_MESSAGES/django.po from a TSV file.

Usage: python scripts/po_fill.py translations.tsv   (each line: English msgid<TAB>Indonesian)
Also usable to merge several .po files: python scripts/po_fill.py --merge other.po [...]
Entries already translated are kept unless the TSV names them again.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def main(argv: list[str]) -> int:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    known: dict[str, str] = {}
    if argv and argv[0] == "--merge":
        for path in argv[1:]:
            with open(path, "rb") as handle:
                for message in read_po(handle):
                    string = message.string[0] if isinstance(message.string, tuple) else message.string
                    if message.id and string and not message.fuzzy:
                        known[message.id if isinstance(message.id, str) else message.id[0]] = string
    else:
        for line in Path(argv[0]).read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                msgid, msgstr = line.split("\t", 1)
                known[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in known:
            message.string = (known[key],) if isinstance(message.id, tuple) else known[key]
            message.flags.discard("fuzzy")
        elif message.fuzzy or not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(key)  # a fuzzy entry is msgmerge's guess from a similar msgid: never trust it
    catalog.fuzzy = False
    catalog.project = "Pandu"
    catalog.language_team = "Bahasa Indonesia"
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print("untranslated:", key)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
