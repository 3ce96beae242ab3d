"""Gatehouse in front of another API, through real nginx and Caddy with the configurations in
docs/forward-auth/: an upstream that echoes what it received, and requests that are allowed,
unauthenticated, revoked, out of scope, over the limit, or carry a forged identity header."""

import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
import requests
from requests_oauthlib import OAuth2Session

from conftest import BINARY, scratch_directory, start_sandbox
from test_oauth import Callback, consent
from test_oauth import browser  # noqa: F401 (a fixture)

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs", "forward-auth")

POLICY = """
scopes:
  - {name: "orders:read", description: "Read your orders"}
  - {name: "orders:write", description: "Change your orders"}
default: deny
routes:
  - {methods: [GET], path: /orders/**, scopes: ["orders:read"]}
  - {methods: [POST, DELETE], path: /orders/:id, scopes: ["orders:write"]}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Upstream:
    """An HTTP server on loopback that records every request it receives and echoes its headers."""

    def __init__(self):
        self.received = []
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                received.append({"method": self.command, "path": self.path, "headers": headers})
                body = json.dumps({"path": self.path, "headers": headers}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def wait_for_port(port, process, log, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log, errors="replace") as file:
                raise AssertionError(f"the proxy exited at start-up: {file.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def configured(name, gatehouse, upstream_port, proxy_port):
    """The documented configuration with its three loopback addresses replaced; `gatehouse` is a
    port, or the path of Gatehouse's Unix socket, written as the file's comment says."""
    with open(os.path.join(DOCS, name)) as file:
        text = file.read()
    if isinstance(gatehouse, str):
        socket_address = f"unix:{gatehouse}" if name == "nginx.conf" else f"unix/{gatehouse}"
        documented_socket = "unix:/run/gatehouse/gatehouse.sock" if name == "nginx.conf" else "unix//run/gatehouse/gatehouse.sock"
        assert documented_socket in text, f"{name} no longer shows the socket address {documented_socket}"
        gatehouse_address = socket_address
    else:
        gatehouse_address = f"127.0.0.1:{gatehouse}"
    for documented, actual in (("127.0.0.1:8080", gatehouse_address), ("127.0.0.1:9000", f"127.0.0.1:{upstream_port}"),
                               ("127.0.0.1:8000", f"127.0.0.1:{proxy_port}")):
        assert documented in text, f"{name} no longer names {documented}"
        text = text.replace(documented, actual)
    return text


def start_proxy(kind, gatehouse, upstream_port):
    """nginx or Caddy (`kind`) with its documented configuration, asking Gatehouse at `gatehouse`
    (a port, or the path of its Unix socket)."""
    directory = scratch_directory(f"gatehouse-{kind}-")
    port = free_port()
    if kind == "nginx":
        assert shutil.which("nginx"), "nginx is not installed (.ci/run installs it)"
        config = os.path.join(directory, "nginx.conf")
        with open(config, "w") as file:
            file.write(configured("nginx.conf", gatehouse, upstream_port, port))
        command = ["nginx", "-e", "stderr", "-p", directory, "-c", config, "-g", "daemon off;"]
        if os.geteuid() == 0:
            command[-1] = "daemon off; user root;"
    else:
        assert shutil.which("caddy"), "caddy is not installed (.ci/run installs it)"
        config = os.path.join(directory, "Caddyfile")
        with open(config, "w") as file:
            file.write(configured("Caddyfile", gatehouse, upstream_port, port))
        command = ["caddy", "run", "--config", config, "--adapter", "caddyfile"]
    environment = dict(os.environ, HOME=directory, XDG_DATA_HOME=directory, XDG_CONFIG_HOME=directory)
    log = open(os.path.join(directory, "proxy.log"), "wb")
    process = subprocess.Popen(command, cwd=directory, env=environment, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, process, os.path.join(directory, "proxy.log"))
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def stack():
    directory = scratch_directory("gatehouse-policy-")
    policy = os.path.join(directory, "policy.yaml")
    with open(policy, "w") as file:
        file.write(POLICY)
    unix_socket = os.path.join(directory, "gatehouse.sock")
    process, sandbox = start_sandbox(
        {"free": {"requests_per_second": 0.05, "burst": 3, "daily_quota": 1000}, "pro": {"requests_per_second": 1000, "burst": 1000}},
        ["--policy-file", policy, "--trusted-proxies", "127.0.0.1", "--unix-socket", unix_socket],
    )
    upstream = Upstream()
    gatehouse_port = int(sandbox.base_url.rsplit(":", 1)[1])
    yield sandbox, upstream, {"tcp": gatehouse_port, "socket": unix_socket}
    upstream.stop()
    process.terminate()
    assert process.wait(timeout=15) == 0
    assert not os.path.exists(unix_socket), "serve left its socket file behind"


@pytest.fixture(params=["nginx", "caddy", "nginx-socket", "caddy-socket"])
def proxied(request, stack):
    """A proxy in front of the echoing upstream, asking Gatehouse over TCP or (`-socket`) over its
    Unix socket."""
    sandbox, upstream, gatehouse = stack
    proxy, _, transport = request.param.partition("-")
    process, base = start_proxy(proxy, gatehouse[transport or "tcp"], upstream.port)
    yield request.param, sandbox, upstream, base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def integration(sandbox, name, scopes, plan="pro"):
    workspace = sandbox.workspace_id
    if plan != "pro":
        workspace = sandbox.cli("workspace", "create", "--name", name, "--plan", plan)["id"]
    created = sandbox.cli("integration", "create", "--workspace", workspace, "--name", name, "--scopes", scopes)
    return created["id"], created["token"]


def bearer(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def test_an_allowed_request_reaches_the_upstream_with_its_identity(proxied):
    kind, sandbox, upstream, base = proxied
    integration_id, token = integration(sandbox, f"reader-{kind}", "orders:read")
    response = requests.get(f"{base}/orders/42?expand=lines", headers=bearer(token), timeout=10)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["path"] == "/orders/42?expand=lines"
    assert seen["headers"]["x-gatehouse-integration-id"] == integration_id
    assert seen["headers"]["x-gatehouse-scopes"] == "orders:read"
    assert seen["headers"]["x-gatehouse-workspace-id"] == sandbox.workspace_id
    assert "authorization" not in seen["headers"], "the token reached the upstream"
    assert response.headers.get("RateLimit"), "the client got no rate-limit headers"


def test_refusals_never_reach_the_upstream_and_carry_the_error_object(proxied):
    kind, sandbox, upstream, base = proxied
    _, token = integration(sandbox, f"narrow-{kind}", "orders:read")
    before = len(upstream.received)

    missing = requests.get(f"{base}/orders/1", timeout=10)
    assert missing.status_code == 401
    assert missing.json()["code"] == "unauthorized"
    assert missing.json()["object"] == "error"

    wrong_scope = requests.delete(f"{base}/orders/1", headers=bearer(token), timeout=10)
    assert wrong_scope.status_code == 403
    assert wrong_scope.json()["code"] == "restricted_resource"
    assert "orders:write" in wrong_scope.json()["message"]

    unnamed = requests.get(f"{base}/admin", headers=bearer(token), timeout=10)
    assert unnamed.status_code == 403

    assert len(upstream.received) == before, "a refused request reached the upstream"


def test_a_revoked_token_is_refused_within_a_second(proxied):
    kind, sandbox, upstream, base = proxied
    integration_id, token = integration(sandbox, f"revoked-{kind}", "orders:read")
    assert requests.get(f"{base}/orders/7", headers=bearer(token), timeout=10).status_code == 200
    sandbox.cli("token", "revoke", "--integration", integration_id)
    started = time.monotonic()
    while True:
        status = requests.get(f"{base}/orders/7", headers=bearer(token), timeout=10).status_code
        if status == 401 or time.monotonic() - started > 3:
            break
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    print(f"{kind}: revocation refused through the proxy after {elapsed * 1000:.0f} ms")
    assert status == 401
    assert elapsed < 1.0


def test_over_the_limit_the_client_gets_429_with_retry_after(proxied):
    kind, sandbox, upstream, base = proxied
    _, token = integration(sandbox, f"busy-{kind}", "orders:read", plan="free")
    statuses = []
    for _ in range(5):
        response = requests.get(f"{base}/orders/9", headers=bearer(token), timeout=10)
        statuses.append(response.status_code)
    assert statuses[:3] == [200, 200, 200], statuses
    assert response.status_code == 429, statuses
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["code"] == "rate_limited"


def test_a_forged_identity_header_never_reaches_the_upstream(proxied):
    kind, sandbox, upstream, base = proxied
    integration_id, token = integration(sandbox, f"honest-{kind}", "orders:read")
    forged = {"X-Gatehouse-Integration-Id": "forged", "X-Gatehouse-Scopes": "orders:write admin", "X-Gatehouse-User-Id": "someone"}
    response = requests.get(f"{base}/orders/3", headers=bearer(token, **forged), timeout=10)
    assert response.status_code == 200, response.text
    headers = response.json()["headers"]
    assert headers["x-gatehouse-integration-id"] == integration_id
    assert headers["x-gatehouse-scopes"] == "orders:read"
    assert headers.get("x-gatehouse-user-id", "") == ""
    # Unauthenticated requests with forged headers are refused before the upstream.
    before = len(upstream.received)
    assert requests.get(f"{base}/orders/3", headers=forged, timeout=10).status_code == 401
    assert len(upstream.received) == before


def test_a_client_cannot_name_its_own_address_through_the_proxy(proxied):
    """The failed-authentication throttle and the audit log count a client by the address the
    proxy saw, whatever `Forwarded` or `X-Forwarded-For` the client sent."""
    kind, sandbox, upstream, base = proxied
    forged = {"Forwarded": "for=203.0.113.9", "X-Forwarded-For": "203.0.113.10"}
    response = requests.get(f"{base}/orders/5", headers=bearer("secret_" + "x" * 43, **forged), timeout=10)
    assert response.status_code == 401
    events = subprocess.run([BINARY, "events", "--json", "--database-url", sandbox.database_url],
                            check=True, capture_output=True, text=True, timeout=60).stdout
    failures = [json.loads(line) for line in events.splitlines() if '"auth.failed"' in line]
    addresses = {event["ip"] for event in failures}
    assert "203.0.113.9" not in addresses and "203.0.113.10" not in addresses, f"{kind}: a forged address was believed"
    assert "127.0.0.1" in addresses


@pytest.fixture(scope="module")
def callback():
    server = Callback()
    yield server
    server.server.shutdown()


def test_requests_oauthlib_asks_for_a_scope_and_nginx_enforces_what_was_granted(stack, callback, browser, monkeypatch):
    """RFC 6749 §3.3 with a real client: requests-oauthlib raises if the token response's scope
    differs from what it asked for, so the grant must state exactly the narrowed scope."""
    sandbox, upstream, gatehouse = stack
    gatehouse_port = gatehouse["tcp"]
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http in the sandbox
    app = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", "Compat App", "--public",
        "--redirect-uri", callback.uri, "--expiring", "--scopes", "orders:read,orders:write",
    )
    session = OAuth2Session(app["client_id"], redirect_uri=callback.uri, pkce="S256", scope=["orders:read"])
    url, _ = session.authorization_url(f"{sandbox.base_url}/v1/oauth/authorize", owner="user")
    returned = consent(browser, sandbox, callback, url, scopes=["orders:read", "Read your orders"])
    token = session.fetch_token(
        f"{sandbox.base_url}/v1/oauth/token", authorization_response=returned, client_secret=app["client_secret"]
    )
    assert token["scope"] == ["orders:read"]

    process, base = start_proxy("nginx", gatehouse_port, upstream.port)
    try:
        read = requests.get(f"{base}/orders/9", headers=bearer(token["access_token"]), timeout=10)
        assert read.status_code == 200, read.text
        assert read.json()["headers"]["x-gatehouse-scopes"] == "orders:read"
        before = len(upstream.received)
        write = requests.delete(f"{base}/orders/9", headers=bearer(token["access_token"]), timeout=10)
        assert write.status_code == 403
        assert len(upstream.received) == before, "a request outside the granted scope reached the upstream"

        refreshed = session.refresh_token(
            f"{sandbox.base_url}/v1/oauth/token", client_id=app["client_id"], client_secret=app["client_secret"]
        )
        assert refreshed["scope"] == ["orders:read"]
        again = requests.get(f"{base}/orders/9", headers=bearer(refreshed["access_token"]), timeout=10)
        assert again.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)

    widened = requests.post(
        f"{sandbox.base_url}/v1/oauth/token",
        auth=(app["client_id"], app["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"], "scope": "orders:write"},
        timeout=10,
    )
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope"


def test_pipelined_checks_are_answered_in_order_on_one_connection(stack):
    """Checks answered from memory and requests the router answers, sent back to back on one
    connection, come back in the order they were sent."""
    sandbox, _, gatehouse = stack
    gatehouse_port = gatehouse["tcp"]
    # A workspace of its own: changes other tests make to theirs never evict this token's cache.
    workspace = sandbox.cli("workspace", "create", "--name", "pipelined", "--plan", "pro")["id"]
    token = sandbox.cli("integration", "create", "--workspace", workspace, "--name", "pipelined",
                        "--scopes", "orders:read")["token"]
    check = (f"GET /forward-auth HTTP/1.1\r\nHost: gatehouse\r\nAuthorization: Bearer {token}\r\n"
             "X-Forwarded-Method: GET\r\nX-Forwarded-Uri: /orders/7\r\n\r\n")
    refused = check.replace("X-Forwarded-Method: GET", "X-Forwarded-Method: DELETE")
    health = "GET /healthz HTTP/1.1\r\nHost: gatehouse\r\n\r\n"
    expected = {check: (200, "200"), refused: (403, "403"), health: (200, "health")}
    with socket.create_connection(("127.0.0.1", gatehouse_port), timeout=10) as connection:
        reader = connection.makefile("rb")

        def exchange(sequence):
            connection.sendall("".join(sequence).encode())
            answers = []
            for _ in sequence:
                status = int(reader.readline().split()[1])
                headers = {}
                while (line := reader.readline().decode().strip()):
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
                body = reader.read(int(headers.get("content-length", "0")))
                answers.append((status, "health" if b'"status":"ok"' in body else headers.get("x-gatehouse-status")))
            assert answers == [expected[request] for request in sequence]

        # The token's first checks go to the store; then it is cached. Answered from memory until
        # the first request the router must answer (refusals by the policy need no rate-limit
        # lease); everything after it waits its turn behind it. A token read from the store is not
        # cached if the change feed evicted anything meanwhile (its own creation comes through the
        # feed up to an interval later), so a few tries are allowed for the cache to be warm; the
        # order must hold in every one.
        for _ in range(5):
            exchange([check])
            exchange([check])
            before = answered_from_memory(gatehouse_port)
            exchange([refused, refused, check, health, check, refused, health, health, check])
            if answered_from_memory(gatehouse_port) >= before + 2:
                break
        else:
            raise AssertionError("no check was answered ahead of the router")


def answered_from_memory(port):
    """gatehouse_answered_from_memory_total for /forward-auth, from the server's /metrics."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith('gatehouse_answered_from_memory_total{route="/forward-auth"} '):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
