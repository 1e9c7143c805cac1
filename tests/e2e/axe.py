"""axe-core in the browser tests: the accessibility check of a loaded page.

axe-core comes from the npm registry at install time (``package.json``, ``make install`` runs
``npm ci``), never from a CDN and never copied into the repository. Without it the check fails
and says how to install it: CI must run it, so it is never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.1 level A and AA, as the issue asks (WCAG 2.0 rules are tagged wcag2a/wcag2aa).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What fails a page: the impacts a person is actually blocked or badly hindered by.
FAILING_IMPACTS = {"serious", "critical"}

# Rules turned off, each with its reason. Keep this empty unless a rule cannot apply to Pandu.
DISABLED_RULES: dict[str, str] = {}


class AxeMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    page: str
    target: str
    summary: str

    def __str__(self):
        return f"{self.rule} ({self.impact}) on {self.page}: {self.target}\n    {self.summary}"


def axe_source() -> str:
    if not AXE_JS.exists():
        raise AxeMissing(
            f"axe-core is not installed ({AXE_JS} is missing): run `make install`, which runs "
            "`npm ci` (install npm first: apt-get install npm). The accessibility check is "
            "never skipped."
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, label: str | None = None, include_impacts=FAILING_IMPACTS) -> list[Violation]:
    """Run axe on the page as it is now; the violations of the given impacts, one per element.

    axe is evaluated in the page through the DevTools protocol rather than as a ``<script>``
    tag, so the page keeps its Content-Security-Policy (no inline scripts) while it is checked.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + axe_source() + "\n}")
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in DISABLED_RULES},
    }
    result = page.evaluate("(options) => window.axe.run(document, options)", options)
    where = label or page.url
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in include_impacts:
            continue
        for node in violation["nodes"]:
            target = " ".join(" >>> ".join(part) if isinstance(part, list) else part for part in node["target"])
            summary = (node.get("failureSummary") or violation["help"]).replace("\n", " ")
            found.append(Violation(violation["id"], violation["impact"], where, target, summary))
    return found


def report(violations: list[Violation]) -> str:
    rules = sorted({v.rule for v in violations})
    lines = [f"{len(violations)} accessibility violations (serious or critical), rules: {', '.join(rules)}"]
    lines += [str(v) for v in violations]
    return "\n".join(lines)
