"""Every role manages its own profile (PATCH /api/v1/auth/me) and password
(POST /api/v1/auth/password). Each test uses its own freshly created sales user, so the shared
users keep their password and language for the other tests."""

import pytest

from api_client import Api, error_of, unique

FIRST_PASSWORD = "premier mot de passe"


@pytest.fixture
def sales_user(relais):
    """(email, user id) of a new sales user in team A, created by the admin."""
    email = unique("self-") + "@relais.test"
    created = relais.client("admin").create("users", {
        "email": email, "role": "sales", "team_id": relais.team_ids["A"],
        "password": FIRST_PASSWORD})
    return email, created["id"]


def sign_in(relais, email, password, *, browser=False) -> Api:
    """A bearer client, or with browser=True a cookie session (no Authorization header)."""
    api = Api(relais.server.base_url, relais.checker, name=email)
    r = api.post("/api/v1/auth/login", {"email": email, "password": password})
    assert r.status_code == 200, r.text
    api.csrf = r.json()["csrf_token"]
    if not browser:
        api.token = r.json()["token"]
    return api


def test_sales_user_saves_locale_name_and_time_zone(relais, sales_user):
    email, user_id = sales_user
    api = sign_in(relais, email, FIRST_PASSWORD)
    r = api.patch("/api/v1/auth/me",
                  {"locale": "en", "name": "Sam Martin", "time_zone": "America/Montreal"})
    assert r.status_code == 200, r.text
    user = r.json()["user"]
    assert user["id"] == user_id
    assert (user["locale"], user["name"], user["time_zone"]) == (
        "en", "Sam Martin", "America/Montreal")
    assert user["role"] == "sales" and user["team_id"] == relais.team_ids["A"]
    # Stored: a new sign-in and the admin's view both see it.
    again = sign_in(relais, email, FIRST_PASSWORD)
    assert again.get("/api/v1/auth/me").json()["user"]["locale"] == "en"
    seen = relais.client("admin").get(f"/api/v1/users/{user_id}").json()
    assert seen["locale"] == "en" and seen["version"] == 2
    # The ordinary user route still refuses a sales user.
    assert api.patch(f"/api/v1/users/{user_id}", {"locale": "fr"}).status_code == 403


def test_profile_refuses_unknown_and_admin_only_fields(relais, sales_user):
    email, user_id = sales_user
    api = sign_in(relais, email, FIRST_PASSWORD)
    for body, field in (({"role": "admin"}, "role"), ({"locale": "en", "nope": 1}, "nope"),
                        ({"team_id": relais.team_ids["B"]}, "team_id"),
                        ({"email": "other@relais.test"}, "email"), ({"locale": "de"}, "locale"),
                        ({"time_zone": 3}, "time_zone")):
        r = api.patch("/api/v1/auth/me", body)
        assert r.status_code == 422, (body, r.text)
        error = error_of(r)
        assert error["code"] == "validation_failed"
        assert field in error["fields"], (body, error)
    user = relais.client("admin").get(f"/api/v1/users/{user_id}").json()
    assert user["role"] == "sales" and user["locale"] == "fr" and user["version"] == 1


def test_sales_user_changes_password(relais, sales_user):
    email, _ = sales_user
    api = sign_in(relais, email, FIRST_PASSWORD)
    r = api.post("/api/v1/auth/password",
                 {"current_password": FIRST_PASSWORD, "new_password": "second mot de passe"})
    assert r.status_code == 204, r.text
    assert r.content == b""
    old = relais.anonymous().post("/api/v1/auth/login",
                                  {"email": email, "password": FIRST_PASSWORD})
    assert old.status_code == 401
    sign_in(relais, email, "second mot de passe")
    # The session that made the change keeps working.
    assert api.get("/api/v1/auth/me").status_code == 200


def test_password_change_revokes_the_other_sessions_and_tokens(relais, sales_user):
    email, _ = sales_user
    a = sign_in(relais, email, FIRST_PASSWORD)
    b = sign_in(relais, email, FIRST_PASSWORD)
    r = a.post("/api/v1/tokens", {"name": "script"})
    assert r.status_code == 201, r.text
    script = Api(relais.server.base_url, relais.checker, name=email)
    script.token = r.json()["token"]
    for api in (a, b, script):
        assert api.get("/api/v1/auth/me").status_code == 200
    r = a.post("/api/v1/auth/password",
               {"current_password": FIRST_PASSWORD, "new_password": "second mot de passe"})
    assert r.status_code == 204, r.text
    assert b.get("/api/v1/auth/me").status_code == 401
    assert script.get("/api/v1/auth/me").status_code == 401
    assert a.get("/api/v1/auth/me").status_code == 200
    # Other users are not signed out.
    assert relais.client("admin").get("/api/v1/auth/me").status_code == 200


def test_deactivating_a_user_revokes_all_their_sessions(relais, sales_user):
    email, user_id = sales_user
    api = sign_in(relais, email, FIRST_PASSWORD)
    admin = relais.client("admin")
    r = admin.patch(f"/api/v1/users/{user_id}", {"active": False})
    assert r.status_code == 200, r.text
    r = admin.patch(f"/api/v1/users/{user_id}", {"active": True})
    assert r.status_code == 200, r.text
    # Reactivated, but the old session stays revoked; a new sign-in works.
    assert api.get("/api/v1/auth/me").status_code == 401
    assert sign_in(relais, email, FIRST_PASSWORD).get("/api/v1/auth/me").status_code == 200


def test_wrong_current_password_is_a_field_error(relais, sales_user):
    email, _ = sales_user
    api = sign_in(relais, email, FIRST_PASSWORD)
    r = api.post("/api/v1/auth/password",
                 {"current_password": "pas le bon", "new_password": "second mot de passe"})
    assert r.status_code == 422, r.text
    error = error_of(r)
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"current_password"}
    assert "pas le bon" not in r.text
    # Too short a new password, missing and unknown fields.
    r = api.post("/api/v1/auth/password",
                 {"current_password": FIRST_PASSWORD, "new_password": "court"})
    assert r.status_code == 422 and "new_password" in error_of(r)["fields"]
    r = api.post("/api/v1/auth/password", {"new_password": "second mot de passe"})
    assert r.status_code == 422 and "current_password" in error_of(r)["fields"]
    r = api.post("/api/v1/auth/password", {"current_password": FIRST_PASSWORD,
                                           "new_password": "second mot de passe", "x": 1})
    assert r.status_code == 422 and "x" in error_of(r)["fields"]
    # The password did not change.
    sign_in(relais, email, FIRST_PASSWORD)


def test_cookie_sessions_need_csrf_for_profile_and_password(relais, sales_user):
    email, _ = sales_user
    browser = sign_in(relais, email, FIRST_PASSWORD, browser=True)
    assert browser.session.cookies.get("relais_session")
    change = {"current_password": FIRST_PASSWORD, "new_password": "second mot de passe"}
    for method, path, body in (("PATCH", "/api/v1/auth/me", {"locale": "en"}),
                               ("POST", "/api/v1/auth/password", change)):
        missing = browser.request(method, path, json=body)
        assert missing.status_code == 403, missing.text
        assert "CSRF" in error_of(missing)["message"]
        wrong = browser.request(method, path, json=body, headers={"X-CSRF-Token": "nope"})
        assert wrong.status_code == 403
    assert browser.get("/api/v1/auth/me").json()["user"]["locale"] == "fr"
    ok = browser.patch("/api/v1/auth/me", {"locale": "en"}, headers={"X-CSRF-Token": browser.csrf})
    assert ok.status_code == 200, ok.text
    ok = browser.post("/api/v1/auth/password", change, headers={"X-CSRF-Token": browser.csrf})
    assert ok.status_code == 204, ok.text


def test_every_role_may_edit_its_own_profile(relais):
    for name in ("readonly", "marketing", "manager", "sales_b"):
        api = relais.login(name)
        current = api.get("/api/v1/auth/me").json()["user"]
        r = api.patch("/api/v1/auth/me", {"time_zone": current["time_zone"]})  # unchanged
        assert r.status_code == 200, (name, r.text)
        assert r.json()["user"]["version"] == current["version"], name


def test_self_service_requires_authentication(relais):
    anon = relais.anonymous()
    assert anon.patch("/api/v1/auth/me", {"locale": "en"}).status_code == 401
    r = anon.post("/api/v1/auth/password",
                  {"current_password": "x", "new_password": "yyyyyyyyyy"})
    assert r.status_code == 401
