"""Data sources, pages with properties and queries through the official client, notion-client 3.1.0,
at its default Notion-Version (2025-09-03) and at 2022-06-28, against the same stored data."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import serve_sandbox
from notion_client import APIErrorCode, APIResponseError, Client

NEW = "2025-09-03"
OLD = "2022-06-28"


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox of this module's own: the databases these tests create stay out of the others' searches."""
    yield from serve_sandbox()


def client(sandbox, version=NEW):
    return Client(auth=sandbox.key, base_url=sandbox.base_url, notion_version=version)


def shared_database(notion):
    """The Tasks database, found through its data source (what search returns at 2025-09-03)."""
    found = notion.search(filter={"property": "object", "value": "data_source"})
    source = next(r for r in found["results"] if r["title"][0]["plain_text"] == "Tasks")
    assert source["object"] == "data_source"
    return notion.databases.retrieve(database_id=source["parent"]["database_id"])


def a_shared_page(notion):
    found = notion.search(filter={"property": "object", "value": "page"})
    return found["results"][0]


def title(text):
    return {"title": [{"text": {"content": text}}]}


def names(result):
    return ["".join(part["plain_text"] for part in page["properties"]["Name"]["title"]) for page in result["results"]]


def test_a_data_source_is_created_filled_and_queried(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source = notion.data_sources.create(
        parent={"type": "database_id", "database_id": database["id"]},
        title=[{"text": {"content": "Sprint"}}],
        properties={
            "Name": {"title": {}},
            "Points": {"number": {}},
            "Stage": {"select": {"options": [{"name": "Todo"}, {"name": "Doing"}]}},
            "Done": {"checkbox": {}},
        },
    )
    assert source["object"] == "data_source"
    assert set(source["properties"]) == {"Name", "Points", "Stage", "Done"}
    for name, points, stage in [("One", 1, "Todo"), ("Two", 2, "Doing"), ("Three", 3, "Doing"), ("Four", 4, "Todo")]:
        page = notion.pages.create(
            parent={"type": "data_source_id", "data_source_id": source["id"]},
            properties={"Name": title(name), "Points": {"number": points}, "Stage": {"select": {"name": stage}}},
        )
        assert page["properties"]["Points"]["number"] == points
    query = {
        "data_source_id": source["id"],
        "filter": {"or": [{"property": "Stage", "select": {"equals": "Doing"}}, {"property": "Points", "number": {"less_than": 2}}]},
        "sorts": [{"property": "Points", "direction": "descending"}],
        "page_size": 2,
    }
    first = notion.data_sources.query(**query)
    assert names(first) == ["Three", "Two"] and first["has_more"] is True
    rest = notion.data_sources.query(**query, start_cursor=first["next_cursor"])
    assert names(rest) == ["One"] and rest["has_more"] is False

    updated = notion.data_sources.update(data_source_id=source["id"], properties={"Owner": {"people": {}}})
    assert "Owner" in updated["properties"]
    assert notion.data_sources.retrieve(data_source_id=source["id"])["properties"]["Owner"]["type"] == "people"


def test_pages_update_properties_trash_and_restore_and_property_items(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source_id = notion.databases.retrieve(database_id=database["id"])["data_sources"][0]["id"]
    page = notion.pages.create(parent={"data_source_id": source_id}, properties={"Name": title("Draft")})
    renamed = notion.pages.update(page_id=page["id"], properties={"Name": title("Final")})
    assert renamed["properties"]["Name"]["title"][0]["plain_text"] == "Final"
    assert notion.pages.update(page_id=page["id"], in_trash=True)["in_trash"] is True
    assert notion.pages.update(page_id=page["id"], in_trash=False)["in_trash"] is False
    item = notion.pages.properties.retrieve(page_id=page["id"], property_id="title")
    assert item["object"] == "list" and item["results"][0]["title"]["plain_text"] == "Final"
    # filter_properties keeps the properties it names (by name or id), as on a query.
    assert len(notion.pages.retrieve(page_id=page["id"])["properties"]) > 1
    only = notion.pages.retrieve(page_id=page["id"], filter_properties=["title"])
    assert list(only["properties"]) == ["Name"]
    with pytest.raises(APIResponseError) as unknown:
        notion.pages.retrieve(page_id=page["id"], filter_properties=["No such property"])
    assert unknown.value.code == APIErrorCode.ValidationError


def test_a_query_reads_the_trash_with_in_trash_and_sees_every_change(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source_id = notion.databases.retrieve(database_id=database["id"])["data_sources"][0]["id"]
    marker = f"Trash probe {time.time_ns()}"
    page = notion.pages.create(parent={"data_source_id": source_id}, properties={"Name": title(marker)})
    mine = {"property": "Name", "title": {"equals": marker}}
    assert names(notion.data_sources.query(data_source_id=source_id, filter=mine)) == [marker]
    notion.pages.update(page_id=page["id"], in_trash=True)
    assert notion.data_sources.query(data_source_id=source_id, filter=mine)["results"] == []
    trashed = notion.data_sources.query(data_source_id=source_id, filter=mine, in_trash=True)["results"]
    assert [result["id"] for result in trashed] == [page["id"]] and trashed[0]["in_trash"] is True
    notion.pages.update(page_id=page["id"], in_trash=False, properties={"Name": title(marker + " again")})
    again = {"property": "Name", "title": {"starts_with": marker}}
    assert names(notion.data_sources.query(data_source_id=source_id, filter=again)) == [marker + " again"]
    assert notion.data_sources.query(data_source_id=source_id, filter=again, result_type="data_source")["results"] == []
    with pytest.raises(APIResponseError) as refused:
        notion.data_sources.query(data_source_id=source_id, in_trash="yes")
    assert refused.value.code == APIErrorCode.ValidationError


def test_pages_created_while_paging_through_a_query_do_not_shift_its_pages(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source = notion.data_sources.create(
        parent={"type": "database_id", "database_id": database["id"]},
        title=[{"text": {"content": "Paging"}}],
        properties={"Name": {"title": {}}},
    )
    for index in range(5):
        notion.pages.create(parent={"data_source_id": source["id"]}, properties={"Name": title(f"Old {index}")})
    before = names(notion.data_sources.query(data_source_id=source["id"]))
    seen, cursor, created = [], None, 0
    while True:
        extra = {"start_cursor": cursor} if cursor else {}
        page = notion.data_sources.query(data_source_id=source["id"], page_size=2, **extra)
        seen += names(page)
        cursor = page["next_cursor"]
        time.sleep(0.003)  # times are kept to the millisecond
        notion.pages.create(parent={"data_source_id": source["id"]}, properties={"Name": title(f"New {created}")})
        created += 1
        if not page["has_more"]:
            break
    assert seen == before
    assert len(notion.data_sources.query(data_source_id=source["id"])["results"]) == 5 + created


def test_a_property_value_of_the_wrong_type_is_a_validation_error_naming_it(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source_id = notion.databases.retrieve(database_id=database["id"])["data_sources"][0]["id"]
    with pytest.raises(APIResponseError) as error:
        notion.pages.create(parent={"data_source_id": source_id}, properties={"Name": {"number": 3}})
    assert error.value.code == APIErrorCode.ValidationError
    assert "Name" in str(error.value)


def test_databases_are_created_and_updated_and_both_versions_see_the_same_data(sandbox):
    new = client(sandbox)
    old = client(sandbox, OLD)
    parent = a_shared_page(new)
    database = new.databases.create(
        parent={"type": "page_id", "page_id": parent["id"]},
        title=[{"text": {"content": "Bugs"}}],
        initial_data_source={"properties": {"Name": {"title": {}}, "Severity": {"number": {}}}},
    )
    assert len(database["data_sources"]) == 1
    renamed = new.databases.update(database_id=database["id"], title=[{"text": {"content": "Bug list"}}])
    assert renamed["title"][0]["plain_text"] == "Bug list"
    legacy = old.databases.retrieve(database_id=database["id"])
    assert set(legacy["properties"]) == {"Name", "Severity"}
    old.pages.create(parent={"database_id": database["id"]}, properties={"Name": title("Crash"), "Severity": {"number": 1}})
    legacy_query = old.request(
        path=f"databases/{database['id']}/query", method="POST",
        body={"filter": {"property": "Severity", "number": {"equals": 1}}},
    )
    assert names(legacy_query) == ["Crash"]
    source_id = database["data_sources"][0]["id"]
    assert names(new.data_sources.query(data_source_id=source_id)) == ["Crash"]
    # notion-client 3.x drops `properties` from databases.create, so an older integration's body
    # is sent as it was written then.
    legacy_create = old.request(
        path="databases", method="POST",
        body={
            "parent": {"type": "page_id", "page_id": parent["id"]},
            "title": [{"text": {"content": "Old style"}}],
            "properties": {"Name": {"title": {}}, "Done": {"checkbox": {}}},
        },
    )
    assert "Done" in legacy_create["properties"]


def test_a_two_way_relation_is_mirrored_on_the_related_data_source(sandbox):
    new = client(sandbox)
    old = client(sandbox, OLD)
    parent = a_shared_page(new)
    made = {
        name: new.databases.create(
            parent={"type": "page_id", "page_id": parent["id"]},
            title=[{"text": {"content": name}}],
            initial_data_source={"properties": {"Name": {"title": {}}}},
        )
        for name in ("Authors", "Books")
    }
    authors, books = (made[name]["data_sources"][0]["id"] for name in ("Authors", "Books"))
    # An integration written for 2022-06-28 names the related database, not its data source.
    old.request(
        path=f"databases/{made['Books']['id']}", method="PATCH",
        body={"properties": {"Written by": {"relation": {
            "database_id": made["Authors"]["id"], "type": "dual_property", "dual_property": {}}}}},
    )
    written_by = new.data_sources.retrieve(data_source_id=books)["properties"]["Written by"]["relation"]
    assert written_by["data_source_id"] == authors
    assert written_by["dual_property"]["synced_property_name"] == "Related to Books (Written by)"
    back = new.data_sources.retrieve(data_source_id=authors)["properties"]["Related to Books (Written by)"]
    assert back["relation"]["data_source_id"] == books
    assert back["id"] == written_by["dual_property"]["synced_property_id"]

    author = new.pages.create(
        parent={"type": "data_source_id", "data_source_id": authors}, properties={"Name": title("Le Guin")})
    book = new.pages.create(
        parent={"type": "data_source_id", "data_source_id": books},
        properties={"Name": title("The Dispossessed"), "Written by": {"relation": [{"id": author["id"]}]}},
    )
    listed = new.pages.retrieve(page_id=author["id"])["properties"]["Related to Books (Written by)"]["relation"]
    assert [related["id"] for related in listed] == [book["id"]]
    found = new.data_sources.query(
        data_source_id=authors,
        filter={"property": "Related to Books (Written by)", "relation": {"contains": book["id"]}},
    )
    assert names(found) == ["Le Guin"]


def test_search_filters_by_page_and_by_data_source(sandbox):
    notion = client(sandbox)
    pages = notion.search(filter={"property": "object", "value": "page"})["results"]
    assert pages and all(r["object"] == "page" for r in pages)
    sources = notion.search(filter={"property": "object", "value": "data_source"})["results"]
    assert sources and all(r["object"] == "data_source" and "properties" in r for r in sources)
    old = client(sandbox, OLD)
    databases = old.search(filter={"property": "object", "value": "database"})["results"]
    assert databases and all(r["object"] == "database" for r in databases)


def restricted(call):
    """Runs `call`, which must be refused with 403 restricted_resource."""
    with pytest.raises(APIResponseError) as raised:
        call()
    assert raised.value.status == 403 and raised.value.code == APIErrorCode.RestrictedResource
    return raised.value


def integration(sandbox, name, capabilities, database=None):
    """A new integration of the sandbox's workspace with these capabilities, shared `database` if given."""
    made = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", name, "--capabilities", capabilities,
    )
    if database:
        sandbox.cli("share", "--integration", made["id"], "--database", database)
    return made["token"]


def test_a_page_of_a_second_data_source_is_shared_through_its_database(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    second = notion.data_sources.create(
        parent={"type": "database_id", "database_id": database["id"]},
        title=[{"text": {"content": "Second"}}],
        properties={"Name": {"title": {}}},
    )
    page = notion.pages.create(parent={"data_source_id": second["id"]}, properties={"Name": title("Inherited")})
    notion.blocks.children.append(
        block_id=page["id"], children=[{"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "body"}}]}}]
    )
    notion.comments.create(parent={"page_id": page["id"]}, rich_text=[{"text": {"content": "note"}}])
    token = integration(sandbox, "Second reader", "read_content,read_comments", database["id"])

    reader = Client(auth=token, base_url=sandbox.base_url, notion_version=NEW)
    retrieved = reader.pages.retrieve(page_id=page["id"])
    assert retrieved["parent"]["data_source_id"] == second["id"]
    assert retrieved["parent"]["database_id"] == database["id"]
    assert names(reader.data_sources.query(data_source_id=second["id"])) == ["Inherited"]
    assert len(reader.blocks.children.list(block_id=page["id"])["results"]) == 1
    assert len(reader.comments.list(block_id=page["id"])["results"]) == 1
    assert page["id"] in [r["id"] for r in reader.search(query="Inherited")["results"]]
    old_reader = Client(auth=token, base_url=sandbox.base_url, notion_version=OLD)
    assert old_reader.pages.retrieve(page_id=page["id"])["parent"]["database_id"] == database["id"]

    stranger = Client(auth=integration(sandbox, "Stranger", "read_content"), base_url=sandbox.base_url)
    error = restricted(lambda: stranger.pages.retrieve(page_id=page["id"]))
    assert "does not have access" in str(error)
    restricted(lambda: stranger.data_sources.query(data_source_id=second["id"]))
    assert stranger.search(query="Inherited")["results"] == []


def test_each_write_needs_its_capability_and_a_refused_write_writes_nothing(sandbox):
    notion = client(sandbox)
    database = shared_database(notion)
    source_id = database["data_sources"][0]["id"]
    page = notion.pages.create(parent={"data_source_id": source_id}, properties={"Name": title("Guarded")})
    before = names(notion.data_sources.query(data_source_id=source_id))

    reader = Client(auth=integration(sandbox, "Reader only", "read_content", database["id"]), base_url=sandbox.base_url)
    for call in [
        lambda: reader.pages.create(parent={"data_source_id": source_id}, properties={"Name": title("Sneaky")}),
        lambda: reader.pages.update(page_id=page["id"], properties={"Name": title("Changed")}),
        lambda: reader.data_sources.create(
            parent={"type": "database_id", "database_id": database["id"]}, properties={"Name": {"title": {}}}
        ),
        lambda: reader.data_sources.update(data_source_id=source_id, title=[{"text": {"content": "Renamed"}}]),
        lambda: reader.databases.update(database_id=database["id"], title=[{"text": {"content": "Renamed"}}]),
    ]:
        error = restricted(call)
        assert "Insufficient permissions" in str(error)
    assert names(notion.data_sources.query(data_source_id=source_id)) == before
    assert notion.data_sources.retrieve(data_source_id=source_id)["title"][0]["plain_text"] == "Tasks"

    writer_token = integration(sandbox, "Writer only", "insert_content,update_content", database["id"])
    writer = Client(auth=writer_token, base_url=sandbox.base_url)
    restricted(lambda: writer.pages.retrieve(page_id=page["id"]))
    restricted(lambda: writer.data_sources.query(data_source_id=source_id))
    old_writer = Client(auth=writer_token, base_url=sandbox.base_url, notion_version=OLD)
    restricted(lambda: old_writer.request(path=f"databases/{database['id']}/query", method="POST", body={}))
    assert writer.pages.update(page_id=page["id"], properties={"Name": title("Edited")})["id"] == page["id"]


def test_a_trashed_page_takes_only_its_restoring_and_nothing_is_made_under_it(sandbox):
    notion = client(sandbox)
    parent = notion.pages.create(parent={"page_id": a_shared_page(notion)["id"]}, properties={"title": title("Bin")})
    child = notion.pages.create(parent={"page_id": parent["id"]}, properties={"title": title("Inside")})
    notion.pages.update(page_id=parent["id"], in_trash=True)
    for call, words in [
        (lambda: notion.pages.update(page_id=parent["id"], properties={"title": title("Renamed")}), "unarchive the page"),
        (lambda: notion.pages.update(page_id=child["id"], properties={"title": title("Renamed")}), "archived ancestor"),
        (lambda: notion.pages.create(parent={"page_id": parent["id"]}, properties={"title": title("Late")}), "archived ancestor"),
    ]:
        with pytest.raises(APIResponseError) as raised:
            call()
        assert raised.value.code == APIErrorCode.ValidationError and words in str(raised.value)
    assert notion.pages.retrieve(page_id=child["id"])["in_trash"] is True
    restored = notion.pages.update(page_id=parent["id"], in_trash=False, properties={"title": title("Back")})
    assert restored["in_trash"] is False
    assert notion.pages.retrieve(page_id=child["id"])["in_trash"] is False


def test_unique_ids_count_up_and_options_created_at_once_are_all_kept(sandbox):
    """Pages created at once each take their own `unique_id` number and keep every select option
    they created; a `unique_id` property added later numbers the pages already there, oldest first."""
    notion = client(sandbox)
    database = shared_database(notion)
    source = notion.data_sources.create(
        parent={"type": "database_id", "database_id": database["id"]},
        title=[{"text": {"content": "Tickets"}}],
        properties={"Name": {"title": {}}, "Ticket": {"unique_id": {"prefix": "TCK"}}, "Labels": {"multi_select": {}}},
    )

    def create(number):
        return client(sandbox).pages.create(
            parent={"type": "data_source_id", "data_source_id": source["id"]},
            properties={"Name": title(f"Ticket {number}"),
                        "Labels": {"multi_select": [{"name": f"label {number % 3}"}, {"name": "shared"}]}},
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(create, range(9)))
    numbers = sorted(page["properties"]["Ticket"]["unique_id"]["number"] for page in pages)
    assert numbers == list(range(1, 10))
    assert {page["properties"]["Ticket"]["unique_id"]["prefix"] for page in pages} == {"TCK"}
    options = notion.data_sources.retrieve(data_source_id=source["id"])["properties"]["Labels"]["multi_select"]["options"]
    assert sorted(option["name"] for option in options) == ["label 0", "label 1", "label 2", "shared"]
    shared = notion.data_sources.query(
        data_source_id=source["id"], filter={"property": "Labels", "multi_select": {"contains": "shared"}}
    )
    assert len(shared["results"]) == 9
    late = notion.data_sources.query(
        data_source_id=source["id"], filter={"property": "Ticket", "unique_id": {"greater_than": 7}},
        sorts=[{"property": "Ticket", "direction": "ascending"}],
    )
    assert [page["properties"]["Ticket"]["unique_id"]["number"] for page in late["results"]] == [8, 9]

    plain = notion.data_sources.create(
        parent={"type": "database_id", "database_id": database["id"]},
        title=[{"text": {"content": "Unnumbered"}}],
        properties={"Name": {"title": {}}},
    )
    for name in ["first", "second", "third"]:
        notion.pages.create(parent={"type": "data_source_id", "data_source_id": plain["id"]}, properties={"Name": title(name)})
        time.sleep(0.01)  # creation times a few milliseconds apart: their order is the creation order
    notion.data_sources.update(data_source_id=plain["id"], properties={"No.": {"unique_id": {"prefix": None}}})
    numbered = notion.data_sources.query(
        data_source_id=plain["id"], sorts=[{"property": "No.", "direction": "ascending"}]
    )
    assert names(numbered) == ["first", "second", "third"]
    # Without sorts the API answers newest first.
    assert names(notion.data_sources.query(data_source_id=plain["id"])) == ["third", "second", "first"]
    assert [page["properties"]["No."]["unique_id"]["number"] for page in numbered["results"]] == [1, 2, 3]


def test_a_page_keeps_its_icon_and_cover_until_changed(sandbox):
    notion = client(sandbox)
    parent = a_shared_page(notion)["id"]
    cover = {"type": "external", "external": {"url": "https://example.com/cover.png"}}
    page = notion.pages.create(
        parent={"page_id": parent}, icon={"emoji": "🚀"}, cover=cover,
        properties={"title": title("Launch")},
    )
    assert page["icon"] == {"type": "emoji", "emoji": "🚀"} and page["cover"] == cover
    read = notion.pages.retrieve(page_id=page["id"])
    assert read["icon"] == {"type": "emoji", "emoji": "🚀"} and read["cover"] == cover
    image = {"type": "external", "external": {"url": "https://example.com/icon.png"}}
    assert notion.pages.update(page_id=page["id"], icon=image)["icon"] == image
    updated = notion.pages.update(page_id=page["id"], cover=None)
    assert updated["icon"] == image and updated["cover"] is None
    with pytest.raises(APIResponseError) as refused:
        notion.pages.update(page_id=page["id"], icon={"type": "file_upload", "file_upload": {"id": "f"}})
    assert refused.value.code == APIErrorCode.ValidationError
    assert notion.pages.retrieve(page_id=page["id"])["icon"] == image


def test_a_page_moves_into_a_data_source_and_back_under_a_page(sandbox):
    notion = client(sandbox)
    parent = a_shared_page(notion)
    page = notion.pages.create(parent={"page_id": parent["id"]}, properties={"title": title("Drifter")})
    source = notion.data_sources.create(
        parent={"type": "database_id", "database_id": shared_database(notion)["id"]},
        title=[{"text": {"content": "Inbox"}}],
        properties={"Name": {"title": {}}, "Ref": {"unique_id": {"prefix": "IN"}}},
    )
    moved = notion.pages.move(page_id=page["id"], parent={"type": "data_source_id", "data_source_id": source["id"]})
    assert moved["parent"]["data_source_id"] == source["id"]
    assert moved["properties"]["Name"]["title"][0]["plain_text"] == "Drifter"
    assert moved["properties"]["Ref"]["unique_id"] == {"prefix": "IN", "number": 1}
    assert names(notion.data_sources.query(data_source_id=source["id"])) == ["Drifter"]

    back = notion.pages.move(page_id=page["id"], parent={"page_id": parent["id"]})
    assert back["parent"] == {"type": "page_id", "page_id": parent["id"]}
    assert set(back["properties"]) == {"title"}
    children = notion.blocks.children.list(block_id=parent["id"])["results"]
    assert children[-1]["id"] == page["id"] and children[-1]["type"] == "child_page"

    with pytest.raises(APIResponseError) as refused:
        notion.pages.move(page_id=page["id"], parent={"page_id": page["id"]})
    assert refused.value.code == APIErrorCode.ValidationError
