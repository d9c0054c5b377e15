"""Every acknowledged write survives kill -9."""

import threading

from api_client import Api, unique
from conftest import login_admin as login


def test_acknowledged_records_survive_kill_9(fresh_server):
    api = login(fresh_server)
    acknowledged = {}
    company = api.create("companies", {"name": "Durable SA"})
    acknowledged[("companies", company["id"])] = company
    for i in range(40):
        contact = api.create("contacts", {"first_name": f"Durable{i}", "last_name": unique(),
                                          "emails": [unique() + "@durable.test"],
                                          "company_id": company["id"]})
        acknowledged[("contacts", contact["id"])] = contact
    updated = api.patch(f"/api/v1/contacts/{contact['id']}", {"city": "Brest"})
    assert updated.status_code == 200
    acknowledged[("contacts", contact["id"])] = updated.json()
    deleted = api.create("contacts", {"first_name": "Éphémère"})
    assert api.delete(f"/api/v1/contacts/{deleted['id']}").status_code == 204

    # Concurrent writers while the process is killed: whatever got a 201 must be there.
    stop = threading.Event()
    lock = threading.Lock()

    def writer(n):
        w = Api(fresh_server.base_url, None, token=api.token)
        while not stop.is_set():
            try:
                r = w.post("/api/v1/contacts", {"first_name": f"W{n}", "last_name": unique()},
                           timeout=5)
            except Exception:  # noqa: BLE001 - the server is being killed under us
                return
            if r.status_code == 201:
                with lock:
                    acknowledged[("contacts", r.json()["id"])] = r.json()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for _ in range(200):
        with lock:
            if len(acknowledged) > 80:
                break
        threading.Event().wait(0.02)
    fresh_server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert len(acknowledged) > 45

    fresh_server.start()
    api = login(fresh_server)
    for (plural, rid), record in acknowledged.items():
        r = api.get(f"/api/v1/{plural}/{rid}")
        assert r.status_code == 200, (plural, rid, r.status_code, r.text)
        assert r.json() == record
    assert api.get(f"/api/v1/contacts/{deleted['id']}").status_code == 404
    # Still writable after the crash.
    assert api.create("contacts", {"first_name": "Après"})["id"]
    # No half-written page, row or index entry (SQLite integrity and foreign key checks;
    # PostgreSQL's amcheck and foreign keys: databases.py).
    fresh_server.database.check_consistency()
