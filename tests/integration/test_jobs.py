"""The durable job queue through the public surface: the admin jobs API, `relais worker`, and
the crash test — kill -9 at random instants while jobs caused by acknowledged writes run, then
every effect exists exactly once."""

import collections
import os
import random
import signal
import subprocess
import threading
import time

from api_client import Api, error_of, unique
from conftest import PASSWORD, email_of, login_admin as login
from relais_server import RelaisServer, add_user, relais_binary, run_cli

SELFTEST_KIND = "selftest.contact_note"


def all_pages(api, path, params=None):
    params = dict(params or {}, limit=500)
    while True:
        r = api.get(path, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        yield from body["data"]
        if not body["next_cursor"]:
            return
        params["cursor"] = body["next_cursor"]


def jobs_of(api, **params):
    return list(all_pages(api, "/api/v1/jobs", params))


def wait_until(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def selftest_notes_per_contact(api):
    counts = collections.Counter()
    for note in all_pages(api, "/api/v1/notes"):
        if note["body"].startswith("selftest job "):
            counts[note["contact_id"]] += 1
    return counts


def new_server(new_db, tmp_path, name, *extra):
    server = RelaisServer(new_db(name), tmp_path / f"{name}.log", extra_args=extra)
    run_cli("migrate", "--db", server.db_url)
    add_user(server.db_url, email_of("admin"), "admin", PASSWORD)
    return server


def test_admins_list_and_inspect_jobs_others_may_not(relais):
    admin = relais.client("admin")
    # Every server keeps the retention jobs scheduled (recurring, once per hour).
    kinds = {job["kind"] for job in jobs_of(admin, status="queued")}
    assert {"jobs.prune", "outbox.prune"} <= kinds
    job = jobs_of(admin, kind="jobs.prune")[0]
    assert job["status"] == "queued" and job["attempts"] == 0 and job["progress"] is None
    one = admin.get(f"/api/v1/jobs/{job['id']}")
    assert one.status_code == 200 and one.json()["id"] == job["id"]
    assert set(one.json()) >= {"id", "kind", "status", "attempts", "run_at", "progress",
                               "last_error"}

    for name in ("manager", "sales_a", "readonly"):
        r = relais.client(name).get("/api/v1/jobs")
        assert r.status_code == 403, (name, r.text)
        assert error_of(r)["code"] == "forbidden"
        assert relais.client(name).post(f"/api/v1/jobs/{job['id']}/retry").status_code == 403
    assert relais.anonymous().get("/api/v1/jobs").status_code == 401

    bad = admin.get("/api/v1/jobs", params={"status": "stuck"})
    assert bad.status_code == 422 and "status" in error_of(bad)["fields"]
    assert admin.get("/api/v1/jobs", params={"limit": "0"}).status_code == 422
    assert admin.get("/api/v1/jobs", params={"cursor": "zz"}).status_code == 422
    assert admin.get("/api/v1/jobs/99999999").status_code == 404
    queued_retry = admin.post(f"/api/v1/jobs/{job['id']}/retry")
    assert queued_retry.status_code == 409, queued_retry.text  # only failed or dead jobs


def test_worker_process_dead_letters_and_admin_retries(tmp_path, new_db):
    """A job that cannot succeed goes to the dead-letter queue at once; an admin sees it and
    runs it again. Jobs run in a separate `relais worker` process, stopped by SIGTERM."""
    server = new_server(new_db, tmp_path, "dlq", "--self-test-jobs", "--job-workers", "0")
    server.start()
    try:
        api = login(server)
        doomed = api.create("contacts", {"first_name": "Éphémère", "last_name": unique()})
        assert api.delete(f"/api/v1/contacts/{doomed['id']}").status_code == 204
        kept = api.create("contacts", {"first_name": "Durable", "last_name": unique()})
        time.sleep(0.3)
        assert jobs_of(api, kind=SELFTEST_KIND) == []  # no worker in this server

        log = open(tmp_path / "worker.log", "ab")
        worker = subprocess.Popen([str(relais_binary()), "worker", "--db", server.db_url,
                                   "--self-test-jobs"], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: len(jobs_of(api, kind=SELFTEST_KIND, status="done")) == 1
                       and len(jobs_of(api, kind=SELFTEST_KIND, status="dead")) == 1,
                       what="the worker to finish both jobs")
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=15) == 0
            log.close()
        assert selftest_notes_per_contact(api) == {kept["id"]: 1}

        dead = jobs_of(api, kind=SELFTEST_KIND, status="dead")[0]
        assert dead["attempts"] == 1  # a bad payload is not retried
        assert dead["payload"]["record_id"] == doomed["id"]
        assert "contact" in dead["last_error"]
        assert dead["finished_at"] is not None
        retried = api.post(f"/api/v1/jobs/{dead['id']}/retry")
        assert retried.status_code == 200, retried.text
        assert retried.json()["status"] == "queued" and retried.json()["attempts"] == 0
        assert retried.json()["finished_at"] is None
    finally:
        assert server.stop() in (0, -15)


def test_job_effects_happen_exactly_once_across_kill_9(tmp_path, new_db):
    """Writers create contacts; each contact.created event becomes a job that writes one note.
    The server (with its job workers) is SIGKILLed at random instants, several times. In the
    end every acknowledged contact has exactly one note, no contact has two, no job is dead,
    and the database passes the engine's consistency check (SQLite's integrity and foreign
    key checks; PostgreSQL's amcheck of every table and index, and every foreign key)."""
    seed = int(os.environ.get("RELAIS_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    rounds = int(os.environ.get("RELAIS_CRASH_ROUNDS", "5"))
    server = new_server(new_db, tmp_path, "crash", "--self-test-jobs", "--job-workers", "2")
    acknowledged = set()
    lock = threading.Lock()

    def writer(token, stop):
        w = Api(server.base_url, None, token=token)
        while not stop.is_set():
            try:
                r = w.post("/api/v1/contacts", {"first_name": "Crash", "last_name": unique()},
                           timeout=5)
            except Exception:  # noqa: BLE001 - the server is being killed under us
                return
            if r.status_code == 201:
                with lock:
                    acknowledged.add(r.json()["id"])

    for _ in range(rounds):
        server.start()
        token = login(server).token
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(token, stop)) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.2))
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=10)

    server.start()
    try:
        api = login(server)
        # Leases of the killed processes expire (2 s for this kind); every job then finishes.
        wait_until(lambda: len(acknowledged) == 0 or all(
            job["status"] == "done" for job in jobs_of(api, kind=SELFTEST_KIND))
            and len(jobs_of(api, kind=SELFTEST_KIND)) >= len(acknowledged),
            timeout=90, what=f"every job to be done (seed {seed})")
        counts = selftest_notes_per_contact(api)
        assert len(acknowledged) > 100, f"too few writes acknowledged (seed {seed})"
        missing = [cid for cid in acknowledged if counts.get(cid) != 1]
        assert not missing, f"seed {seed}: contacts without exactly one note: {missing[:10]}"
        twice = {cid: n for cid, n in counts.items() if n != 1}
        assert not twice, f"seed {seed}: effects applied more than once: {twice}"
        assert jobs_of(api, status="dead") == []
        jobs = jobs_of(api, kind=SELFTEST_KIND)
        assert len({job["payload"]["event_id"] for job in jobs}) == len(jobs)
    finally:
        assert server.stop() in (0, -15)
    server.database.check_consistency()
