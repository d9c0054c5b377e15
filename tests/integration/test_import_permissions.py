"""CSV imports by two sales users in two teams (sales_a in A, sales_b in B), a manager and an
admin. Regression tests for the security probe of issue 8 (section 0b, items 3 and 6): company
names and contact e-mails resolve only to records the importing user can read, duplicate
rejections name only readable records (dry run too), and only admins keep creation dates —
with the audit entry at the real time of the import."""

import datetime
import re

import pytest

from api_client import error_of, unique

CSV = {"Content-Type": "text/csv; charset=utf-8"}
STAGES = [{"id": "new", "name": "Nouveau", "probability": 10, "kind": "open"}]


@pytest.fixture(scope="module")
def pipeline(relais):
    """Deal imports need a pipeline to exist."""
    return relais.client("admin").create("pipelines", {"name": unique("Import "), "stages": STAGES})


@pytest.fixture(scope="module")
def team_b(relais):
    b = relais.client("sales_b")
    return {"company": b.create("companies", {"name": unique("Société B ")})}


def names_id(text, record_id):
    """Whether `text` spells the id as a number of its own (not inside an e-mail or a uuid)."""
    return re.search(rf"(?<![\w.@-]){record_id}(?!\w)", text) is not None


def now_stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_import_links_only_to_readable_records(relais, pipeline, team_b):
    a, b = relais.client("sales_a"), relais.client("sales_b")
    family = unique("Import")
    company_b = team_b["company"]
    text = f"Prénom;Nom;Entreprise\nAnne;{family};{company_b['name']}\n"
    r = a.post("/api/v1/imports/contacts", data=text.encode(), headers=CSV)
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    [contact] = a.get("/api/v1/contacts", params={"filter": f'last_name = "{family}"'}).json()["data"]
    assert contact["company_id"] != company_b["id"]
    assert a.get(f"/api/v1/companies/{contact['company_id']}").json()["team_id"] == \
        relais.team_ids["A"]
    # Deals: a contact e-mail of team B is answered like an unknown one.
    email_b = unique("deal.b.") + "@paris.test"
    b.create("contacts", {"first_name": "B", "emails": [email_b]})
    unknown = unique("nobody.") + "@nowhere.test"
    text = f"Titre;E-mail du contact\nD1;{email_b}\nD2;{unknown}\n"
    r = a.post("/api/v1/imports/deals", data=text.encode(), headers=CSV,
               params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    reasons = [x["reason"] for x in r.json()["rejected"]]
    assert reasons == [f"no contact with e-mail {email_b}", f"no contact with e-mail {unknown}"]


def test_import_duplicates_name_only_readable_records(relais):
    a, b = relais.client("sales_a"), relais.client("sales_b")
    email_b = unique("imp.b.") + "@paris.test"
    theirs = b.create("contacts", {"first_name": "B", "emails": [email_b]})
    email_a = unique("imp.a.") + "@lyon.test"
    mine = a.create("contacts", {"first_name": "A", "emails": [email_a]})
    text = f"Prénom;E-mail\nX;{email_b}\nY;{email_a}\n"
    for dry_run in ("true", "false"):
        r = a.post("/api/v1/imports/contacts", data=text.encode(), headers=CSV,
                   params={"dry_run": dry_run})
        assert r.status_code == 200, r.text
        first, second = r.json()["rejected"]
        assert "existing_id" not in first and not names_id(first["reason"], theirs["id"]), first
        assert email_b in first["reason"]
        assert second["existing_id"] == mine["id"], second
    domain = unique("imp") + ".fr"
    company = b.create("companies", {"name": "B", "domain": domain})
    r = a.post("/api/v1/imports/companies", data=f"Nom;Domaine\nA;{domain}\n".encode(),
               headers=CSV, params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    [rejected] = r.json()["rejected"]
    assert "existing_id" not in rejected and not names_id(rejected["reason"], company["id"])


def test_only_admins_import_creation_dates_and_the_audit_keeps_the_real_time(relais):
    family = unique("Histoire")
    text = f"Nom;Prénom;Date de création\n{family};Ancienne;15/03/2024\n"
    for name in ("sales_a", "manager"):
        for dry_run in ("true", "false"):
            r = relais.client(name).post("/api/v1/imports/contacts", data=text.encode(),
                                         headers=CSV, params={"dry_run": dry_run})
            assert r.status_code == 403, (name, r.text)
            assert error_of(r)["code"] == "forbidden"
            assert "Date de création" in error_of(r)["message"]
    admin = relais.client("admin")
    assert admin.get("/api/v1/contacts", params={"filter": f'last_name = "{family}"'}) \
        .json()["data"] == []
    # Mapping the column to nothing imports the rows, dated today.
    r = relais.client("sales_a").post("/api/v1/imports/contacts", data=text.encode(),
                                      headers=CSV, params={"map": "Date de création:"})
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    [today] = admin.get("/api/v1/contacts", params={"filter": f'last_name = "{family}"'}) \
        .json()["data"]
    assert today["created_at"] > "2026-01-01"
    # An admin keeps the date on the record; the audit entry carries the real time.
    started = now_stamp()
    text = f"Nom;Prénom;Date de création\n{family}2;Ancienne;15/03/2024\n"
    r = admin.post("/api/v1/imports/contacts", data=text.encode(), headers=CSV)
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    [kept] = admin.get("/api/v1/contacts", params={"filter": f'last_name = "{family}2"'}) \
        .json()["data"]
    assert kept["created_at"] == "2024-03-15T00:00:00.000Z"
    [audit] = admin.get(f"/api/v1/contacts/{kept['id']}/timeline").json()["data"]
    assert audit["kind"] == "audit" and audit["action"] == "create"
    assert audit["at"] >= started
