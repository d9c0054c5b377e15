"""Happy paths of every resource: CRUD, lists (search, filter, sort, pagination), deals through
a pipeline, timeline, duplicates, optimistic concurrency, merge."""

import base64
import json

import pytest

from api_client import error_of, unique

STAGES = [
    {"id": "qualification", "name": "Qualification", "probability": 10, "kind": "open"},
    {"id": "proposal", "name": "Proposition", "probability": 50, "kind": "open"},
    {"id": "won", "name": "Gagnée", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Perdue", "probability": 0, "kind": "lost"},
]


@pytest.fixture(scope="module")
def pipeline(relais):
    return relais.client("admin").create("pipelines", {"name": unique("Ventes "), "stages": STAGES})


def test_contact_create_get_update_delete(relais):
    api = relais.client("sales_a")
    # Custom fields must be defined (by an admin) before a record may carry them.
    key = unique("linkedin_")
    relais.client("admin").create("custom_fields", {"entity": "contact", "key": key,
                                                    "label": "LinkedIn", "type": "text"})
    email = unique("marie.curie.") + "@example.fr"
    r = api.post("/api/v1/contacts", {
        "first_name": "Marie", "last_name": "Curie", "emails": [email],
        "phones": ["+33 1 23 45 67 89"], "city": "Paris", "tags": ["vip"],
        "custom": {key: "mcurie"},
    })
    assert r.status_code == 201, r.text
    contact = r.json()
    cid = contact["id"]
    assert contact["version"] == 1
    assert contact["lifecycle_stage"] == "lead"  # schema default
    assert contact["score"] == 0
    assert contact["emails"] == [email]
    assert contact["custom"] == {key: "mcurie"}
    assert r.headers["ETag"] == '"1"'
    assert r.headers["Location"] == f"/api/v1/contacts/{cid}"

    got = api.get(f"/api/v1/contacts/{cid}")
    assert got.status_code == 200 and got.json() == contact
    assert got.headers["ETag"] == '"1"'

    updated = api.patch(f"/api/v1/contacts/{cid}", {"city": "Lyon", "title": "Physicienne"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["city"] == "Lyon" and updated.json()["title"] == "Physicienne"
    assert updated.json()["first_name"] == "Marie"  # untouched fields kept
    assert updated.json()["version"] == 2 and updated.headers["ETag"] == '"2"'

    assert api.delete(f"/api/v1/contacts/{cid}").status_code == 204
    gone = api.get(f"/api/v1/contacts/{cid}")
    assert gone.status_code == 404 and error_of(gone)["code"] == "not_found"
    assert api.delete(f"/api/v1/contacts/{cid}").status_code == 404


def test_company_crud_and_its_contacts_and_deals(relais, pipeline):
    api = relais.client("sales_a")
    company = api.create("companies", {"name": "Boulangerie Dupont", "domain": unique() + ".fr",
                                       "size": "11-50", "city": "Nantes"})
    other = api.create("companies", {"name": "Autre SARL"})
    assert company["size"] == "11-50"
    c1 = api.create("contacts", {"first_name": "Jean", "last_name": unique(),
                                 "company_id": company["id"]})
    c2 = api.create("contacts", {"first_name": "Paul", "last_name": unique(),
                                 "company_id": company["id"], "city": "Nantes"})
    api.create("contacts", {"first_name": "Ailleurs", "last_name": unique(),
                            "company_id": other["id"]})
    deal = api.create("deals", {"title": "Fours", "pipeline_id": pipeline["id"],
                                "company_id": company["id"], "amount": 1250000})

    r = api.get(f"/api/v1/companies/{company['id']}/contacts")
    assert r.status_code == 200, r.text
    assert sorted(c["id"] for c in r.json()["data"]) == sorted([c1["id"], c2["id"]])
    r = api.get(f"/api/v1/companies/{company['id']}/contacts", params={"filter": 'city = "Nantes"'})
    assert [c["id"] for c in r.json()["data"]] == [c2["id"]]
    r = api.get(f"/api/v1/companies/{company['id']}/deals")
    assert [d["id"] for d in r.json()["data"]] == [deal["id"]]
    r = api.get(f"/api/v1/companies/{company['id']}/contacts", params={"filter": "city = "})
    assert r.status_code == 400 and "position" in error_of(r), r.text
    assert api.get("/api/v1/companies/999999999/contacts").status_code == 404

    r = api.patch(f"/api/v1/companies/{company['id']}", {"industry": "Boulangerie"})
    assert r.status_code == 200 and r.json()["industry"] == "Boulangerie"
    assert api.delete(f"/api/v1/companies/{other['id']}").status_code == 204


def test_deal_moves_through_pipeline_stages(relais, pipeline):
    api = relais.client("sales_a")
    deal = api.create("deals", {"title": "Contrat annuel", "pipeline_id": pipeline["id"],
                                "amount": 500000, "stage_id": "qualification"})
    assert deal["currency"] == "EUR" and deal["status"] == "open" and deal["amount"] == 500000
    r = api.patch(f"/api/v1/deals/{deal['id']}", {"stage_id": "proposal"})
    assert r.status_code == 200, r.text
    assert r.json()["stage_id"] == "proposal" and r.json()["status"] == "open"
    r = api.patch(f"/api/v1/deals/{deal['id']}", {"stage_id": "won"})
    assert r.status_code == 200, r.text
    assert r.json()["stage_id"] == "won"
    assert r.json()["status"] == "won"
    assert r.json()["closed_at"]
    r = api.patch(f"/api/v1/deals/{deal['id']}", {"stage_id": "no-such-stage"})
    assert r.status_code == 422, r.text
    timeline = api.get(f"/api/v1/deals/{deal['id']}/timeline")
    assert timeline.status_code == 200, timeline.text
    assert len(timeline.json()["data"]) >= 2  # two stage changes at least


def test_status_is_read_only(relais, pipeline):
    api = relais.client("sales_a")
    deal = api.create("deals", {"title": "RO", "pipeline_id": pipeline["id"]})
    r = api.patch(f"/api/v1/deals/{deal['id']}", {"status": "won"})
    assert r.status_code == 422, r.text
    r = api.post("/api/v1/contacts", {"first_name": "Score", "score": 99})
    assert r.status_code == 422, r.text


def test_activity_note_task_appear_in_timeline_newest_first(relais):
    api = relais.client("sales_a")
    contact = api.create("contacts", {"first_name": "Chronologie", "last_name": unique()})
    cid = contact["id"]
    activity = api.create("activities", {"type": "call", "subject": "Premier appel",
                                         "contact_id": cid, "duration_minutes": 15,
                                         "occurred_at": "2026-01-10T09:00:00Z"})
    note = api.create("notes", {"body": "Intéressée par l'offre Pro", "contact_id": cid})
    task = api.create("tasks", {"title": "Relancer", "due_date": "2026-12-01", "contact_id": cid})
    assert activity["type"] == "call" and note["pinned"] is False and task["status"] == "open"

    r = api.get(f"/api/v1/contacts/{cid}/timeline")
    assert r.status_code == 200, r.text
    items = r.json()["data"]
    kinds = [i["kind"] for i in items]
    for kind in ("activity", "note", "task"):
        assert kind in kinds, kinds
    stamps = [i["at"] for i in items]
    assert stamps == sorted(stamps, reverse=True), stamps

    page = api.get(f"/api/v1/contacts/{cid}/timeline", params={"limit": 1})
    assert len(page.json()["data"]) == 1 and page.json()["next_cursor"]
    rest = api.get(f"/api/v1/contacts/{cid}/timeline",
                   params={"limit": 500, "cursor": page.json()["next_cursor"]})
    assert rest.status_code == 200
    assert page.json()["data"] + rest.json()["data"] == items
    assert api.get("/api/v1/contacts/999999999/timeline").status_code == 404
    company = api.create("companies", {"name": unique("Chrono ")})
    assert api.get(f"/api/v1/companies/{company['id']}/timeline").status_code == 200


def test_search_is_accent_insensitive_and_prefix(relais):
    api = relais.client("sales_a")
    last = unique("Dubois")
    helene = api.create("contacts", {"first_name": "Hélène", "last_name": last})
    r = api.get("/api/v1/contacts", params={"q": "helene"})
    assert r.status_code == 200, r.text
    assert helene["id"] in [c["id"] for c in r.json()["data"]]
    r = api.get("/api/v1/contacts", params={"q": "HÉL"})
    assert helene["id"] in [c["id"] for c in r.json()["data"]]
    r = api.get("/api/v1/contacts", params={"q": last[:8].lower() + " hel"})
    assert helene["id"] in [c["id"] for c in r.json()["data"]]
    r = api.get("/api/v1/contacts", params={"q": "zzzqqq" + unique()})
    assert r.json() == {"data": [], "next_cursor": None}


def test_filter_and_sort(relais):
    api = relais.client("sales_a")
    tag = unique("t")
    names = ["Bernard", "Albert", "Claude"]
    for i, name in enumerate(names):
        api.create("contacts", {"first_name": name, "last_name": tag, "tags": [tag],
                                "city": "Lyon" if i != 1 else "Brest"})
    r = api.get("/api/v1/contacts", params={"filter": f'tags contains "{tag}"', "sort": "first_name"})
    assert r.status_code == 200, r.text
    assert [c["first_name"] for c in r.json()["data"]] == ["Albert", "Bernard", "Claude"]
    r = api.get("/api/v1/contacts", params={"filter": f'tags contains "{tag}"', "sort": "-first_name"})
    assert [c["first_name"] for c in r.json()["data"]] == ["Claude", "Bernard", "Albert"]
    r = api.get("/api/v1/contacts",
                params={"filter": f'tags contains "{tag}" and city = "Lyon"', "sort": "first_name"})
    assert [c["first_name"] for c in r.json()["data"]] == ["Bernard", "Claude"]
    r = api.get("/api/v1/contacts",
                params={"filter": f'last_name = "{tag}" and not (city = "Lyon")'})
    assert [c["first_name"] for c in r.json()["data"]] == ["Albert"]


def test_date_time_filters_and_sorting_are_exact_within_a_second(relais):
    # Date-times are stored in one form (with milliseconds): 09:00:00.500 is after 09:00:00.
    api = relais.client("sales_a")
    subject = unique("instant")
    contact = api.create("contacts", {"first_name": "Horloge", "last_name": subject})
    at_second = api.create("activities", {"type": "call", "subject": subject,
                                          "contact_id": contact["id"],
                                          "occurred_at": "2031-05-06T09:00:00Z"})
    half_past = api.create("activities", {"type": "call", "subject": subject,
                                          "contact_id": contact["id"],
                                          "occurred_at": "2031-05-06T11:00:00.500+02:00"})
    assert at_second["occurred_at"] == "2031-05-06T09:00:00.000Z"
    assert half_past["occurred_at"] == "2031-05-06T09:00:00.500Z"
    r = api.get("/api/v1/activities", params={
        "filter": f'subject = "{subject}" and occurred_at >= "2031-05-06T09:00:00Z"',
        "sort": "-occurred_at"})
    assert r.status_code == 200, r.text
    assert [a["id"] for a in r.json()["data"]] == [half_past["id"], at_second["id"]]
    r = api.get("/api/v1/activities", params={
        "filter": f'subject = "{subject}" and occurred_at > "2031-05-06T09:00:00Z"'})
    assert [a["id"] for a in r.json()["data"]] == [half_past["id"]]


def test_malformed_filter_is_400_with_position(relais):
    api = relais.client("sales_a")
    r = api.get("/api/v1/contacts", params={"filter": 'city = "Lyon" and ('})
    assert r.status_code == 400, r.text
    err = error_of(r)
    assert err["code"] == "bad_request"
    assert isinstance(err["position"], int) and 0 <= err["position"] <= len('city = "Lyon" and (')
    r = api.get("/api/v1/contacts", params={"filter": 'no_such_field = 1'})
    assert r.status_code == 422, r.text
    r = api.get("/api/v1/contacts", params={"sort": "no_such_field"})
    assert r.status_code in (400, 422), r.text


def test_cursor_pagination_over_several_pages(relais):
    api = relais.client("sales_a")
    tag = unique("page")
    created = {api.create("contacts", {"first_name": f"P{i}", "last_name": tag,
                                       "tags": [tag]})["id"] for i in range(7)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"filter": f'tags contains "{tag}"', "limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = api.get("/api/v1/contacts", params=params)
        assert r.status_code == 200, r.text
        pages += 1
        assert len(r.json()["data"]) <= 3
        seen += [c["id"] for c in r.json()["data"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
        assert pages < 10
    assert pages == 3
    assert len(seen) == len(set(seen)) and set(seen) == created
    assert seen == sorted(seen, reverse=True)  # default order: newest first
    r = api.get("/api/v1/contacts", params={"cursor": "garbage!!"})
    assert r.status_code == 400, r.text


def test_a_cursor_whose_values_do_not_fit_the_sort_keys_is_400(relais):
    # Cursors come back from clients: one edited to hold a text for an integer key (which
    # PostgreSQL could not even bind) is refused on every engine, not answered with odd rows.
    api = relais.client("sales_a")

    def cursor(values):
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    ok = api.get("/api/v1/contacts", params={"sort": "score", "cursor": cursor([5, 1])})
    assert ok.status_code == 200, ok.text
    for values in (["abc", 1], [5.5, 1], [True, 1]):
        r = api.get("/api/v1/contacts", params={"sort": "score", "cursor": cursor(values)})
        assert r.status_code == 400, (values, r.text)
        assert error_of(r)["message"] == "invalid cursor", r.text


def test_limit_bounds(relais):
    api = relais.client("sales_a")
    for bad in ("0", "501", "-1", "abc", "1.5", ""):
        r = api.get("/api/v1/contacts", params={"limit": bad})
        assert r.status_code == 400, (bad, r.text)
    assert api.get("/api/v1/contacts", params={"limit": "500"}).status_code == 200


def test_duplicate_email_is_409_naming_the_existing_contact(relais):
    api = relais.client("sales_a")
    email = unique("dup.") + "@example.com"
    first = api.create("contacts", {"first_name": "Un", "emails": [email]})
    r = api.post("/api/v1/contacts", {"first_name": "Deux", "emails": [email.upper()]})
    assert r.status_code == 409, r.text
    err = error_of(r)
    assert err["code"] == "conflict" and err["existing_id"] == first["id"]
    other = api.create("contacts", {"first_name": "Trois"})
    r = api.patch(f"/api/v1/contacts/{other['id']}", {"emails": [email]})
    assert r.status_code == 409 and error_of(r)["existing_id"] == first["id"]


def test_if_match_optimistic_concurrency(relais):
    api = relais.client("sales_a")
    contact = api.create("contacts", {"first_name": "Version"})
    path = f"/api/v1/contacts/{contact['id']}"
    r = api.patch(path, {"city": "Lille"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.headers["ETag"] == '"2"', r.text
    stale = api.patch(path, {"city": "Metz"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    assert api.get(path).json()["city"] == "Lille"
    assert api.patch(path, {"city": "Metz"}, headers={"If-Match": "W/\"2\""}).status_code == 200
    assert api.patch(path, {"city": "Nice"}, headers={"If-Match": "banana"}).status_code == 400
    assert api.delete(path, headers={"If-Match": '"1"'}).status_code == 409
    assert api.delete(path, headers={"If-Match": '"3"'}).status_code == 204


def test_merge_contacts(relais):
    api = relais.client("sales_a")
    e1, e2 = unique("a.") + "@ex.fr", unique("b.") + "@ex.fr"
    into = api.create("contacts", {"first_name": "Sophie", "last_name": "Martin", "emails": [e1]})
    src = api.create("contacts", {"first_name": "Sophie", "last_name": "Martin", "emails": [e2],
                                  "city": "Rennes", "phones": ["0600000000"]})
    api.create("notes", {"body": "note sur le doublon", "contact_id": src["id"]})
    r = api.post(f"/api/v1/contacts/{into['id']}/merge", {"from": src["id"]})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["id"] == into["id"]
    assert sorted(merged["emails"]) == sorted([e1, e2])
    assert merged["city"] == "Rennes" and merged["phones"] == src["phones"]
    assert api.get(f"/api/v1/contacts/{src['id']}").status_code == 404
    timeline = api.get(f"/api/v1/contacts/{into['id']}/timeline").json()["data"]
    assert any(i["kind"] == "note" for i in timeline), timeline
    r = api.post(f"/api/v1/contacts/{into['id']}/merge", {"from": into["id"]})
    assert r.status_code == 422
    r = api.post(f"/api/v1/contacts/{into['id']}/merge", {"from": 999999999})
    assert r.status_code == 404, r.text


def test_other_resources_crud(relais):
    admin = relais.client("admin")
    team = admin.create("teams", {"name": unique("Équipe ")})
    assert admin.patch(f"/api/v1/teams/{team['id']}", {"name": "Renommée"}).json()["name"] == "Renommée"
    field = admin.create("custom_fields", {"entity": "contact", "key": unique("k"), "label": "Niveau",
                                           "type": "enum", "options": ["bas", "haut"]})
    assert field["required"] is False
    for plural in ("teams", "custom_fields", "users", "pipelines", "activities", "tasks", "notes"):
        r = admin.get(f"/api/v1/{plural}")
        assert r.status_code == 200, (plural, r.text)
    assert admin.delete(f"/api/v1/custom_fields/{field['id']}").status_code == 204
    task = relais.client("sales_a").create("tasks", {"title": "Appeler"})
    r = relais.client("sales_a").patch(f"/api/v1/tasks/{task['id']}", {"status": "done"})
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_admin_creates_user_with_password_who_can_log_in(relais):
    admin = relais.client("admin")
    email = unique("new.") + "@relais.test"
    r = admin.post("/api/v1/users", {"email": email, "role": "support", "name": "Nouvelle",
                                     "password": "un mot de passe solide"})
    assert r.status_code == 201, r.text
    assert "password" not in r.json()
    login = relais.anonymous().post("/api/v1/auth/login",
                                    {"email": email, "password": "un mot de passe solide"})
    assert login.status_code == 200, login.text
