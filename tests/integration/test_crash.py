"""The crash test, short: a mixed write load (creates, updates, deletes of contacts, companies,
deals and notes from four clients) while `relais serve` is SIGKILLed at random instants. After
each kill the database passes the engine's consistency checks; after each restart every
acknowledged write is there, exactly as acknowledged, with its audit entry, and no change is
half applied (crash_load.py). bench/crash.py runs the same with many more kills."""

import crash_load
from conftest import login_admin


def test_acknowledged_writes_survive_kill_9_under_mixed_load(fresh_server):
    stats = crash_load.run(fresh_server, login_admin, kills=4, seed=8)
    assert stats.kills == 4
    # The load really ran and the kills really interrupted it.
    assert stats.acknowledged > 100, stats
    assert stats.checked > 100, stats
