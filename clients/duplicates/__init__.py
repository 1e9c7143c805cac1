"""Duplicate persons: the score a clerk would give a pair (``scoring``), the registry-wide
check that finds the pairs worth a look (``detection``), and the data officer's merge and its
undo (``merging``). docs/registry.md, "Duplicates"."""
