"""Integration fixtures: the real `relais` binary on loopback with a database of its own, on
the engine RELAIS_TEST_ENGINE names (sqlite, the default, or postgres: see databases.py).

The session-wide server has one user per role; sales users are in two different teams.
Tests that must not disturb it (rate limiting, kill -9) start their own server with
`fresh_server`. A missing binary fails the suite (RuntimeError in the fixture), never skips it.
"""

import re

import pytest
import requests

import databases
from api_client import Api
from openapi_check import OpenApiChecker
from relais_server import RelaisServer, add_user, relais_binary, run_cli

PASSWORD = "correct horse battery staple"

# name -> (role, team): team "A"/"B" is assigned by the admin over HTTP after start-up.
USERS = {
    "admin": ("admin", None),
    "manager": ("manager", "A"),
    "sales_a": ("sales", "A"),
    "sales_a2": ("sales", "A"),
    "sales_b": ("sales", "B"),
    "marketing": ("marketing", None),
    "readonly": ("readonly", None),
}


def email_of(name: str) -> str:
    return f"{name}@relais.test"


class Deployment:
    """The session server, its OpenAPI checker, user ids, and a logged-in client per user."""

    def __init__(self, server: RelaisServer, checker: OpenApiChecker):
        self.server = server
        self.checker = checker
        self.user_ids = {}
        self.team_ids = {}
        self.clients = {}

    def client(self, name: str) -> Api:
        return self.clients[name]

    def anonymous(self) -> Api:
        return Api(self.server.base_url, self.checker)

    def login(self, name: str) -> Api:
        """A new session for `name` (bearer token) — independent of the shared clients."""
        api = Api(self.server.base_url, self.checker, name=name)
        r = api.post("/api/v1/auth/login", {"email": email_of(name), "password": PASSWORD})
        assert r.status_code == 200, f"login {name}: {r.status_code} {r.text}"
        api.token = r.json()["token"]
        api.csrf = r.json()["csrf_token"]
        return api


def login_admin(server: RelaisServer) -> Api:
    """A bearer-token client for the admin of a private server (`fresh_server` and the like)."""
    api = Api(server.base_url, load_checker(server.base_url), name="admin")
    r = api.post("/api/v1/auth/login", {"email": email_of("admin"), "password": PASSWORD})
    assert r.status_code == 200, r.text
    api.token = r.json()["token"]
    return api


def load_checker(base_url: str) -> OpenApiChecker:
    r = requests.get(base_url + "/api/v1/openapi.json", timeout=10)
    assert r.status_code == 200, f"openapi.json: {r.status_code} {r.text[:500]}"
    return OpenApiChecker(r.json())


@pytest.fixture(scope="session")
def binary():
    return relais_binary()


@pytest.fixture(scope="session", autouse=True)
def database_engine():
    """The engine under test; a PostgreSQL cluster this suite started is stopped at the end."""
    try:
        yield databases.engine()
    finally:
        databases.stop_own_cluster()


@pytest.fixture
def new_db(tmp_path):
    """new_db(name): a fresh, empty database of the engine under test, dropped after the test."""
    made = []

    def make(name="db"):
        made.append(databases.new_database(tmp_path, name))
        return made[-1]

    yield make
    for database in made:
        database.drop()


@pytest.fixture(scope="session")
def relais(tmp_path_factory, binary, database_engine):
    workdir = tmp_path_factory.mktemp("relais")
    database = databases.new_database(workdir, "relais")
    server = RelaisServer(database, workdir / "server.log")
    run_cli("migrate", "--db", server.db_url)
    for name, (role, _) in USERS.items():
        add_user(server.db_url, email_of(name), role, PASSWORD)
    server.start()
    try:
        deployment = Deployment(server, load_checker(server.base_url))
        admin = deployment.login("admin")
        for team in ("A", "B"):
            deployment.team_ids[team] = admin.create("teams", {"name": f"Team {team}"})["id"]
        users = admin.get("/api/v1/users", params={"limit": 500})
        assert users.status_code == 200, users.text
        by_email = {u["email"]: u for u in users.json()["data"]}
        for name, (_, team) in USERS.items():
            user = by_email[email_of(name)]
            deployment.user_ids[name] = user["id"]
            if team is not None:
                r = admin.patch(f"/api/v1/users/{user['id']}",
                                {"team_id": deployment.team_ids[team]})
                assert r.status_code == 200, f"assign {name} to team {team}: {r.text}"
        # Log in after team assignment so every session sees its user's team.
        for name in USERS:
            deployment.clients[name] = deployment.login(name)
        yield deployment
    finally:
        code = server.stop()
        assert code == 0 or code == -15, f"relais serve exited {code}; log:\n{server.log_text()}"
        # Whatever the tests sent, the server never answered with a 5xx.
        errors = [line for line in server.log_path.read_text(errors="replace").splitlines()
                  if re.search(r"access: \S+ \S+ 5\d\d ", line)]
        database.drop()
        assert not errors, "server answered 5xx:\n" + "\n".join(errors[:20])


@pytest.fixture
def fresh_server(tmp_path, binary, new_db):
    """A private server (own database) with one admin; stopped at the end of the test."""
    server = RelaisServer(new_db("fresh"), tmp_path / "fresh.log")
    run_cli("migrate", "--db", server.db_url)
    add_user(server.db_url, email_of("admin"), "admin", PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def admin(relais):
    return relais.client("admin")
