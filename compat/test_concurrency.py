"""Concurrency: many clients change the same thing at the same moment, over real HTTP against a
real `gatehouse serve`, on SQLite and on PostgreSQL — parallel rotations of one integration,
parallel refreshes of one refresh token, parallel code exchanges by one user, parallel shares,
unshares and deletes. Nobody gets a 5xx, nothing deadlocks (every request has a deadline), and the
store ends with exactly one live credential where one is expected."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from workload import Console, OAuthApp, Server, Tenant, database_url, engines, expect, scratch_directory, works

PARALLEL = 16
DEADLINE = 30  # seconds for each request: a deadlock fails the test instead of hanging it


@pytest.fixture(scope="module", params=engines())
def world(request):
    directory = scratch_directory("gatehouse-concurrency-")
    url = database_url(request.param, directory)
    tenant = Tenant(url)
    server = Server(url, directory)
    server.start()
    console = Console(server, tenant, timeout=DEADLINE)
    yield request.param, server, tenant, console
    assert server.stop() == 0


def at_once(calls):
    """Runs every call at the same moment (behind a barrier); returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=DEADLINE)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=DEADLINE * 2))


def live(tenant, integration_id, kind=None):
    return [token for token in tenant.tokens(integration_id)
            if token["status"] == "active" and (kind is None or token["kind"] == kind)]


def test_parallel_rotations_of_one_integration_leave_exactly_one_live_token(world):
    engine, server, tenant, console = world
    integration_id, first = console.create_integration("Rotated at once")
    tokens = at_once([lambda: console.rotate(integration_id, grace="0")] * PARALLEL)
    assert len(set(tokens)) == PARALLEL
    survivors = [token for token in [first, *tokens] if works(server, token)]
    assert len(survivors) == 1, f"{engine}: {len(survivors)} tokens work after {PARALLEL} parallel rotations"
    assert len(live(tenant, integration_id)) == 1


def test_parallel_refreshes_of_one_refresh_token_get_one_successor(world):
    engine, server, tenant, console = world
    app = OAuthApp(server, tenant, console, timeout=DEADLINE)
    access, refresh = app.exchange(app.authorize())
    pairs = at_once([lambda: app.refresh(refresh)] * PARALLEL)
    # The winner rotated; every other request was inside the grace window and got the same pair.
    assert len(set(pairs)) == 1, f"{engine}: {len(set(pairs))} different successor pairs"
    successor_access, successor_refresh = pairs[0]
    assert works(server, successor_access)
    assert app.active(successor_refresh) is True
    assert app.active(refresh) is False


def test_parallel_code_exchanges_by_one_user_share_one_installation(world):
    engine, server, tenant, console = world
    app = OAuthApp(server, tenant, console, timeout=DEADLINE)
    codes = [app.authorize() for _ in range(PARALLEL)]
    grants = at_once([lambda code=code: app.exchange(code) for code in codes])
    bots = set()
    for access, _ in grants:
        answer = requests.get(f"{server.base_url}/v1/users/me",
                              headers={"Authorization": f"Bearer {access}", "Notion-Version": "2022-06-28"},
                              timeout=DEADLINE)
        bots.add(expect(answer, 200).json()["id"])
    assert len(bots) == 1, f"{engine}: one user's grants of one app made {len(bots)} installations"


def test_parallel_refresh_and_revoke_of_one_grant_leave_nothing_live(world):
    engine, server, tenant, console = world
    app = OAuthApp(server, tenant, console, timeout=DEADLINE)
    for _ in range(5):
        access, refresh = app.exchange(app.authorize())

        def refresh_chain():
            """Refreshes as far as it can; returns every token it was given."""
            given, current = [], refresh
            for _ in range(4):
                answer = app.token_request({"grant_type": "refresh_token", "refresh_token": current})
                if expect(answer, 200, 400).status_code == 400:
                    break
                current = answer.json()["refresh_token"]
                given += [answer.json()["access_token"], current]
            return given

        given = at_once([refresh_chain, lambda: app.revoke(refresh)])[0]
        leaked = [token for token in [access, *given]
                  if (app.active(token) if token.startswith("nrt_") else works(server, token))]
        assert leaked == [], f"{engine}: a refresh racing the grant's revocation left {len(leaked)} live tokens"


def test_parallel_shares_unshares_and_deletes_answer_without_errors(world):
    engine, server, tenant, console = world
    for _ in range(4):
        integration_id, token = console.create_integration("Shared and deleted at once")
        calls = [lambda: console.share(integration_id, tenant.database_id)] * 6
        calls += [lambda: console.share(integration_id, tenant.database_id, remove=True)] * 4
        calls += [lambda: console.delete(integration_id)] * 3
        answers = at_once(calls)
        for answer in answers:
            # A redirect when it was done, or the page saying the integration is gone.
            expect(answer, 303, 404)
        assert not works(server, token)
        gone = requests.get(f"{server.base_url}/console/integrations/{integration_id}", cookies=console.cookies,
                            timeout=DEADLINE)
        expect(gone, 404)
    # Parallel shares of one database to one live integration: one share, every request answered.
    integration_id, token = console.create_integration("Shared at once")
    for answer in at_once([lambda: console.share(integration_id, tenant.database_id)] * PARALLEL):
        expect(answer, 303)
    databases = requests.post(f"{server.base_url}/v1/search", json={"filter": {"property": "object",
                                                                              "value": "database"}},
                              headers={"Authorization": f"Bearer {token}", "Notion-Version": "2022-06-28"},
                              timeout=DEADLINE)
    assert [result["id"] for result in expect(databases, 200).json()["results"]] == [tenant.database_id]
