"""`make bench`: generate data, run each benchmark with its baseline in the same process,
print one line per target with the ratio.

Runs against a separate database (`pandu_bench` on the embedded server, or
BENCH_DATABASE_URL), which it drops and re-creates: never the office's data.
Generated files go to `.bench/` (ignored by git).

    python -m bench                 # everything at the design's scale
    python -m bench --only search   # one benchmark
    python -m bench --scale 0.1     # a tenth of the rows, for a quick look
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import time

BENCHES = ["search", "import_registry", "dashboard", "duplicates", "load", "replica"]


def _prepare_database(fresh: bool) -> None:
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        return
    from pandu.embedded_db import _server

    server = _server()
    if fresh:
        server.psql("DROP DATABASE IF EXISTS pandu_bench WITH (FORCE);")
    listing = server.psql("SELECT 1 FROM pg_database WHERE datname = 'pandu_bench';")
    if "(1 row)" not in listing:
        server.psql("CREATE DATABASE pandu_bench;")
    os.environ["DATABASE_URL"] = server.get_uri("pandu_bench")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", action="append", choices=BENCHES, help="run only this benchmark (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the design's row counts")
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if it exists")
    args = parser.parse_args(argv)

    _prepare_database(fresh=not args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pandu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_reference_data", stdout=devnull)

    failures = 0
    for name in args.only or BENCHES:
        module_name = f"bench.bench_{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        started = time.perf_counter()
        print(f"# {name}: {module.__doc__.strip().splitlines()[0]}", flush=True)
        for line in module.run(scale=args.scale):
            print(line.text, flush=True)
            failures += 0 if line.ok else 1
        print(f"# {name}: {time.perf_counter() - started:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
