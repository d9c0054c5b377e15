"""Limits on what one record may hold (security probe, issue 8 item 12): one contact took
100,000 tags and 5,000 e-mails, NUL characters were stored and `time_zone` took any text.
Limits are declared per field in the EntitySchema; a breach is 422 validation_failed naming
the field, and nothing is written. The CSV importer applies the same rules per row."""

import pytest

from api_client import error_of, unique
from test_import_export import import_csv


def field_error(response, field):
    assert response.status_code == 422, response.text
    err = error_of(response)
    assert err["code"] == "validation_failed", err
    assert field in err["fields"], err
    return err["fields"][field]


@pytest.fixture(scope="module")
def contact(relais):
    return relais.client("admin").create("contacts", {"first_name": unique("Limite")})


@pytest.mark.parametrize("field,limit,item", [
    ("tags", 100, "t{}"),
    ("emails", 50, "e{}@limites.test"),
    ("phones", 50, "+33 1 00 00 {}"),
])
def test_list_fields_have_a_maximum_number_of_items(relais, contact, field, limit, item):
    api = relais.client("admin")
    too_many = [item.format(i) for i in range(limit + 1)]
    why = field_error(api.post("/api/v1/contacts", {"first_name": "X", field: too_many}), field)
    assert str(limit) in why
    why = field_error(api.patch(f"/api/v1/contacts/{contact['id']}", {field: too_many}), field)
    assert str(limit) in why
    # The probe's sizes: refused just the same, and quickly.
    huge = [item.format(i) for i in range(5000)]
    field_error(api.post("/api/v1/contacts", {"first_name": "X", field: huge}), field)
    # At the limit is fine.
    just = [item.format(unique()) for _ in range(limit)]
    created = api.create("contacts", {"first_name": "X", field: just})
    assert len(created[field]) == limit
    # Nothing of the refused writes reached the record.
    assert api.get(f"/api/v1/contacts/{contact['id']}").json()[field] in (None, [])


def test_list_items_have_a_maximum_length(relais):
    api = relais.client("admin")
    field_error(api.post("/api/v1/contacts", {"first_name": "X", "tags": ["t" * 101]}), "tags")
    field_error(api.post("/api/v1/contacts",
                         {"first_name": "X", "emails": ["a" * 250 + "@b.test"]}), "emails")


def test_other_array_fields_are_bounded_too(relais):
    api = relais.client("admin")
    pipeline = api.create("pipelines", {"name": unique("P"), "stages": [
        {"id": "s1", "name": "S1", "probability": 10, "kind": "open"}]})
    r = api.post("/api/v1/deals", {"title": "X", "pipeline_id": pipeline["id"],
                                   "contact_ids": list(range(1, 102))})
    field_error(r, "contact_ids")
    stages = [{"id": f"s{i}", "name": f"S{i}", "probability": 10, "kind": "open"}
              for i in range(51)]
    field_error(api.post("/api/v1/pipelines", {"name": unique("P"), "stages": stages}), "stages")
    field_error(api.post("/api/v1/companies", {"name": "X", "tags": ["t"] * 101}), "tags")


@pytest.mark.parametrize("bad", ["\u0000", "a\u0000b", "\u0001", "\u001b[31m", "x\u007f",
                                 "line\nbreak", "cr\rhere"])
def test_control_characters_are_refused_in_one_line_text(relais, contact, bad):
    api = relais.client("admin")
    why = field_error(api.post("/api/v1/contacts", {"first_name": bad}), "first_name")
    assert "control" in why
    field_error(api.patch(f"/api/v1/contacts/{contact['id']}", {"city": bad}), "city")
    field_error(api.post("/api/v1/contacts", {"first_name": "X", "tags": ["ok", bad]}), "tags")
    field_error(api.post("/api/v1/companies", {"name": "X" + bad}), "name")
    assert api.get(f"/api/v1/contacts/{contact['id']}").json()["city"] is None


def test_multiline_fields_take_line_breaks_and_tabs_but_no_other_control(relais, contact):
    api = relais.client("admin")
    text = "Première ligne\r\n\tdeuxième ligne\nfin"
    note = api.create("notes", {"body": text, "contact_id": contact["id"]})
    assert note["body"] == text
    task = api.create("tasks", {"title": "Tâche\tà faire", "description": text})
    assert task["description"] == text and task["title"] == "Tâche\tà faire"
    updated = api.patch(f"/api/v1/contacts/{contact['id']}", {"address": "1 rue A\nBât. B"})
    assert updated.status_code == 200 and updated.json()["address"] == "1 rue A\nBât. B"
    for plural, body, field in [
        ("notes", {"body": "nul \u0000 ici"}, "body"),
        ("activities", {"type": "call", "body": "bip \u0007"}, "body"),
        ("tasks", {"title": "ok", "description": "\u0000"}, "description"),
    ]:
        field_error(api.post(f"/api/v1/{plural}", body), field)


def test_long_text_is_bounded(relais):
    api = relais.client("admin")
    field_error(api.post("/api/v1/contacts", {"first_name": "x" * 1001}), "first_name")
    field_error(api.post("/api/v1/notes", {"body": "x" * 100001}), "body")


def test_time_zone_must_be_an_iana_name(relais):
    user = relais.login("marketing")
    for bad in ("Mars/Olympus_Mons", "paris", "Europe/Paris; DROP TABLE users", "x" * 65,
                "../../../etc/passwd", "posixrules", "+02:00"):
        why = field_error(user.patch("/api/v1/auth/me", {"time_zone": bad}), "time_zone")
        assert "IANA" in why or "bytes" in why, why
    for good in ("America/Argentina/Buenos_Aires", "UTC", "Asia/Calcutta", "Europe/Paris"):
        r = user.patch("/api/v1/auth/me", {"time_zone": good})
        assert r.status_code == 200, (good, r.text)
        assert r.json()["user"]["time_zone"] == good
    admin = relais.client("admin")
    r = admin.post("/api/v1/users", {"email": unique("tz") + "@relais.test", "role": "sales",
                                     "time_zone": "Nowhere/Land"})
    field_error(r, "time_zone")


def test_csv_import_reports_each_bad_cell_on_its_row(relais):
    admin = relais.client("admin")
    family = unique("Lim")
    many_tags = ";".join(f"t{i}" for i in range(101))
    text = ("Prénom,Nom,Ville,Tags\n"
            f"Bon,{family},Lyon,a;b\n"
            f"Long,{family},{'L' * 1001},a\n"
            f'Trop,{family},Lyon,"{many_tags}"\n'
            f"Aussi,{family},Brest,c\n")
    r = import_csv(admin, "contacts", text)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["imported"] == 2, report
    rejected = {row["row"]: row for row in report["rejected"]}
    assert set(rejected) == {3, 4}, report
    assert rejected[3]["column"] == "Ville" and "1000 bytes" in rejected[3]["reason"], rejected
    assert rejected[4]["column"] == "Tags" and "100" in rejected[4]["reason"], rejected
    names = admin.get("/api/v1/contacts", params={"filter": f'last_name = "{family}"'}).json()
    assert sorted(c["first_name"] for c in names["data"]) == ["Aussi", "Bon"]


def test_csv_import_refuses_control_characters_in_the_file(relais):
    admin = relais.client("admin")
    r = import_csv(admin, "contacts", f"Prénom,Nom\nNul,{unique('Ctl')}\u0001x\n")
    assert r.status_code == 400, r.text
    assert "control byte" in error_of(r)["message"]
