"""Sign-in hardening (issue 8): throttling per (account, client address) with back-off,
trusted proxies and X-Forwarded-For, throttle state shared by several servers, weak passwords,
the disabled-account oracle, cookie-only sessions, Secure cookies, idle and absolute session
expiry, and security events in the server's log.

Several tests use source addresses other than 127.0.0.1 (all of 127.0.0.0/8 is loopback on
Linux) to stand for distinct clients."""

import http.client
import json
import re
import time

import pytest

from api_client import Api, error_of, unique
from conftest import PASSWORD, email_of, load_checker
from relais_server import RelaisServer, add_user, run_cli

WRONG = "definitely-not-the-password"


def post_from(server, source_ip, path, body, headers=None, checker=None):
    """POST JSON from a given loopback source address. Returns (status, headers, body dict)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                      source_address=(source_ip, 0))
    try:
        data = json.dumps(body).encode()
        conn.request("POST", path, body=data,
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        raw = response.read()
        response_headers = {k: v for k, v in response.getheaders()}
        if checker is not None:
            checker.check("POST", path, response.status, response_headers, raw)
        return response.status, response_headers, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def login_from(server, source_ip, email, password, headers=None, checker=None):
    return post_from(server, source_ip, "/api/v1/auth/login",
                     {"email": email, "password": password}, headers, checker)


@pytest.fixture
def server_factory(tmp_path, binary, new_db):
    """Starts `relais serve` processes with extra options on one fresh database (admin user)."""
    db = new_db("login")
    run_cli("migrate", "--db", db.url)
    add_user(db.url, email_of("admin"), "admin", PASSWORD)
    started = []

    def start(*extra_args):
        server = RelaisServer(db, tmp_path / f"server{len(started)}.log", extra_args)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_a_wrong_password_burst_does_not_lock_the_user_out_of_their_own_address(server_factory):
    server = server_factory()
    checker = load_checker(server.base_url)
    for _ in range(5):
        status, _, body = login_from(server, "127.0.0.2", email_of("admin"), WRONG,
                                     checker=checker)
        assert status == 401, body
    # From the attacker's address even the right password now waits, and is told how long.
    status, headers, body = login_from(server, "127.0.0.2", email_of("admin"), PASSWORD,
                                       checker=checker)
    assert status == 429, body
    assert body["error"]["code"] == "rate_limited"
    assert int(headers["Retry-After"]) >= 1
    assert body["error"]["retry_after"] == int(headers["Retry-After"])
    # The real user, from their own address, signs in.
    status, _, body = login_from(server, "127.0.0.3", email_of("admin"), PASSWORD,
                                 checker=checker)
    assert status == 200, body
    # Exponential back-off: once the wait is over, one more failure makes the next wait longer.
    time.sleep(int(headers["Retry-After"]) + 0.2)
    status, _, _ = login_from(server, "127.0.0.2", email_of("admin"), WRONG)
    assert status == 401
    status, longer, _ = login_from(server, "127.0.0.2", email_of("admin"), PASSWORD)
    assert status == 429
    assert int(longer["Retry-After"]) > int(headers["Retry-After"])


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(server_factory):
    server = server_factory()
    for i in range(5):
        status, _, _ = login_from(server, "127.0.0.4", email_of("admin"), WRONG,
                                  {"X-Forwarded-For": f"198.51.100.{i}"})
        assert status == 401
    status, _, body = login_from(server, "127.0.0.4", email_of("admin"), PASSWORD,
                                 {"X-Forwarded-For": "198.51.100.200"})
    assert status == 429, body
    # Nor does X-Forwarded-Proto make the cookie Secure.
    status, headers, _ = login_from(server, "127.0.0.5", email_of("admin"), PASSWORD,
                                    {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "Secure" not in headers["Set-Cookie"]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(server_factory):
    server = server_factory("--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "10.0.0.0/8")
    checker = load_checker(server.base_url)
    for _ in range(5):
        status, _, _ = login_from(server, "127.0.0.1", email_of("admin"), WRONG,
                                  {"X-Forwarded-For": "198.51.100.1"})
        assert status == 401
    status, _, body = login_from(server, "127.0.0.1", email_of("admin"), PASSWORD,
                                 {"X-Forwarded-For": "198.51.100.1"}, checker)
    assert status == 429, body
    # A client cannot escape by writing its own X-Forwarded-For: the proxy appends the real
    # address, and the right-most untrusted hop is the one that counts.
    status, _, _ = login_from(server, "127.0.0.1", email_of("admin"), PASSWORD,
                              {"X-Forwarded-For": "198.51.100.2, 198.51.100.1"})
    assert status == 429
    # Another client behind the same proxy (through a second trusted hop) is not affected,
    # and the proxy's word that the client used HTTPS makes the cookie Secure.
    status, headers, body = login_from(server, "127.0.0.1", email_of("admin"), PASSWORD,
                                       {"X-Forwarded-For": "198.51.100.2, 10.1.2.3",
                                        "X-Forwarded-Proto": "https"}, checker)
    assert status == 200, body
    assert "; Secure" in headers["Set-Cookie"]
    # A peer that is not a trusted proxy keeps its own address whatever it claims.
    status, _, _ = login_from(server, "127.0.0.9", email_of("admin"), PASSWORD,
                              {"X-Forwarded-For": "198.51.100.1"})
    assert status == 200


def test_the_throttle_is_shared_by_every_server_on_the_database(server_factory):
    first = server_factory()
    second = server_factory()
    for server in (first, second, first, second, first):
        status, _, _ = login_from(server, "127.0.0.6", email_of("admin"), WRONG)
        assert status == 401
    for server in (first, second):
        status, _, body = login_from(server, "127.0.0.6", email_of("admin"), PASSWORD)
        assert status == 429, body


def test_secure_cookies_flag(server_factory):
    server = server_factory("--secure-cookies")
    status, headers, _ = login_from(server, "127.0.0.1", email_of("admin"), PASSWORD)
    assert status == 200
    assert "; Secure" in headers["Set-Cookie"]


def test_invalid_trusted_proxy_is_refused_at_start(binary, new_db):
    proc = run_cli("serve", "--db", new_db("proxy").url, "--listen", "127.0.0.1:0",
                   "--trusted-proxy", "not-a-network", check=False)
    assert proc.returncode != 0
    assert "not-a-network" in proc.stderr


def test_a_disabled_account_answers_exactly_like_a_wrong_password(relais):
    admin = relais.client("admin")
    email = unique("disabled-") + "@relais.test"
    user = admin.create("users", {"email": email, "role": "sales", "password": PASSWORD})
    r = admin.patch(f"/api/v1/users/{user['id']}", {"active": False})
    assert r.status_code == 200, r.text

    def attempt(password):
        start = time.monotonic()
        status, headers, body = login_from(relais.server, "127.0.0.7", email, password,
                                           checker=relais.checker)
        return status, body, "Set-Cookie" in headers, time.monotonic() - start

    right = [attempt(PASSWORD) for _ in range(2)]
    wrong = [attempt(WRONG) for _ in range(2)]
    assert {(s, json.dumps(b), c) for s, b, c, _ in right} == {
        (s, json.dumps(b), c) for s, b, c, _ in wrong}
    assert right[0][0] == 401 and right[0][1]["error"]["code"] == "unauthorized"
    # Both run the argon2 verification: no path is several times faster than the other.
    fastest_right = min(t for *_, t in right)
    fastest_wrong = min(t for *_, t in wrong)
    assert fastest_right > fastest_wrong / 4 and fastest_wrong > fastest_right / 4, (
        right, wrong)


def test_weak_passwords_are_refused_everywhere(relais, tmp_path):
    admin = relais.client("admin")
    for weak in ("short", "elevenchars", " " * 16, "Password1234", "qwerty123456"):
        r = admin.post("/api/v1/users", {"email": unique("weak-") + "@relais.test",
                                         "role": "sales", "password": weak})
        assert r.status_code == 422, (weak, r.text)
        error = error_of(r)
        assert error["code"] == "validation_failed"
        assert set(error["fields"]) == {"password"}, error
    assert "common" in error["fields"]["password"]
    # Password change.
    email = unique("weak-") + "@relais.test"
    admin.create("users", {"email": email, "role": "sales", "password": PASSWORD})
    api = Api(relais.server.base_url, relais.checker, name=email)
    r = api.post("/api/v1/auth/login", {"email": email, "password": PASSWORD})
    api.token = r.json()["token"]
    r = api.post("/api/v1/auth/password",
                 {"current_password": PASSWORD, "new_password": "password1234"})
    assert r.status_code == 422, r.text
    assert set(error_of(r)["fields"]) == {"new_password"}
    # relais user add.
    proc = run_cli("user", "add", "--email", "weak@relais.test", "--role", "sales",
                   "--password-stdin", "--db", relais.server.db_url, stdin="12345678\n",
                   check=False)
    assert proc.returncode != 0
    assert "password" in proc.stderr
    # Twelve characters of any kind are fine.
    r = admin.post("/api/v1/users", {"email": unique("ok-") + "@relais.test", "role": "sales",
                                     "password": "mot de passe"})
    assert r.status_code == 201, r.text


def test_the_browser_can_ask_for_a_cookie_only_session(relais):
    browser = Api(relais.server.base_url, relais.checker, name="browser")
    r = browser.post("/api/v1/auth/login",
                     {"email": email_of("sales_a"), "password": PASSWORD, "session": "cookie"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "token" not in body
    cookie = browser.session.cookies.get("relais_session")
    assert cookie and cookie not in r.text
    assert "HttpOnly" in r.headers["Set-Cookie"]
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["kind"] == "session"
    created = browser.post("/api/v1/contacts", {"first_name": "Cookie", "last_name": unique()},
                           headers={"X-CSRF-Token": body["csrf_token"]})
    assert created.status_code == 201, created.text
    # The API-client form is unchanged, and nothing else is accepted.
    r = relais.anonymous().post("/api/v1/auth/login", {"email": email_of("sales_a"),
                                                       "password": PASSWORD, "session": "token"})
    assert r.status_code == 200 and r.json()["token"]
    r = relais.anonymous().post("/api/v1/auth/login", {"email": email_of("sales_a"),
                                                       "password": PASSWORD, "session": "jwt"})
    assert r.status_code == 422 and "session" in error_of(r)["fields"]


def test_sessions_end_when_idle_and_at_their_lifetime_but_api_tokens_do_not(server_factory):
    server = server_factory("--session-idle-timeout", "2", "--session-lifetime", "8")
    checker = load_checker(server.base_url)

    def signed_in():
        api = Api(server.base_url, checker)
        r = api.post("/api/v1/auth/login", {"email": email_of("admin"), "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert re.search(r"Max-Age=[78]\b", r.headers["Set-Cookie"]), r.headers["Set-Cookie"]
        api.token = r.json()["token"]
        return api

    idle, busy = signed_in(), signed_in()
    token = busy.post("/api/v1/tokens", {"name": "script"}).json()["token"]
    script = Api(server.base_url, checker, token=token)
    start = time.monotonic()
    # Both in use every 0.5 s for 3 s, longer than the idle timeout: the expiry slides.
    while time.monotonic() - start < 3.0:
        assert idle.get("/api/v1/auth/me").status_code == 200
        last_idle_use = time.monotonic()
        assert busy.get("/api/v1/auth/me").status_code == 200
        time.sleep(0.5)
    # `idle` now rests (its last resolution may still be in the 5-s session cache, which must
    # not serve it past its idle expiry); `busy` goes on.
    while time.monotonic() < last_idle_use + 2.4:
        assert busy.get("/api/v1/auth/me").status_code == 200
        time.sleep(0.4)
    r = idle.get("/api/v1/auth/me")
    assert r.status_code == 401, r.text
    # Eight seconds after sign-in, even the busy session ends.
    while time.monotonic() - start < 7.0:
        assert busy.get("/api/v1/auth/me").status_code == 200
        time.sleep(0.4)
    while time.monotonic() - start < 8.4:
        time.sleep(0.1)
    assert busy.get("/api/v1/auth/me").status_code == 401
    # The API token has neither an idle expiry nor the session lifetime.
    assert script.get("/api/v1/auth/me").status_code == 200


def security_lines(server):
    return [line for line in server.log_path.read_text(errors="replace").splitlines()
            if "security" in line]


def test_security_events_are_logged_and_never_the_password(server_factory):
    server = server_factory()
    secret = "Typo-" + unique() + "-secret"
    assert login_from(server, "127.0.0.8", email_of("admin"), secret)[0] == 401
    assert login_from(server, "127.0.0.8", "Nobody@Relais.test", secret)[0] == 401
    status, _, body = login_from(server, "127.0.0.8", email_of("admin"), PASSWORD)
    assert status == 200
    api = Api(server.base_url, None, token=body["token"])
    assert api.post("/api/v1/auth/logout").status_code == 204
    for _ in range(5):
        login_from(server, "127.0.0.9", email_of("admin"), secret)
    assert login_from(server, "127.0.0.9", email_of("admin"), secret)[0] == 429
    # A line-breaking e-mail cannot forge a log line.
    login_from(server, "127.0.0.10", "x@y.z\nsecurity: login.succeeded", secret)

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any("login.throttled" in l for l in security_lines(server)):
        time.sleep(0.1)
    lines = security_lines(server)
    text = server.log_path.read_text(errors="replace")
    assert secret not in text and PASSWORD not in text
    failed = [l for l in lines if "login.failed" in l]
    assert any('email="admin@relais.test"' in l and 'client="127.0.0.8"' in l
               and "outcome=wrong_password" in l for l in failed), lines
    assert any('email="nobody@relais.test"' in l and "outcome=unknown_account" in l
               for l in failed), lines
    assert any("login.succeeded" in l and 'client="127.0.0.8"' in l for l in lines), lines
    assert any(re.search(r"security: logout .*user_id=\d+", l) for l in lines), lines
    assert any("login.throttled" in l and 'client="127.0.0.9"' in l and "retry_after=" in l
               for l in lines), lines
    assert not any(l.rstrip().endswith("security: login.succeeded") for l in text.splitlines())


def test_security_events_in_json_logs(server_factory):
    server = server_factory("--log-format", "json")
    assert login_from(server, "127.0.0.11", email_of("admin"), WRONG)[0] == 401
    deadline = time.monotonic() + 5
    events = []
    while time.monotonic() < deadline and not events:
        for line in server.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "security":
                    events.append(entry)
        time.sleep(0.1)
    assert events, server.log_text()
    event = events[0]
    assert (event["event"], event["outcome"], event["email"], event["client"]) == (
        "login.failed", "wrong_password", email_of("admin"), "127.0.0.11")
    assert event["level"] == "warning" or event["level"] == "warn"
    assert WRONG not in server.log_path.read_text()
