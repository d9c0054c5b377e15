"""`relais backup`, `relais restore` and `relais migrate-data` through the CLI, on live servers.

The PostgreSQL tests use the test cluster of databases.py: RELAIS_TEST_PG_URL when set, else a
cluster of its own for the session. They never skip.
"""

import os
import re
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest

from api_client import Api, unique
from conftest import load_checker
from databases import (ExistingPostgresDatabase, SqliteDatabase, pg_base_url, pg_database_url,
                       psql)
from relais_server import REPO_ROOT, RelaisServer, relais_binary, run_cli

# The binary's schema version: the highest migration number (the same on both engines).
LATEST_SCHEMA = max(int(p.name[:4]) for p in
                    (REPO_ROOT / "src" / "storage" / "sqlite" / "migrations").glob("*.sql"))

DEMO_EMAIL = "admin@demo.relais.fr"
DEMO_PASSWORD = "relais-demo-2026"


# --- PostgreSQL databases on the test cluster -------------------------------------------------

def pg_url(name: str) -> str:
    """The URL of database `name` on the test cluster (databases.py starts one if none is given)."""
    return pg_database_url(pg_base_url(), name)


@pytest.fixture
def pg_database():
    """A factory of fresh, empty databases on the cluster, dropped at the end of the test."""
    names = []

    def create() -> str:
        name = f"relais_backup_{uuid.uuid4().hex[:12]}"
        psql(pg_base_url(), f"CREATE DATABASE {name}")
        names.append(name)
        return pg_url(name)

    yield create
    for name in names:
        psql(pg_base_url(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- helpers ------------------------------------------------------------------------------------

def relais(*args, check=True, timeout=300, env=None):
    proc = subprocess.run([str(relais_binary()), *args], capture_output=True, text=True,
                          timeout=timeout, env=env)
    if check:
        assert proc.returncode == 0, f"relais {args[0]}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def demo_login(server: RelaisServer) -> Api:
    api = Api(server.base_url, load_checker(server.base_url), name="demo-admin")
    r = api.post("/api/v1/auth/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    api.token = r.json()["token"]
    return api


class Writers:
    """Threads creating contacts as fast as the server takes them; each acknowledged write is
    recorded with the monotonic time its 201 arrived."""

    def __init__(self, server: RelaisServer, token: str, threads: int = 4):
        self.server = server
        self.token = token
        self.acked = []  # (time acknowledged, id)
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, n: int):
        api = Api(self.server.base_url, None, token=self.token)
        while not self.stop_event.is_set():
            r = api.post("/api/v1/contacts", {"first_name": f"Sauvegarde{n}",
                                              "last_name": unique()}, timeout=30)
            assert r.status_code == 201, r.text
            with self.lock:
                self.acked.append((time.monotonic(), r.json()["id"]))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=30)

    def acked_between(self, start: float, end: float) -> list:
        with self.lock:
            return [rid for at, rid in self.acked if start <= at < end]

    def wait_for(self, count: int, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.acked) >= count:
                    return
            time.sleep(0.02)
        raise AssertionError(f"fewer than {count} writes acknowledged in {timeout} s")


def sql(path, query: str) -> list:
    """The rows of one query on an SQLite file; the connection is closed again (an open one
    would make `relais restore` find the database in use)."""
    db = sqlite3.connect(path)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def contact_ids_sqlite(path) -> set:
    return {row[0] for row in sql(path, "SELECT id FROM contacts")}


def integrity(path) -> str:
    return sql(path, "PRAGMA integrity_check")[0][0]


def schema_version(path) -> int:
    return sql(path, "SELECT max(version) FROM schema_migrations")[0][0]


def demo_server(tmp_path, name="demo") -> RelaisServer:
    server = RelaisServer(SqliteDatabase.at(tmp_path / f"{name}.db"), tmp_path / f"{name}.log")
    relais("demo", "--db", server.db_url)
    return server


# --- SQLite backup and restore ------------------------------------------------------------------

def test_sqlite_backup_under_write_load_restores_every_write_acknowledged_before_it(tmp_path):
    server = demo_server(tmp_path)
    server.start()
    try:
        api = demo_login(server)
        with Writers(server, api.token) as writers:
            writers.wait_for(50)
            started = time.monotonic()
            out = relais("backup", "--db", server.db_url, "--out", str(tmp_path / "backup.db"))
            finished = time.monotonic()
            writers.wait_for(len(writers.acked) + 20)
        before = writers.acked_between(0, started)
        during = writers.acked_between(started, finished)
    finally:
        assert server.stop() == 0, server.log_text()
    assert "backed up to" in out.stdout and f"schema version {LATEST_SCHEMA}" in out.stdout, out.stdout
    assert not (tmp_path / "backup.db.partial").exists()
    # The server kept acknowledging writes while the backup ran: it was not blocked.
    assert during, "no write was acknowledged while the backup ran"

    backup = tmp_path / "backup.db"
    assert integrity(backup) == "ok"
    assert schema_version(backup) == schema_version(server.database.path)
    assert sql(backup, "PRAGMA journal_mode")[0][0] == "delete"

    restored = tmp_path / "elsewhere" / "restored.db"
    out = relais("restore", "--db", f"sqlite:{restored}", "--from", str(backup))
    assert "restored from" in out.stdout
    assert integrity(restored) == "ok"
    ids = contact_ids_sqlite(restored)
    missing = [rid for rid in before if rid not in ids]
    assert not missing, f"{len(missing)} writes acknowledged before the backup are missing"
    # One snapshot: nothing acknowledged after the backup finished is in it.
    after = writers.acked_between(finished, float("inf"))
    assert after and not [rid for rid in after if rid in ids]

    # The restored database serves: sign-in, the contacts written before the backup.
    again = RelaisServer(SqliteDatabase.at(restored), tmp_path / "restored.log")
    again.start()
    try:
        api = demo_login(again)
        for rid in before[-5:]:
            assert api.get(f"/api/v1/contacts/{rid}").status_code == 200
        assert api.create("contacts", {"first_name": "Après", "last_name": "Restauration"})["id"]
    finally:
        assert again.stop() == 0, again.log_text()


def test_sqlite_restore_refuses_a_non_empty_or_busy_database(tmp_path):
    server = demo_server(tmp_path)
    relais("backup", "--db", server.db_url, "--out", str(tmp_path / "backup.db"))
    target = RelaisServer(SqliteDatabase.at(tmp_path / "target.db"), tmp_path / "target.log")
    run_cli("migrate", "--db", target.db_url)
    # Migrated but empty: restored into.
    relais("restore", "--db", target.db_url, "--from", str(tmp_path / "backup.db"))

    refused = relais("restore", "--db", target.db_url, "--from", str(tmp_path / "backup.db"),
                     check=False)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    # A refusal leaves the database as it was.
    assert sql(target.database.path, "PRAGMA journal_mode")[0][0] == "wal"

    target.start()
    try:
        busy = relais("restore", "--db", target.db_url, "--from", str(tmp_path / "backup.db"),
                      "--force", check=False)
        assert busy.returncode == 2
        assert "in use" in busy.stderr
        assert target.proc.poll() is None
    finally:
        target.stop()
    relais("restore", "--db", target.db_url, "--from", str(tmp_path / "backup.db"), "--force")
    assert integrity(target.database.path) == "ok"

    garbage_target = tmp_path / "garbage-target.db"
    garbage_target.write_bytes(b"x" * 8192)
    refused = relais("restore", "--db", f"sqlite:{garbage_target}", "--from",
                     str(tmp_path / "backup.db"), check=False)
    assert refused.returncode == 2 and "not a readable SQLite database" in refused.stderr
    relais("restore", "--db", f"sqlite:{garbage_target}", "--from", str(tmp_path / "backup.db"),
           "--force")
    assert integrity(garbage_target) == "ok"

    not_a_backup = tmp_path / "garbage.db"
    not_a_backup.write_bytes(b"not a database" * 100)
    bad = relais("restore", "--db", f"sqlite:{tmp_path / 'new.db'}", "--from", str(not_a_backup),
                 check=False)
    assert bad.returncode == 1 and "relais restore:" in bad.stderr
    missing = relais("backup", "--db", f"sqlite:{tmp_path / 'absent.db'}", "--out",
                     str(tmp_path / "x.db"), check=False)
    assert missing.returncode == 1 and "no SQLite database" in missing.stderr
    assert not (tmp_path / "x.db").exists()


# --- PostgreSQL ---------------------------------------------------------------------------------

def pg_server(tmp_path, url: str, name: str) -> RelaisServer:
    return RelaisServer(ExistingPostgresDatabase(url), tmp_path / f"{name}.log")


def pg_contact_ids(url: str) -> set:
    return {int(x) for x in psql(url, "SELECT id FROM contacts").split()}


def test_postgres_backup_under_write_load_restores_every_write_acknowledged_before_it(
        tmp_path, pg_database):
    source = pg_database()
    relais("demo", "--db", source)
    server = pg_server(tmp_path, source, "pg-source")
    server.start()
    try:
        api = demo_login(server)
        with Writers(server, api.token) as writers:
            writers.wait_for(50)
            started = time.monotonic()
            out = relais("backup", "--db", source, "--out", str(tmp_path / "pg.dump"))
            writers.wait_for(len(writers.acked) + 20)
        before = writers.acked_between(0, started)
    finally:
        assert server.stop() == 0, server.log_text()
    assert f"postgresql, schema version {LATEST_SCHEMA}" in out.stdout, out.stdout

    target = pg_database()
    relais("restore", "--db", target, "--from", str(tmp_path / "pg.dump"))
    ids = pg_contact_ids(target)
    assert not [rid for rid in before if rid not in ids]
    assert psql(target, "SELECT max(version) FROM schema_migrations") == str(LATEST_SCHEMA)
    assert psql(target, "SELECT count(*) FROM contacts WHERE search_vector @@ "
                        "relais_search_query('sauvegarde')") != "0"

    refused = relais("restore", "--db", target, "--from", str(tmp_path / "pg.dump"), check=False)
    assert refused.returncode == 2 and "not empty" in refused.stderr
    relais("restore", "--db", target, "--from", str(tmp_path / "pg.dump"), "--force")
    assert pg_contact_ids(target) == ids


def test_postgres_password_reaches_pg_dump_only_in_its_environment(tmp_path, pg_database):
    url = pg_database()
    empty = tmp_path / "empty.db"
    relais("migrate", "--db", f"sqlite:{empty}")
    relais("migrate-data", "--from", f"sqlite:{empty}", "--to", url)
    # A stand-in pg_dump first in PATH records what it was given, then fails.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > {tmp_path}/argv\n"
        f"printf '%s' \"$PGPASSWORD\" > {tmp_path}/password\n"
        "echo 'pg_dump: error: simulated failure' >&2\nexit 1\n")
    (fake / "pg_dump").chmod(0o755)
    secret = "s3cret-Pa55"
    head, sep, query = url.partition("?")
    with_password = head.replace("postgresql://", f"postgresql://postgres:{secret}@", 1) + sep + query
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    proc = relais("backup", "--db", with_password, "--out", str(tmp_path / "x.dump"), check=False,
                  env=env)
    assert proc.returncode == 1
    assert "simulated failure" in proc.stderr
    assert secret not in proc.stderr + proc.stdout
    argv = (tmp_path / "argv").read_text()
    assert "--format=custom" in argv and secret not in argv
    assert (tmp_path / "password").read_text() == secret
    assert not (tmp_path / "x.dump").exists()


def parse_report(stdout: str) -> dict:
    """migrate-data's table: {table: (source rows, target rows, source sum, target sum, ok)}."""
    rows = {}
    for line in stdout.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s+(\d+)\s+([0-9a-f]{32})\s+([0-9a-f]{32})\s+(\w+)$", line)
        if m:
            rows[m[1]] = (int(m[2]), int(m[3]), m[4], m[5], m[6])
    return rows


def test_migrate_data_moves_a_demo_installation_to_postgres(tmp_path, pg_database):
    sqlite_server = demo_server(tmp_path)
    sqlite_server.start()
    try:  # a little of everything the demo lacks: a note, a custom field, an API token
        api = demo_login(sqlite_server)
        contact = api.get("/api/v1/contacts", params={"q": "dupont", "limit": 1}).json()["data"][0]
        api.create("notes", {"body": "Note migrée", "contact_id": contact["id"], "pinned": True})
        api.create("custom_fields", {"entity": "contact", "key": "fidelite", "label": "Fidélité",
                                     "type": "number"})
        token = api.post("/api/v1/tokens", {"name": "migration", "scopes": ["read"]})
        assert token.status_code == 201, token.text
        contacts_before = api.get("/api/v1/contacts", params={"limit": 20, "sort": "-id"}).json()
        timeline_before = api.get(f"/api/v1/contacts/{contact['id']}/timeline").json()
        search_before = api.get("/api/v1/contacts", params={"q": "helene", "limit": 500}).json()
    finally:
        assert sqlite_server.stop() == 0

    target = pg_database()
    out = relais("migrate-data", "--from", sqlite_server.db_url, "--to", target)
    report = parse_report(out.stdout)
    for table, (src, dst, src_sum, dst_sum, verdict) in report.items():
        assert (src, src_sum, verdict) == (dst, dst_sum, "ok"), table
        assert sql(sqlite_server.database.path, f'SELECT count(*) FROM "{table}"')[0][0] == src, table
    assert {"contacts", "contact_emails", "audit_log", "outbox_events", "deal_stage_changes",
            "sessions", "api_tokens", "jobs", "outbox_consumers", "login_throttle",
            "custom_fields", "notes"} <= set(report)
    assert report["contacts"][0] >= 2000 and report["notes"][0] == 1
    assert re.search(r"migrate-data: \d+ tables, \d+ rows copied and verified", out.stdout)

    server = pg_server(tmp_path, target, "pg")
    server.start()
    try:
        api = demo_login(server)
        assert api.get("/api/v1/contacts", params={"limit": 20, "sort": "-id"}).json() == \
            contacts_before
        assert api.get(f"/api/v1/contacts/{contact['id']}/timeline").json() == timeline_before
        found = api.get("/api/v1/contacts", params={"q": "helene", "limit": 500}).json()
        assert {c["id"] for c in found["data"]} == {c["id"] for c in search_before["data"]}
        assert found["data"], "the demo has contacts named Hélène"
        deals = api.get("/api/v1/deals", params={"limit": 5}).json()["data"]
        assert len(deals) == 5
        deal_timeline = api.get(f"/api/v1/deals/{deals[0]['id']}/timeline")
        assert deal_timeline.status_code == 200 and deal_timeline.json()["data"]
        # The API token made on SQLite works on PostgreSQL; new ids continue after the old.
        reader = Api(server.base_url, None, token=token.json()["token"])
        assert reader.get(f"/api/v1/contacts/{contact['id']}").status_code == 200
        created = api.create("contacts", {"first_name": "Nouvelle", "last_name": unique()})
        assert created["id"] > max(c["id"] for c in contacts_before["data"])
    finally:
        assert server.stop() == 0, server.log_text()

    # The target is no longer empty: refused (exit 2, nothing changed), then --force.
    refused = relais("migrate-data", "--from", sqlite_server.db_url, "--to", target, check=False)
    assert refused.returncode == 2, refused.stderr
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert psql(target, "SELECT count(*) FROM contacts") == str(report["contacts"][0] + 1)
    forced = relais("migrate-data", "--from", sqlite_server.db_url, "--to", target, "--force")
    assert parse_report(forced.stdout) == report


def test_migrate_data_back_from_postgres_to_sqlite(tmp_path, pg_database):
    source = tmp_path / "demo.db"
    relais("demo", "--db", f"sqlite:{source}")
    middle = pg_database()
    relais("migrate-data", "--from", f"sqlite:{source}", "--to", middle)
    back = tmp_path / "back.db"
    out = relais("migrate-data", "--from", middle, "--to", f"sqlite:{back}")
    first = parse_report(relais("migrate-data", "--from", f"sqlite:{source}", "--to",
                                f"sqlite:{tmp_path / 'copy.db'}").stdout)
    assert parse_report(out.stdout) == first
    assert integrity(back) == "ok"
    server = RelaisServer(SqliteDatabase.at(back), tmp_path / "back.log")
    server.start()
    try:
        api = demo_login(server)
        found = api.get("/api/v1/contacts", params={"q": "dup", "limit": 500}).json()["data"]
        expected = {r[0] for r in sql(
            source, "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH 'dup*'")}
        assert expected and {c["id"] for c in found} == expected
    finally:
        assert server.stop() == 0
