"""Check pages of a running Pandu with axe-core while building them (docs/development.md).

Usage, with `make run` serving in another terminal:

    .venv/bin/python scripts/axe_page.py /referrals/12/ /clients/search/ --user dinkes [--phone]

Signs in as the demo user (its password: --password, default the demo one), opens each page,
runs the same axe check as tests/e2e/test_accessibility.py (WCAG 2.1 A and AA) and prints every
violation, whatever its impact; exits 1 when one is serious or critical, as the test fails.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.axe import FAILING_IMPACTS, axe_violations  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="pages to check, e.g. /clients/search/")
    parser.add_argument("--user", help="demo login to sign in as (none: anonymous)")
    parser.add_argument("--password", default="Pandu-demo-2026")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--phone", action="store_true", help="390×844 instead of 1280×900")
    args = parser.parse_args()
    viewport = {"width": 390, "height": 844} if args.phone else {"width": 1280, "height": 900}
    failing = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(base_url=args.server, viewport=viewport, locale="id-ID")
        if args.user:
            page.goto("/accounts/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=user-menu]", state="attached")
        for path in args.paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            violations = axe_violations(page, label=path, include_impacts={"minor", "moderate", *FAILING_IMPACTS})
            failing += sum(v.impact in FAILING_IMPACTS for v in violations)
            print(f"{path}: {len(violations)} violations")
            for violation in violations:
                print(f"  {violation}")
        browser.close()
    print(f"{len(args.paths)} pages, {failing} serious or critical violations")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
