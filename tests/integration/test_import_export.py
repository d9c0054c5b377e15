"""CSV import and export over HTTP. Every response goes through the OpenAPI checker
(api_client), so the import report, its errors and the text/csv export are validated against
the server's own openapi.json."""

from api_client import error_of, unique

CSV = {"Content-Type": "text/csv; charset=utf-8"}


def import_csv(api, resource, text, params=None, headers=CSV):
    return api.post(f"/api/v1/imports/{resource}", data=text.encode("utf-8"), headers=headers,
                    params=params)


def contacts_named(api, last_name):
    r = api.get("/api/v1/contacts", params={"filter": f'last_name = "{last_name}"'})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_healthz_matches_the_spec(relais):
    r = relais.anonymous().get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_import_dry_run_then_real_run_report(relais, admin):
    family = unique("Import")
    taken = unique("pris.") + "@relais.test"
    admin.create("contacts", {"first_name": "Déjà", "emails": [taken]})
    text = ("Prénom;Nom;Courriel;Ville;Colonne inconnue\n"
            f"Anne;{family};{unique('anne.')}@relais.test;Lyon;x\n"
            f"Bruno;{family};pas-un-email;Paris;y\n"
            f"Chloé;{family};{taken};Nantes;z\n")

    dry = import_csv(admin, "contacts", text, params={"dry_run": "true"})
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dry_run"] is True
    assert report["rows"] == 3 and report["imported"] == 1
    assert report["separator"] == ";" and report["encoding"] == "utf-8"
    assert report["unmapped_columns"] == ["Colonne inconnue"]
    rejected = {r["row"]: r for r in report["rejected"]}
    assert set(rejected) == {3, 4}, report
    assert rejected[3]["column"] == "Courriel"
    assert rejected[4]["existing_id"] > 0
    assert contacts_named(admin, family) == []  # a dry run writes nothing

    real = import_csv(admin, "contacts", text)
    assert real.status_code == 200, real.text
    assert real.json()["dry_run"] is False
    assert real.json()["imported"] == 1
    assert real.json()["rejected"] == report["rejected"]
    assert [c["first_name"] for c in contacts_named(admin, family)] == ["Anne"]


def test_import_map_parameter_feeds_a_column(relais, admin):
    family = unique("Map")
    text = f"Nom de famille,Surnom\n{family},Zaza\n"
    r = import_csv(admin, "contacts", text,
                   params=[("map", "Nom de famille:last_name"), ("map", "Surnom:first_name")])
    assert r.status_code == 200, r.text
    assert r.json()["mapping"] == {"Nom de famille": "last_name", "Surnom": "first_name"}
    assert [c["first_name"] for c in contacts_named(admin, family)] == ["Zaza"]


def test_import_fills_custom_fields_by_label_typed_like_their_definition(relais, admin):
    key = unique("budget")
    label = unique("Budget annuel")
    admin.create("custom_fields", {"entity": "contact", "key": key, "label": label,
                                   "type": "number"})
    family = unique("Custom")
    text = f"Nom;{label}\n{family};1 234,5\nAutre{family};beaucoup\n"
    r = import_csv(admin, "contacts", text)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["mapping"][label] == f"custom.{key}"
    assert report["imported"] == 1
    assert report["rejected"] == [{"row": 3, "column": label,
                                   "reason": "'beaucoup' is not a number"}]
    [contact] = contacts_named(admin, family)
    assert contact["custom"][key] == 1234.5


def test_import_keeps_the_creation_date_of_the_old_crm(relais, admin):
    family = unique("Migration")
    text = f"Nom;Prénom;Date de création\n{family};Ancienne;15/03/2024\n{family};Future;01/01/2999\n"
    r = import_csv(admin, "contacts", text)
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1
    [rejected] = r.json()["rejected"]
    assert rejected["row"] == 3 and rejected["column"] == "Date de création"
    [contact] = contacts_named(admin, family)
    assert contact["created_at"] == "2024-03-15T00:00:00.000Z"
    # The audit entry says when the record was really written: at the import, not in 2024.
    timeline = admin.get(f"/api/v1/contacts/{contact['id']}/timeline").json()["data"]
    assert timeline[-1]["kind"] == "audit" and timeline[-1]["at"] > "2026-01-01"


def test_import_errors_match_the_spec(relais, admin):
    text = "first_name\nAnne\n"
    r = import_csv(admin, "contacts", text, headers={"Content-Type": "application/json"})
    assert r.status_code == 415, r.text
    assert error_of(r)["code"] == "unsupported_media_type"
    r = import_csv(admin, "pipelines", text)
    assert r.status_code == 404, r.text
    r = import_csv(admin, "contacts", text, params={"dry_run": "maybe"})
    assert r.status_code == 400, r.text
    r = import_csv(admin, "contacts", text, params={"map": "no separator"})
    assert r.status_code == 400, r.text
    r = relais.anonymous().post("/api/v1/imports/contacts", data=text.encode(), headers=CSV)
    assert r.status_code == 401, r.text


def test_export_csv_matches_the_spec_and_the_filter(relais, admin):
    family = unique("Export")
    admin.create("contacts", {"first_name": "Élodie", "last_name": family, "city": "Lille"})
    r = admin.get("/api/v1/contacts/export.csv", params={"filter": f'last_name = "{family}"'})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    lines = r.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert len(lines) == 2, lines
    assert "Élodie" in lines[1] and family in lines[1]
    # The search text narrows the export like the list's ?q= (prefix, accents ignored).
    admin.create("contacts", {"first_name": "Zoé", "last_name": family, "city": "Lille"})
    r = admin.get("/api/v1/contacts/export.csv",
                  params={"filter": f'last_name = "{family}"', "q": "elod"})
    assert r.status_code == 200, r.text
    lines = r.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and "Élodie" in lines[1], lines
    r = admin.get("/api/v1/contacts/export.csv", params={"filter": "city ="})
    assert r.status_code in (400, 422), r.text
