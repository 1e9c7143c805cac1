"""The layers go one way (docs/development.md), checked by import-linter's contract in
pyproject.toml, in every `make test`."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "pandu", "clients", "desks", "referrals", "verivali")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    """The packages and pyproject.toml in a folder of their own, to add a forbidden import to."""
    root = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_code_keeps_the_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("clients/probe.py", "def f():\n    from referrals.models import Referral  # hidden in a function\n"),
        ("desks/probe.py", "import verivali.selectors\n"),
        ("pandu/http.py", "from clients.models import Person\n"),  # the core imports no domain app
        ("referrals/probe.py", "from verivali import models\n"),  # referrals and verivali are independent
        ("verivali/probe.py", "from pandu.office import dashboard\n"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(copy_of_the_code, module, line):
    probe = copy_of_the_code / module
    before = probe.read_text() if probe.exists() else None
    probe.write_text((before or "") + line)
    try:
        result = _lint(copy_of_the_code)
    finally:
        if before is None:
            probe.unlink()
        else:
            probe.write_text(before)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_every_module_of_the_core_is_in_the_core_layer():
    """A new module in pandu/ is part of the core (or of the office): the contract must say so,
    or nothing would check what it imports."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    core = {name.strip() for name in config["layers"][-1].split(":")}
    on_disk = {
        f"pandu.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "pandu").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert on_disk - {"pandu.office"} == core
