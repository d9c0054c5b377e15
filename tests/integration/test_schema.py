"""GET /api/v1/schema: every record type the server declares, with its fields, this
installation's custom fields and the caller's access — and the same declarations as
openapi.json (docs/decisions/0013-schema-endpoint.md)."""

import json
import os
import pathlib

from api_client import error_of, unique

EXPECTED = ["contacts", "companies", "pipelines", "deals", "activities", "tasks", "notes",
            "users", "teams", "custom_fields"]

WEB_FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "web/src/testing/schema.fixture.json"

# FieldType name -> the JSON Schema type openapi.json gives a value of that field.
JSON_TYPES = {"text": "string", "integer": "integer", "money": "integer", "currency": "string",
              "date": "string", "datetime": "string", "boolean": "boolean", "enum": "string",
              "text_list": "array", "reference": "integer", "reference_list": "array",
              "object": "object", "list": "array"}


def component_name(snake):
    return "".join(part.capitalize() for part in snake.split("_"))


def schema_of(client):
    r = client.get("/api/v1/schema")
    assert r.status_code == 200, r.text
    return {e["plural"]: e for e in r.json()["entities"]}


def test_every_record_type_is_described(relais):
    entities = schema_of(relais.client("readonly"))
    assert list(entities) == EXPECTED
    spec_paths = relais.checker.spec["paths"]
    for plural, entity in entities.items():
        assert f"/api/v1/{plural}" in spec_paths and f"/api/v1/{plural}/{{id}}" in spec_paths
        assert entity["fields"][0]["name"] == "id"
        for field in entity["fields"]:
            assert field["label"]["en"].strip() and field["label"]["fr"].strip(), field
            if field["type"] == "enum":
                assert field["enum_values"], field
            if field["type"] in ("reference", "reference_list"):
                assert field["references_plural"] in entities, field
    contact = {f["name"]: f for f in entities["contacts"]["fields"]}
    assert contact["first_name"]["label"] == {"en": "First name", "fr": "Prénom"}
    assert contact["first_name"]["searchable"] and contact["first_name"]["max_length"] == 1000
    assert contact["emails"]["max_items"] == 50 and contact["emails"]["max_length"] == 254
    assert contact["score"]["read_only"] and contact["score"]["default"] == 0
    assert contact["company_id"]["references"] == "company"
    assert contact["lifecycle_stage"]["default"] == "lead"
    assert {f["name"]: f for f in entities["notes"]["fields"]}["body"]["text_format"] == "multiline"
    assert {f["name"]: f for f in entities["companies"]["fields"]}["name"]["required"]


def test_unauthenticated_is_401(relais):
    r = relais.anonymous().get("/api/v1/schema")
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"


def test_custom_fields_appear_once_created(relais):
    admin = relais.client("admin")
    key = unique("cf_")
    before = schema_of(relais.client("sales_a"))
    assert key not in [c["key"] for c in before["companies"]["custom_fields"]]
    admin.create("custom_fields", {"entity": "company", "key": key, "label": "Région " + key,
                                   "type": "enum", "options": ["Nord", "Sud"]})
    after = schema_of(relais.client("sales_a"))
    (made,) = [c for c in after["companies"]["custom_fields"] if c["key"] == key]
    assert made == {"key": key, "label": "Région " + key, "type": "enum",
                    "options": ["Nord", "Sud"], "required": False}
    assert key not in [c["key"] for c in after["contacts"]["custom_fields"]]
    # Types without a `custom` object carry no custom_fields member.
    assert "custom_fields" not in after["activities"]


def test_access_is_what_the_server_enforces(relais):
    marketing = schema_of(relais.client("marketing"))
    assert marketing["deals"]["access"] == {"read": "scope", "write": "none", "create": False,
                                            "list": True}
    assert marketing["contacts"]["access"]["create"] is True
    r = relais.client("marketing").post("/api/v1/deals", {"title": "x", "pipeline_id": 1})
    assert r.status_code == 403, r.text
    readonly = schema_of(relais.client("readonly"))
    assert readonly["users"]["access"] == {"read": "all", "write": "none", "create": False,
                                           "list": True}
    admin = schema_of(relais.client("admin"))
    assert all(e["access"] == {"read": "all", "write": "all", "create": True, "list": True}
               for e in admin.values())


def test_import_fields_follow_the_actor(relais):
    sales = schema_of(relais.client("sales_a"))
    admin = schema_of(relais.client("admin"))
    assert [p for p, e in admin.items() if e["importable"]] == ["contacts", "companies", "deals"]
    fields = {f["field"]: f for f in sales["contacts"]["import_fields"]}
    assert fields["first_name"]["label"] == {"en": "First name", "fr": "Prénom"}
    assert "prenom" in fields["first_name"]["synonyms"]
    assert "courriel" in fields["email"]["synonyms"]
    assert fields["company"]["label"]["fr"] == "Entreprise (nom)"
    # Keeping creation dates is for admins only: others are not offered the column.
    assert "created_at" not in fields
    assert "created_at" in [f["field"] for f in admin["contacts"]["import_fields"]]
    assert "import_fields" not in admin["activities"]


def test_openapi_and_schema_agree(relais):
    """Field names, types, read-only and required flags, enum values, defaults and labels of
    every record type are the same in /schema and in openapi.json's component schemas."""
    spec = relais.checker.spec
    components = spec["components"]["schemas"]
    for plural, entity in schema_of(relais.client("admin")).items():
        name = component_name(entity["name"])
        record = components[name]["properties"]
        assert set(record) == {f["name"] for f in entity["fields"]}, plural
        create = components[name + "Create"]
        for field in entity["fields"]:
            described = record[field["name"]]
            types = described["type"] if isinstance(described["type"], list) else [described["type"]]
            assert JSON_TYPES[field["type"]] in types, (plural, field["name"], types)
            assert described.get("readOnly", False) == field["read_only"], (plural, field["name"])
            assert described.get("title") == field["label"]["en"], (plural, field["name"])
            if field["type"] == "enum":
                assert [v for v in described["enum"] if v is not None] == field["enum_values"]
            if "default" in field:
                assert described["default"] == field["default"], (plural, field["name"])
            if field["type"] == "date":
                assert described["format"] == "date"
            if field["type"] == "datetime":
                assert described["format"] == "date-time"
            if field["read_only"]:
                assert field["name"] not in create["properties"]
            elif field["required"]:
                assert field["name"] in create.get("required", []), (plural, field["name"])
        # The paths that depend on a type's declaration.
        timeline = f"/api/v1/{plural}/{{id}}/timeline"
        assert (timeline in spec["paths"]) == entity["has_timeline"], plural
        export = f"/api/v1/{plural}/export.csv"
        assert (export in spec["paths"]) == entity["exportable"], plural
    importable = spec["paths"]["/api/v1/imports/{resource}"]["post"]["parameters"][0]
    assert importable["schema"]["enum"] == ["contacts", "companies", "deals"]


def test_declared_paths_are_served(relais):
    admin = relais.client("admin")
    entities = schema_of(admin)
    company = admin.create("companies", {"name": unique("Co ")})
    for plural, entity in entities.items():
        r = admin.get(f"/api/v1/{plural}/export.csv", check_spec=False)
        assert (r.status_code == 200) == entity["exportable"], (plural, r.status_code)
    assert admin.get(f"/api/v1/companies/{company['id']}/timeline").status_code == 200
    r = admin.get(f"/api/v1/users/{relais.user_ids['admin']}/timeline", check_spec=False)
    assert r.status_code in (404, 405), r.status_code


def test_web_fixture_matches_the_server(relais):
    """web/src/testing/schema.fixture.json is what the UI's unit tests run on: the declared
    part (not access or custom fields) must be what the server answers. Regenerate it with
    RELAIS_UPDATE_WEB_FIXTURE=1."""
    r = relais.client("admin").get("/api/v1/schema")
    declared = {"entities": [{k: v for k, v in e.items() if k != "custom_fields"}
                             for e in r.json()["entities"]]}
    if os.environ.get("RELAIS_UPDATE_WEB_FIXTURE") == "1":
        WEB_FIXTURE.write_text(json.dumps(declared, ensure_ascii=False, indent=1) + "\n")
    fixture = json.loads(WEB_FIXTURE.read_text())
    strip = lambda answer: [{k: v for k, v in e.items() if k not in ("access", "custom_fields")}
                            for e in answer["entities"]]
    assert strip(fixture) == strip(declared), "run with RELAIS_UPDATE_WEB_FIXTURE=1 to refresh"
