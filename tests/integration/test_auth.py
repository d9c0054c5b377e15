"""Sign-in, sessions, cookies + CSRF, API tokens, rate limiting."""

import requests

from api_client import Api, error_of, unique
from conftest import PASSWORD, email_of, load_checker


def test_login_returns_token_csrf_user_and_session_cookie(relais):
    api = relais.anonymous()
    r = api.post("/api/v1/auth/login", {"email": email_of("sales_a"), "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token"] and body["csrf_token"] and body["token"] != body["csrf_token"]
    assert body["user"]["email"] == email_of("sales_a")
    assert body["user"]["role"] == "sales"
    assert "password" not in r.text and "hash" not in r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("relais_session=" + body["token"])
    for flag in ("HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie, cookie
    assert "Secure" not in cookie  # plain-HTTP deployment in tests


def test_login_email_is_case_insensitive_or_rejected_generically(relais):
    r = relais.anonymous().post("/api/v1/auth/login",
                                {"email": email_of("sales_a").upper(), "password": PASSWORD})
    assert r.status_code in (200, 401), r.text


def test_bad_password_and_unknown_user_get_the_same_generic_401(relais):
    api = relais.anonymous()
    wrong = api.post("/api/v1/auth/login", {"email": email_of("manager"), "password": "nope"})
    unknown = api.post("/api/v1/auth/login",
                       {"email": "nobody-" + unique() + "@relais.test", "password": "nope"})
    assert wrong.status_code == 401 and unknown.status_code == 401
    assert error_of(wrong)["code"] == "unauthorized"
    assert error_of(wrong)["message"] == error_of(unknown)["message"]
    assert "Set-Cookie" not in wrong.headers


def test_login_requires_both_fields(relais):
    api = relais.anonymous()
    r = api.post("/api/v1/auth/login", {"email": email_of("admin")})
    assert r.status_code == 422, r.text
    assert "password" in error_of(r)["fields"]
    r = api.post("/api/v1/auth/login", {"email": 42, "password": PASSWORD})
    assert r.status_code == 422, r.text


def test_me_with_bearer_token(relais):
    api = relais.client("sales_b")
    r = api.get("/api/v1/auth/me")
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == relais.user_ids["sales_b"]
    assert r.json()["user"]["team_id"] == relais.team_ids["B"]
    assert "csrf_token" not in r.json()


def test_every_api_call_needs_authentication(relais):
    api = relais.anonymous()
    for path in ("/api/v1/contacts", "/api/v1/auth/me", "/api/v1/users", "/api/v1/deals/1"):
        r = api.get(path)
        assert r.status_code == 401, (path, r.status_code, r.text)
        assert error_of(r)["code"] == "unauthorized"
    r = api.get("/api/v1/contacts", headers={"Authorization": "Bearer not-a-real-token"})
    assert r.status_code == 401
    r = api.get("/api/v1/contacts", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert r.status_code == 401


def test_cookie_session_requires_csrf_header_for_writes(relais):
    browser = Api(relais.server.base_url, relais.checker, name="browser")
    r = browser.post("/api/v1/auth/login", {"email": email_of("sales_a"), "password": PASSWORD})
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    assert browser.session.cookies.get("relais_session")  # requests keeps the cookie

    me = browser.get("/api/v1/auth/me")  # reads need no CSRF
    assert me.status_code == 200, me.text
    assert me.json()["csrf_token"] == csrf

    body = {"first_name": "Csrf", "last_name": unique()}
    missing = browser.post("/api/v1/contacts", body)
    assert missing.status_code == 403, missing.text
    assert error_of(missing)["code"] == "forbidden"
    assert "CSRF" in error_of(missing)["message"]
    wrong = browser.post("/api/v1/contacts", body, headers={"X-CSRF-Token": csrf[:-1] + "x"})
    assert wrong.status_code == 403
    ok = browser.post("/api/v1/contacts", body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    # The CSRF check also guards PATCH and DELETE.
    path = f"/api/v1/contacts/{ok.json()['id']}"
    assert browser.patch(path, {"city": "Lyon"}).status_code == 403
    assert browser.delete(path).status_code == 403
    assert browser.delete(path, headers={"X-CSRF-Token": csrf}).status_code == 204


def test_logout_ends_the_session_and_clears_the_cookie(relais):
    api = relais.login("readonly")
    assert api.get("/api/v1/auth/me").status_code == 200
    r = api.post("/api/v1/auth/logout")
    assert r.status_code == 204, r.text
    assert r.content == b""
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("relais_session=;") and "Max-Age=0" in cookie
    again = api.get("/api/v1/auth/me")
    assert again.status_code == 401, again.text


def test_cookie_logout_needs_csrf(relais):
    browser = Api(relais.server.base_url, relais.checker, name="browser")
    r = browser.post("/api/v1/auth/login", {"email": email_of("readonly"), "password": PASSWORD})
    csrf = r.json()["csrf_token"]
    assert browser.post("/api/v1/auth/logout").status_code == 403
    assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert browser.get("/api/v1/auth/me").status_code == 401


def test_api_token_is_shown_once_and_works_as_bearer(relais):
    sales = relais.client("sales_a")
    r = sales.post("/api/v1/tokens", {"name": "zapier", "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert token and token != sales.token
    api = Api(relais.server.base_url, relais.checker, token=token, name="api-token")
    me = api.get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["user"]["id"] == relais.user_ids["sales_a"]
    assert me.json()["kind"] == "api_token"
    # Bearer tokens are not cookies: no CSRF header needed to write.
    created = api.post("/api/v1/contacts", {"first_name": "Via", "last_name": "Token"})
    assert created.status_code == 201, created.text


def test_api_token_validation(relais):
    sales = relais.client("sales_a")
    assert sales.post("/api/v1/tokens", {}).status_code == 422
    assert sales.post("/api/v1/tokens", {"name": ""}).status_code == 422
    r = sales.post("/api/v1/tokens", {"name": "x", "expires_at": "tomorrow"})
    assert r.status_code == 422 and "expires_at" in error_of(r)["fields"]
    r = sales.post("/api/v1/tokens", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 422
    r = sales.post("/api/v1/tokens", {"name": "x", "scope": "all"})
    assert r.status_code == 422 and "scope" in error_of(r)["fields"]
    assert relais.anonymous().post("/api/v1/tokens", {"name": "x"}).status_code == 401


def test_repeated_failed_logins_are_rate_limited(fresh_server):
    # A private server: the limit may apply per remote address, which would lock out the
    # session-wide clients that all come from 127.0.0.1.
    api = Api(fresh_server.base_url, load_checker(fresh_server.base_url))
    statuses = []
    for _ in range(30):
        r = api.post("/api/v1/auth/login", {"email": email_of("admin"), "password": "wrong"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert error_of(r)["code"] == "rate_limited"
            break
    assert statuses[0] == 401
    assert statuses[-1] == 429, f"no 429 after {len(statuses)} failed logins: {statuses}"
    # Even the right password is refused while limited: guessing gains nothing.
    r = api.post("/api/v1/auth/login", {"email": email_of("admin"), "password": PASSWORD})
    assert r.status_code == 429, r.text


def test_openapi_is_served_without_authentication(relais):
    r = requests.get(relais.server.base_url + "/api/v1/openapi.json", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["openapi"].startswith("3.1")
