"""Every /api/v1 answer that is not public carries `Cache-Control: no-store`, errors included
(security probe, issue 8 item 9): a shared proxy or the browser's disk cache must never keep
one user's records, tokens or error details."""

import pytest

from api_client import unique


def no_store(response):
    return response.headers.get("Cache-Control") == "no-store"


@pytest.fixture(scope="module")
def contact_id(relais):
    return relais.client("admin").create("contacts", {"first_name": unique("Cache")})["id"]


def test_authenticated_reads_are_no_store(relais, contact_id):
    api = relais.client("admin")
    for path in ("/api/v1/contacts", f"/api/v1/contacts/{contact_id}", "/api/v1/users",
                 "/api/v1/auth/me", "/api/v1/pipelines", "/api/v1/contacts/export.csv",
                 f"/api/v1/contacts/{contact_id}/timeline"):
        r = api.get(path)
        assert r.status_code == 200, (path, r.text)
        assert no_store(r), (path, r.headers)


def test_writes_and_errors_are_no_store(relais, contact_id):
    admin = relais.client("admin")
    cases = [
        admin.post("/api/v1/contacts", {"first_name": unique("C")}),               # 201
        admin.patch(f"/api/v1/contacts/{contact_id}", {"city": "Brest"}),          # 200
        admin.get("/api/v1/contacts/999999999"),                                   # 404
        admin.post("/api/v1/contacts", {"first_name": 42}),                        # 422
        admin.request("POST", "/api/v1/contacts", data=b"{",
                      headers={"Content-Type": "application/json"}),               # 400
        admin.request("PUT", "/api/v1/contacts", check_spec=False),                # 405
        admin.get("/api/v1/no-such-resource", check_spec=False),                   # 404 route
        relais.anonymous().get("/api/v1/contacts"),                                # 401
        relais.client("readonly").post("/api/v1/contacts", {"first_name": "x"}),   # 403
        relais.anonymous().post("/api/v1/auth/login",
                                {"email": "nobody@relais.test", "password": "x"}),  # 401
    ]
    statuses = [r.status_code for r in cases]
    assert statuses == [201, 200, 404, 422, 400, 405, 404, 401, 403, 401], statuses
    for r in cases:
        assert no_store(r), (r.request.method, r.request.url, r.status_code, r.headers)


def test_public_documents_keep_their_own_policy(relais):
    api = relais.anonymous()
    r = api.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers.get("Cache-Control", "").startswith("public"), r.headers
