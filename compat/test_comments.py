"""Comments through the official Python client, notion-client 3.1.0, at its default Notion-Version
(2025-09-03) and at 2022-06-28: write, read back, reply, page through, edit, delete; and the
comment capabilities and sharing that must refuse it."""

import pytest
from notion_client import APIErrorCode, APIResponseError, Client

VERSIONS = [None, "2022-06-28"]  # None: the client's default


def client(sandbox, auth=None, version=None):
    options = {"notion_version": version} if version else {}
    return Client(auth=auth or sandbox.key, base_url=sandbox.base_url, **options)


def a_shared_page(notion):
    found = notion.search(filter={"property": "object", "value": "page"})
    return found["results"][0]["id"]


@pytest.mark.parametrize("version", VERSIONS)
def test_comments_are_written_read_listed_replied_edited_and_deleted(sandbox, version):
    notion = client(sandbox, version=version)
    page = a_shared_page(notion)
    first = notion.comments.create(parent={"page_id": page}, rich_text=[{"text": {"content": "Looks good"}}])
    assert first["object"] == "comment"
    assert first["parent"] == {"type": "page_id", "page_id": page}
    assert first["rich_text"][0]["plain_text"] == "Looks good"
    reply = notion.comments.create(discussion_id=first["discussion_id"], rich_text=[{"text": {"content": "Agreed"}}])
    assert reply["discussion_id"] == first["discussion_id"]
    assert notion.comments.retrieve(comment_id=first["id"])["id"] == first["id"]

    texts, cursor = [], None
    while True:
        listed = notion.comments.list(block_id=page, page_size=1, **({"start_cursor": cursor} if cursor else {}))
        assert len(listed["results"]) <= 1
        texts += [comment["rich_text"][0]["plain_text"] for comment in listed["results"]]
        if not listed["has_more"]:
            break
        cursor = listed["next_cursor"]
    assert texts[-2:] == ["Looks good", "Agreed"]

    edited = notion.comments.update(comment_id=reply["id"], rich_text=[{"text": {"content": "Agreed, shipped"}}])
    assert edited["rich_text"][0]["plain_text"] == "Agreed, shipped"
    notion.comments.delete(comment_id=reply["id"])
    with pytest.raises(APIResponseError) as raised:
        notion.comments.retrieve(comment_id=reply["id"])
    assert raised.value.code == APIErrorCode.ObjectNotFound


def test_the_comment_capabilities_are_enforced(sandbox):
    notion = client(sandbox)
    page = a_shared_page(notion)
    made = notion.comments.create(parent={"page_id": page}, rich_text=[{"text": {"content": "For readers"}}])
    reader = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", "Comment reader",
        "--capabilities", "read_content,read_comments",
    )
    sandbox.cli("share", "--integration", reader["id"], "--page", page)
    reading = client(sandbox, auth=reader["token"])
    assert reading.comments.retrieve(comment_id=made["id"])["id"] == made["id"]
    with pytest.raises(APIResponseError) as raised:
        reading.comments.create(parent={"page_id": page}, rich_text=[{"text": {"content": "Not allowed"}}])
    assert raised.value.status == 403

    blind = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", "No comments",
        "--capabilities", "read_content",
    )
    sandbox.cli("share", "--integration", blind["id"], "--page", page)
    with pytest.raises(APIResponseError) as raised:
        client(sandbox, auth=blind["token"]).comments.list(block_id=page)
    assert raised.value.status == 403


def test_an_unshared_page_takes_no_comments(sandbox):
    private = sandbox.cli("page", "create", "--workspace", sandbox.workspace_id, "--title", "Private notes")
    with pytest.raises(APIResponseError) as raised:
        client(sandbox).comments.create(
            parent={"page_id": private["id"]}, rich_text=[{"text": {"content": "Peek"}}]
        )
    assert raised.value.status in (403, 404)
