"""A mixed write load against a real `relais serve` that is SIGKILLed at random instants.

Used by test_crash.py (a few kills, in the test command) and bench/crash.py (many kills, for
docs/reliability.md). Each writer thread owns the records it creates, so what every record must
look like is known exactly: the last acknowledged answer (a 2xx), or 404 after an acknowledged
delete. A request whose answer was lost to the kill may or may not have committed: the record
is then checked against both possibilities (before, or the requested change applied in full —
never half of it) and the ledger adopts whichever the server shows.

After each kill, while the server is down, the engine's own consistency check runs
(databases.py: SQLite integrity and foreign-key checks; PostgreSQL amcheck and foreign keys).
After the restart every record in the ledger is read back; every surviving record's timeline
holds one audit entry per acknowledged write (the audit row commits with the change).
"""

import random
import threading
import time
from dataclasses import dataclass, field

from api_client import Api, unique

STAGES = [
    {"id": "new", "name": "Nouveau", "probability": 10, "kind": "open"},
    {"id": "offer", "name": "Offre", "probability": 50, "kind": "open"},
    {"id": "won", "name": "Gagnée", "probability": 100, "kind": "won"},
    {"id": "lost", "name": "Perdue", "probability": 0, "kind": "lost"},
]
CITIES = ["Brest", "Lyon", "Lille", "Nantes", "Dijon", "Metz"]


@dataclass
class Entry:
    """What one record must look like. `pending` is a change whose answer was lost."""
    plural: str
    body: dict | None  # None: acknowledged as deleted
    writes: int  # acknowledged writes (creates and updates), each with its audit entry
    pending: dict | None = None  # {"delete": True} or the fields of a PATCH without an answer


@dataclass
class Stats:
    acknowledged: int = 0
    lost_answers: int = 0
    refused: int = 0
    kills: int = 0
    checked: int = 0
    by_op: dict = field(default_factory=dict)


class Writer(threading.Thread):
    """One client doing a random mix of creates, updates and deletes on its own records."""

    def __init__(self, base_url, token, pipeline_id, ledger, lock, stats, seed):
        super().__init__(daemon=True)
        self.api = Api(base_url, None, token=token)
        self.pipeline_id = pipeline_id
        self.ledger, self.lock, self.stats = ledger, lock, stats
        self.rng = random.Random(seed)
        self.mine = []  # keys of the ledger this writer owns
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.step()
            except OSError:
                return  # the server is gone; the harness restarts it

    def step(self):
        live = [k for k in self.mine if self.ledger[k].body is not None
                and self.ledger[k].pending is None]
        # Deleting a company or contact would change the records that point at it (SET NULL,
        # CASCADE), which the ledger does not model: only unreferenced records are deleted.
        referenced = self.referenced()
        leaves = [k for k in live if k not in referenced]
        choice = self.rng.random()
        if choice < 0.35 or not live:
            self.create()
        elif choice < 0.8 or not leaves:
            self.update(self.rng.choice(live))
        else:
            self.delete(self.rng.choice(leaves))

    def referenced(self):
        keys = set()
        for k in self.mine:
            body = self.ledger[k].body
            if body is None and self.ledger[k].pending is None:
                continue
            body = body or {}
            if body.get("company_id"):
                keys.add(("companies", body["company_id"]))
            if body.get("contact_id"):
                keys.add(("contacts", body["contact_id"]))
        return keys

    def send(self, op, call):
        """Runs one request; returns the response, or None when its answer was lost."""
        try:
            r = call()
        except Exception as e:  # noqa: BLE001 - requests wraps socket errors in its own
            with self.lock:
                self.stats.lost_answers += 1
            raise OSError(str(e)) from e
        with self.lock:
            if r.status_code < 300:
                self.stats.acknowledged += 1
                self.stats.by_op[op] = self.stats.by_op.get(op, 0) + 1
            else:
                self.stats.refused += 1
        return r

    def create(self):
        kind = self.rng.choice(["contacts", "companies", "deals", "notes"])
        if kind == "contacts":
            body = {"first_name": unique("C"), "last_name": unique(),
                    "emails": [unique() + "@crash.test"], "tags": ["crash"]}
            company = self.pick("companies")
            if company:
                body["company_id"] = company
        elif kind == "companies":
            body = {"name": unique("Société "), "domain": unique() + ".crash.test"}
        elif kind == "deals":
            body = {"title": unique("Affaire "), "pipeline_id": self.pipeline_id,
                    "amount": self.rng.randrange(1, 10**7), "stage_id": "new"}
        else:
            contact = self.pick("contacts")
            if contact is None:
                return
            body = {"body": unique("Note "), "contact_id": contact}
        try:
            r = self.send(f"create {kind}", lambda: self.api.post(f"/api/v1/{kind}", body,
                                                                  timeout=10))
        except OSError:
            # Unknown id: the harness finds it later or not at all; nothing is promised.
            raise
        assert r.status_code == 201, (kind, r.status_code, r.text)
        key = (kind, r.json()["id"])
        with self.lock:
            self.ledger[key] = Entry(kind, r.json(), writes=1)
        self.mine.append(key)

    def pick(self, plural):
        options = [k[1] for k in self.mine if k[0] == plural and self.ledger[k].body is not None
                   and self.ledger[k].pending is None]
        return self.rng.choice(options) if options else None

    def update(self, key):
        plural, rid = key
        if plural == "contacts":
            change = {"city": self.rng.choice(CITIES), "tags": ["crash", unique("t")]}
        elif plural == "companies":
            change = {"industry": unique("secteur ")}
        elif plural == "deals":
            change = {"stage_id": self.rng.choice(["new", "offer"]),
                      "amount": self.rng.randrange(1, 10**7)}
        else:
            change = {"body": unique("Note revue ")}
        entry = self.ledger[key]
        with self.lock:
            entry.pending = change
        r = self.send(f"update {plural}", lambda: self.api.patch(f"/api/v1/{plural}/{rid}", change,
                                                                 timeout=10))
        assert r.status_code == 200, (key, r.status_code, r.text)
        with self.lock:
            entry.body, entry.pending = r.json(), None
            entry.writes += 1

    def delete(self, key):
        plural, rid = key
        entry = self.ledger[key]
        with self.lock:
            entry.pending = {"delete": True}
        r = self.send(f"delete {plural}", lambda: self.api.delete(f"/api/v1/{plural}/{rid}",
                                                                  timeout=10))
        assert r.status_code == 204, (key, r.status_code, r.text)
        with self.lock:
            entry.body, entry.pending = None, None


def check_entry(api, key, entry, stats):
    """Reads one record back; fails on anything but its acknowledged state (or, for a change
    whose answer was lost, that change applied in full). Adopts what it finds."""
    plural, rid = key
    r = api.get(f"/api/v1/{plural}/{rid}")
    stats.checked += 1
    if entry.body is None:
        assert r.status_code == 404, (key, "acknowledged delete undone", r.status_code, r.text)
        return
    if r.status_code == 404:
        assert entry.pending == {"delete": True}, (key, "acknowledged record lost", entry.body)
        entry.body, entry.pending = None, None
        return
    assert r.status_code == 200, (key, r.status_code, r.text)
    now = r.json()
    if now == entry.body:
        entry.pending = None
    else:
        change = entry.pending
        assert change is not None and "delete" not in change, \
            (key, "record differs from its last acknowledged state", entry.body, now)
        assert now["version"] == entry.body["version"] + 1, (key, entry.body, now)
        for name, value in change.items():
            assert now[name] == value, (key, "half-applied change", name, value, now)
        unchanged = {k: v for k, v in entry.body.items()
                     if k not in change and k not in ("version", "updated_at", "status",
                                                      "stage_changed_at", "probability")}
        assert {k: now[k] for k in unchanged} == unchanged, (key, entry.body, now)
        entry.body, entry.pending = now, None
        entry.writes += 1
    audits = count_audit_entries(api, plural, rid)
    if audits is not None:
        assert audits == entry.writes, (key, "audit entries", audits, "writes", entry.writes)


TIMELINES = {"contacts", "companies", "deals"}


def count_audit_entries(api, plural, rid):
    if plural not in TIMELINES:
        return None
    count, cursor = 0, None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        r = api.get(f"/api/v1/{plural}/{rid}/timeline", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        count += sum(1 for item in page["data"] if item["kind"] == "audit"
                     and item.get("action") in ("create", "update"))
        cursor = page.get("next_cursor")
        if not cursor:
            return count


def run(server, login, *, kills: int, writers: int = 4, seed: int = 1,
        min_run: float = 0.3, max_run: float = 1.5, log=lambda *_: None) -> Stats:
    """Kills `server` (a started RelaisServer) `kills` times under load; checks after each."""
    rng = random.Random(seed)
    ledger, lock, stats = {}, threading.Lock(), Stats()
    api = login(server)
    pipeline = api.create("pipelines", {"name": unique("Crash "), "stages": STAGES})
    for round_no in range(kills):
        threads = [Writer(server.base_url, api.token, pipeline["id"], ledger, lock, stats,
                          seed * 1000 + round_no * 10 + n) for n in range(writers)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(min_run, max_run))
        server.kill()
        stats.kills += 1
        for t in threads:
            t.stop.set()
            t.join(timeout=15)
        t0 = time.monotonic()
        server.database.check_consistency()
        t1 = time.monotonic()
        server.start()
        api = login(server)
        t2 = time.monotonic()
        for key, entry in list(ledger.items()):
            check_entry(api, key, entry, stats)
        log(f"kill {round_no + 1}/{kills}: {len(ledger)} records, {stats.acknowledged} "
            f"acknowledged writes, {stats.lost_answers} answers lost, all present "
            f"(consistency check {t1 - t0:.1f} s, restart {t2 - t1:.1f} s, "
            f"read-back {time.monotonic() - t2:.1f} s)")
    assert api.create("contacts", {"first_name": "Après"})["id"]
    return stats
