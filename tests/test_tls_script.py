"""`make tls` (scripts/tls.py): the office's CA, kept between runs, and a server certificate for
the LAN names and addresses that a phone trusting the CA accepts."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl: apt-get install openssl")

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "tls.py"


def _tls():
    spec = importlib.util.spec_from_file_location("tls_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _openssl(*args) -> str:
    return subprocess.run(["openssl", *args], check=True, capture_output=True, text=True).stdout


def test_the_server_certificate_is_signed_by_the_kept_office_ca(tmp_path, capsys):
    tls = _tls()
    assert tls.main(["pandu.lan", "192.168.1.10", "--dir", str(tmp_path), "--office", "UPTD Berau"]) == 0
    ca = (tmp_path / "pandu-office-ca.crt").read_bytes()
    assert tls.main(["pandu.lan", "--dir", str(tmp_path)]) == 0

    assert (tmp_path / "pandu-office-ca.crt").read_bytes() == ca  # phones keep trusting it
    assert capsys.readouterr().out.splitlines()[-1].startswith("ca=kept")
    ca_file, server = str(tmp_path / "pandu-office-ca.crt"), str(tmp_path / "server.crt")
    assert "OK" in _openssl("verify", "-CAfile", ca_file, "-purpose", "sslserver", server)
    assert "DNS:pandu.lan" in _openssl("x509", "-in", server, "-noout", "-ext", "subjectAltName")
    assert oct((tmp_path / "pandu-office-ca.key").stat().st_mode & 0o777) == "0o600"
