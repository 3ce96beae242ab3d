"""What the benchmark scripts share: building the release binary, starting `gatehouse serve`,
making tokens in the server's format, filling the store, and running wrk."""

import atexit
import base64
import hashlib
import json
import os
import random
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def scratch_directory(prefix):
    """A new temporary folder for a run's store and scripts, removed when the script exits."""
    directory = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "gatehouse"], cwd=ROOT, check=True)
    path = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    return os.path.join(path, "gatehouse")


def start(binary, database_url, plans, log_level="error", extra=()):
    """Starts `serve` on a new store with the sandbox; returns the process, its URL and the demo key.

    At `error` (the default here) the server logs nothing per request; at `info`, its own default,
    it writes a line per request to standard error (sent to /dev/null here)."""
    command = [binary, "serve", "--port", "0", "--database-url", database_url, "--log-level", log_level, "--seed"]
    if plans:
        command += ["--plans-file", plans]
    command += list(extra)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    received = b""
    # The banner ends with a curl line when the sandbox is seeded; a store that already holds
    # data prints only the listening line, so once that is out the rest is awaited briefly.
    # Read unbuffered: a buffered reader could hold lines that select() no longer sees.
    while time.monotonic() - started < 60 and b"curl " not in received:
        ready, _, _ = select.select([process.stdout], [], [], 5 if b"listening on" in received else 60)
        chunk = os.read(process.stdout.fileno(), 65536) if ready else b""
        if not chunk:
            break
        received += chunk
    banner = received.decode(errors="replace")
    base = re.search(r"listening on (http://\S+)", banner)
    key = re.search(r"demo key:\s+(secret_\w+)", banner)
    if not (base and key):
        process.terminate()
        if base:
            sys.exit("gatehouse serve seeded no sandbox: the benchmarks need a new, empty store "
                     "(for PostgreSQL, a new database)")
        sys.exit("unexpected banner from gatehouse serve (not shown: it holds the demo key)")
    return process, base.group(1), key.group(1)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid, ended_children=False):
    """User and system CPU time the process has used, in seconds; with `ended_children`, also
    that of its children that have ended (and been waited for)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if ended_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds():
    """CPU time used so far by the processes of the `postgres` user on this machine (a local
    PostgreSQL shares the cores with the server and wrk); 0 where there is none. A backend or
    autovacuum worker that ends is counted on in its parent's time for ended children, so the
    total only grows while processes come and go."""
    listed = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout.split()
    total = 0.0
    for pid in listed:
        try:
            total += cpu_seconds(int(pid), ended_children=True)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass  # ended since it was listed
    return total


def make_token(prefix="secret_"):
    """A fresh token in the server's format: prefix, 40 base62 characters, base62 CRC-32."""
    body = prefix + "".join(random.choices(BASE62, k=40))
    crc = zlib.crc32(body.encode())
    checksum = ""
    for _ in range(6):
        checksum = BASE62[crc % 62] + checksum
        crc //= 62
    return body + checksum


def populate(database_url, count, keep):
    """Adds `count` live tokens of the demo integration; returns `keep` of their secrets."""
    rows, kept = [], []
    now = int(time.time() * 1000)
    for index in range(count):
        token = make_token()
        if index < keep:
            kept.append(token)
        rows.append((str(uuid.uuid4()), hashlib.sha256(token.encode()).hexdigest(), "secret_…" + token[-4:], now))
    if database_url.startswith("sqlite:"):
        connection = sqlite3.connect(database_url[len("sqlite:"):], timeout=30)
        (integration,) = connection.execute("SELECT id FROM integrations WHERE name = 'Demo integration'").fetchone()
        connection.executemany(
            "INSERT INTO tokens (id, integration_id, kind, hash, display_hint, created_at) VALUES (?, ?, 'secret', ?, ?, ?)",
            [(row[0], integration, row[1], row[2], row[3]) for row in rows],
        )
        connection.commit()
        connection.close()
    else:
        psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url]
        integration = subprocess.run(
            psql + ["-At", "-c", "SELECT id FROM integrations WHERE name = 'Demo integration'"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        copy = "\\copy tokens (id, integration_id, kind, hash, display_hint, created_at) FROM STDIN"
        data = "".join(f"{row[0]}\t{integration}\tsecret\t{row[1]}\t{row[2]}\t{row[3]}\n" for row in rows)
        subprocess.run(psql + ["-c", copy], input=data, check=True, text=True)
    return kept


def wrk(url, args, headers=(), script=None, connections=None, duration=None):
    connections = connections or args.connections
    command = ["wrk", "--latency", "-t", str(min(args.threads, connections)), "-c", str(connections),
               "-d", f"{duration or args.duration}s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: to_ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "latency": latency, "errors": int(non2xx.group(1)) if non2xx else 0, "requests": requests}


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# OAuth fixtures: a public integration of the sandbox and codes as the consent page issues them.
REDIRECT = "http://127.0.0.1:9/callback"


def cli(binary, database_url, *args):
    out = subprocess.run([binary, *args, "--json", "--database-url", database_url],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cli_with_input(binary, database_url, text, *args):
    """As `cli`, with `text` on standard input (tokens are never arguments)."""
    out = subprocess.run([binary, *args, "--json", "--database-url", database_url],
                         check=True, capture_output=True, text=True, input=text)
    return json.loads(out.stdout)


def sandbox_owner(database_url):
    """The seeded sandbox owner's user id and workspace id."""
    query = "SELECT id, workspace_id FROM users WHERE email = 'owner@sandbox.test'"
    if database_url.startswith("sqlite:"):
        connection = sqlite3.connect(database_url[len("sqlite:"):], timeout=30)
        row = connection.execute(query).fetchone()
        connection.close()
        return row
    return tuple(subprocess.run(["psql", "-At", "-F", " ", database_url, "-c", query],
                                check=True, capture_output=True, text=True).stdout.split())


def insert_codes(database_url, app_id, count):
    now = int(time.time() * 1000)
    codes = [make_token("nac_") for _ in range(count)]
    user_id, workspace_id = sandbox_owner(database_url)
    if database_url.startswith("sqlite:"):
        connection = sqlite3.connect(database_url[len("sqlite:"):], timeout=30)
        connection.executemany(
            "INSERT INTO oauth_codes (id, hash, integration_id, user_id, workspace_id, owner_type, redirect_uri,"
            " code_challenge, resources, created_at, expires_at) VALUES (?, ?, ?, ?, ?, 'user', ?, NULL, '', ?, ?)",
            [(str(uuid.uuid4()), hashlib.sha256(code.encode()).hexdigest(), app_id, user_id, workspace_id,
              REDIRECT, now, now + 3_600_000) for code in codes],
        )
        connection.commit()
        connection.close()
    else:
        psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url]
        data = "".join(
            f"{uuid.uuid4()}\t{hashlib.sha256(code.encode()).hexdigest()}\t{app_id}\t{user_id}\t{workspace_id}\tuser\t"
            f"{REDIRECT}\t\\N\t\t{now}\t{now + 3_600_000}\n" for code in codes)
        copy = ("\\copy oauth_codes (id, hash, integration_id, user_id, workspace_id, owner_type, redirect_uri,"
                " code_challenge, resources, created_at, expires_at) FROM STDIN")
        subprocess.run(psql + ["-c", copy], input=data, check=True, text=True)
    return codes


def post(url, basic, form):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"Authorization": f"Basic {basic}",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def oauth_client(binary, database_url, base):
    """A new public integration of the sandbox, with one code exchanged for a bot token; returns
    the HTTP Basic credentials (base64) and the bot token."""
    _, workspace_id = sandbox_owner(database_url)
    app = cli(binary, database_url, "integration", "create", "--workspace", workspace_id, "--name", "Bench App",
              "--public", "--redirect-uri", REDIRECT)
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    (code,) = insert_codes(database_url, app["id"], 1)
    token = post(f"{base}/v1/oauth/token", basic, {"grant_type": "authorization_code", "code": code,
                                                    "redirect_uri": REDIRECT})["access_token"]
    return app, basic, token
