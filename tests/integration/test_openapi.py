"""openapi.json describes what the server does: valid component schemas, every documented
path routed, every record field described."""

import requests
from jsonschema import Draft202012Validator

EXPECTED_RESOURCES = ["contacts", "companies", "pipelines", "deals", "activities", "tasks",
                      "notes", "users", "teams", "custom_fields"]


def test_document_shape(relais):
    spec = relais.checker.spec
    assert spec["openapi"] == "3.1.0"
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for plural in EXPECTED_RESOURCES:
        assert f"/api/v1/{plural}" in spec["paths"], plural
        assert set(spec["paths"][f"/api/v1/{plural}"]) >= {"get", "post"}
        assert set(spec["paths"][f"/api/v1/{plural}/{{id}}"]) >= {"get", "patch", "delete"}
    for extra in ("/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me",
                  "/api/v1/tokens", "/api/v1/contacts/{id}/merge",
                  "/api/v1/contacts/{id}/timeline", "/api/v1/companies/{id}/timeline",
                  "/api/v1/deals/{id}/timeline", "/api/v1/companies/{id}/contacts",
                  "/api/v1/companies/{id}/deals", "/healthz", "/api/v1/imports/{resource}",
                  "/api/v1/contacts/export.csv", "/api/v1/companies/export.csv",
                  "/api/v1/deals/export.csv", "/api/v1/activities/export.csv",
                  "/api/v1/tasks/export.csv"):
        assert extra in spec["paths"], extra
    import_op = spec["paths"]["/api/v1/imports/{resource}"]["post"]
    assert "text/csv" in import_op["requestBody"]["content"]
    assert {p["name"] for p in import_op["parameters"]} == {"resource", "dry_run", "map"}


def test_text_limits_are_documented_in_bytes(relais):
    """The server counts bytes; JSON Schema's maxLength counts characters, so the spec must not
    use it for text (a 300-"é" value is 600 bytes)."""
    schemas = relais.checker.spec["components"]["schemas"]
    first_name = schemas["Contact"]["properties"]["first_name"]
    assert "maxLength" not in first_name
    limit = first_name["x-maxBytes"]
    assert "bytes" in first_name["description"]
    assert "maxLength" not in schemas["Contact"]["properties"]["emails"]["items"]
    admin = relais.client("admin")
    too_long = "é" * (limit // 2 + 1)  # within limit characters, over limit bytes
    r = admin.post("/api/v1/contacts", {"first_name": too_long})
    assert r.status_code == 422, r.text
    fits = "é" * (limit // 2)
    assert admin.create("contacts", {"first_name": fits})["first_name"] == fits


def test_contact_schema_matches_the_design(relais):
    contact = relais.checker.spec["components"]["schemas"]["Contact"]
    props = contact["properties"]
    for field in ("first_name", "last_name", "emails", "phones", "title", "company_id", "address",
                  "city", "postcode", "country", "tags", "lifecycle_stage", "source", "owner_id",
                  "team_id", "score", "custom", "version", "created_at", "updated_at"):
        assert field in props, field
    assert props["score"]["readOnly"] is True and props["id"]["readOnly"] is True
    assert "customer" in props["lifecycle_stage"]["enum"]
    create = relais.checker.spec["components"]["schemas"]["ContactCreate"]
    assert "score" not in create["properties"] and "id" not in create["properties"]
    deal_create = relais.checker.spec["components"]["schemas"]["DealCreate"]
    assert set(deal_create["required"]) >= {"title", "pipeline_id"}


def test_every_documented_operation_is_routed(relais):
    """Unauthenticated calls to every documented operation get 401 (or the public answer),
    never the router's 404/405 — so no documented path is missing on the server."""
    base = relais.server.base_url
    public = {("post", "/api/v1/auth/login"), ("get", "/api/v1/openapi.json"),
              ("get", "/healthz")}
    for template, item in relais.checker.spec["paths"].items():
        path = template.replace("{id}", "1").replace("{resource}", "contacts")
        for method in item:
            if method not in ("get", "post", "patch", "delete", "put"):
                continue
            r = requests.request(method.upper(), base + path, timeout=10,
                                 headers={"Content-Type": "application/json"}, data=b"{}")
            if (method, template) in public:
                assert r.status_code in (200, 422), (method, template, r.status_code)
            else:
                assert r.status_code == 401, (method, template, r.status_code, r.text)


def test_error_responses_match_the_error_schema(relais):
    api = relais.client("admin")
    # These go through the checker (api_client validates every response).
    api.get("/api/v1/contacts/999999999")
    api.get("/api/v1/contacts", params={"filter": "city ="})
    api.post("/api/v1/contacts", {"first_name": 1})
    relais.anonymous().get("/api/v1/contacts")
