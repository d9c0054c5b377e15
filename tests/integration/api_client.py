"""A thin HTTP client for the tests: every JSON response is checked against openapi.json."""

import json as jsonlib
import uuid

import requests


class Api:
    def __init__(self, base_url: str, checker, token: str = None, name: str = "anonymous"):
        self.base_url = base_url
        self.checker = checker
        self.name = name
        self.session = requests.Session()
        self.token = token
        self.csrf = None

    def request(self, method, path, *, json=None, data=None, headers=None, params=None,
                check_spec=True, auth=True, timeout=30):
        all_headers = {}
        if auth and self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if json is not None:
            data = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        response = self.session.request(method, self.base_url + path, data=data,
                                        headers=all_headers, params=params, timeout=timeout)
        if check_spec and self.checker is not None and (path.startswith("/api/v1/")
                                                        or path == "/healthz"):
            self.checker.check(method, path.split("?", 1)[0], response.status_code, response.headers,
                               response.content)
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # Convenience for the happy paths: create and return the record, asserting 201.
    def create(self, plural, body):
        r = self.post(f"/api/v1/{plural}", body)
        assert r.status_code == 201, f"{self.name} POST {plural}: {r.status_code} {r.text}"
        return r.json()


def unique(prefix: str = "x") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"].get("code"), str) and body["error"]["code"], body
    assert isinstance(body["error"].get("message"), str) and body["error"]["message"], body
    return body["error"]
