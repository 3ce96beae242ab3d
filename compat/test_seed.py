"""The seeded sandbox as the README's quick start leaves it, read through the official client,
notion-client 3.1.0, at its default Notion-Version (2025-09-03): the Tasks data source answers a
Status filter and its Project relation leads into Projects; the Getting started page has blocks
and a comment thread; the Private database and its page stay out of reach."""

from notion_client import Client


def client(sandbox):
    return Client(auth=sandbox.key, base_url=sandbox.base_url)


def source(notion, title):
    found = notion.search(filter={"property": "object", "value": "data_source"})
    return next(r for r in found["results"] if r["title"][0]["plain_text"] == title)


def name(page):
    return "".join(part["plain_text"] for part in page["properties"]["Name"]["title"])


def test_the_tasks_data_source_answers_a_status_filter_and_its_relation_leads_to_projects(sandbox):
    notion = client(sandbox)
    tasks = source(notion, "Tasks")
    assert {"Status", "Due", "Assignee", "Tags", "Project", "Estimate", "Done"} <= set(tasks["properties"])
    groups = [group["name"] for group in tasks["properties"]["Status"]["status"]["groups"]]
    assert groups == ["To-do", "In progress", "Complete"]
    done = notion.data_sources.query(
        data_source_id=tasks["id"], filter={"property": "Status", "status": {"equals": "Done"}}
    )["results"]
    assert len(done) == 3 and all(page["properties"]["Done"]["checkbox"] for page in done)
    related = done[0]["properties"]["Project"]["relation"][0]["id"]
    project = notion.pages.retrieve(page_id=related)
    assert project["parent"]["data_source_id"] == source(notion, "Projects")["id"]


def test_the_getting_started_page_has_blocks_and_a_comment_thread(sandbox):
    notion = client(sandbox)
    found = notion.search(query="Getting started", filter={"property": "object", "value": "page"})
    page = next(r for r in found["results"] if r["properties"]["title"]["title"][0]["plain_text"] == "Getting started")
    blocks = notion.blocks.children.list(block_id=page["id"])["results"]
    assert {"heading_1", "paragraph", "to_do", "bulleted_list_item", "code", "callout", "toggle"} <= {b["type"] for b in blocks}
    comments = notion.comments.list(block_id=page["id"])["results"]
    assert len({comment["discussion_id"] for comment in comments[:2]}) == 1


def test_the_private_database_and_its_page_are_not_shared(sandbox):
    notion = client(sandbox)
    assert notion.search(query="Projects")["results"]
    assert notion.search(query="Private")["results"] == []
    assert notion.search(query="Salaries")["results"] == []
