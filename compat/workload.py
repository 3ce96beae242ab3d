"""Real clients for the fault tests (crash safety, concurrency, a lost database): a `gatehouse serve`
process that can be killed and restarted on the same port, a tenant set up through the admin CLI,
the web console's forms driven by a signed-in owner, and an OAuth client of a public integration.
Everything goes over real HTTP on loopback; nothing here knows the server's internals."""

import html
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import uuid

import requests

from conftest import BINARY, scratch_directory

REDIRECT_URI = "https://client.example/callback"
PASSWORD = "correct horse battery"
VERSION = {"Notion-Version": "2022-06-28"}
ROOMY_PLANS = {plan: {"requests_per_second": 100000, "burst": 100000, "daily_quota": None}
               for plan in ["free", "pro", "team", "enterprise"]}
# The tests check many refused tokens from one address: room for that.
ROOMY_PLANS["failed_authentication"] = {"requests_per_second": 100000, "burst": 100000}
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def engines():
    """The stores the fault tests run on: SQLite always, PostgreSQL when CI provides one."""
    found = ["sqlite"]
    if os.environ.get("GATEHOUSE_TEST_POSTGRES_URL"):
        found.append("postgres")
    elif os.environ.get("CI"):
        raise RuntimeError("CI must set GATEHOUSE_TEST_POSTGRES_URL so the fault tests run on PostgreSQL too")
    return found


def database_url(engine, directory):
    if engine == "sqlite":
        return f"sqlite:{directory}/gatehouse.sqlite"
    return os.environ["GATEHOUSE_TEST_POSTGRES_URL"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(url, *args, input=None):
    """Runs an admin command on the store (URL in the environment, never an argument); returns its JSON."""
    out = subprocess.run(
        [BINARY, *args, "--json"], check=True, capture_output=True, text=True, timeout=60, input=input,
        env={**os.environ, "GATEHOUSE_DATABASE_URL": url},
    )
    return json.loads(out.stdout)


class Server:
    """`gatehouse serve` on a fixed loopback port, so clients reach it again after a restart."""

    def __init__(self, url, directory):
        self.url = url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.plans = os.path.join(directory, "plans.json")
        with open(self.plans, "w") as file:
            json.dump(ROOMY_PLANS, file)
        self.log = open(os.path.join(directory, "serve.log"), "a")
        self.process = None
        self.starts = 0

    def start(self, timeout=30):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--no-seed", "--port", str(self.port), "--plans-file", self.plans],
            stdout=self.log, stderr=self.log, env={**os.environ, "GATEHOUSE_DATABASE_URL": self.url},
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited with {self.process.returncode}; see {self.log.name}"
            if self.healthy():
                return
            time.sleep(0.02)
        raise AssertionError(f"serve did not answer /healthz within {timeout} s")

    def healthy(self):
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def kill(self):
        """SIGKILL: no shutdown code runs, whatever the server was doing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def diagnosis(self, lines=40):
        """Whether serve still runs, and the end of its log: for a failure's message."""
        state = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
        self.log.flush()
        with open(self.log.name, errors="replace") as log:
            tail = log.readlines()[-lines:]
        return f"serve is {state}; the end of {self.log.name}:\n" + "".join(tail)

    def stop(self):
        """SIGTERM; returns the exit status."""
        self.process.terminate()
        return self.process.wait(timeout=30)


class Tenant:
    """A workspace with an owner who can sign in, a database to share, and a public OAuth app
    with expiring tokens — made through the admin CLI."""

    def __init__(self, url):
        self.url = url
        suffix = uuid.uuid4().hex[:8]
        self.workspace_id = cli(url, "workspace", "create", "--name", f"Faults {suffix}", "--plan", "enterprise")["id"]
        self.email = f"owner-{suffix}@faults.test"
        cli(url, "user", "create", "--workspace", self.workspace_id, "--email", self.email, "--name", "Olive Owner",
            "--role", "owner", "--password-stdin", input=PASSWORD + "\n")
        self.database_id = cli(url, "database", "create", "--workspace", self.workspace_id, "--title", "Tasks")["id"]
        app = cli(url, "integration", "create", "--workspace", self.workspace_id, "--name", "Fault App", "--public",
                  "--redirect-uri", REDIRECT_URI, "--expiring")
        self.client_id = app["client_id"]
        self.client_secret = app["client_secret"]

    def tokens(self, integration_id):
        return cli(self.url, "token", "list", "--integration", integration_id)


class ServerError(AssertionError):
    """The server answered 5xx or something no client should ever see."""


def expect(response, *statuses):
    if response.status_code >= 500:
        raise ServerError(f"{response.request.method} {response.request.path_url} -> {response.status_code}: "
                          f"{response.text[:300]}")
    assert response.status_code in statuses, (
        f"{response.request.method} {response.request.path_url} -> {response.status_code}: {response.text[:300]}")
    return response


def hidden_fields(page):
    return [(name, html.unescape(value)) for name, value in HIDDEN_INPUT.findall(page)]


class Console:
    """The web console as the tenant's owner uses it: plain form posts with the session cookie and
    its CSRF token, as a browser sends them."""

    def __init__(self, server, tenant, timeout=30):
        self.server = server
        self.timeout = timeout
        page = requests.get(f"{server.base_url}/console/signin", timeout=timeout)
        csrf = dict(hidden_fields(expect(page, 200).text))["csrf"]
        answer = requests.post(
            f"{server.base_url}/signin",
            data={"csrf": csrf, "next": "/console/integrations", "email": tenant.email, "password": PASSWORD},
            cookies={"gatehouse_signin": page.cookies["gatehouse_signin"]}, allow_redirects=False, timeout=timeout,
        )
        self.cookies = {"gatehouse_session": expect(answer, 303).cookies["gatehouse_session"]}
        listing = requests.get(f"{server.base_url}/console/integrations/new", cookies=self.cookies, timeout=timeout)
        self.csrf = dict(hidden_fields(expect(listing, 200).text))["csrf"]

    def post(self, path, fields):
        return requests.post(f"{self.server.base_url}{path}", data=[("csrf", self.csrf), *fields],
                             cookies=self.cookies, allow_redirects=False, timeout=self.timeout)

    @staticmethod
    def secret(page):
        match = re.search(r'id="secret-value" readonly value="([^"]+)"', page)
        assert match, f"no secret on the page: {page[:300]}"
        return html.unescape(match.group(1))

    def create_integration(self, name):
        """Returns (integration id, token) from the page that shows the token once."""
        page = expect(self.post("/console/integrations", [("name", name), ("kind", "internal"),
                                                          ("capability", "read_content"),
                                                          ("user_info", "no_user_info")]), 200).text
        integration_id = re.search(r'href="/console/integrations/([0-9a-f-]+)" id="continue"', page).group(1)
        return integration_id, self.secret(page)

    def rotate(self, integration_id, grace="0"):
        """A new token; with grace 0 every older one stops working at once."""
        return self.secret(expect(self.post(f"/console/integrations/{integration_id}/rotate", [("grace", grace)]),
                                  200).text)

    def revoke(self, integration_id):
        expect(self.post(f"/console/integrations/{integration_id}/revoke", []), 303)

    def share(self, integration_id, database_id, remove=False):
        return self.post(f"/console/integrations/{integration_id}/share",
                         [("resource", f"database:{database_id}"), ("action", "remove" if remove else "add")])

    def delete(self, integration_id):
        return self.post(f"/console/integrations/{integration_id}/delete", [])


class OAuthApp:
    """The tenant's public app, as its backend and its user's browser use it."""

    def __init__(self, server, tenant, console, timeout=30):
        self.server = server
        self.tenant = tenant
        self.console = console
        self.timeout = timeout

    def authorize(self):
        """The owner consents (sharing the database); returns the code from the redirect."""
        query = urllib.parse.urlencode({"client_id": self.tenant.client_id, "redirect_uri": REDIRECT_URI,
                                        "response_type": "code", "owner": "user", "state": "s"})
        page = requests.get(f"{self.server.base_url}/v1/oauth/authorize?{query}", cookies=self.console.cookies,
                            timeout=self.timeout)
        seen = set()
        fields = [(name, value) for name, value in hidden_fields(expect(page, 200).text)
                  if name != "next" and not (name in seen or seen.add(name))]
        answer = requests.post(
            f"{self.server.base_url}/v1/oauth/authorize",
            data=fields + [("decision", "allow"), ("share", f"database:{self.tenant.database_id}")],
            cookies=self.console.cookies, allow_redirects=False, timeout=self.timeout,
        )
        location = expect(answer, 303).headers["Location"]
        return urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]

    def token_request(self, body, endpoint="token"):
        return requests.post(f"{self.server.base_url}/v1/oauth/{endpoint}", json=body,
                             auth=(self.tenant.client_id, self.tenant.client_secret), timeout=self.timeout)

    def exchange(self, code):
        answer = expect(self.token_request({"grant_type": "authorization_code", "code": code,
                                            "redirect_uri": REDIRECT_URI}), 200).json()
        return answer["access_token"], answer["refresh_token"]

    def refresh(self, refresh_token):
        answer = expect(self.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token}),
                        200).json()
        return answer["access_token"], answer["refresh_token"]

    def revoke(self, token):
        expect(self.token_request({"token": token}, endpoint="revoke"), 200)

    def active(self, token):
        return expect(self.token_request({"token": token}, endpoint="introspect"), 200).json()["active"]


def works(server, token, timeout=30):
    """Whether the API accepts `token` (200) or refuses it (401); anything else fails the test."""
    answer = requests.get(f"{server.base_url}/v1/users/me", headers={"Authorization": f"Bearer {token}", **VERSION},
                          timeout=timeout)
    return expect(answer, 200, 401).status_code == 200
