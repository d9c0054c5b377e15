#!/usr/bin/env python3
"""Relais benchmark driver: data set, CSV import rate, HTTP load with wrk, memory.

Usage: bench/run.py [--contacts 100000] [--duration 10] [--connections 32] [--build build]
                    [--engine sqlite|postgres] [--pg-url BASE_URL] [--db URL | --reuse-db PATH]
                    [--scenarios healthz,search_contacts,...]
Creates a fresh database (SQLite: under bench/out/; PostgreSQL: see below), imports N generated contacts with `relais import`
(timed), starts `relais serve` on 127.0.0.1, and runs wrk for each scenario in one session:
healthz (the server's ceiling), GET one contact, list first page, full-text search,
create contact. While each scenario runs, the server's memory is sampled every 100 ms from
/proc/<pid>/status and the peak of each figure is reported per scenario, and the server
process's CPU time (user + system, /proc/<pid>/stat, all its threads) is divided by the
requests wrk completed: CPU seconds per 10,000 requests, a figure the machine's other load
disturbs far less than req/s. (On PostgreSQL the database server's own CPU is not in it.)
Prints Markdown tables for docs/benchmarks.md. Loopback only.

--engine postgres runs the same on PostgreSQL: on the cluster --pg-url names (a base URL as
printed by scripts/pg-cluster, e.g. "postgresql:///?host=/tmp/pg&user=postgres"; the
database relais_bench_N is created there, replacing one of that name), or else on a cluster
of its own that it starts with `scripts/pg-cluster start DIR --durable` (fsync,
synchronous_commit and full_page_writes on, as in production: benchmarks measure a durable
set-up) and stops at the end. PostgreSQL's own processes are not in the memory figures.

--db URL serves an existing database of either engine made by an earlier run (same
--contacts; it already holds the bench user) and skips generation and import;
--reuse-db PATH is --db sqlite:PATH. The database is used in place and create_contact adds
rows to it (all in the city "Lyon", one of the search terms, so later search runs get
slower): pass a fresh copy for comparable results.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PASSWORD = "bench-password-123"
SCENARIOS = ("healthz", "get_contact", "list_contacts", "search_contacts", "create_contact")
MEMORY_FIELDS = ("VmRSS", "RssAnon", "RssFile", "VmHWM")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_json(url, body, headers=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


class PgCluster:
    """A durable throwaway cluster (scripts/pg-cluster --durable), or None when given one."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="relais-bench-pg-", dir="/tmp")
        self.url = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "start",
                                   self.dir, "--durable"], check=True, capture_output=True,
                                  text=True).stdout.strip()

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster"), "stop", self.dir],
                       check=False)


def pg_database_url(base_url, name):
    """The base URL with a database name after the authority: postgresql:///NAME?host=..."""
    m = re.fullmatch(r"(postgres(?:ql)?://[^/?]*)/?[^?]*(\?.*)?", base_url)
    if not m:
        sys.exit(f"not a PostgreSQL URL: {base_url}")
    return f"{m[1]}/{name}{m[2] or ''}"


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def database_size_mb(db):
    if db.startswith("sqlite:"):
        return os.path.getsize(db[len("sqlite:"):]) / 1e6
    return int(psql(db, "SELECT pg_database_size(current_database())")) / 1e6


def engine_description(db, own_cluster):
    if db.startswith("sqlite:"):
        return "SQLite (WAL, synchronous=FULL, group commit: decision 0002)"
    version = psql(db, "SHOW server_version").split()[0]
    settings = psql(db, "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) "
                        "FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', "
                        "'full_page_writes', 'shared_buffers')")
    where = "own cluster, Unix socket" if own_cluster else "given cluster"
    return f"PostgreSQL {version} ({where}; {settings})"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {k: int(fields[k].split()[0]) for k in MEMORY_FIELDS}


class MemorySampler:
    """Polls /proc/<pid>/status every `interval` seconds on a thread and keeps the peak of
    each field: the figure after a scenario hides what the scenario needed while it ran."""

    def __init__(self, pid, interval=0.1):
        self.pid = pid
        self.interval = interval
        self.peak = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        for key, value in rss_kib(self.pid).items():
            self.peak[key] = max(self.peak.get(key, 0), value)

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()  # the last state counts too


def cpu_seconds(pid):
    """User + system CPU seconds the process has used so far, every thread included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_wrk(out):
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock_errors = re.search(r"Socket errors:.*", out)
    return {
        "rate": rate,
        "requests": requests,
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)],
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)],
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": sock_errors.group(0) if sock_errors else "",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=100000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--pg-url", metavar="BASE_URL",
                    help="PostgreSQL cluster for --engine postgres (default: start a durable "
                         "one)")
    ap.add_argument("--db", metavar="URL",
                    help="serve this database from an earlier run; skip generation and import")
    ap.add_argument("--reuse-db", metavar="PATH", help="same as --db sqlite:PATH")
    ap.add_argument("--server-log", metavar="FILE",
                    help="keep the server's log (stderr) in FILE instead of discarding it")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help="comma-separated subset of: " + ", ".join(SCENARIOS))
    args = ap.parse_args()
    scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}")

    relais = os.path.join(args.build, "relais")
    if args.reuse_db:
        if args.db:
            sys.exit("--db and --reuse-db are the same option: give one")
        args.db = "sqlite:" + os.path.abspath(args.reuse_db)
    cluster = None
    try:
        if args.db is None and args.engine == "postgres" and args.pg_url is None:
            cluster = PgCluster()
            args.pg_url = cluster.url
        run(args, relais, own_cluster=cluster is not None)
    finally:
        if cluster is not None:
            cluster.stop()


def run(args, relais, own_cluster):
    scenarios = [name for name in args.scenarios.split(",") if name]
    import_seconds = None
    if args.db:
        db = args.db
        if db.startswith("sqlite:") and not os.path.exists(db[len("sqlite:"):]):
            sys.exit(f"--db: {db} does not exist")
    else:
        db, import_seconds = create_database(relais, args.contacts, args.engine, args.pg_url)

    port = free_port()
    server_log = open(args.server_log, "w") if args.server_log else subprocess.DEVNULL
    server = subprocess.Popen([relais, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=server_log, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        token = post_json(base + "/api/v1/auth/login",
                          {"email": "bench@relais.local", "password": PASSWORD})["token"]
        env = dict(os.environ, RELAIS_TOKEN=token, RELAIS_MAX_ID=str(args.contacts),
                   RELAIS_BENCH_DIR=BENCH)
        results = {}
        memory = {"after start": rss_kib(server.pid)}
        for name in scenarios:
            cmd = ["wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}",
                   f"-d{args.duration}s", "-s", os.path.join(BENCH, "wrk", name + ".lua"), base]
            cpu_before = cpu_seconds(server.pid)
            with MemorySampler(server.pid) as sampler:
                out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                     check=True).stdout
            cpu_used = cpu_seconds(server.pid) - cpu_before
            memory[name] = sampler.peak
            results[name] = parse_wrk(out)
            results[name]["cpu_per_10k"] = 10_000 * cpu_used / max(results[name]["requests"], 1)
            if results[name]["errors"]:
                sys.exit(f"{name}: {results[name]['errors']} non-2xx answers:\n{out}")
        mem = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    ceiling = results["healthz"]["rate"] if "healthz" in results else None
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    print(f"\n### {args.contacts:,} contacts — {datetime.date.today()} — {cpu}, "
          f"{os.cpu_count()} cores, {platform.platform()}\n")
    print(f"Engine: {engine_description(db, own_cluster)}.\n")
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback "
          "(wrk, the server and the database share the cores).\n")
    print("| scenario | req/s | p50 ms | p99 ms | vs healthz | server CPU s / 10k req |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        share = f"{100 * r['rate'] / ceiling:.0f} %" if ceiling else "-"
        print(f"| {name} | {r['rate']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
              f"{share} | {r['cpu_per_10k']:.2f} |")
    if import_seconds is not None:
        print(f"\nCSV import: {args.contacts:,} rows in {import_seconds:.1f} s = "
              f"{args.contacts / import_seconds:,.0f} rows/s (`relais import contacts`, "
              "one process).")
    else:
        print(f"\nDatabase reused from {db} (no import).")
    # RssFile is mostly SQLite's memory-mapped database pages (page cache, reclaimable);
    # RssAnon is the server's own memory (heap, SQLite page caches, thread stacks).
    # VmHWM is the process's peak VmRSS since it started.
    print("\nServer memory, peak while each scenario ran (MiB, sampled every 100 ms):\n")
    print("| scenario | VmRSS | RssAnon | RssFile | VmHWM |")
    print("|---|---:|---:|---:|---:|")
    for name, peak in memory.items():
        print(f"| {name} | " + " | ".join(f"{peak[k] / 1024:.0f}" for k in MEMORY_FIELDS) + " |")
    print(f"\nServer RSS after the run: {mem['VmRSS'] / 1024:.0f} MiB "
          f"(anonymous {mem['RssAnon'] / 1024:.0f} MiB, file-backed "
          f"{mem['RssFile'] / 1024:.0f} MiB); peak {mem['VmHWM'] / 1024:.0f} MiB.")
    print(f"Database size: {database_size_mb(db):.0f} MB.")


def create_database(relais, contacts, engine, pg_url):
    """A fresh database with the bench user and N imported contacts: bench/out/bench-N.db, or
    relais_bench_N on the PostgreSQL cluster `pg_url`. Returns its URL and the import time
    in seconds."""
    out_dir = os.path.join(BENCH, "out")
    os.makedirs(out_dir, exist_ok=True)
    if engine == "sqlite":
        db_path = os.path.join(out_dir, f"bench-{contacts}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.remove(db_path + suffix)
        db = "sqlite:" + db_path
    else:
        name = f"relais_bench_{contacts}"
        admin = pg_database_url(pg_url, "postgres")
        psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(admin, f'CREATE DATABASE "{name}"')
        db = pg_database_url(pg_url, name)
    csv_path = os.path.join(out_dir, f"contacts-{contacts}.csv")
    if not os.path.exists(csv_path):
        subprocess.run([sys.executable, os.path.join(BENCH, "gen_contacts.py"),
                        str(contacts), csv_path], check=True)

    subprocess.run([relais, "migrate", "--db", db], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([relais, "user", "add", "--email", "bench@relais.local", "--role", "admin",
                    "--password-stdin", "--db", db], input=PASSWORD + "\n", text=True,
                   check=True, stdout=subprocess.DEVNULL)

    started = time.monotonic()
    imp = subprocess.run([relais, "import", "contacts", csv_path, "--db", db],
                         capture_output=True, text=True)
    import_seconds = time.monotonic() - started
    if imp.returncode != 0:
        sys.exit(f"import failed ({imp.returncode}): {imp.stdout[-2000:]} {imp.stderr[-2000:]}")
    return db, import_seconds


if __name__ == "__main__":
    main()
