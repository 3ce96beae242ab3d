"""The official Python client, notion-client 3.1.0, against a real `gatehouse serve`."""

import time
import uuid

import pytest
import requests
from notion_client import APIErrorCode, APIResponseError, Client


def client(sandbox, auth=None, **options):
    return Client(auth=auth or sandbox.key, base_url=sandbox.base_url, **options)


def shared_databases(notion):
    """The databases of the shared data sources: at 2025-09-03 search returns data sources."""
    found = notion.search(filter={"property": "object", "value": "data_source"})
    assert {result["object"] for result in found["results"]} == {"data_source"}
    ids = dict.fromkeys(result["parent"]["database_id"] for result in found["results"])
    return [notion.databases.retrieve(database_id=database_id) for database_id in ids]


def test_users_me_returns_the_demo_bot(sandbox):
    me = client(sandbox).users.me()
    assert me["object"] == "user"
    assert me["type"] == "bot"
    assert me["name"] == "Demo integration"
    assert me["bot"]["workspace_id"] == sandbox.workspace_id
    assert me["bot"]["owner"] == {"type": "workspace", "workspace": True}
    uuid.UUID(me["request_id"])


def test_search_with_no_arguments_lists_shared_pages_and_databases(sandbox):
    found = client(sandbox).search()
    assert found["object"] == "list"
    assert found["type"] == "page_or_data_source"
    kinds = {result["object"] for result in found["results"]}
    assert kinds == {"page", "data_source"}
    titles = {result["title"][0]["plain_text"] for result in found["results"] if result["object"] == "data_source"}
    assert titles == {"Projects", "Tasks"}
    legacy = client(sandbox, notion_version="2022-06-28").search()
    assert legacy["type"] == "page_or_database"
    assert {result["object"] for result in legacy["results"]} == {"page", "database"}


def test_search_query_and_pagination(sandbox):
    notion = client(sandbox)
    found = notion.search(query="landing")
    assert [r["properties"]["Name"]["title"][0]["plain_text"] for r in found["results"]] == ["Design the new landing page"]
    first = notion.search(page_size=2)
    assert len(first["results"]) == 2 and first["has_more"] is True
    rest = notion.search(page_size=100, start_cursor=first["next_cursor"])
    assert {r["id"] for r in rest["results"]}.isdisjoint({r["id"] for r in first["results"]})


def test_databases_retrieve_accepts_dashed_and_undashed_ids(sandbox):
    notion = client(sandbox)
    database = shared_databases(notion)[0]
    assert notion.databases.retrieve(database_id=database["id"])["id"] == database["id"]
    assert notion.databases.retrieve(database_id=database["id"].replace("-", ""))["id"] == database["id"]


def test_pages_create_and_retrieve_in_a_shared_database(sandbox):
    notion = client(sandbox)
    database = shared_databases(notion)[0]
    page = notion.pages.create(
        parent={"database_id": database["id"]},
        properties={"Name": {"title": [{"text": {"content": "Made by notion-client"}}]}},
    )
    again = notion.pages.retrieve(page_id=page["id"])
    assert again["properties"]["Name"]["title"][0]["plain_text"] == "Made by notion-client"


def test_users_list_includes_the_owner(sandbox):
    people = client(sandbox).users.list()
    assert any(user.get("person", {}).get("email") == "owner@sandbox.test" for user in people["results"])


def test_an_invalid_token_raises_unauthorized(sandbox):
    with pytest.raises(APIResponseError) as raised:
        client(sandbox, auth="secret_invalid").users.me()
    assert raised.value.code == APIErrorCode.Unauthorized
    assert raised.value.status == 401
    assert str(raised.value) == "API token is invalid."
    uuid.UUID(raised.value.request_id)


def test_a_revoked_token_raises_unauthorized(sandbox):
    created = sandbox.cli("integration", "create", "--workspace", sandbox.workspace_id, "--name", "Short-lived")
    notion = client(sandbox, auth=created["token"])
    assert notion.users.me()["id"] == created["bot_id"]
    sandbox.cli("token", "revoke", "--integration", created["id"])
    # Another process revoked it: the server learns through its change feed, within a second.
    deadline = time.monotonic() + 1.0
    while True:
        try:
            notion.users.me()
        except APIResponseError as error:
            assert error.code == APIErrorCode.Unauthorized
            break
        assert time.monotonic() < deadline, "the revoked token still works after 1 s"
        time.sleep(0.02)


def test_an_unshared_database_is_restricted(sandbox):
    private = sandbox.cli("database", "create", "--workspace", sandbox.workspace_id, "--title", "Secret plans")
    with pytest.raises(APIResponseError) as raised:
        client(sandbox).databases.retrieve(database_id=private["id"])
    assert raised.value.code == APIErrorCode.RestrictedResource
    assert raised.value.status == 403


def test_an_unknown_database_is_not_found(sandbox):
    with pytest.raises(APIResponseError) as raised:
        client(sandbox).databases.retrieve(database_id=str(uuid.uuid4()))
    assert raised.value.code == APIErrorCode.ObjectNotFound
    assert raised.value.status == 404
    me = client(sandbox).users.me()
    assert raised.value.additional_data == {"integration_id": me["id"]}


def test_a_missing_capability_is_restricted(sandbox):
    created = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", "Writer only",
        "--capabilities", "insert_content",
    )
    with pytest.raises(APIResponseError) as raised:
        client(sandbox, auth=created["token"]).search()
    assert raised.value.code == APIErrorCode.RestrictedResource


def test_a_missing_notion_version_is_400_missing_version(sandbox):
    response = requests.get(
        f"{sandbox.base_url}/v1/users/me", headers={"Authorization": f"Bearer {sandbox.key}"}, timeout=10
    )
    assert response.status_code == 400
    body = response.json()
    assert body["object"] == "error"
    assert body["code"] == "missing_version"
    assert body["request_id"] == response.headers["x-notion-request-id"]


def test_the_seed_version_and_the_seed_test_call_work(sandbox):
    response = requests.get(
        f"{sandbox.base_url}/v1/databases",
        headers={"Authorization": f"Bearer {sandbox.key}", "Notion-Version": "2024-11-15"},
        timeout=10,
    )
    assert response.status_code == 200
    assert {d["title"][0]["plain_text"] for d in response.json()["results"]} == {"Projects", "Tasks"}


def test_the_client_retry_gets_through_a_rate_limited_sequence(sandbox, caplog):
    """notion-client 3.1.0 honours Retry-After: a free-plan burst followed by more calls succeeds."""
    free = sandbox.cli("workspace", "create", "--name", "Free tier", "--plan", "free")
    created = sandbox.cli("integration", "create", "--workspace", free["id"], "--name", "Busy")
    raw = requests.get(
        f"{sandbox.base_url}/v1/users/me",
        headers={"Authorization": f"Bearer {created['token']}", "Notion-Version": "2025-09-03"},
        timeout=10,
    )
    assert raw.status_code == 200
    assert raw.headers["X-RateLimit-Limit"] == "2"
    assert "RateLimit-Policy" in raw.headers and "RateLimit" in raw.headers

    notion = client(sandbox, auth=created["token"])
    caplog.set_level("INFO", logger="notion_client")
    started = time.monotonic()
    for _ in range(5):
        assert notion.users.me()["id"] == created["bot_id"]
    elapsed = time.monotonic() - started
    # Six requests at 1 req/s with a burst of 2 cannot all pass at once: the client must have waited.
    assert elapsed >= 2.5, elapsed
    assert any("retry" in record.getMessage().lower() for record in caplog.records), [r.getMessage() for r in caplog.records]
