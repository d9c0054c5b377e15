"""The database engine the integration suite runs on: RELAIS_TEST_ENGINE=sqlite (default) or
postgres. Every server a test starts gets a database of its own: an SQLite file in the test's
temporary directory, or a freshly created database on a PostgreSQL cluster, dropped afterwards.

The PostgreSQL cluster is RELAIS_TEST_PG_URL (a base URL as printed by scripts/pg-cluster:
"postgresql:///?host=DIR&user=postgres") when set, else one this module starts with
scripts/pg-cluster in a temporary directory and stops when the test session ends
(`stop_own_cluster`, called by conftest). PostgreSQL is reached with `psql` only, as an
operator would."""

import itertools
import os
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("sqlite", "postgres")


def engine() -> str:
    name = os.environ.get("RELAIS_TEST_ENGINE", "sqlite")
    if name not in ENGINES:
        raise RuntimeError(f"RELAIS_TEST_ENGINE must be one of {ENGINES}, not {name!r}")
    return name


_own_cluster_dir = None
_counter = itertools.count(1)


def pg_base_url() -> str:
    """The cluster's base URL; starts a private cluster on first use when none is given."""
    global _own_cluster_dir
    url = os.environ.get("RELAIS_TEST_PG_URL")
    if url:
        return url
    if _own_cluster_dir is None:
        # Short path: the socket lives in this directory (sun_path is 107 bytes).
        _own_cluster_dir = tempfile.mkdtemp(prefix="relais-pt-", dir="/tmp")
        proc = subprocess.run([str(REPO_ROOT / "scripts" / "pg-cluster"), "start",
                               _own_cluster_dir], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"scripts/pg-cluster start failed: {proc.stderr}")
        os.environ["RELAIS_TEST_PG_URL"] = proc.stdout.strip()
    return os.environ["RELAIS_TEST_PG_URL"]


def stop_own_cluster() -> None:
    global _own_cluster_dir
    if _own_cluster_dir is not None:
        subprocess.run([str(REPO_ROOT / "scripts" / "pg-cluster"), "stop", _own_cluster_dir],
                       check=False, timeout=120)
        os.environ.pop("RELAIS_TEST_PG_URL", None)
        _own_cluster_dir = None


def pg_database_url(base_url: str, name: str) -> str:
    """The base URL with a database name after the authority: postgresql:///NAME?host=..."""
    m = re.fullmatch(r"(postgres(?:ql)?://[^/?]*)/?[^?]*(\?.*)?", base_url)
    if not m:
        raise RuntimeError(f"not a PostgreSQL URL: {base_url}")
    return f"{m[1]}/{name}{m[2] or ''}"


def psql(url: str, sql: str) -> str:
    """Runs SQL with psql (stops at the first error); returns the unaligned, tuples-only output."""
    proc = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-c", sql], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed ({proc.returncode}): {proc.stderr}\nSQL: {sql}")
    return proc.stdout.strip()


def psql_script(url: str, script: str) -> str:
    """Runs a psql script (meta-commands such as \\gexec allowed) from stdin; stops at the first
    error; returns the unaligned, tuples-only output."""
    proc = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                           "-f", "-"], input=script, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed ({proc.returncode}): {proc.stderr}\nSQL: {script}")
    return proc.stdout.strip()


class SqliteDatabase:
    engine = "sqlite"

    def __init__(self, directory: Path, name: str):
        self.path = Path(directory) / f"{name}.db"
        self.url = f"sqlite:{self.path}"

    @classmethod
    def at(cls, path: Path) -> "SqliteDatabase":
        """The database in file `path` (one a test made with the CLI, e.g. a restored backup)."""
        db = cls.__new__(cls)
        db.path = Path(path)
        db.url = f"sqlite:{db.path}"
        return db

    def check_consistency(self) -> None:
        """SQLite's own check of every page, index and constraint."""
        with sqlite3.connect(self.path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    def drop(self) -> None:
        pass  # the file lives in the test's temporary directory


class ExistingPostgresDatabase:
    """A database a test created itself (its own fixture), served as it is and not dropped."""
    engine = "postgres"

    def __init__(self, url: str):
        self.url = url

    def drop(self) -> None:
        pass


class PostgresDatabase:
    engine = "postgres"

    def __init__(self, name: str):
        base = pg_base_url()
        # Unique per run and per process: several suites may share one cluster.
        self.name = f"relais_it_{os.getpid()}_{next(_counter)}_{re.sub(r'[^a-z0-9_]', '_', name.lower())}"[:63]
        self.admin_url = pg_database_url(base, "postgres")
        self.url = pg_database_url(base, self.name)
        psql(self.admin_url, f'CREATE DATABASE "{self.name}"')

    def check_consistency(self) -> None:
        """PostgreSQL's equivalent of PRAGMA integrity_check: amcheck verifies every table's heap
        (verify_heapam) and every B-tree index against its table (bt_index_check with
        heapallindexed: each row is found in each index); then every foreign key is checked
        over the existing rows (PostgreSQL enforces them; this is the counterpart of SQLite's
        PRAGMA foreign_key_check). One psql script (\\gexec runs the generated foreign-key
        queries): a psql per check took ~18 s on a loaded 2-core machine."""
        out = psql_script(self.url, r"""
            CREATE EXTENSION IF NOT EXISTS amcheck;
            SELECT 'heap ' || c.relname || ': ' || v.msg
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                   LATERAL verify_heapam(c.oid) v
             WHERE n.nspname = 'public' AND c.relkind = 'r';
            SELECT bt_index_check(c.oid, true) IS NULL AS checked
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE am.amname = 'btree' AND n.nspname = 'public' AND i.indisvalid
            \g /dev/null
            SELECT format('SELECT %L || '' rows without their parent'' FROM %s c WHERE %s '
                          'AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s) HAVING count(*) > 0',
                          'foreign key ' || con.conname || ': ' , con.conrelid::regclass,
                          string_agg(format('c.%I IS NOT NULL', a.attname), ' AND '),
                          con.confrelid::regclass,
                          string_agg(format('p.%I = c.%I', fa.attname, a.attname), ' AND '))
              FROM pg_constraint con
              JOIN pg_namespace n ON n.oid = con.connamespace
             CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS k(col, fcol)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col
              JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fcol
             WHERE con.contype = 'f' AND n.nspname = 'public'
             GROUP BY con.oid, con.conname, con.conrelid, con.confrelid
            \gexec
            """)
        assert out == "", f"consistency check: {out}"

    def drop(self) -> None:
        psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def new_database(directory: Path, name: str):
    """A new, empty database of the engine under test (not migrated)."""
    if engine() == "postgres":
        return PostgresDatabase(name)
    return SqliteDatabase(directory, name)
