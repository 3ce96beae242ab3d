"""The web console in a real headless Chromium (Debian's chromium + chromium-driver, via selenium):
sign in, create an integration, copy its key and use it, share a database, rotate, revoke, read the
audit log and the security checklist, sign out; CSRF, read-only members, a narrow screen; the
workspace view of what an integration wrote."""

import os
import re
import time

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_oauth import browser  # noqa: F401  (the shared headless Chromium fixture)

SCREENSHOTS = os.environ.get("GATEHOUSE_SCREENSHOTS")


def shot(driver, name):
    if SCREENSHOTS:
        driver.save_screenshot(os.path.join(SCREENSHOTS, f"console-{name}.png"))


def me(sandbox, key):
    return requests.get(
        f"{sandbox.base_url}/v1/users/me", headers={"Authorization": f"Bearer {key}", "Notion-Version": "2022-06-28"}
    )


def every_control_is_labelled(driver):
    """Each visible input, select, textarea and button has an accessible name."""
    return driver.execute_script(
        """
        return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')].filter(e => {
          if (e.tagName === 'BUTTON') return !(e.textContent.trim() || e.getAttribute('aria-label'));
          return !(e.labels && e.labels.length) && !e.getAttribute('aria-label');
        }).map(e => e.outerHTML);
        """
    )


def sign_in(driver, sandbox, email, password):
    driver.get(f"{sandbox.base_url}/console/signin")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "signin-submit").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "integrations"))


@pytest.fixture
def console(browser, sandbox):  # noqa: F811
    browser.set_window_size(1100, 1000)
    browser.delete_all_cookies()
    browser.get(f"{sandbox.base_url}/console/signin")
    shot(browser, "signin")
    assert every_control_is_labelled(browser) == []
    sign_in(browser, sandbox, sandbox.owner_email, sandbox.owner_password)
    yield browser
    browser.delete_all_cookies()


def test_the_owner_manages_an_integration_from_creation_to_revocation(console, sandbox):
    driver = console
    base = sandbox.base_url
    shot(driver, "integrations")
    assert "Demo integration" in driver.find_element(By.ID, "integrations").text

    # Create: the key is shown once, with a copy button.
    driver.find_element(By.ID, "create-integration").click()
    assert every_control_is_labelled(driver) == []
    shot(driver, "new")
    driver.find_element(By.ID, "name").send_keys("Browser Robot")
    driver.find_element(By.ID, "create-submit").click()
    secret_box = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "secret-value"))
    key = secret_box.get_attribute("value")
    assert key.startswith("secret_")
    driver.find_element(By.ID, "copy-secret").click()
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "copy-secret").text == "Copied")
    shot(driver, "secret")
    assert me(sandbox, key).json()["name"] == "Browser Robot"

    # Share a database; the key then sees it.
    driver.find_element(By.ID, "continue").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "share-form"))
    assert every_control_is_labelled(driver) == []
    listed = requests.get(f"{base}/v1/databases", headers={"Authorization": f"Bearer {key}", "Notion-Version": "2022-06-28"})
    assert listed.json()["results"] == []
    options = Select(driver.find_element(By.ID, "share-resource"))
    options.select_by_visible_text("Database: Tasks")
    driver.find_element(By.ID, "share").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "notice"))
    assert "Tasks" in driver.find_element(By.ID, "shares").text
    listed = requests.get(f"{base}/v1/databases", headers={"Authorization": f"Bearer {key}", "Notion-Version": "2022-06-28"})
    assert [db["title"][0]["plain_text"] for db in listed.json()["results"]] == ["Tasks"]

    # Usage reaches the chart once the server flushes it (every 5 s).
    detail_url = driver.current_url.split("?")[0]
    deadline = time.monotonic() + 15
    while "0 requests" in driver.find_element(By.ID, "usage-heading").find_element(By.XPATH, "..").text:
        assert time.monotonic() < deadline, "usage never reached the chart"
        time.sleep(1)
        driver.get(detail_url)
    assert driver.find_element(By.ID, "usage-chart").get_attribute("aria-label").startswith("Requests per day")
    shot(driver, "integration")

    # Rotate with no grace: the old key stops at once, the new one works.
    Select(driver.find_element(By.ID, "grace")).select_by_value("0")
    driver.find_element(By.ID, "rotate").click()
    new_key = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "secret-value")).get_attribute("value")
    assert new_key.startswith("secret_") and new_key != key
    assert me(sandbox, key).status_code == 401
    assert me(sandbox, new_key).status_code == 200

    # Revoke, behind a confirmation that says what it does.
    driver.get(detail_url)
    driver.find_element(By.ID, "revoke-link").click()
    assert "cannot be recovered" in driver.find_element(By.CSS_SELECTOR, ".alert").text
    shot(driver, "confirm")
    driver.find_element(By.ID, "confirm").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "notice"))
    assert me(sandbox, new_key).status_code == 401
    assert "revoked" in driver.find_element(By.ID, "tokens").text

    # The audit log shows it, filtered, and exports JSON lines.
    driver.get(f"{base}/console/audit")
    driver.find_element(By.ID, "f-action").send_keys("token.")
    driver.find_element(By.ID, "filter").click()
    WebDriverWait(driver, 20).until(lambda d: "action=token." in d.current_url)
    events = driver.find_element(By.ID, "events").text
    assert "token.revoked" in events and "token.rotated" in events
    assert "share.added" not in events
    assert every_control_is_labelled(driver) == []
    shot(driver, "audit")
    export = driver.find_element(By.ID, "export").get_attribute("href")
    cookies = {cookie["name"]: cookie["value"] for cookie in driver.get_cookies()}
    lines = requests.get(export, cookies=cookies).text.strip().splitlines()
    assert lines and all('"action":"token.' in line for line in lines)
    assert key not in "".join(lines) and new_key not in "".join(lines)

    driver.get(f"{base}/console/security")
    checklist = driver.find_element(By.ID, "checklist").text
    assert "Audit logging enabled" in checklist and "MANUAL" in checklist
    shot(driver, "security")

    # Signing out ends the session.
    driver.find_element(By.ID, "signout").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "signin-form"))
    driver.get(f"{base}/console/integrations")
    assert driver.find_elements(By.ID, "signin-form")


def test_a_form_post_without_the_csrf_token_is_refused(console, sandbox):
    cookies = {cookie["name"]: cookie["value"] for cookie in console.get_cookies()}
    before = sandbox.cli("integration", "list", "--workspace", sandbox.workspace_id)
    forged = requests.post(
        f"{sandbox.base_url}/console/integrations",
        data={"name": "Forged", "kind": "internal", "user_info": "no_user_info"},
        cookies=cookies,
        allow_redirects=False,
    )
    assert forged.status_code == 403
    assert "secret_" not in forged.text
    assert sandbox.cli("integration", "list", "--workspace", sandbox.workspace_id) == before


def test_members_see_integrations_read_only(browser, sandbox):  # noqa: F811
    email = f"member-{os.getpid()}@sandbox.test"
    sandbox.cli_with_input(
        "user", "create", "--workspace", sandbox.workspace_id, "--email", email,
        "--name", "Mo Member", "--role", "member", "--password-stdin", input="member password 1",
    )
    browser.delete_all_cookies()
    sign_in(browser, sandbox, email, "member password 1")
    assert "Demo integration" in browser.find_element(By.ID, "integrations").text
    assert not browser.find_elements(By.ID, "create-integration")
    browser.get(f"{sandbox.base_url}/console/integrations/new")
    assert "Only owners" in browser.find_element(By.ID, "error-title").text
    browser.delete_all_cookies()


def test_the_console_is_readable_400_pixels_wide(console, sandbox):
    console.set_window_size(400, 900)
    console.get(f"{sandbox.base_url}/console/integrations")
    overflow = console.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(console, "narrow")


def sign_in_with_requests(sandbox, email, password):
    """Another browser: a requests session signed in through the real form."""
    session = requests.Session()
    page = session.get(f"{sandbox.base_url}/console/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{sandbox.base_url}/signin",
        data={"csrf": csrf, "next": "/console/integrations", "email": email, "password": password},
        allow_redirects=False,
    )
    assert answer.status_code == 303
    return session


def test_a_password_change_ends_other_sessions_and_sign_out_everywhere_ends_all(browser, sandbox):  # noqa: F811
    email = f"pw-{os.getpid()}@sandbox.test"
    sandbox.cli_with_input(
        "user", "create", "--workspace", sandbox.workspace_id, "--email", email,
        "--name", "Pat Password", "--role", "member", "--password-stdin", input="first password 1",
    )
    base = sandbox.base_url
    other = sign_in_with_requests(sandbox, email, "first password 1")
    assert other.get(f"{base}/console/integrations", allow_redirects=False).status_code == 200

    browser.delete_all_cookies()
    sign_in(browser, sandbox, email, "first password 1")
    browser.get(f"{base}/console/account")
    assert every_control_is_labelled(browser) == []
    shot(browser, "account")
    browser.find_element(By.ID, "current_password").send_keys("first password 1")
    browser.find_element(By.ID, "new_password").send_keys("second password 2")
    browser.find_element(By.ID, "confirm_password").send_keys("second password 2")
    browser.find_element(By.ID, "password-submit").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "notice"))
    assert "Every other session" in browser.find_element(By.ID, "notice").text
    # The other browser is signed out; this one is not.
    assert other.get(f"{base}/console/integrations", allow_redirects=False).status_code == 303
    browser.get(f"{base}/console/integrations")
    assert browser.find_elements(By.ID, "integrations")

    third = sign_in_with_requests(sandbox, email, "second password 2")
    browser.get(f"{base}/console/account")
    browser.find_element(By.ID, "signout-everywhere").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "signin-form"))
    browser.get(f"{base}/console/integrations")
    assert browser.find_elements(By.ID, "signin-form")
    assert third.get(f"{base}/console/integrations", allow_redirects=False).status_code == 303
    browser.delete_all_cookies()


def test_the_workspace_view_shows_what_an_integration_wrote_as_inert_text(console, sandbox):
    """The integration writes a page with hostile markup, a toggle and a comment; the console shows
    them in Chromium as text (no element is created, no script runs), the toggle opens."""
    from notion_client import Client

    driver = console
    base = sandbox.base_url
    notion = Client(auth=sandbox.key, base_url=base, notion_version="2022-06-28")
    found = notion.search(filter={"property": "object", "value": "page"})
    row = next(result for result in found["results"] if "database_id" in result["parent"])
    database_id = row["parent"]["database_id"]
    title_name = next(name for name, value in row["properties"].items() if value["type"] == "title")
    hostile = "<img src=x onerror=\"document.title='pwned'\">"

    def text(content, link=None):
        return [{"type": "text", "text": {"content": content, "link": {"url": link} if link else None}}]

    page = notion.pages.create(
        parent={"database_id": database_id},
        properties={title_name: {"title": text("Browser view " + hostile)}},
        children=[
            {"type": "toggle", "toggle": {"rich_text": text("Open me"), "children": [
                {"type": "paragraph", "paragraph": {"rich_text": text("Inside the toggle")}}]}},
            {"type": "paragraph", "paragraph": {"rich_text": text(hostile)}},
            {"type": "image", "image": {"type": "external", "external": {"url": "https://images.example/cat.png"}}},
        ],
    )
    notion.comments.create(parent={"page_id": page["id"]}, rich_text=text("Looks good " + hostile))

    driver.find_element(By.ID, "nav-workspace").click()
    WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.ID, "tree"))
    shot(driver, "workspace")
    driver.get(f"{base}/console/workspace/databases/{database_id}")
    table = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "rows"))
    assert "Browser view " + hostile in table.text
    table.find_element(By.CSS_SELECTOR, f'a[href="/console/workspace/pages/{page["id"]}"]').click()
    blocks = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "blocks"))
    shot(driver, "workspace-page")
    assert driver.find_element(By.ID, "page-title").text == "Browser view " + hostile
    assert hostile in blocks.text
    assert "Looks good " + hostile in driver.find_element(By.ID, "comments").text
    # Nothing became markup, nothing ran, the external image is a link and never loaded.
    assert driver.find_elements(By.CSS_SELECTOR, "#content img") == []
    assert driver.title != "pwned"
    assert blocks.find_element(By.CSS_SELECTOR, 'a[href="https://images.example/cat.png"]')
    inside = blocks.find_element(By.XPATH, "//details//p[contains(., 'Inside the toggle')]")
    assert not inside.is_displayed()
    blocks.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(driver, 5).until(lambda d: inside.is_displayed())
    driver.set_window_size(400, 900)
    assert driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
