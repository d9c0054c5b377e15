"""Two sales users in two teams (sales_a in A, sales_b in B): what one may do with the other
team's records over HTTP. Regression tests for the security probe of issue 8 (section 0b,
items 1, 2 and 3, and the timeline leak of section 0; imports: test_import_permissions.py).
The rules live in domain/: a reference to a record the actor cannot read fails exactly like a
missing one; the owner/team rule of create holds on update; duplicates name only readable
records; timelines show a child only if the actor could see it in its own list."""

import json
import re

import pytest

from api_client import error_of, unique

MISSING = 987654321
STAGES = [{"id": "new", "name": "Nouveau", "probability": 10, "kind": "open"}]


@pytest.fixture(scope="module")
def pipeline(relais):
    return relais.client("admin").create("pipelines", {"name": unique("Équipes "), "stages": STAGES})


@pytest.fixture(scope="module")
def team_b(relais, pipeline):
    """One record of each linkable type, owned by sales_b (team B)."""
    b = relais.client("sales_b")
    contact = b.create("contacts", {"first_name": "Béa", "last_name": unique("B")})
    company = b.create("companies", {"name": unique("Société B ")})
    deal = b.create("deals", {"title": unique("Affaire B "), "pipeline_id": pipeline["id"]})
    return {"contact": contact, "company": company, "deal": deal}


def names_id(text, record_id):
    """Whether `text` spells the id as a number of its own (not inside an e-mail or a uuid)."""
    return re.search(rf"(?<![\w.@-]){record_id}(?!\w)", text) is not None


def same_but_id(unreadable, missing, hidden_id):
    """The two error bodies are identical once the id asked about is spelled the same."""
    assert unreadable.status_code == missing.status_code, (unreadable.text, missing.text)
    hidden = json.dumps(error_of(unreadable), sort_keys=True).replace(str(hidden_id), str(MISSING))
    assert hidden == json.dumps(error_of(missing), sort_keys=True)


def timeline_ids(api, plural, record_id):
    r = api.get(f"/api/v1/{plural}/{record_id}/timeline", params={"limit": 500})
    assert r.status_code == 200, r.text
    return {(item["kind"], item.get("id")) for item in r.json()["data"]}


# (resource, body for sales_a, reference field, target type); bodies link where they must.
def linking_cases(team_a_contact, pipeline):
    link = {"contact_id": team_a_contact}
    cases = []
    for field, target in (("contact_id", "contact"), ("company_id", "company"),
                          ("deal_id", "deal")):
        cases.append(("activities", {"type": "call", "subject": "x", **link}, field, target))
        cases.append(("notes", {"body": "x", **link}, field, target))
        cases.append(("tasks", {"title": "x"}, field, target))
    cases.append(("contacts", {"first_name": "x"}, "company_id", "company"))
    cases.append(("deals", {"title": "x", "pipeline_id": pipeline["id"]}, "company_id", "company"))
    cases.append(("deals", {"title": "x", "pipeline_id": pipeline["id"]}, "contact_ids", "contact"))
    return cases


def test_links_to_another_teams_records_fail_like_missing_ones(relais, pipeline, team_b):
    a = relais.client("sales_a")
    mine = a.create("contacts", {"first_name": "Anne", "last_name": unique("A")})
    parents = (("contact", "contacts"), ("company", "companies"), ("deal", "deals"))
    b = relais.client("sales_b")
    before = {kind: timeline_ids(b, plural, team_b[kind]["id"]) for kind, plural in parents}
    for plural, body, field, target in linking_cases(mine["id"], pipeline):
        hidden = team_b[target]["id"]

        def value(record_id):
            return [record_id] if field == "contact_ids" else record_id

        # Create.
        missing = a.post(f"/api/v1/{plural}", {**body, field: value(MISSING)})
        unreadable = a.post(f"/api/v1/{plural}", {**body, field: value(hidden)})
        assert unreadable.status_code == 422, (plural, field, unreadable.text)
        assert error_of(unreadable)["code"] == "validation_failed"
        same_but_id(unreadable, missing, hidden)
        # Update of a record of sales_a's own.
        own = a.create(plural, body)
        path = f"/api/v1/{plural}/{own['id']}"
        missing = a.patch(path, {field: value(MISSING)})
        unreadable = a.patch(path, {field: value(hidden)})
        assert unreadable.status_code == 422, (plural, field, unreadable.text)
        same_but_id(unreadable, missing, hidden)
        assert a.get(path).json().get(field) == own.get(field)  # unchanged
    # Nothing reached team B's timelines.
    for kind, plural in parents:
        assert timeline_ids(b, plural, team_b[kind]["id"]) == before[kind], kind


def test_patch_cannot_move_a_record_into_another_team(relais):
    a = relais.client("sales_a")
    into_b = {"owner_id": relais.user_ids["sales_b"], "team_id": relais.team_ids["B"]}
    for plural, body in (("contacts", {"first_name": "Stay"}), ("companies", {"name": "Stay"}),
                         ("tasks", {"title": "Stay"})):
        refused = a.post(f"/api/v1/{plural}", {**body, **into_b})
        assert refused.status_code == 403, refused.text
        record = a.create(plural, body)
        path = f"/api/v1/{plural}/{record['id']}"
        r = a.patch(path, into_b)
        assert r.status_code == 403, (plural, r.text)
        assert error_of(r) == error_of(refused)  # one rule, one answer
        # In two steps: hand it to sales_b inside team A (allowed), then move the team.
        r = a.patch(path, {"owner_id": relais.user_ids["sales_b"]})
        assert r.status_code == 200, r.text
        r = a.patch(path, {"team_id": relais.team_ids["B"]})
        assert r.status_code == 403, (plural, r.text)
        assert error_of(r) == error_of(refused)
        stored = a.get(path).json()
        assert stored["team_id"] == relais.team_ids["A"]


def test_duplicate_conflicts_name_only_readable_records(relais):
    a, b = relais.client("sales_a"), relais.client("sales_b")
    email_b = unique("b.") + "@paris.test"
    theirs = b.create("contacts", {"first_name": "B", "emails": [email_b]})
    r = a.post("/api/v1/contacts", {"first_name": "A", "emails": [email_b.upper()]})
    assert r.status_code == 409, r.text
    error = error_of(r)
    assert error["code"] == "conflict"
    assert "existing_id" not in error
    assert not names_id(json.dumps(error), theirs["id"]), error
    assert email_b in error["message"]
    mine = a.create("contacts", {"first_name": "A"})
    r = a.patch(f"/api/v1/contacts/{mine['id']}", {"emails": [email_b]})
    assert r.status_code == 409 and "existing_id" not in error_of(r), r.text
    # A record the actor reads is still named (open it, merge it).
    email_a = unique("a.") + "@lyon.test"
    teammate = relais.client("sales_a2").create("contacts", {"first_name": "A2",
                                                             "emails": [email_a]})
    r = a.post("/api/v1/contacts", {"first_name": "A", "emails": [email_a]})
    assert r.status_code == 409 and error_of(r)["existing_id"] == teammate["id"], r.text
    r = relais.client("manager").post("/api/v1/contacts", {"first_name": "M", "emails": [email_b]})
    assert r.status_code == 409 and error_of(r)["existing_id"] == theirs["id"], r.text
    # Company domains alike.
    domain = unique("b") + ".fr"
    company = b.create("companies", {"name": "B", "domain": domain})
    r = a.post("/api/v1/companies", {"name": "A", "domain": domain})
    assert r.status_code == 409, r.text
    assert "existing_id" not in error_of(r) and not names_id(r.text, company["id"])
    assert domain in error_of(r)["message"]


@pytest.mark.parametrize("plural", ["contacts", "companies", "deals"])
def test_timelines_show_only_children_the_actor_could_list(relais, pipeline, plural):
    admin = relais.client("admin")
    # An unowned parent: both teams read it.
    body = {"contacts": {"first_name": "Commun", "last_name": unique("T")},
            "companies": {"name": unique("Commune ")},
            "deals": {"title": unique("Commune "), "pipeline_id": pipeline["id"]}}[plural]
    parent = admin.create(plural, {**body, "owner_id": None})
    assert parent["owner_id"] is None and parent.get("team_id") is None
    link = {"contacts": "contact_id", "companies": "company_id", "deals": "deal_id"}[plural]
    children = {}
    for name in ("sales_a", "sales_b"):
        api = relais.client(name)
        children[name] = {
            ("activity", api.create("activities", {"type": "call", "subject": name,
                                                   link: parent["id"]})["id"]),
            ("note", api.create("notes", {"body": name, link: parent["id"]})["id"]),
            ("task", api.create("tasks", {"title": name, link: parent["id"]})["id"]),
        }
    child_kinds = {"activity", "note", "task"}

    def children_seen(name):
        return {(k, i) for k, i in timeline_ids(relais.client(name), plural, parent["id"])
                if k in child_kinds}

    assert children_seen("sales_a") == children["sales_a"]
    assert children_seen("sales_a2") == children["sales_a"]
    assert children_seen("sales_b") == children["sales_b"]
    assert children_seen("admin") == children["sales_a"] | children["sales_b"]
    # The same rule as the lists: a child is on the timeline iff it is in its own list.
    for name in ("sales_a", "sales_b", "manager"):
        api = relais.client(name)
        listed = set()
        for kind, res in (("activity", "activities"), ("note", "notes"), ("task", "tasks")):
            r = api.get(f"/api/v1/{res}", params={"filter": f"{link} = {parent['id']}",
                                                  "limit": 500})
            assert r.status_code == 200, r.text
            listed |= {(kind, item["id"]) for item in r.json()["data"]}
        assert children_seen(name) == listed, name
