"""File uploads through the official client, notion-client 3.1.0: create, send (its own
multipart/form-data encoding), complete, retrieve and list."""

import io

import httpx
import pytest
from conftest import serve_sandbox
from notion_client import APIErrorCode, APIResponseError, Client


@pytest.fixture(scope="module")
def sandbox():
    yield from serve_sandbox()


def client(sandbox):
    return Client(auth=sandbox.key, base_url=sandbox.base_url)


def test_a_file_is_sent_in_one_part_and_read_back(sandbox):
    notion = client(sandbox)
    created = notion.file_uploads.create()
    assert created["object"] == "file_upload" and created["status"] == "pending"
    assert created["upload_url"] == f"{sandbox.base_url}/v1/file_uploads/{created['id']}/send"

    content = bytes(range(256)) * 40
    sent = notion.file_uploads.send(file_upload_id=created["id"], file=("logo.png", io.BytesIO(content), "image/png"))
    assert sent["status"] == "uploaded"
    assert sent["filename"] == "logo.png" and sent["content_type"] == "image/png"
    assert sent["content_length"] == len(content)
    assert "upload_url" not in sent

    assert notion.file_uploads.retrieve(file_upload_id=created["id"])["status"] == "uploaded"
    listed = notion.file_uploads.list(page_size=1)
    assert listed["object"] == "list" and listed["type"] == "file_upload"
    assert [upload["id"] for upload in listed["results"]] == [created["id"]]
    assert notion.file_uploads.list(status="pending")["results"] == []


def test_a_multi_part_upload_is_completed(sandbox):
    notion = client(sandbox)
    created = notion.file_uploads.create(mode="multi_part", filename="notes.txt", number_of_parts=1)
    assert created["number_of_parts"] == {"total": 1, "sent": 0}
    sent = notion.file_uploads.send(
        file_upload_id=created["id"], file=("notes.txt", io.BytesIO(b"a line\n"), "text/plain"), part_number="1"
    )
    assert sent["status"] == "pending" and sent["number_of_parts"] == {"total": 1, "sent": 1}
    completed = notion.file_uploads.complete(file_upload_id=created["id"])
    assert completed["status"] == "uploaded" and completed["content_length"] == 7


def test_a_bad_upload_gets_the_apis_error_and_keeps_nothing(sandbox):
    notion = client(sandbox)
    with pytest.raises(APIResponseError) as refused:
        notion.file_uploads.create(filename="README.md")
    assert refused.value.code == APIErrorCode.ValidationError
    assert "not supported for the File Upload API" in str(refused.value)

    created = notion.file_uploads.create(content_type="application/pdf")
    with pytest.raises(APIResponseError) as wrong_type:
        notion.file_uploads.send(file_upload_id=created["id"], file=("a.png", io.BytesIO(b"x"), "image/png"))
    assert wrong_type.value.code == APIErrorCode.ValidationError
    assert notion.file_uploads.retrieve(file_upload_id=created["id"])["status"] == "pending"

    # The sandbox's workspace is on the pro plan: 5 GiB per file, as Notion's paid plans.
    me = notion.users.me()
    assert me["bot"]["workspace_limits"]["max_file_upload_size_in_bytes"] == 5 * 1024 * 1024 * 1024


def test_an_uploaded_image_is_shown_by_a_block_and_downloaded_from_its_link(sandbox):
    notion = client(sandbox)
    page = notion.search(filter={"property": "object", "value": "page"})["results"][0]
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    upload = notion.file_uploads.create(filename="chart.png")
    notion.file_uploads.send(file_upload_id=upload["id"], file=("chart.png", io.BytesIO(content), "image/png"))

    appended = notion.blocks.children.append(
        block_id=page["id"], children=[{"image": {"file_upload": {"id": upload["id"]}}}]
    )
    image = appended["results"][0]["image"]
    assert image["type"] == "file" and image["file"]["expiry_time"]
    assert notion.file_uploads.retrieve(file_upload_id=upload["id"])["expiry_time"] is None

    # The link is the credential: a plain GET, no token, as for Notion's file URLs.
    downloaded = httpx.get(image["file"]["url"])
    assert downloaded.status_code == 200 and downloaded.content == content
    assert downloaded.headers["content-type"] == "image/png"
    assert httpx.get(image["file"]["url"].replace("signature=", "signature=x")).status_code == 403

    with pytest.raises(APIResponseError) as refused:
        notion.blocks.children.append(
            block_id=page["id"], children=[{"video": {"file_upload": {"id": upload["id"]}}}]
        )
    assert refused.value.code == APIErrorCode.ValidationError


def test_uploads_in_a_files_property_and_as_an_icon_are_read_back_as_hosted_files(sandbox):
    notion = client(sandbox)
    found = notion.search(filter={"property": "object", "value": "data_source"})
    tasks = next(r for r in found["results"] if r["title"][0]["plain_text"] == "Tasks")
    source = notion.data_sources.create(
        parent={"type": "database_id", "database_id": tasks["parent"]["database_id"]},
        title=[{"text": {"content": "Receipts"}}],
        properties={"Name": {"title": {}}, "Scans": {"files": {}}},
    )
    upload = notion.file_uploads.create()
    notion.file_uploads.send(file_upload_id=upload["id"], file=("scan.pdf", io.BytesIO(b"%PDF-1.4 scan"), "application/pdf"))
    page = notion.pages.create(
        parent={"data_source_id": source["id"]},
        properties={
            "Name": {"title": [{"text": {"content": "Taxi"}}]},
            "Scans": {"files": [{"type": "file_upload", "file_upload": {"id": upload["id"]}}]},
        },
    )
    entry = notion.pages.retrieve(page_id=page["id"])["properties"]["Scans"]["files"][0]
    assert entry["name"] == "scan.pdf" and entry["type"] == "file"
    assert httpx.get(entry["file"]["url"]).content == b"%PDF-1.4 scan"

    # An image upload as the page's icon; a PDF is no icon.
    logo = notion.file_uploads.create()
    notion.file_uploads.send(file_upload_id=logo["id"], file=("logo.png", io.BytesIO(b"\x89PNG icon"), "image/png"))
    updated = notion.pages.update(page_id=page["id"], icon={"type": "file_upload", "file_upload": {"id": logo["id"]}})
    assert updated["icon"]["type"] == "file"
    assert httpx.get(updated["icon"]["file"]["url"]).content == b"\x89PNG icon"
    with pytest.raises(APIResponseError) as refused:
        notion.pages.update(page_id=page["id"], cover={"type": "file_upload", "file_upload": {"id": upload["id"]}})
    assert refused.value.code == APIErrorCode.ValidationError
