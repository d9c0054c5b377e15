"""API tokens (security probe, issue 8 item 7): list, revoke, scopes, expiry, and parents —
a token minted by a token is revoked with it. Every response is checked against openapi.json
by the client."""

import datetime

import pytest

from api_client import Api, error_of, unique


def as_client(relais, token, name="token"):
    return Api(relais.server.base_url, relais.checker, token=token, name=name)


def mint(api, body=None, status=201):
    r = api.post("/api/v1/tokens", {"name": unique("tok"), **(body or {})})
    assert r.status_code == status, r.text
    return r.json()


def parse(stamp):
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def days_from_now(stamp):
    now = datetime.datetime.now(datetime.timezone.utc)
    return (parse(stamp) - now).total_seconds() / 86400


def test_default_token_has_both_scopes_and_expires_in_90_days(relais):
    sales = relais.client("sales_a")
    token = mint(sales)
    assert token["token"].startswith("rls_")
    assert token["scopes"] == ["read", "write"]
    assert token["parent_id"] is None
    assert token["user_id"] == relais.user_ids["sales_a"]
    assert 89.9 < days_from_now(token["expires_at"]) <= 90.01
    assert 6.9 < days_from_now(mint(sales, {"expires_in_days": 7})["expires_at"]) <= 7.01


def test_list_shows_own_tokens_without_secrets(relais):
    api = relais.login("sales_a2")
    a = mint(api, {"scopes": ["read"]})
    b = mint(api)
    r = api.get("/api/v1/tokens")
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    listed = r.json()["data"]
    ids = [t["id"] for t in listed]
    assert ids.index(b["id"]) < ids.index(a["id"])  # newest first
    assert all(t["user_id"] == relais.user_ids["sales_a2"] for t in listed)
    by_id = {t["id"]: t for t in listed}
    assert by_id[a["id"]]["scopes"] == ["read"]
    assert by_id[a["id"]]["name"] == a["name"]
    assert "token" not in by_id[a["id"]]
    for secret in (a["token"], b["token"]):
        assert secret[4:] not in r.text
    # Another user's list is not reachable without admin rights.
    other = relais.user_ids["sales_b"]
    r = api.get("/api/v1/tokens", params={"user_id": other})
    assert r.status_code == 403, r.text
    assert api.get("/api/v1/tokens", params={"user_id": "x"}).status_code == 400


def test_admin_lists_and_revokes_any_users_tokens(relais):
    sales = relais.client("sales_b")
    token = mint(sales)
    admin = relais.client("admin")
    r = admin.get("/api/v1/tokens", params={"user_id": relais.user_ids["sales_b"]})
    assert r.status_code == 200, r.text
    assert token["id"] in [t["id"] for t in r.json()["data"]]
    # A sales user cannot revoke it (answered like a missing token)...
    assert relais.client("sales_a").delete(f"/api/v1/tokens/{token['id']}").status_code == 404
    assert as_client(relais, token["token"]).get("/api/v1/auth/me").status_code == 200
    # ...an admin can.
    assert admin.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert as_client(relais, token["token"]).get("/api/v1/auth/me").status_code == 401
    assert admin.delete(f"/api/v1/tokens/{token['id']}").status_code == 404


def test_revoked_token_stops_working_at_once(relais):
    sales = relais.client("sales_a")
    token = mint(sales)
    api = as_client(relais, token["token"])
    for _ in range(3):  # resolved and cached
        assert api.get("/api/v1/contacts").status_code == 200
    assert sales.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    r = api.get("/api/v1/contacts")
    assert r.status_code == 401, r.text
    assert token["id"] not in [t["id"] for t in sales.get("/api/v1/tokens").json()["data"]]


def test_read_scope_reads_but_cannot_write(relais):
    sales = relais.client("sales_a")
    reader = as_client(relais, mint(sales, {"scopes": ["read"]})["token"])
    assert reader.get("/api/v1/contacts").status_code == 200
    assert reader.get("/api/v1/auth/me").json()["kind"] == "api_token"
    contact = sales.create("contacts", {"first_name": unique("Lu")})
    for method, path, body in [
        ("POST", "/api/v1/contacts", {"first_name": "X"}),
        ("PATCH", f"/api/v1/contacts/{contact['id']}", {"city": "X"}),
        ("DELETE", f"/api/v1/contacts/{contact['id']}", None),
        ("POST", "/api/v1/tokens", {"name": "child"}),
        ("POST", "/api/v1/imports/contacts?dry_run=true", None),
        ("PATCH", "/api/v1/auth/me", {"name": "X"}),
    ]:
        r = reader.request(method, path, json=body)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
        assert error_of(r)["code"] == "forbidden"
        assert "read scope" in error_of(r)["message"]
    assert sales.get(f"/api/v1/contacts/{contact['id']}").json()["city"] is None


def test_token_minted_by_token_is_revoked_with_it_recursively(relais):
    sales = relais.client("sales_a")
    root = mint(sales)
    child = mint(as_client(relais, root["token"]))
    grandchild = mint(as_client(relais, child["token"]), {"scopes": ["read"]})
    assert child["parent_id"] == root["id"]
    assert grandchild["parent_id"] == child["id"]
    sibling = mint(sales)
    for t in (root, child, grandchild, sibling):
        assert as_client(relais, t["token"]).get("/api/v1/auth/me").status_code == 200

    assert sales.delete(f"/api/v1/tokens/{root['id']}").status_code == 204
    for t in (root, child, grandchild):
        assert as_client(relais, t["token"]).get("/api/v1/auth/me").status_code == 401, t
    assert as_client(relais, sibling["token"]).get("/api/v1/auth/me").status_code == 200
    listed = [t["id"] for t in sales.get("/api/v1/tokens").json()["data"]]
    assert root["id"] not in listed and grandchild["id"] not in listed


def test_logout_with_a_token_takes_its_children_along(relais):
    sales = relais.client("sales_a")
    parent = mint(sales)
    parent_api = as_client(relais, parent["token"])
    child = as_client(relais, mint(parent_api)["token"])
    assert child.get("/api/v1/auth/me").status_code == 200
    assert parent_api.post("/api/v1/auth/logout").status_code == 204
    assert child.get("/api/v1/auth/me").status_code == 401


def test_child_cannot_widen_scopes_or_outlive_its_parent(relais):
    sales = relais.client("sales_a")
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3))
    parent = mint(sales, {"expires_at": soon.strftime("%Y-%m-%dT%H:%M:%SZ")})
    parent_api = as_client(relais, parent["token"])
    child = mint(parent_api)
    assert child["expires_at"] == parent["expires_at"]
    later = mint(parent_api, {"expires_in_days": 30}, status=422)
    assert "expires_at" in later["error"]["fields"]
    # A read child of a write parent is fine; a read token cannot mint at all (POST).
    reader = mint(parent_api, {"scopes": ["read"]})
    assert reader["scopes"] == ["read"]


def test_expiry_rules(relais):
    sales = relais.client("sales_a")
    r = sales.post("/api/v1/tokens", {"name": "x", "expires_at": None})
    assert r.status_code == 422 and "expires_at" in error_of(r)["fields"], r.text
    for days in (0, -1, 3651, 1.5, "7", 1e30, 18446744073709551616):
        r = sales.post("/api/v1/tokens", {"name": "x", "expires_in_days": days})
        assert r.status_code == 422, (days, r.text)
        assert "expires_in_days" in error_of(r)["fields"]
    r = sales.post("/api/v1/tokens", {"name": "x", "expires_in_days": 5,
                                      "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 422, r.text
    for scopes in ("read", [], ["admin"], [1]):
        r = sales.post("/api/v1/tokens", {"name": "x", "scopes": scopes})
        assert r.status_code == 422 and "scopes" in error_of(r)["fields"], (scopes, r.text)
    forever = mint(relais.client("admin"), {"expires_at": None})
    assert forever["expires_at"] is None
    assert relais.client("admin").delete(f"/api/v1/tokens/{forever['id']}").status_code == 204


def test_token_routes_need_authentication(relais):
    anon = relais.anonymous()
    assert anon.get("/api/v1/tokens").status_code == 401
    assert anon.delete("/api/v1/tokens/1").status_code == 401
    assert relais.client("sales_a").delete("/api/v1/tokens/abc").status_code == 404
