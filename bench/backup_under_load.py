#!/usr/bin/env python3
"""`relais backup` of a large SQLite database while the server serves writes.

Usage: bench/backup_under_load.py [--contacts 1000000] [--reuse-db PATH] [--build build]
                                  [--connections 16] [--warmup 10] [--after 10]
Builds (or reuses, as bench/run.py does) a database of N imported contacts, starts
`relais serve`, drives create_contact with wrk for the whole run, and after `--warmup`
seconds runs `relais backup` once. The write rate is measured from the database itself:
max(contacts.id) sampled every 100 ms on a read-only connection (every acknowledged write is
committed, so the row ids count them). Reports the backup time and size, and the write rate
before, during and after the backup: the throughput lost meanwhile.
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
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        while not self._stop.is_set():
            value = db.execute("SELECT max(id) FROM contacts").fetchone()[0] or 0
            self.samples.append((time.monotonic(), value))
            self._stop.wait(self.interval)
        db.close()

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
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=10, help="seconds of writes before the backup")
    ap.add_argument("--after", type=float, default=10, help="seconds of writes after it")
    args = ap.parse_args()

    relais = os.path.join(args.build, "relais")
    if args.reuse_db:
        db_path = os.path.abspath(args.reuse_db)
        if not os.path.exists(db_path):
            sys.exit(f"--reuse-db: {db_path} does not exist")
    else:
        db_path, _ = run.create_database(relais, args.contacts)
    out_dir = os.path.join(BENCH, "out")
    os.makedirs(out_dir, exist_ok=True)
    backup_path = os.path.join(out_dir, "backup-under-load.db")
    if os.path.exists(backup_path):
        os.remove(backup_path)
    db_mb = os.path.getsize(db_path) / 1e6

    port = run.free_port()
    server = subprocess.Popen([relais, "serve", "--db", "sqlite:" + db_path, "--listen",
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
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            started_load = time.monotonic()
            time.sleep(args.warmup)
            backup_start = time.monotonic()
            backup = subprocess.run([relais, "backup", "--db", "sqlite:" + db_path, "--out",
                                     backup_path], capture_output=True, text=True)
            backup_end = time.monotonic()
            if backup.returncode != 0:
                sys.exit(f"backup failed ({backup.returncode}): {backup.stderr}")
            time.sleep(args.after)
            wrk.send_signal(signal.SIGINT)
            wrk.wait(timeout=30)
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        server.terminate()
        server.wait(timeout=60)

    seconds = backup_end - backup_start
    phases = re.search(r"\(copy ([\d.]+) s, check ([\d.]+) s\)", backup.stdout)
    copy_s, check_s = (float(phases[1]), float(phases[2])) if phases else (seconds, 0.0)
    before = sampler.rate(started_load + 2, backup_start)
    during = sampler.rate(backup_start, backup_end)
    during_copy = sampler.rate(backup_start, backup_start + copy_s)
    during_check = sampler.rate(backup_start + copy_s, backup_end)
    after = sampler.rate(backup_end + 1, backup_end + args.after)
    with sqlite3.connect(backup_path) as copy:
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        copied = copy.execute("SELECT count(*) FROM contacts").fetchone()[0]

    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    print(f"\n### Backup under write load, {args.contacts:,} contacts — {datetime.date.today()} "
          f"— {cpu}, {os.cpu_count()} cores, {platform.platform()}\n")
    print(f"`relais backup` of a {db_mb:,.0f} MB database while wrk -t{args.threads} "
          f"-c{args.connections} creates contacts (create_contact.lua); write rate from "
          "max(contacts.id) sampled every 100 ms.\n")
    print("| | value |")
    print("|---|---:|")
    print(f"| backup time | {seconds:.1f} s (copy {copy_s:.1f} s, integrity_check of the "
          f"copy {check_s:.1f} s) |")
    print(f"| backup size | {os.path.getsize(backup_path) / 1e6:,.0f} MB "
          f"({copied:,} contacts, integrity_check {check}) |")
    print(f"| writes/s before | {before:,.0f} |")
    print(f"| writes/s during the backup | {during:,.0f} (copy {during_copy:,.0f}, "
          f"check {during_check:,.0f}) |")
    print(f"| writes/s after | {after:,.0f} |")
    lost = 100 * (1 - during / before) if before > 0 else float("nan")
    print(f"| throughput lost during the backup | {lost:.0f} % "
          f"(~{max(0.0, before - during) * seconds:,.0f} writes) |")


if __name__ == "__main__":
    main()
