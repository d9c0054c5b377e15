"""The blob store through `relais blob put|get|stat|usage|sweep`, and blobs carried by `relais
backup`/`restore` and `relais migrate-data` (src/domain/blobs/, decision 0014). Runs on the
engine RELAIS_TEST_ENGINE names; the migrate-data test moves SQLite to PostgreSQL either way.
Digests are checked against Python's own SHA-256 of the bytes."""

import hashlib
import json
import os
import subprocess

import databases
from databases import PostgresDatabase, SqliteDatabase
from relais_server import relais_binary

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def relais(*args, check=True, stdin=None, timeout=300):
    proc = subprocess.run([str(relais_binary()), *args], capture_output=True, timeout=timeout,
                          input=stdin)
    if check:
        assert proc.returncode == 0, f"relais {args}: {proc.returncode}\n{proc.stderr.decode()}"
    return proc


def put(db_url: str, path, *extra) -> dict:
    return json.loads(relais("blob", "put", str(path), "--db", db_url, *extra).stdout)


def get(db_url: str, digest: str, *extra) -> bytes:
    return relais("blob", "get", digest, "--db", db_url, *extra).stdout


def usage(db_url: str) -> dict:
    return json.loads(relais("blob", "usage", "--db", db_url).stdout)


def random_file(tmp_path, name: str, size: int):
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_blob_put_get_range_stat_dedup_and_limit(tmp_path, new_db):
    db = new_db("blobs")
    relais("migrate", "--db", db.url)
    path = random_file(tmp_path, "file.bin", 3 * 256 * 1024 + 12345)  # four chunks, odd size
    content = path.read_bytes()
    stored = put(db.url, path)
    assert stored["digest"] == hashlib.sha256(content).hexdigest()
    assert stored["size"] == len(content) and stored["refs"] == 0
    assert get(db.url, stored["digest"]) == content
    # A range across a chunk boundary, and one clipped at the end.
    assert get(db.url, stored["digest"], "--offset", str(256 * 1024 - 10), "--length", "20") == \
        content[256 * 1024 - 10: 256 * 1024 + 10]
    assert get(db.url, stored["digest"], "--offset", str(len(content) - 5), "--length",
               "100") == content[-5:]
    out = tmp_path / "out.bin"
    relais("blob", "get", stored["digest"], "--db", db.url, "--out", str(out))
    assert out.read_bytes() == content
    stat = json.loads(relais("blob", "stat", stored["digest"], "--db", db.url).stdout)
    assert stat["size"] == len(content)

    # The same content again (from standard input): the same blob, stored once.
    again = json.loads(relais("blob", "put", "-", "--db", db.url, stdin=content).stdout)
    assert again["digest"] == stored["digest"]
    assert usage(db.url) == {"blobs": 1, "bytes": len(content), "pending": 0, "chunks": 4}
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert put(db.url, empty)["digest"] == EMPTY_SHA256
    assert get(db.url, EMPTY_SHA256) == b""

    # Over the limit: refused, nothing kept; no output file for a missing blob.
    big = random_file(tmp_path, "big.bin", 600 * 1024)
    refused = relais("blob", "put", str(big), "--db", db.url, "--max-size", str(512 * 1024),
                     check=False)
    assert refused.returncode == 1
    assert b"at most 524288 bytes" in refused.stderr
    assert usage(db.url) == {"blobs": 2, "bytes": len(content), "pending": 0, "chunks": 4}
    missing = relais("blob", "get", "0" * 64, "--db", db.url, "--out", str(tmp_path / "none"),
                     check=False)
    assert missing.returncode == 1 and b"no blob" in missing.stderr
    assert not (tmp_path / "none").exists() and not (tmp_path / "none.partial").exists()
    bad = relais("blob", "stat", "../../etc/passwd", "--db", db.url, check=False)
    assert bad.returncode == 1 and b"not a blob digest" in bad.stderr

    # Unreferenced blobs are kept for the grace period (an hour): a sweep now deletes nothing.
    swept = json.loads(relais("blob", "sweep", "--db", db.url).stdout)
    assert swept == {"blobs_deleted": 0, "uploads_deleted": 0, "chunks_deleted": 0}
    assert get(db.url, stored["digest"]) == content


def test_blobs_survive_backup_and_restore(tmp_path, new_db):
    db = new_db("source")
    relais("migrate", "--db", db.url)
    path = random_file(tmp_path, "doc.pdf", 2 * 256 * 1024 + 1)
    digest = put(db.url, path)["digest"]
    backup = tmp_path / "backup.relais"
    relais("backup", "--db", db.url, "--out", str(backup))
    target = new_db("restored")
    relais("restore", "--db", target.url, "--from", str(backup))
    restored = get(target.url, digest)  # the whole read re-hashes what the database holds
    assert hashlib.sha256(restored).hexdigest() == digest
    assert usage(target.url) == usage(db.url)


def test_blobs_survive_migrate_data_from_sqlite_to_postgres(tmp_path):
    source = SqliteDatabase(tmp_path, "source")
    relais("migrate", "--db", source.url)
    files = [random_file(tmp_path, f"f{n}", size) for n, size in
             enumerate([1, 256 * 1024, 5 * 256 * 1024 + 7])]
    digests = [put(source.url, f)["digest"] for f in files]
    target = PostgresDatabase("blobs_target")
    try:
        out = relais("migrate-data", "--from", source.url, "--to", target.url).stdout.decode()
        lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
        assert lines["blobs"][1:3] == ["3", "3"] and lines["blobs"][-1] == "ok"
        assert lines["blob_chunks"][1:3] == ["8", "8"] and lines["blob_chunks"][-1] == "ok"
        for f, digest in zip(files, digests):
            moved = get(target.url, digest)
            assert hashlib.sha256(moved).hexdigest() == digest
            assert moved == f.read_bytes()
        # Stored as bytea chunks, 256 KiB each but the last.
        sizes = databases.psql(target.url, "SELECT string_agg(length(bytes)::text, ',' ORDER BY "
                               "blob_id, seq) FROM blob_chunks")
        assert sizes == "1,262144,262144,262144,262144,262144,262144,7"
    finally:
        target.drop()
