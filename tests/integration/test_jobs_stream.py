"""GET /api/v1/jobs/stream, read raw over HTTP: server-sent events of job progress for admins
(docs/DESIGN.md, "Jobs"). A long job is started by creating a company named
"selftest progress <steps> <ms>" on a server with the hidden --self-test-jobs flag."""

import signal
import time

import requests

from api_client import unique
from conftest import PASSWORD, email_of, login_admin
from relais_server import RelaisServer, add_user, run_cli
from sse_client import SseStream

PROGRESS_KIND = "selftest.progress"


def progress_server(new_db, tmp_path, name="sse", *extra):
    server = RelaisServer(new_db(name), tmp_path / f"{name}.log",
                          extra_args=["--self-test-jobs", *extra])
    run_cli("migrate", "--db", server.db_url)
    add_user(server.db_url, email_of("admin"), "admin", PASSWORD)
    add_user(server.db_url, email_of("sales"), "sales", PASSWORD)
    server.start()
    return server


def start_long_job(api, steps, ms):
    return api.create("companies", {"name": f"selftest progress {steps} {ms} {unique()}"})


def open_stream(server, api, path="/api/v1/jobs/stream", **kw):
    stream = SseStream(server.base_url, path, token=api.token, timeout=20, **kw)
    assert stream.status == 200, (stream.status, stream.response.read())
    ready = stream.next_event()
    assert ready["event"] == "ready" and ready["data"] == "{}" and ready["id"], ready
    return stream, ready


def is_done(event):
    return event["event"] == "job" and event["job"]["status"] == "done"


def test_only_signed_in_admins_may_watch(relais):
    base = relais.server.base_url
    anonymous = SseStream(base)
    assert anonymous.status == 401
    assert anonymous.body_json()["error"]["code"] == "unauthorized"
    for name in ("manager", "sales_a", "readonly"):
        refused = SseStream(base, token=relais.client(name).token)
        assert refused.status == 403, name
        assert refused.body_json()["error"]["code"] == "forbidden"
    admin = relais.client("admin")
    bad_id = SseStream(base, "/api/v1/jobs/stream?id=abc", token=admin.token)
    assert bad_id.status == 422 and "id" in bad_id.body_json()["error"]["fields"]
    bad_resume = SseStream(base, token=admin.token, last_event_id="not-an-id")
    assert bad_resume.status == 400

    # A cookie session (what the web UI uses) works too; a GET needs no CSRF header.
    browser = requests.Session()
    r = browser.post(base + "/api/v1/auth/login",
                     json={"email": email_of("admin"), "password": PASSWORD, "session": "cookie"})
    assert r.status_code == 200, r.text
    cookie = f"relais_session={browser.cookies.get('relais_session')}"
    stream = SseStream(base, cookie=cookie)
    try:
        assert stream.status == 200
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert stream.headers["Cache-Control"] == "no-store"
        assert stream.headers["X-Accel-Buffering"] == "no"
        assert stream.next_event()["event"] == "ready"
        assert stream.retry == 2000
    finally:
        stream.close()


def test_progress_and_completion_arrive_as_the_job_runs(tmp_path, new_db):
    server = progress_server(new_db, tmp_path)
    try:
        api = login_admin(server)
        stream, _ = open_stream(server, api, f"/api/v1/jobs/stream?kind={PROGRESS_KIND}")
        try:
            start_long_job(api, 6, 200)
            events = stream.events_until(is_done)
        finally:
            stream.close()
        jobs = [e["job"] for e in events]
        assert {j["kind"] for j in jobs} == {PROGRESS_KIND}
        assert len({j["id"] for j in jobs}) == 1
        progress = [j["progress"]["done"] for j in jobs if j["progress"]]
        assert progress == sorted(progress), progress
        # ~1.2 s of work seen by a 250 ms poll: several steps on the way, not just the end.
        assert len(set(progress)) >= 3, progress
        assert any(j["status"] == "running" and j["progress"]["done"] < 6 for j in jobs
                   if j["progress"]), jobs
        final = jobs[-1]
        assert final["progress"] == {"done": 6, "total": 6}
        assert final["result"] == {"steps": 6}
        # The event carries the job exactly as GET /jobs/{id} shows it.
        assert api.get(f"/api/v1/jobs/{final['id']}").json() == final
        ids = [e["id"] for e in events]
        assert len(set(ids)) == len(ids)
    finally:
        assert server.stop() == 0


def test_last_event_id_resumes_without_losing_a_change(tmp_path, new_db):
    server = progress_server(new_db, tmp_path)
    try:
        api = login_admin(server)
        stream, _ = open_stream(server, api)
        try:
            start_long_job(api, 8, 150)
            events = stream.events_until(
                lambda e: e["event"] == "job" and e["job"]["kind"] == PROGRESS_KIND
                and (e["job"]["progress"] or {}).get("done", 0) >= 2)
        finally:
            stream.close()  # the client goes away in the middle of the job
        last = events[-1]
        job_id = last["job"]["id"]
        # While nobody listens: the job goes on, and another one starts and finishes.
        other = api.create("companies", {"name": f"Ordinary {unique()}"})
        deadline = time.monotonic() + 30
        while api.get(f"/api/v1/jobs/{job_id}").json()["status"] != "done":
            assert time.monotonic() < deadline, "the long job did not finish"
            time.sleep(0.1)

        resumed, ready = open_stream(server, api, last_event_id=last["id"])
        try:
            assert ready["id"] == last["id"]  # it starts where the client left off
            # Both jobs' final states come (the other one, an ordinary company's job that
            # finished at once, was enqueued meanwhile).
            finished = set()

            def both_done(e):
                if is_done(e) and e["job"]["id"] == job_id:
                    finished.add("long")
                if is_done(e) and e["job"]["payload"].get("record_id") == other["id"]:
                    finished.add("other")
                return finished == {"long", "other"}

            later = resumed.events_until(both_done, timeout=10)
        finally:
            resumed.close()
        assert last["id"] not in [e["id"] for e in later]
        long_states = [e["job"] for e in later if e["event"] == "job" and e["job"]["id"] == job_id]
        assert long_states[-1]["progress"] == {"done": 8, "total": 8}
    finally:
        assert server.stop() == 0


def test_id_filter_shows_one_job_only(tmp_path, new_db):
    server = progress_server(new_db, tmp_path)
    try:
        api = login_admin(server)
        watched = start_long_job(api, 3, 50)
        deadline = time.monotonic() + 10
        job = None
        while job is None:
            assert time.monotonic() < deadline
            found = [j for j in api.get("/api/v1/jobs", params={"kind": PROGRESS_KIND}).json()["data"]
                     if j["payload"].get("record_id") == watched["id"]]
            job = found[0] if found else None
            time.sleep(0.05)
        stream, ready = open_stream(server, api, f"/api/v1/jobs/stream?id={job['id']}",
                                    last_event_id="0-0")  # from the very beginning
        try:
            start_long_job(api, 3, 50)  # another job: not on this stream
            events = stream.events_until(lambda e: is_done(e), timeout=15)
        finally:
            stream.close()
        assert {e["job"]["id"] for e in events if e["event"] == "job"} == {job["id"]}
    finally:
        assert server.stop() == 0


def test_the_server_stops_promptly_with_open_streams(tmp_path, new_db):
    server = progress_server(new_db, tmp_path)
    api = login_admin(server)
    streams = [open_stream(server, api)[0] for _ in range(3)]
    try:
        start = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        code = server.proc.wait(timeout=10)
        elapsed = time.monotonic() - start
        assert code == 0
        assert elapsed < 2.0, f"stopping took {elapsed:.2f}s with open streams"
        for stream in streams:
            while stream.next_event() is not None:
                pass
            assert stream.ended
    finally:
        for stream in streams:
            stream.close()
        server.stop()


def test_streams_beyond_the_bound_are_refused_with_503(tmp_path, new_db):
    server = progress_server(new_db, tmp_path, "bound", "--max-streams", "2")
    api = login_admin(server)
    try:
        first, _ = open_stream(server, api)
        second, _ = open_stream(server, api)
        refused = SseStream(server.base_url, token=api.token)
        assert refused.status == 503
        assert refused.headers["Retry-After"]
        assert refused.body_json()["error"]["code"] == "service_unavailable"
        first.close()
        deadline = time.monotonic() + 5
        while True:  # the server notices the client left, and admits a new stream
            again = SseStream(server.base_url, token=api.token)
            if again.status == 200:
                again.close()
                break
            assert time.monotonic() < deadline, "the closed stream was never released"
            time.sleep(0.1)
        second.close()
    finally:
        assert server.stop() == 0
