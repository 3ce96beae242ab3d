"""The OAuth flow with real clients: requests-oauthlib's OAuth2Session and notion-client 3.1.0's
oauth.* calls against a real `gatehouse serve`, the consent step driven in a real headless
Chromium (Debian's chromium and chromium-driver, through selenium)."""

import http.server
import os
import shutil
import threading
import urllib.parse

import pytest
import requests
from notion_client import APIResponseError, Client
from notion_client.errors import HTTPResponseError
from requests_oauthlib import OAuth2Session
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = os.environ.get("GATEHOUSE_SCREENSHOTS")


class Callback:
    """A loopback HTTP server standing in for the client's redirect URI: records each request."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.startswith("/callback"):  # not the browser's /favicon.ico
                    received.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<title>callback</title>connected")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def last_url(self):
        return f"http://127.0.0.1:{self.server.server_port}{self.received[-1]}"


@pytest.fixture(scope="module")
def callback():
    server = Callback()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,1000"]:
        options.add_argument(argument)
    binary = shutil.which("chromium")
    assert binary, "Debian's chromium package is required (apt-get install chromium chromium-driver)"
    options.binary_location = binary
    driver_path = shutil.which("chromedriver")
    assert driver_path, "Debian's chromium-driver package is required"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def public_app(sandbox, callback, *extra):
    return sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", "Compat App",
        "--public", "--redirect-uri", callback.uri, *extra,
    )


def consent(browser, sandbox, callback, authorization_url, share="Tasks", shot=None, scopes=()):
    """Opens the authorization URL, signs in if asked, checks that the page lists `scopes`,
    picks `share` and allows; returns the URL the browser was sent back to."""
    before = len(callback.received)
    browser.get(authorization_url)
    wait = WebDriverWait(browser, 20)
    if browser.find_elements(By.ID, "signin-form"):
        if shot:
            browser.save_screenshot(os.path.join(SCREENSHOTS, "oauth-signin.png"))
        browser.find_element(By.ID, "email").send_keys(sandbox.owner_email)
        browser.find_element(By.ID, "password").send_keys(sandbox.owner_password)
        browser.find_element(By.ID, "signin-submit").click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "consent-form")))
    assert "Compat App" in browser.find_element(By.TAG_NAME, "h1").text
    capabilities = browser.find_element(By.ID, "capabilities").text
    assert "Read the pages and databases you choose to share" in capabilities
    listed = browser.find_element(By.ID, "scopes").text
    for scope in scopes:
        assert scope in listed, f"the consent page does not list {scope}: {listed!r}"
    for label in browser.find_elements(By.CSS_SELECTOR, ".picker label"):
        if label.text.endswith(share):
            label.find_element(By.TAG_NAME, "input").click()
    if shot:
        browser.save_screenshot(os.path.join(SCREENSHOTS, "oauth-consent.png"))
    browser.find_element(By.ID, "allow").click()
    wait.until(lambda _: len(callback.received) > before)
    return callback.last_url()


def test_requests_oauthlib_completes_the_whole_flow_with_pkce_and_refresh(sandbox, callback, browser, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http in the sandbox
    app = public_app(sandbox, callback, "--expiring")
    session = OAuth2Session(app["client_id"], redirect_uri=callback.uri, pkce="S256")
    url, state = session.authorization_url(f"{sandbox.base_url}/v1/oauth/authorize", owner="user")
    returned = consent(browser, sandbox, callback, url, shot=bool(SCREENSHOTS))
    query = urllib.parse.parse_qs(urllib.parse.urlparse(returned).query)
    assert query["state"] == [state]
    assert query["iss"] == [sandbox.base_url]
    assert query["code"][0].startswith("nac_")

    token = session.fetch_token(
        f"{sandbox.base_url}/v1/oauth/token", authorization_response=returned, client_secret=app["client_secret"]
    )
    assert token["token_type"] == "bearer"
    assert token["access_token"].startswith("nap_")
    assert token["refresh_token"].startswith("nrt_")
    assert token["expires_in"] == 3600
    assert token["owner"]["type"] == "user"
    assert token["owner"]["user"]["person"]["email"] == sandbox.owner_email

    me = session.get(f"{sandbox.base_url}/v1/users/me", headers={"Notion-Version": "2025-09-03"})
    assert me.status_code == 200
    assert me.json()["bot"]["owner"]["type"] == "user"
    assert me.json()["id"] == token["bot_id"]
    # The bot sees what was picked on the consent page, and nothing else.
    notion = Client(auth=token["access_token"], base_url=sandbox.base_url)
    titles = {
        result["title"][0]["plain_text"] for result in notion.search()["results"] if result["object"] == "data_source"
    }
    assert titles == {"Tasks"}

    # Refresh, with the client's credentials in the body this time (client_secret_post).
    refreshed = session.refresh_token(
        f"{sandbox.base_url}/v1/oauth/token", client_id=app["client_id"], client_secret=app["client_secret"]
    )
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert session.get(f"{sandbox.base_url}/v1/users/me", headers={"Notion-Version": "2025-09-03"}).status_code == 200

    # A retry with the rotated-out refresh token inside the grace window (10 s) gets the same
    # successor pair, not a second one (the Swift conformance suite covers reuse after it).
    retry = requests.post(
        f"{sandbox.base_url}/v1/oauth/token",
        auth=(app["client_id"], app["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )
    assert retry.status_code == 200
    assert retry.json()["access_token"] == refreshed["access_token"]
    assert retry.json()["refresh_token"] == refreshed["refresh_token"]
    assert retry.headers["Cache-Control"] == "no-store"

    unknown = requests.post(
        f"{sandbox.base_url}/v1/oauth/token",
        auth=(app["client_id"], app["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": "nrt_" + "x" * 46},
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_grant"
    assert unknown.json()["object"] == "error"


def test_notion_client_exchanges_introspects_and_revokes(sandbox, callback, browser):
    app = public_app(sandbox, callback)
    query = urllib.parse.urlencode(
        {"client_id": app["client_id"], "redirect_uri": callback.uri, "response_type": "code", "owner": "user", "state": "n1"}
    )
    returned = consent(browser, sandbox, callback, f"{sandbox.base_url}/v1/oauth/authorize?{query}", share="Projects")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(returned).query)["code"][0]

    notion = Client(base_url=sandbox.base_url)
    token = notion.oauth.token(
        client_id=app["client_id"], client_secret=app["client_secret"],
        grant_type="authorization_code", code=code, redirect_uri=callback.uri,
    )
    # A non-expiring integration gets a bot_ token, as Notion issues today.
    assert token["access_token"].startswith("bot_")
    assert token["refresh_token"] is None
    for field in ["bot_id", "workspace_id", "workspace_name", "workspace_icon", "owner", "duplicated_template_id", "request_id"]:
        assert field in token

    bot = Client(auth=token["access_token"], base_url=sandbox.base_url)
    assert bot.users.me()["bot"]["owner"]["type"] == "user"

    seen = notion.oauth.introspect(client_id=app["client_id"], client_secret=app["client_secret"], token=token["access_token"])
    assert seen["active"] is True
    assert "read_content" in seen["scope"]
    assert isinstance(seen["iat"], int)

    # The code is single-use: the replay is refused (notion-client does not know invalid_grant,
    # so it raises its generic HTTP error) and revokes the token it issued.
    with pytest.raises(HTTPResponseError) as replay:
        notion.oauth.token(
            client_id=app["client_id"], client_secret=app["client_secret"],
            grant_type="authorization_code", code=code, redirect_uri=callback.uri,
        )
    assert replay.value.status == 400
    with pytest.raises(APIResponseError) as refused:
        bot.users.me()
    assert refused.value.code == "unauthorized"

    # A second grant, revoked through the API.
    returned = consent(browser, sandbox, callback, f"{sandbox.base_url}/v1/oauth/authorize?{query}", share="Projects")
    code = urllib.parse.parse_qs(urllib.parse.urlparse(returned).query)["code"][0]
    token = notion.oauth.token(
        client_id=app["client_id"], client_secret=app["client_secret"],
        grant_type="authorization_code", code=code, redirect_uri=callback.uri,
    )
    bot = Client(auth=token["access_token"], base_url=sandbox.base_url)
    assert bot.users.me()["type"] == "bot"
    answer = notion.oauth.revoke(client_id=app["client_id"], client_secret=app["client_secret"], token=token["access_token"])
    assert "request_id" in answer
    with pytest.raises(APIResponseError) as revoked:
        bot.users.me()
    assert revoked.value.code == "unauthorized"
    gone = notion.oauth.introspect(client_id=app["client_id"], client_secret=app["client_secret"], token=token["access_token"])
    assert gone["active"] is False

    # A wrong client secret is a 401 the client understands (code "unauthorized").
    with pytest.raises(APIResponseError) as bad_client:
        notion.oauth.introspect(client_id=app["client_id"], client_secret="ncs_wrong", token=token["access_token"])
    assert bad_client.value.code == "unauthorized"
    assert bad_client.value.status == 401


def test_cancel_sends_access_denied_back_with_the_state(sandbox, callback, browser):
    app = public_app(sandbox, callback)
    query = urllib.parse.urlencode(
        {"client_id": app["client_id"], "redirect_uri": callback.uri, "response_type": "code", "state": "c1"}
    )
    before = len(callback.received)
    browser.get(f"{sandbox.base_url}/v1/oauth/authorize?{query}")
    WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.ID, "consent-form")))
    browser.find_element(By.ID, "cancel").click()
    WebDriverWait(browser, 20).until(lambda _: len(callback.received) > before)
    returned = urllib.parse.parse_qs(urllib.parse.urlparse(callback.last_url()).query)
    assert returned["error"] == ["access_denied"]
    assert returned["state"] == ["c1"]
    assert "code" not in returned


def test_an_unregistered_redirect_uri_shows_an_error_page_in_the_browser(sandbox, callback, browser):
    app = public_app(sandbox, callback)
    query = urllib.parse.urlencode(
        {"client_id": app["client_id"], "redirect_uri": "https://evil.example/steal", "response_type": "code"}
    )
    browser.get(f"{sandbox.base_url}/v1/oauth/authorize?{query}")
    assert browser.current_url.startswith(sandbox.base_url)
    assert browser.find_element(By.ID, "error-title").text == "This link cannot be used"
    if SCREENSHOTS:
        browser.save_screenshot(os.path.join(SCREENSHOTS, "oauth-error.png"))
