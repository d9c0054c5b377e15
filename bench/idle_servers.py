#!/usr/bin/env python3
"""Idle servers on PostgreSQL: the database load they cost, and how fast a job reaches an
idle worker of another server (issue 8, section 2; decision 0011).

Usage: bench/idle_servers.py [--relais build/relais] [--pg-url BASE_URL] [--servers 3]
                             [--job-workers 4] [--window 10] [--samples 50] [--extra ARG...]

Starts `--servers` `relais serve --job-workers N --self-test-jobs` processes on one fresh
database (on the cluster --pg-url names, else a durable throwaway one from
`scripts/pg-cluster start DIR --durable`), plus one "front" server with --job-workers 0, then:

1. Idle load: lets them settle 3 s, then counts the database's committed + rolled-back
   transactions (pg_stat_database, read from another database) over --window seconds.
2. Pick-up latency, cross-server: --samples times, a dead self-test job (inserted with psql,
   payload naming no contact, so each run dead-letters it again at once) is retried through
   the front server's API; the job's `updated_at` in the retry answer is when it became due,
   its next `finished_at` when an idle worker of another server had claimed, run and
   completed it. Both stamps come from the servers' clocks (one machine).
3. Event-to-job latency: --samples contacts created through server 1; the contact's
   `created_at` to its self-test job's `finished_at` (outbox event, dispatch, job, worker).

Samples are 0.2 s apart so every worker is idle again. Prints Markdown for
docs/benchmarks.md. --extra passes more options to every `relais serve` (e.g.
--extra=--job-idle-poll=20 to measure polling alone). Loopback only.
"""
import argparse
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from run import pg_database_url, psql  # bench/run.py: the same cluster helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-idle-servers-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def epoch_ms(stamp):
    when = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Server:
    def __init__(self, relais, db, workers, extra, log_dir, index):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(log_dir, f"server{index}.log"), "w")
        self.proc = subprocess.Popen(
            [relais, "serve", "--db", db, "--listen", f"127.0.0.1:{self.port}",
             "--job-workers", str(workers), "--self-test-jobs", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz").read()
                return
            except OSError:
                time.sleep(0.05)
        sys.exit(f"server on {self.port} did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--relais", default=os.path.join(ROOT, "build", "relais"))
    parser.add_argument("--pg-url")
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--job-workers", type=int, default=4)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--extra", action="append", default=[])
    args = parser.parse_args()

    own_dir = None
    base = args.pg_url
    if not base:
        own_dir = tempfile.mkdtemp(prefix="relais-idle-pg-", dir="/tmp")
        base = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start", own_dir,
                               "--durable"], check=True, capture_output=True,
                              text=True).stdout.strip()
    name = f"relais_idle_{os.getpid()}"
    admin_db = pg_database_url(base, "postgres")
    psql(admin_db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(admin_db, f'CREATE DATABASE "{name}"')
    version = psql(admin_db, "SHOW server_version").split()[0]
    db = pg_database_url(base, name)
    log_dir = tempfile.mkdtemp(prefix="relais-idle-logs-")
    servers = []
    try:
        subprocess.run([args.relais, "migrate", "--db", db], check=True, capture_output=True)
        subprocess.run([args.relais, "user", "add", "--email", "bench@example.fr", "--role",
                        "admin", "--password-stdin", "--db", db], input=PASSWORD, text=True,
                       check=True, capture_output=True)
        servers = [Server(args.relais, db, args.job_workers, args.extra, log_dir, i)
                   for i in range(args.servers)]
        front = Server(args.relais, db, 0, args.extra, log_dir, args.servers)
        for s in [*servers, front]:
            s.wait_ready()
        token = request("POST", front.base + "/api/v1/auth/login",
                        {"email": "bench@example.fr", "password": PASSWORD})["token"]

        # 1. Idle load.
        time.sleep(3)
        count_sql = (f"SELECT xact_commit + xact_rollback FROM pg_stat_database "
                     f"WHERE datname = '{name}'")
        before = int(psql(admin_db, count_sql))
        started = time.monotonic()
        time.sleep(args.window)
        # Backends report their counts at most once a second: give them time to flush.
        after_sleep = time.monotonic() - started
        time.sleep(1.5)
        after = int(psql(admin_db, count_sql))
        tps = (after - before) / after_sleep

        # 2. Cross-server pick-up latency through the retry API.
        ids = psql(db, "INSERT INTO jobs(kind, payload_json, status, attempts, max_attempts, "
                       "run_at, created_at, updated_at, finished_at) "
                       "SELECT 'selftest.contact_note', '{\"record_id\": 0}', 'dead', 1, 8, "
                       f"0, 0, 0, 0 FROM generate_series(1, {args.samples}) RETURNING id")
        pickup = []
        for job_id in ids.split():
            time.sleep(0.2)
            retried = request("POST", f"{front.base}/api/v1/jobs/{job_id}/retry", {}, token)
            due = epoch_ms(retried["updated_at"])
            deadline = time.monotonic() + 10
            while True:
                job = request("GET", f"{front.base}/api/v1/jobs/{job_id}", token=token)
                if job["finished_at"] and epoch_ms(job["finished_at"]) >= due and \
                        job["status"] == "dead":
                    pickup.append(epoch_ms(job["finished_at"]) - due)
                    break
                if time.monotonic() > deadline:
                    sys.exit(f"job {job_id} was not run again within 10 s")
                time.sleep(0.005)

        # 3. Event-to-job latency through server 1 (its own dispatcher).
        writer = servers[min(1, len(servers) - 1)]
        writer_token = request("POST", writer.base + "/api/v1/auth/login",
                               {"email": "bench@example.fr", "password": PASSWORD})["token"]
        event = []
        for i in range(args.samples):
            time.sleep(0.2)
            contact = request("POST", writer.base + "/api/v1/contacts",
                              {"first_name": "Idle", "last_name": f"Bench {i}"}, writer_token)
            deadline = time.monotonic() + 10
            while True:
                page = request("GET", f"{front.base}/api/v1/jobs?kind=selftest.contact_note"
                                      f"&status=done&limit=20", token=token)
                done = [j for j in page["data"] if j["payload"]["record_id"] == contact["id"]]
                if done:
                    event.append(epoch_ms(done[0]["finished_at"]) -
                                 epoch_ms(contact["created_at"]))
                    break
                if time.monotonic() > deadline:
                    sys.exit(f"the job of contact {contact['id']} did not run within 10 s")
                time.sleep(0.005)
    finally:
        for s in servers + ([front] if "front" in locals() else []):
            s.stop()
        psql(admin_db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if own_dir:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", own_dir],
                           check=False)

    where = "own durable cluster" if own_dir else "given cluster"
    print(f"{platform.node()}, {os.cpu_count()} cores, PostgreSQL {version} ({where}); "
          f"{args.servers} servers x --job-workers {args.job_workers} + 1 with --job-workers 0"
          f"; extra: {' '.join(args.extra) or 'none'}\n")
    print("| measure | value |\n|---|---:|")
    print(f"| idle: database transactions/s ({args.window:.0f} s window) | {tps:,.1f} |")
    for label, values in (("retry through the front -> done on another server", pickup),
                          ("contact created -> its job done", event)):
        print(f"| {label}: p50 / p99 / max ms ({len(values)} samples) | "
              f"{statistics.median(values):.0f} / {percentile(values, 99):.0f} / "
              f"{max(values):.0f} |")


if __name__ == "__main__":
    main()
