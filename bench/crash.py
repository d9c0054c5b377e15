#!/usr/bin/python3
"""The crash test, long: many SIGKILLs of `relais serve` under a mixed write load, on either
engine (tests/integration/crash_load.py does the work; test_crash.py is the short version in
the test command). Prints one line per kill and a summary for docs/reliability.md.

Usage: bench/crash.py [--engine sqlite|postgres] [--kills 50] [--writers 4] [--seed 1]
       (RELAIS_BIN: the binary, default build/relais; on postgres a throwaway cluster is
       started unless RELAIS_TEST_PG_URL names one)"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

import crash_load  # noqa: E402
import databases  # noqa: E402
from conftest import PASSWORD, email_of, login_admin  # noqa: E402
from relais_server import RelaisServer, add_user, run_cli  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=databases.ENGINES, default="sqlite")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ["RELAIS_TEST_ENGINE"] = args.engine
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="relais-crash-") as tmp:
        database = databases.new_database(Path(tmp), "crash")
        server = RelaisServer(database, Path(tmp) / "serve.log")
        try:
            run_cli("migrate", "--db", server.db_url)
            add_user(server.db_url, email_of("admin"), "admin", PASSWORD)
            server.start()
            stats = crash_load.run(server, login_admin, kills=args.kills, writers=args.writers,
                                   seed=args.seed, log=print)
        finally:
            server.stop()
            database.drop()
            databases.stop_own_cluster()
    print(f"\n{args.engine}: {stats.kills} kills, {stats.acknowledged} acknowledged writes "
          f"({', '.join(f'{n} {op}' for op, n in sorted(stats.by_op.items()))}), "
          f"{stats.lost_answers} answers lost to a kill, {stats.refused} refused, "
          f"{stats.checked} record checks, 0 lost or half-written; "
          f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
