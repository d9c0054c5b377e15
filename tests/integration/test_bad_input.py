"""Bad input on every endpoint that takes a body or parameters: always a clear 4xx, never a
500, never a half-written record."""

import socket

import pytest

from api_client import error_of, unique

# (method, path template, a valid body) — {contact}/{company}/... are filled by `targets`.
WRITE_ENDPOINTS = [
    ("POST", "/api/v1/contacts", {"first_name": "Ok"}),
    ("PATCH", "/api/v1/contacts/{contact}", {"city": "Ok"}),
    ("POST", "/api/v1/companies", {"name": "Ok"}),
    ("PATCH", "/api/v1/companies/{company}", {"city": "Ok"}),
    ("POST", "/api/v1/deals", {"title": "Ok", "pipeline_id": "{pipeline}"}),
    ("PATCH", "/api/v1/deals/{deal}", {"title": "Ok"}),
    ("POST", "/api/v1/pipelines", {"name": "Ok", "stages": [{"id": "a", "name": "A", "kind": "open", "probability": 5}]}),
    ("POST", "/api/v1/activities", {"type": "call"}),
    ("POST", "/api/v1/tasks", {"title": "Ok"}),
    ("POST", "/api/v1/notes", {"body": "Ok"}),
    ("POST", "/api/v1/teams", {"name": "Ok"}),
    ("POST", "/api/v1/contacts/{contact}/merge", {"from": "{contact2}"}),
    ("POST", "/api/v1/tokens", {"name": "Ok"}),
    ("POST", "/api/v1/auth/login", {"email": "a@b.c", "password": "x"}),
]


@pytest.fixture(scope="module")
def targets(relais):
    admin = relais.client("admin")
    pipeline = admin.create("pipelines", {"name": unique("P"), "stages": [
        {"id": "s1", "name": "S1", "probability": 10, "kind": "open"}]})
    return {
        "contact": admin.create("contacts", {"first_name": "Cible"})["id"],
        "contact2": admin.create("contacts", {"first_name": "Cible2"})["id"],
        "company": admin.create("companies", {"name": "Cible"})["id"],
        "pipeline": pipeline["id"],
        "deal": admin.create("deals", {"title": "Cible", "pipeline_id": pipeline["id"]})["id"],
    }


def fill(value, targets):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        key = value[1:-1]
        return targets[key] if key in targets else value
    if isinstance(value, dict):
        return {k: fill(v, targets) for k, v in value.items()}
    return value


def endpoint_ids():
    return [f"{m} {p}" for m, p, _ in WRITE_ENDPOINTS]


@pytest.fixture(params=WRITE_ENDPOINTS, ids=endpoint_ids())
def endpoint(request, targets):
    method, template, body = request.param
    path = template
    for key, value in targets.items():
        path = path.replace("{" + key + "}", str(value))
    return method, path, fill(body, targets)


def send_raw(api, method, path, data: bytes, content_type="application/json"):
    return api.request(method, path, data=data, headers={"Content-Type": content_type})


def test_malformed_json(relais, endpoint):
    method, path, _ = endpoint
    api = relais.client("admin")
    for data in (b'{"first_name": "x",}', b"{", b"", b"nul", b'{"a" 1}'):
        r = send_raw(api, method, path, data)
        assert r.status_code == 400, (data, r.status_code, r.text)
        err = error_of(r)
        assert err["code"] == "bad_request"
    r = send_raw(api, method, path, b'{"first_name": tru}')
    assert isinstance(error_of(r).get("position"), int), r.text


def test_top_level_must_be_an_object(relais, endpoint):
    method, path, _ = endpoint
    for data in (b"[]", b'"text"', b"42", b"null"):
        r = send_raw(relais.client("admin"), method, path, data)
        assert r.status_code == 400, (data, r.text)


def test_invalid_utf8_is_rejected(relais, endpoint):
    method, path, body = endpoint
    key = next(iter(body))
    for raw in (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf"):
        data = b'{"' + key.encode() + b'": "abc' + raw + b'"}'
        r = send_raw(relais.client("admin"), method, path, data)
        assert r.status_code == 400, (raw, r.text)
        assert "UTF-8" in error_of(r)["message"]


def test_wrong_content_type_is_415(relais, endpoint):
    method, path, body = endpoint
    import json
    api = relais.client("admin")
    for ct in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""):
        r = send_raw(api, method, path, json.dumps(body).encode(), content_type=ct)
        assert r.status_code == 415, (ct, r.text)
        assert error_of(r)["code"] == "unsupported_media_type"
    r = send_raw(api, method, path, json.dumps(body).encode(),
                 content_type="application/json; charset=utf-8")
    assert r.status_code != 415


def test_unknown_fields_are_rejected(relais, endpoint):
    method, path, body = endpoint
    api = relais.client("admin")
    if path.endswith("/auth/login"):
        api = relais.anonymous()
    r = api.request(method, path, json={**body, "no_such_field": 1})
    assert r.status_code == 422, r.text
    assert "no_such_field" in error_of(r)["fields"]


def test_deeply_nested_json_is_refused_cleanly(relais, endpoint):
    method, path, _ = endpoint
    data = b'{"custom": ' + b"[" * 100000 + b"]" * 100000 + b"}"
    r = send_raw(relais.client("admin"), method, path, data)
    assert r.status_code == 400, r.text


WRONG_TYPES = [
    ("contacts", {"first_name": 42}, "first_name"),
    ("contacts", {"emails": "not-a-list@example.com"}, "emails"),
    ("contacts", {"emails": ["not an email"]}, "emails"),
    ("contacts", {"lifecycle_stage": "king"}, "lifecycle_stage"),
    ("contacts", {"company_id": "abc"}, "company_id"),
    ("contacts", {"custom": [1, 2]}, "custom"),
    ("contacts", {"first_name": "x" * 5000}, "first_name"),
    ("companies", {"name": ""}, "name"),
    ("companies", {"name": None}, "name"),
    ("companies", {"name": "Ok", "size": "huge"}, "size"),
    ("deals", {"title": "Ok", "pipeline_id": "{pipeline}", "amount": 12.5}, "amount"),
    ("deals", {"title": "Ok", "pipeline_id": "{pipeline}", "amount": "100"}, "amount"),
    ("deals", {"title": "Ok", "pipeline_id": "{pipeline}", "expected_close_date": "31/12/2026"},
     "expected_close_date"),
    ("deals", {"title": "Ok", "pipeline_id": "{pipeline}", "currency": "EURO"}, "currency"),
    ("deals", {"title": "Ok"}, "pipeline_id"),
    ("activities", {"type": "call", "occurred_at": "yesterday"}, "occurred_at"),
    ("activities", {"type": "telepathy"}, "type"),
    ("tasks", {"title": "Ok", "due_date": "2026-02-30"}, "due_date"),
    ("notes", {"body": "Ok", "pinned": "yes"}, "pinned"),
    ("pipelines", {"name": "Ok", "stages": "nope"}, "stages"),
]


@pytest.mark.parametrize("plural,body,field", WRONG_TYPES,
                         ids=[f"{p}.{f}" for p, _, f in WRONG_TYPES])
def test_wrong_types_are_422_naming_the_field(relais, targets, plural, body, field):
    api = relais.client("admin")
    newest = api.get(f"/api/v1/{plural}", params={"limit": 1}).json()["data"]
    r = api.post(f"/api/v1/{plural}", fill(body, targets))
    assert r.status_code == 422, r.text
    err = error_of(r)
    assert err["code"] == "validation_failed" and field in err.get("fields", {}), err
    # Nothing half-written: the newest record is still the one from before.
    assert api.get(f"/api/v1/{plural}", params={"limit": 1}).json()["data"] == newest


def test_patch_with_wrong_type_changes_nothing(relais, targets):
    api = relais.client("admin")
    path = f"/api/v1/contacts/{targets['contact']}"
    before = api.get(path).json()
    r = api.patch(path, {"city": "Brest", "lifecycle_stage": "king"})
    assert r.status_code == 422, r.text
    assert api.get(path).json() == before


def test_bad_ids_are_404(relais):
    api = relais.client("admin")
    for bad in ("0", "-1", "abc", "1e3", "99999999999999999999999", "%27%20OR%201=1"):
        r = api.get(f"/api/v1/contacts/{bad}")
        assert r.status_code == 404, (bad, r.text)


def test_oversize_body_is_413(relais):
    # The server refuses on Content-Length alone and closes; a raw socket reads the answer
    # without racing a half-sent 11 MB upload.
    host, port = "127.0.0.1", relais.server.port
    token = relais.client("admin").token
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall((
            "POST /api/v1/contacts HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {11 * 1024 * 1024}\r\n\r\n"
        ).encode() + b'{"first_name": "' + b"a" * 65536)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), reply[:300]


INJECTIONS = [
    "' OR 1=1 --",
    "\"; DROP TABLE contacts; --",
    "a\" OR \"1\"=\"1",
    "NEAR(a b)",
    "a* OR b*",
    "\"unbalanced",
    "col:value",
    "^start",
    "(((((",
    "a AND NOT b",
    "%",
    "_",
    "\\",
    "🙂 emoji",
    "x" * 3000,
    "",
]


@pytest.mark.parametrize("q", INJECTIONS)
def test_search_injection_attempts_never_500(relais, q):
    r = relais.client("admin").get("/api/v1/contacts", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text)
    r = relais.client("admin").get("/api/v1/companies", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text)


FILTER_INJECTIONS = [
    "city = 'x' OR 1=1 --",
    "city = \"x\"; DROP TABLE contacts",
    "city = \"x\") or (1 = 1",
    "id > 0 union select * from users",
    "first_name = \"a\\\" OR 1=1\"",
    "city in ()",
    "score >= \"abc\"",
    "created_at < 2026-13-45",
    "amount > 5 EUR",
    "(((((city = \"a\"",
    "not not not",
    "city = \"" + "a" * 5000 + "\"",
    "city = \"x\" and " * 50 + "city = \"y\"",
]


@pytest.mark.parametrize("expr", FILTER_INJECTIONS)
def test_filter_injection_attempts_never_500(relais, expr):
    r = relais.client("admin").get("/api/v1/contacts", params={"filter": expr})
    assert r.status_code in (200, 400, 422), (expr, r.status_code, r.text)
    if r.status_code == 200:
        assert r.json()["data"] == [] or all("id" in c for c in r.json()["data"])
    r = relais.client("admin").get("/api/v1/contacts", params={"sort": expr[:40]})
    assert r.status_code in (200, 400, 422), (expr, r.status_code, r.text)


def test_invalid_utf8_in_query_parameters_is_400(relais):
    api = relais.client("admin")
    for query in ("q=h%E9l", "filter=city%20%3D%20%22%FF%22", "sort=%C3%28"):
        r = api.get("/api/v1/contacts?" + query)
        assert r.status_code == 400, (query, r.text)


def test_tables_still_work_after_injection_attempts(relais):
    api = relais.client("admin")
    assert api.get("/api/v1/contacts").status_code == 200
    assert api.get("/api/v1/users").status_code == 200


def test_unknown_route_and_wrong_method(relais):
    api = relais.client("admin")
    r = api.get("/api/v1/no_such_things", check_spec=False)
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = api.request("PUT", "/api/v1/contacts", json={}, check_spec=False)
    assert r.status_code == 405
