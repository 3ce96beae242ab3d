"""Crash safety: `gatehouse serve` is killed with SIGKILL at random moments while real clients
create, rotate and revoke integration tokens in the web console and run OAuth grants (authorize,
code exchange, refresh, revoke). Each client keeps a ledger of what the server acknowledged. After
the last restart every acknowledged change must still be in effect — a token handed out works, a
revoked or rotated-out one is refused — and the store must pass its integrity checks: the audit
hash chain (`gatehouse events verify`), and on SQLite `PRAGMA integrity_check` and
`foreign_key_check`. Runs on SQLite and on PostgreSQL."""

import random
import sqlite3
import threading
import time
from collections import Counter

import pytest
import requests

from workload import Console, OAuthApp, Server, ServerError, Tenant, cli, database_url, engines, scratch_directory
from workload import works

KILLS = 10
CONSOLE_CLIENTS = 3
OAUTH_CLIENTS = 3
# What a client sees when the server dies under its request: the outcome is unknown.
LOST = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout)


class Ledger:
    """What each token must be after the crashes: 'live', 'dead', or 'unknown' (its fate was
    decided by a request whose answer was lost). Bearer tokens are checked on /v1/users/me,
    refresh tokens by introspection."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}
        self.outcomes = Counter()

    def set(self, tokens, state):
        with self.lock:
            for token in tokens:
                self.tokens[token] = state

    def settle_unknown(self, tokens):
        """A lost request may or may not have changed these: no longer known to be live or dead."""
        with self.lock:
            for token in tokens:
                if self.tokens.get(token) == "live":
                    self.tokens[token] = "unknown"

    def count(self, outcome):
        with self.lock:
            self.outcomes[outcome] += 1


def console_client(server, tenant, ledger, stop, seed, failures):
    rng = random.Random(seed)
    console = None
    integrations = {}  # id -> every token it was ever given
    while not stop.is_set():
        operation = "sign-in"
        try:
            if console is None:
                console = Console(server, tenant, timeout=10)
            if not integrations or rng.random() < 0.2:
                operation = "create"
                integration_id, token = console.create_integration(f"Crash {rng.randrange(10**6)}")
                integrations[integration_id] = [token]
                ledger.set([token], "live")
            else:
                integration_id = rng.choice(list(integrations))
                tokens = integrations[integration_id]
                if rng.random() < 0.7:
                    operation = "rotate"
                    try:
                        token = console.rotate(integration_id, grace="0")
                    except LOST:
                        ledger.settle_unknown(tokens)
                        raise
                    ledger.set(tokens, "dead")
                    tokens.append(token)
                    ledger.set([token], "live")
                else:
                    operation = "revoke"
                    try:
                        console.revoke(integration_id)
                    except LOST:
                        ledger.settle_unknown(tokens)
                        raise
                    ledger.set(tokens, "dead")
                    del integrations[integration_id]
            ledger.count(f"console {operation}: acknowledged")
        except LOST:
            ledger.count(f"console {operation}: answer lost")
            wait_for(server, stop)
        except (ServerError, AssertionError) as error:
            failures.append(f"console {operation}: {error}")
            return


def oauth_client(server, tenant, ledger, stop, seed, failures):
    rng = random.Random(seed)
    app = None
    grants = []  # each: {"refresh": current refresh token, "tokens": all tokens of the grant}
    while not stop.is_set():
        operation = "sign-in"
        try:
            if app is None:
                app = OAuthApp(server, tenant, Console(server, tenant, timeout=10), timeout=10)
            choice = rng.random()
            if not grants or choice < 0.3:
                operation = "authorize"
                code = app.authorize()
                operation = "exchange"
                access, refresh = app.exchange(code)
                grants.append({"refresh": refresh, "tokens": [access, refresh]})
                ledger.set([access, refresh], "live")
            elif choice < 0.8:
                operation = "refresh"
                grant = rng.choice(grants)
                try:
                    access, refresh = app.refresh(grant["refresh"])
                except LOST:
                    # Spent or not, this grant's refresh token is no longer known: stop using it.
                    ledger.settle_unknown([grant["refresh"]])
                    grants.remove(grant)
                    raise
                ledger.set([grant["refresh"]], "dead")
                grant["refresh"] = refresh
                grant["tokens"] += [access, refresh]
                ledger.set([access, refresh], "live")
            else:
                operation = "revoke"
                grant = rng.choice(grants)
                grants.remove(grant)
                try:
                    app.revoke(grant["refresh"])
                except LOST:
                    ledger.settle_unknown(grant["tokens"])
                    raise
                ledger.set(grant["tokens"], "dead")
            ledger.count(f"oauth {operation}: acknowledged")
        except LOST:
            ledger.count(f"oauth {operation}: answer lost")
            wait_for(server, stop)
        except (ServerError, AssertionError) as error:
            failures.append(f"oauth {operation}: {error}")
            return


def wait_for(server, stop):
    while not stop.is_set() and not server.healthy():
        time.sleep(0.02)


def check_sqlite(path):
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


@pytest.mark.parametrize("engine", engines())
def test_every_acknowledged_change_survives_sigkill(engine, capsys):
    directory = scratch_directory("gatehouse-crash-")
    url = database_url(engine, directory)
    tenant = Tenant(url)
    server = Server(url, directory)
    server.start()

    ledger, stop, failures = Ledger(), threading.Event(), []
    clients = [threading.Thread(target=console_client, args=(server, tenant, ledger, stop, 100 + i, failures))
               for i in range(CONSOLE_CLIENTS)]
    clients += [threading.Thread(target=oauth_client, args=(server, tenant, ledger, stop, 200 + i, failures))
                for i in range(OAUTH_CLIENTS)]
    for client in clients:
        client.start()
    rng = random.Random(20261125)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill()
        time.sleep(rng.uniform(0.0, 0.2))
        server.start()
    time.sleep(1.0)
    stop.set()
    for client in clients:
        client.join(timeout=60)
    assert failures == []

    server.kill()
    server.start()  # recovery from the last crash, before anything is checked
    checked = Counter()
    wrong = []
    for token, expected in sorted(ledger.tokens.items()):
        if expected == "unknown":
            checked["unknown"] += 1
            continue
        if token.startswith("nrt_"):
            actual = OAuthApp(server, tenant, None).active(token)
        else:
            actual = works(server, token)
        checked[expected] += 1
        if actual != (expected == "live"):
            wrong.append(f"{token[:8]}… should be {expected}")
    assert server.stop() == 0
    verify = cli(url, "events", "verify")
    if engine == "sqlite":
        check_sqlite(url.removeprefix("sqlite:"))

    with capsys.disabled():
        print(f"\n{engine}: {KILLS} SIGKILLs, {server.starts} starts; operations: {dict(sorted(ledger.outcomes.items()))}")
        print(f"{engine}: tokens checked after the last restart: {dict(checked)}; audit chain: {verify}")
    assert wrong == []
    assert verify["intact"] is True
    # The workload did real work on both paths, and some answers were lost to the kills.
    assert checked["live"] > 10 and checked["dead"] > 10
    assert sum(count for outcome, count in ledger.outcomes.items() if "oauth exchange: acknowledged" in outcome) > 5
