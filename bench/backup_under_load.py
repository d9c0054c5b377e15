#!/usr/bin/env python3
"""`relais backup` of a large database while the server serves writes, on either engine.

Usage: bench/backup_under_load.py [--contacts 1000000] [--reuse-db PATH | --db URL]
                                  [--build build] [--connections 16] [--warmup 10] [--after 10]
Builds (or reuses, as bench/run.py does) a database of N imported contacts, starts
`relais serve`, drives create_contact with wrk for the whole run, and after `--warmup`
seconds runs `relais backup` once. The write rate is measured from the database itself:
max(contacts.id) sampled every 100 ms on a read-only connection, or one psql session on
PostgreSQL (every acknowledged write is committed, so the row ids count them). Reports the
backup time and size, and the write rate before, during and after the backup: the
throughput lost meanwhile. --db postgresql://… serves (and backs up, with pg_dump) an
existing PostgreSQL database, e.g. one filled by `relais migrate-data` from the SQLite one.
Prints Markdown for docs/benchmarks.md. Loopback only. With --reuse-db the database grows by
the rows the run creates: pass a fresh copy for comparable runs.
"""
import argparse
import datetime
import os
import platform
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import run  # noqa: E402  (bench/run.py: the shared data set and helpers)


class IdSampler:
    """(monotonic time, max contact id) every `interval` seconds, on a thread."""

    def __init__(self, db_path, interval=0.1):
        self.db_path = db_path
        self.interval = interval
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        if self.db_path.startswith("postgres"):
            self._run_psql()
            return
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        while not self._stop.is_set():
            value = db.execute("SELECT max(id) FROM contacts").fetchone()[0] or 0
            self.samples.append((time.monotonic(), value))
            self._stop.wait(self.interval)
        db.close()

    def _run_psql(self):
        # One session for the whole run: a psql per sample would cost more than it measures.
        psql = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", self.db_path],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                bufsize=1)
        try:
            while not self._stop.is_set():
                psql.stdin.write("SELECT coalesce(max(id), 0) FROM contacts;\n")
                psql.stdin.flush()
                value = int(psql.stdout.readline())
                self.samples.append((time.monotonic(), value))
                self._stop.wait(self.interval)
        finally:
            psql.stdin.close()
            psql.wait(timeout=30)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def rate(self, start, end):
        """Rows created per second between two instants (nearest samples inside)."""
        inside = [(t, v) for t, v in self.samples if start <= t <= end]
        if len(inside) < 2:
            return float("nan")
        (t0, v0), (t1, v1) = inside[0], inside[-1]
        return (v1 - v0) / (t1 - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=1000000)
    ap.add_argument("--reuse-db", metavar="PATH")
    ap.add_argument("--db", metavar="URL", help="an existing database of either engine")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=10, help="seconds of writes before the backup")
    ap.add_argument("--after", type=float, default=10, help="seconds of writes after it")
    args = ap.parse_args()

    relais = os.path.join(args.build, "relais")
    if args.db and args.db.startswith("sqlite:"):
        args.reuse_db, args.db = args.db[len("sqlite:"):], None
    if args.db:
        db_url = db_path = args.db  # PostgreSQL: the sampler connects with the URL
    else:
        if args.reuse_db:
            db_path = os.path.abspath(args.reuse_db)
            if not os.path.exists(db_path):
                sys.exit(f"--reuse-db: {db_path} does not exist")
        else:
            db_url, _ = run.create_database(relais, args.contacts, "sqlite", None)
            db_path = db_url[len("sqlite:"):]
        db_url = "sqlite:" + db_path
    postgres = not db_url.startswith("sqlite:")
    out_dir = os.path.join(BENCH, "out")
    os.makedirs(out_dir, exist_ok=True)
    backup_path = os.path.join(out_dir, "backup-under-load." + ("dump" if postgres else "db"))
    if os.path.exists(backup_path):
        os.remove(backup_path)
    db_mb = run.database_size_mb(db_url)

    port = run.free_port()
    server = subprocess.Popen([relais, "serve", "--db", db_url, "--listen",
                               f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wrk = None
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = run.post_json(base + "/api/v1/auth/login",
                              {"email": "bench@relais.local", "password": run.PASSWORD})["token"]
        env = dict(os.environ, RELAIS_TOKEN=token, RELAIS_MAX_ID=str(args.contacts),
                   RELAIS_BENCH_DIR=BENCH)
        with IdSampler(db_path) as sampler:
            wrk = subprocess.Popen(["wrk", f"-t{args.threads}", f"-c{args.connections}", "-d1h",
                                    "-s", os.path.join(BENCH, "wrk", "create_contact.lua"), base],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   env=env)
            started_load = time.monotonic()
            time.sleep(args.warmup)
            backup_start = time.monotonic()
            backup = subprocess.run([relais, "backup", "--db", db_url, "--out",
                                     backup_path], capture_output=True, text=True)
            backup_end = time.monotonic()
            if backup.returncode != 0:
                sys.exit(f"backup failed ({backup.returncode}): {backup.stderr}")
            time.sleep(args.after)
            wrk.send_signal(signal.SIGINT)
            wrk_out, _ = wrk.communicate(timeout=30)
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        server.terminate()
        server.wait(timeout=60)

    seconds = backup_end - backup_start
    # Every answer of the load must be a 2xx: a write refused during the backup is a loss.
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk_out)
    refused = int(refused[1]) if refused else 0
    phases = re.search(r"\(copy ([\d.]+) s, check ([\d.]+) s\)", backup.stdout)
    copy_s, check_s = (float(phases[1]), float(phases[2])) if phases else (seconds, 0.0)
    before = sampler.rate(started_load + 2, backup_start)
    during = sampler.rate(backup_start, backup_end)
    during_copy = sampler.rate(backup_start, backup_start + copy_s)
    during_check = sampler.rate(backup_start + copy_s, backup_end)
    after = sampler.rate(backup_end + 1, backup_end + args.after)
    if postgres:
        # What pg_dump archived: the table of contents lists the contacts' data entry; the
        # rows themselves are counted by restoring (tests/integration/test_backup.py does).
        toc = subprocess.run(["pg_restore", "--list", backup_path], capture_output=True,
                             text=True, check=True).stdout
        check = "pg_restore --list ok" if " TABLE DATA public contacts " in toc else "no contacts"
        copied = None
    else:
        with sqlite3.connect(backup_path) as copy:
            check = "integrity_check " + copy.execute("PRAGMA integrity_check").fetchone()[0]
            copied = copy.execute("SELECT count(*) FROM contacts").fetchone()[0]

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    print(f"\n### Backup under write load, {args.contacts:,} contacts — {datetime.date.today()} "
          f"— {cpu}, {os.cpu_count()} cores, {platform.platform()}\n")
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"`relais backup` of a {db_mb:,.0f} MB {engine} database while wrk -t{args.threads} "
          f"-c{args.connections} creates contacts (create_contact.lua); write rate from "
          "max(contacts.id) sampled every 100 ms.\n")
    print("| | value |")
    print("|---|---:|")
    if postgres:
        print(f"| backup time | {seconds:.1f} s (pg_dump, custom format) |")
    else:
        print(f"| backup time | {seconds:.1f} s (copy {copy_s:.1f} s, integrity_check of the "
              f"copy {check_s:.1f} s) |")
    rows = f"{copied:,} contacts, " if copied is not None else ""
    print(f"| backup size | {os.path.getsize(backup_path) / 1e6:,.0f} MB ({rows}{check}) |")
    print(f"| writes/s before | {before:,.0f} |")
    if postgres:
        print(f"| writes/s during the backup | {during:,.0f} |")
    else:
        print(f"| writes/s during the backup | {during:,.0f} (copy {during_copy:,.0f}, "
              f"check {during_check:,.0f}) |")
    print(f"| writes/s after | {after:,.0f} |")
    lost = 100 * (1 - during / before) if before > 0 else float("nan")
    print(f"| throughput lost during the backup | {lost:.0f} % "
          f"(~{max(0.0, before - during) * seconds:,.0f} writes) |")
    print(f"| writes refused (non-2xx answers) | {refused:,} |")
    if refused:
        sys.exit(f"{refused} writes were refused during the run")


if __name__ == "__main__":
    main()
