"""Who may see and do what, over HTTP. Enforcement lives in domain/; these tests pin the
behaviour the API exposes: hidden records are 404 (not 403), forbidden writes are 403."""

import pytest

from api_client import error_of, unique


@pytest.fixture(scope="module")
def team_a_contact(relais):
    api = relais.client("sales_a")
    return api.create("contacts", {"first_name": "Secret", "last_name": unique("A"),
                                   "owner_id": relais.user_ids["sales_a"],
                                   "team_id": relais.team_ids["A"]})


def test_sales_cannot_see_another_teams_contact(relais, team_a_contact):
    path = f"/api/v1/contacts/{team_a_contact['id']}"
    other = relais.client("sales_b")
    r = other.get(path)
    assert r.status_code == 404, r.text
    assert error_of(r)["code"] == "not_found"
    assert other.patch(path, {"city": "Pirate"}).status_code == 404
    assert other.delete(path).status_code == 404
    assert other.get(path + "/timeline").status_code == 404
    listed = other.get("/api/v1/contacts", params={"q": team_a_contact["last_name"]})
    assert listed.status_code == 200
    assert team_a_contact["id"] not in [c["id"] for c in listed.json()["data"]]
    r = other.post(f"/api/v1/contacts/{team_a_contact['id']}/merge",
                   {"from": other.create("contacts", {"first_name": "B"})["id"]})
    assert r.status_code == 404, r.text


def test_same_team_and_managers_and_admins_can_see_it(relais, team_a_contact):
    path = f"/api/v1/contacts/{team_a_contact['id']}"
    for name in ("sales_a", "sales_a2", "manager", "admin"):
        r = relais.client(name).get(path)
        assert r.status_code == 200, (name, r.text)
    listed = relais.client("sales_a2").get("/api/v1/contacts",
                                           params={"q": team_a_contact["last_name"]})
    assert team_a_contact["id"] in [c["id"] for c in listed.json()["data"]]


def test_readonly_can_read_but_not_write(relais, team_a_contact):
    ro = relais.client("readonly")
    assert ro.get("/api/v1/contacts").status_code == 200
    for plural, body in (("contacts", {"first_name": "Non"}), ("companies", {"name": "Non"}),
                         ("notes", {"body": "Non"}), ("tasks", {"title": "Non"})):
        r = ro.post(f"/api/v1/{plural}", body)
        assert r.status_code == 403, (plural, r.text)
        assert error_of(r)["code"] == "forbidden"
    mine = relais.client("admin").create("contacts", {"first_name": "Visible"})
    assert ro.patch(f"/api/v1/contacts/{mine['id']}", {"city": "Non"}).status_code in (403, 404)
    assert ro.delete(f"/api/v1/contacts/{mine['id']}").status_code in (403, 404)


def test_only_admin_creates_users(relais):
    body = {"email": unique("u.") + "@relais.test", "role": "sales"}
    for name in ("sales_a", "manager", "readonly", "marketing"):
        r = relais.client(name).post("/api/v1/users", body)
        assert r.status_code == 403, (name, r.text)
        r = relais.client(name).post("/api/v1/users", {**body, "password": "longpassword1"})
        assert r.status_code == 403, (name, r.text)
    r = relais.client("admin").post("/api/v1/users", body)
    assert r.status_code == 201, r.text


def test_non_admin_cannot_promote_themselves(relais):
    me = relais.user_ids["sales_b"]
    r = relais.client("sales_b").patch(f"/api/v1/users/{me}", {"role": "admin"})
    assert r.status_code in (403, 404), r.text
    assert relais.client("admin").get(f"/api/v1/users/{me}").json()["role"] == "sales"


def test_only_admin_manages_pipelines_and_teams(relais):
    stages = [{"id": "a", "name": "A", "probability": 10, "kind": "open"}]
    for name in ("sales_a", "readonly"):
        r = relais.client(name).post("/api/v1/pipelines", {"name": "X", "stages": stages})
        assert r.status_code == 403, (name, r.text)
        r = relais.client(name).post("/api/v1/teams", {"name": "X"})
        assert r.status_code == 403, (name, r.text)


def test_every_role_reads_the_user_and_team_directory(relais):
    """Owner/assignee pickers list users and teams for every role; only admin writes them."""
    sales_b_id = relais.user_ids["sales_b"]
    for name in relais.user_ids:
        api = relais.client(name)
        users = api.get("/api/v1/users", params={"limit": 500})
        assert users.status_code == 200, (name, users.text)
        listed = {u["id"]: u for u in users.json()["data"]}
        assert set(relais.user_ids.values()) <= set(listed), name
        for user in listed.values():
            assert not {"password", "password_hash"} & set(user), (name, user)
        teams = api.get("/api/v1/teams", params={"limit": 500})
        assert teams.status_code == 200, (name, teams.text)
        assert set(relais.team_ids.values()) <= {t["id"] for t in teams.json()["data"]}, name
        r = api.get(f"/api/v1/users/{sales_b_id}")
        assert r.status_code == 200, (name, r.text)
        assert r.json()["email"] == "sales_b@relais.test"
        r = api.get(f"/api/v1/teams/{relais.team_ids['B']}")
        assert r.status_code == 200, (name, r.text)
        if name == "admin":
            continue
        r = api.patch(f"/api/v1/users/{sales_b_id}", {"name": "Pirate"})
        assert r.status_code == 403, (name, r.text)
        r = api.patch(f"/api/v1/teams/{relais.team_ids['B']}", {"name": "Pirate"})
        assert r.status_code == 403, (name, r.text)
        assert api.delete(f"/api/v1/teams/{relais.team_ids['B']}").status_code == 403, name
    assert relais.client("admin").get(f"/api/v1/teams/{relais.team_ids['B']}").json()["name"] \
        == "Team B"
