"""The official Python client's block calls (notion-client 3.1.0) against a real `gatehouse serve`,
at the client's default Notion-Version (2025-09-03) and at 2022-06-28."""

import pytest
from notion_client import APIErrorCode, APIResponseError, Client

VERSIONS = ["2025-09-03", "2022-06-28"]


def client(sandbox, version, auth=None):
    return Client(auth=auth or sandbox.key, base_url=sandbox.base_url, notion_version=version)


def new_page(notion, title):
    """A new page in a database shared with the demo integration."""
    found = notion.search(filter={"property": "object", "value": "page"})
    page = next(result for result in found["results"] if "database_id" in result["parent"])
    database_id = page["parent"]["database_id"]
    return notion.pages.create(
        parent={"database_id": database_id},
        properties={"Name": {"title": [{"text": {"content": title}}]}},
    )


def paragraph(text, children=None):
    block = {"object": "block", "type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": text}}]}}
    if children:
        block["paragraph"]["children"] = children
    return block


def texts(blocks):
    return ["".join(item["plain_text"] for item in block[block["type"]]["rich_text"]) for block in blocks]


@pytest.mark.parametrize("version", VERSIONS)
def test_append_then_list_reads_back_the_nested_blocks_in_order(sandbox, version):
    notion = client(sandbox, version)
    page = new_page(notion, f"Blocks {version}")
    appended = notion.blocks.children.append(
        block_id=page["id"],
        children=[paragraph("one", [paragraph("one.a")]), paragraph("two"), paragraph("three")],
    )
    assert appended["object"] == "list"
    assert texts(appended["results"]) == ["one", "two", "three"]
    assert appended["results"][0]["has_children"] is True
    assert appended["results"][0]["parent"] == {"type": "page_id", "page_id": page["id"]}

    first = notion.blocks.children.list(block_id=page["id"], page_size=2)
    assert texts(first["results"]) == ["one", "two"]
    assert first["has_more"] is True
    rest = notion.blocks.children.list(block_id=page["id"], start_cursor=first["next_cursor"])
    assert texts(rest["results"]) == ["three"]
    assert rest["has_more"] is False and rest["next_cursor"] is None
    nested = notion.blocks.children.list(block_id=appended["results"][0]["id"])
    assert texts(nested["results"]) == ["one.a"]

    after = notion.blocks.children.append(
        block_id=page["id"], children=[paragraph("one and a half")], after=appended["results"][0]["id"]
    )
    assert texts(after["results"]) == ["one and a half"]
    everything = notion.blocks.children.list(block_id=page["id"])
    assert texts(everything["results"]) == ["one", "one and a half", "two", "three"]


@pytest.mark.parametrize("version", VERSIONS)
def test_retrieve_update_and_delete_a_block(sandbox, version):
    notion = client(sandbox, version)
    page = new_page(notion, f"Edits {version}")
    block = notion.blocks.children.append(
        block_id=page["id"], children=[{"type": "to_do", "to_do": {"rich_text": [{"text": {"content": "task"}}]}}]
    )["results"][0]
    retrieved = notion.blocks.retrieve(block_id=block["id"])
    assert retrieved["type"] == "to_do" and retrieved["to_do"]["checked"] is False

    updated = notion.blocks.update(block_id=block["id"], to_do={"checked": True})
    assert updated["to_do"]["checked"] is True
    assert texts([updated]) == ["task"]

    deleted = notion.blocks.delete(block_id=block["id"])
    assert deleted["in_trash"] is True and deleted["archived"] is True
    assert notion.blocks.children.list(block_id=page["id"])["results"] == []

    as_block = notion.blocks.retrieve(block_id=page["id"])
    assert as_block["type"] == "child_page"
    assert as_block["child_page"]["title"] == f"Edits {version}"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_bad_block_is_a_validation_error_and_writes_nothing(sandbox, version):
    notion = client(sandbox, version)
    page = new_page(notion, f"Invalid {version}")
    children = [paragraph(str(index)) for index in range(100)]
    children[42] = {"type": "paragraph", "paragraph": {"rich_text": "not an array"}}
    with pytest.raises(APIResponseError) as raised:
        notion.blocks.children.append(block_id=page["id"], children=children)
    assert raised.value.code == APIErrorCode.ValidationError
    assert "body.children[42].paragraph.rich_text" in str(raised.value)
    assert notion.blocks.children.list(block_id=page["id"])["results"] == []


def test_an_unknown_block_is_object_not_found(sandbox):
    notion = client(sandbox, VERSIONS[0])
    with pytest.raises(APIResponseError) as raised:
        notion.blocks.retrieve(block_id="00000000-0000-4000-8000-000000000000")
    assert raised.value.code == APIErrorCode.ObjectNotFound
    assert raised.value.status == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_block_calls_need_their_capability_and_a_share(sandbox, version):
    notion = client(sandbox, version)
    page = new_page(notion, f"Guarded {version}")
    block = notion.blocks.children.append(block_id=page["id"], children=[paragraph("kept")])["results"][0]

    def integration(name, capabilities):
        made = sandbox.cli(
            "integration", "create", "--workspace", sandbox.workspace_id, "--name", name, "--capabilities", capabilities,
        )
        sandbox.cli("share", "--integration", made["id"], "--page", page["id"])
        return client(sandbox, version, auth=made["token"])

    reader = integration(f"Block reader {version}", "read_content")
    inserter = integration(f"Block inserter {version}", "insert_content")
    for call in [
        lambda: reader.blocks.children.append(block_id=page["id"], children=[paragraph("no")]),
        lambda: reader.blocks.update(block_id=block["id"], paragraph={"rich_text": [{"text": {"content": "no"}}]}),
        lambda: reader.blocks.delete(block_id=block["id"]),
        lambda: inserter.blocks.retrieve(block_id=block["id"]),
        lambda: inserter.blocks.children.list(block_id=page["id"]),
    ]:
        with pytest.raises(APIResponseError) as raised:
            call()
        assert raised.value.status == 403 and raised.value.code == APIErrorCode.RestrictedResource
    assert texts(notion.blocks.children.list(block_id=page["id"])["results"]) == ["kept"]

    private = sandbox.cli("page", "create", "--workspace", sandbox.workspace_id, "--title", f"Private {version}")
    with pytest.raises(APIResponseError) as raised:
        notion.blocks.children.list(block_id=private["id"])
    assert raised.value.status == 403 and raised.value.code == APIErrorCode.RestrictedResource


@pytest.mark.parametrize("version", VERSIONS)
def test_what_lies_under_a_trashed_block_is_trashed_too(sandbox, version):
    notion = client(sandbox, version)
    page = new_page(notion, f"Trash {version}")
    toggle = {"type": "toggle", "toggle": {"rich_text": [{"text": {"content": "fold"}}], "children": [paragraph("inside")]}}
    folded = notion.blocks.children.append(block_id=page["id"], children=[toggle])["results"][0]
    inner = notion.blocks.children.list(block_id=folded["id"])["results"][0]
    notion.blocks.delete(block_id=folded["id"])
    assert notion.blocks.retrieve(block_id=inner["id"])["in_trash"] is True
    with pytest.raises(APIResponseError) as raised:
        notion.blocks.children.append(block_id=inner["id"], children=[paragraph("late")])
    assert raised.value.code == APIErrorCode.ValidationError
    assert "archived" in str(raised.value)
    notion.blocks.update(block_id=folded["id"], in_trash=False)
    assert notion.blocks.retrieve(block_id=inner["id"])["in_trash"] is False
