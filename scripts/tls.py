"""`make tls`: the office's own certificate authority (CA) and a certificate for this server's LAN
names and addresses, so that phones reach Pandu over HTTPS (service workers, and so the offline
surveys, only run on a secure origin). docs/deploy.md "HTTPS on the office LAN" says how to serve
it and how a phone trusts the CA.

Usage: python scripts/tls.py [NAME_OR_IP ...] [--dir DIR] [--office NAME]

Without names: this machine's host name, its LAN address, localhost and 127.0.0.1. The CA is made
once and kept (phones that trust it keep working); each run makes a new server certificate, valid
397 days. Keys are EC P-256, written readable by the owner only. Uses the openssl command line
(Debian's openssl package): the `cryptography` package is not a dependency of Pandu.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CA_DAYS = 3650
SERVER_DAYS = 397  # browsers refuse longer-lived server certificates


def lan_address() -> str | None:
    """The address this machine reaches the network from (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return None


def default_hosts() -> list[str]:
    hosts = [socket.gethostname(), lan_address(), "localhost", "127.0.0.1"]
    return list(dict.fromkeys(h for h in hosts if h))


def subject_alt_names(hosts: list[str]) -> str:
    names = []
    for host in hosts:
        try:
            ipaddress.ip_address(host)
            names.append(f"IP:{host}")
        except ValueError:
            names.append(f"DNS:{host}")
    return ",".join(names)


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def private_key(path: Path) -> None:
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path))
    path.chmod(0o600)


def make_ca(folder: Path, office: str) -> bool:
    """The CA's key and certificate, unless they exist; True when made now."""
    key, cert = folder / "pandu-office-ca.key", folder / "pandu-office-ca.crt"
    if key.exists() and cert.exists():
        return False
    private_key(key)
    openssl(
        "req", "-x509", "-new", "-key", str(key), "-sha256", "-days", str(CA_DAYS),
        "-subj", f"/O={office}/CN={office} certificate authority",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash",
        "-out", str(cert),
    )  # fmt: skip
    return True


def make_server(folder: Path, hosts: list[str]) -> None:
    key, cert = folder / "server.key", folder / "server.crt"
    private_key(key)
    with tempfile.TemporaryDirectory() as scratch:
        request, extensions = Path(scratch) / "server.csr", Path(scratch) / "server.ext"
        extensions.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            f"subjectAltName={subject_alt_names(hosts)}\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
        )
        openssl("req", "-new", "-key", str(key), "-subj", f"/CN={hosts[0]}", "-out", str(request))
        openssl(
            "x509", "-req", "-in", str(request), "-sha256", "-days", str(SERVER_DAYS),
            "-CA", str(folder / "pandu-office-ca.crt"), "-CAkey", str(folder / "pandu-office-ca.key"),
            "-set_serial", "0x" + secrets.token_hex(16), "-extfile", str(extensions), "-out", str(cert),
        )  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hosts", nargs="*", help="the server's LAN names and IP addresses")
    parser.add_argument("--dir", default=str(ROOT / ".data" / "tls"), help="where to write (default .data/tls)")
    parser.add_argument("--office", default=os.environ.get("OFFICE_NAME", "Pandu office"),
                        help="the CA's name, as phones show it")
    args = parser.parse_args(argv)
    if shutil.which("openssl") is None:
        print("openssl not found: apt-get install openssl", file=sys.stderr)
        return 2
    hosts = args.hosts or default_hosts()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    try:
        made = make_ca(folder, args.office.replace("/", "-"))
        make_server(folder, hosts)
    except subprocess.CalledProcessError as error:
        print(f"openssl failed: {error.stderr.decode(errors='replace').strip()}", file=sys.stderr)
        return 1
    print(f"CA certificate for the phones: {folder / 'pandu-office-ca.crt'}")
    print(f"server certificate and key: {folder / 'server.crt'} {folder / 'server.key'}")
    print(f"ca={'new' if made else 'kept'} server certificate for {', '.join(hosts)} (valid {SERVER_DAYS} days)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
