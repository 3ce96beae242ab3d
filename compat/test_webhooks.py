"""Webhooks: a subscription made with the admin CLI is verified with the token the server posted,
then told of changes made through the official client, notion-client 3.1.0, each request signed
as Notion signs it (checked here with Python's own hmac), and only of what its integration may
see."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOMY_PLANS, start_sandbox
from notion_client import Client

LOOPBACK_ALLOWED = ["--webhook-allow-network", "127.0.0.0/8", "--webhook-aggregation-window", "1s"]


class Receiver:
    """A webhook endpoint on loopback that keeps every request it gets (headers and raw body)."""

    def __init__(self):
        self.requests = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.changed:
                    receiver.requests.append((dict(self.headers), body))
                    receiver.changed.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notion/hooks"

    def wait_for(self, predicate, timeout=20):
        """The first request whose parsed body satisfies `predicate`, waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for headers, body in self.requests:
                    if predicate(json.loads(body)):
                        return headers, body
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no such request; got {[json.loads(b).get('type') for _, b in self.requests]}"
                self.changed.wait(remaining)

    def types(self):
        with self.changed:
            return [json.loads(body).get("type") for _, body in self.requests]

    def close(self):
        self.server.shutdown()


def signature_of(body, token):
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def sandbox():
    process, sandbox = start_sandbox(ROOMY_PLANS, LOOPBACK_ALLOWED)
    yield sandbox
    process.terminate()
    assert process.wait(timeout=15) == 0


def a_shared_page(sandbox):
    found = Client(auth=sandbox.key, base_url=sandbox.base_url).search(filter={"property": "object", "value": "page"})
    return found["results"][0]["id"]


def subscribed(sandbox, capabilities, page, *extra):
    """A new integration sharing `page`, with a verified subscription to a new receiver."""
    integration = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", f"Listener {time.monotonic_ns()}",
        "--capabilities", capabilities,
    )
    if page:
        sandbox.cli("share", "--integration", integration["id"], "--page", page)
    receiver = Receiver()
    subscription = sandbox.cli("webhook", "create", "--integration", integration["id"], "--url", receiver.url, *extra)
    assert subscription["status"] == "pending"
    headers, body = receiver.wait_for(lambda payload: "verification_token" in payload)
    token = json.loads(body)["verification_token"]
    assert token.startswith("secret_") and json.loads(body) == {"verification_token": token}
    assert headers["X-Notion-Signature"] == signature_of(body, token)
    verified = sandbox.cli_with_input("webhook", "verify", "--subscription", subscription["id"], "--token-stdin", input=token)
    assert verified["status"] == "active" and verified["verified_at"]
    return integration, subscription, receiver, token


def test_a_verified_subscription_is_told_of_pages_and_comments_signed(sandbox):
    page = a_shared_page(sandbox)
    integration, subscription, receiver, token = subscribed(
        sandbox, "read_content,update_content,insert_content,read_comments,insert_comments", page
    )
    notion = Client(auth=integration["token"], base_url=sandbox.base_url)
    bot = notion.users.me()["id"]
    created = notion.pages.create(
        parent={"page_id": page}, properties={"title": {"title": [{"text": {"content": "Told by webhook"}}]}}
    )
    comment = notion.comments.create(parent={"page_id": created["id"]}, rich_text=[{"text": {"content": "Seen"}}])
    notion.blocks.children.append(
        block_id=created["id"], children=[{"paragraph": {"rich_text": [{"text": {"content": "More"}}]}}]
    )

    headers, body = receiver.wait_for(lambda event: event.get("type") == "page.created")
    assert headers["X-Notion-Signature"] == signature_of(body, token)
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert list(event) == [
        "id", "timestamp", "workspace_id", "workspace_name", "subscription_id", "integration_id", "type",
        "authors", "attempt_number", "api_version", "entity", "data",
    ]
    assert event["entity"] == {"id": created["id"], "type": "page"}
    assert event["data"]["parent"] == {"id": page, "type": "page"}
    assert event["workspace_id"] == sandbox.workspace_id
    assert event["subscription_id"] == subscription["id"] and event["integration_id"] == integration["id"]
    assert event["authors"] == [{"id": bot, "type": "bot"}]
    assert event["attempt_number"] == 1 and event["api_version"] == "2026-03-11"
    # The event says what changed, not how: the receiver reads the page through the API.
    assert notion.pages.retrieve(page_id=event["entity"]["id"])["id"] == created["id"]

    headers, body = receiver.wait_for(lambda event: event.get("type") == "comment.created")
    assert headers["X-Notion-Signature"] == signature_of(body, token)
    event = json.loads(body)
    assert event["entity"] == {"id": comment["id"], "type": "comment"}
    assert event["data"] == {"page_id": created["id"], "parent": {"id": created["id"], "type": "page"}}

    _, body = receiver.wait_for(
        lambda event: event.get("type") == "page.content_updated" and event["entity"]["id"] == created["id"]
    )
    blocks = json.loads(body)["data"]["updated_blocks"]
    assert len(blocks) == 1 and blocks[0]["type"] == "block"

    # The outcome is recorded once the receiver's answer is read.
    deadline = time.monotonic() + 20
    while True:
        shown = sandbox.cli("webhook", "show", "--subscription", subscription["id"])
        if all(delivery["status"] != "pending" for delivery in shown["deliveries"]) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {delivery["type"] for delivery in shown["deliveries"]} >= {
        "verification", "page.created", "comment.created", "page.content_updated",
    }
    assert all(delivery["status"] == "delivered" for delivery in shown["deliveries"])
    receiver.close()


def test_only_what_an_integration_may_see_is_told(sandbox):
    page = a_shared_page(sandbox)
    writer = Client(auth=sandbox.key, base_url=sandbox.base_url)
    _, _, no_comments, _ = subscribed(sandbox, "read_content", page)
    _, _, unshared, _ = subscribed(sandbox, "read_content,read_comments", None)
    _, _, comments_only, _ = subscribed(sandbox, "read_content,read_comments", page, "--events", "comment.created")

    created = writer.pages.create(parent={"page_id": page}, properties={"title": {"title": [{"text": {"content": "Quiet"}}]}})
    writer.comments.create(parent={"page_id": created["id"]}, rich_text=[{"text": {"content": "Psst"}}])
    no_comments.wait_for(lambda event: event.get("entity", {}).get("id") == created["id"])
    comments_only.wait_for(lambda event: event.get("type") == "comment.created")
    time.sleep(3)  # past the aggregation window and two dispatcher rounds
    assert "comment.created" not in no_comments.types()
    assert unshared.types() == [None]  # the verification request only
    assert set(comments_only.types()) == {None, "comment.created"}
    for receiver in (no_comments, unshared, comments_only):
        receiver.close()


def test_a_wrong_token_is_refused_and_the_subscription_stays_pending(sandbox):
    integration = sandbox.cli("integration", "create", "--workspace", sandbox.workspace_id, "--name", "Unverified")
    receiver = Receiver()
    subscription = sandbox.cli("webhook", "create", "--integration", integration["id"], "--url", receiver.url)
    receiver.wait_for(lambda payload: "verification_token" in payload)
    with pytest.raises(Exception) as refused:
        sandbox.cli_with_input(
            "webhook", "verify", "--subscription", subscription["id"], "--token-stdin", input="secret_" + "x" * 43
        )
    assert "not the verification token" in refused.value.stderr
    assert sandbox.cli("webhook", "show", "--subscription", subscription["id"])["status"] == "pending"
    receiver.close()


def test_a_private_address_is_refused_unless_the_operator_allows_it():
    process, sandbox = start_sandbox(ROOMY_PLANS)
    try:
        integration = sandbox.cli("integration", "create", "--workspace", sandbox.workspace_id, "--name", "Local")
        receiver = Receiver()
        subscription = sandbox.cli("webhook", "create", "--integration", integration["id"], "--url", receiver.url)
        deadline = time.monotonic() + 20
        while True:
            [delivery] = sandbox.cli("webhook", "show", "--subscription", subscription["id"])["deliveries"]
            if delivery["status"] != "pending" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert delivery["status"] == "failed"
        assert "not a public address" in delivery["last_outcome"]
        assert receiver.types() == []
        receiver.close()
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0
