"""Numbers outside what JSON decoders can hold (security probe, issue 8 item 8): `1e400` was a
500 on every endpoint, even sign-in. It is malformed input: 400 bad_request with a message
that says so. Representable but oversized numbers given to integer fields are 422 naming the
field. Nothing is written either way."""

import pytest

from api_client import error_of, unique


def send_raw(api, method, path, data: bytes):
    return api.request(method, path, data=data, headers={"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def ids(relais):
    admin = relais.client("admin")
    pipeline = admin.create("pipelines", {"name": unique("P"), "stages": [
        {"id": "s1", "name": "S1", "probability": 10, "kind": "open"}]})
    return {
        "contact": admin.create("contacts", {"first_name": "Nombre"})["id"],
        "pipeline": pipeline["id"],
    }


OVERFLOWING = [b"1e400", b"-1e400", b"123e456789", b"-0.5e99999"]


@pytest.mark.parametrize("number", OVERFLOWING)
def test_overflowing_numbers_are_400_everywhere(relais, ids, number):
    admin = relais.client("admin")
    n = number
    cases = [
        (relais.anonymous(), "POST", "/api/v1/auth/login",
         b'{"email": "admin@relais.test", "password": ' + n + b"}"),
        (admin, "POST", "/api/v1/contacts", b'{"first_name": "X", "score": ' + n + b"}"),
        (admin, "PATCH", f"/api/v1/contacts/{ids['contact']}", b'{"custom": {"x": ' + n + b"}}"),
        (admin, "POST", "/api/v1/deals",
         b'{"title": "X", "pipeline_id": ' + str(ids["pipeline"]).encode() + b', "amount": ' + n + b"}"),
        (admin, "POST", "/api/v1/tokens", b'{"name": "t", "expires_in_days": ' + n + b"}"),
        (admin, "PATCH", "/api/v1/auth/me", b'{"name": [' + n + b"]}"),
        (admin, "POST", f"/api/v1/contacts/{ids['contact']}/merge", b'{"from": ' + n + b"}"),
    ]
    for api, method, path, data in cases:
        r = send_raw(api, method, path, data)
        assert r.status_code == 400, (path, data, r.status_code, r.text)
        err = error_of(r)
        assert err["code"] == "bad_request", (path, err)
        assert "out of range" in err["message"], (path, err)
        assert "json.exception" not in err["message"], (path, err)


def test_oversized_integers_are_422_naming_the_field(relais, ids):
    admin = relais.client("admin")
    pipeline = str(ids["pipeline"]).encode()
    cases = [
        ("/api/v1/deals", b'{"title": "X", "pipeline_id": ' + pipeline + b', "amount": 1e30}', "amount"),
        ("/api/v1/deals", b'{"title": "X", "pipeline_id": ' + pipeline
         + b', "amount": 100000000000000000000000000000}', "amount"),
        ("/api/v1/deals", b'{"title": "X", "pipeline_id": ' + pipeline + b', "probability": -1e30}',
         "probability"),
        ("/api/v1/deals", b'{"title": "X", "pipeline_id": 1e30}', "pipeline_id"),
        ("/api/v1/activities", b'{"type": "call", "duration_minutes": 18446744073709551616}',
         "duration_minutes"),
        ("/api/v1/deals", b'{"title": "X", "pipeline_id": ' + pipeline + b', "contact_ids": [1e30]}',
         "contact_ids"),
    ]
    before = admin.get("/api/v1/deals", params={"limit": 500}).json()["data"]
    for path, data, field in cases:
        r = send_raw(admin, "POST", path, data)
        assert r.status_code == 422, (path, data, r.status_code, r.text)
        assert field in error_of(r)["fields"], (data, r.text)
    assert admin.get("/api/v1/deals", params={"limit": 500}).json()["data"] == before


@pytest.mark.parametrize("number", [b"1e30", b"-1e30", b"18446744073709551615",
                                    b"18446744073709551616", b"-9223372036854775809",
                                    b"1e308", b"1.5", b"5e-324"])
def test_odd_numbers_anywhere_are_a_client_error_never_a_500(relais, ids, number):
    admin = relais.client("admin")
    n = number
    pipeline = str(ids["pipeline"]).encode()
    cases = [
        ("POST", f"/api/v1/contacts/{ids['contact']}/merge", b'{"from": ' + n + b"}"),
        ("POST", "/api/v1/pipelines",
         b'{"name": "P", "stages": [{"id": "a", "name": "A", "kind": "open", "probability": '
         + n + b"}]}"),
        ("POST", "/api/v1/deals", b'{"title": "X", "pipeline_id": ' + pipeline
         + b', "probability": ' + n + b"}"),
        ("POST", "/api/v1/tasks", b'{"title": "X", "assignee_id": ' + n + b"}"),
        ("POST", "/api/v1/tokens", b'{"name": "t", "expires_in_days": ' + n + b"}"),
        ("PATCH", f"/api/v1/contacts/{ids['contact']}", b'{"company_id": ' + n + b"}"),
    ]
    for method, path, data in cases:
        r = send_raw(admin, method, path, data)
        assert 400 <= r.status_code < 500, (path, data, r.status_code, r.text)
