#!/usr/bin/env python3
"""HTTP benchmark: builds the release binary, starts `gatehouse serve` on loopback and drives
`GET /healthz` and `GET /v1/users/me` (a valid key) with wrk (Debian's `wrk`), alternating them
for a few rounds in the same run, so their ratio is measured under the same conditions; then
measures the latency of `users/me` at about half of its maximum throughput. Prints a table.

    python3 Benchmarks/http.py [--rounds 3] [--duration 8] [--connections 32] [--threads 2]
                               [--database-url postgres://…] [--skip-build]
                               [--tokens 1000000 --active 1000]

The demo integration's plan is made unlimited by a plans file, so the figure is the cost of
authentication (and the rate-limit bookkeeping), not of refusals.

`--tokens N` fills the store with N live tokens (made here, in the server's format, and written
with SQLite or psql) and `--active K` spreads `users/me` over K of them (a wrk Lua script picks
them in turn), so the cost of a large store and of a cache of K principals shows.
"""

import argparse
import hashlib
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "gatehouse"], cwd=ROOT, check=True)
    path = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    return os.path.join(path, "gatehouse")


def start(binary, database_url, plans, seed=True):
    command = [binary, "serve", "--port", "0", "--database-url", database_url, "--log-level", "error"]
    if plans:
        command += ["--plans-file", plans]
    if not seed:
        command += ["--no-seed"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    banner = ""
    while time.monotonic() - started < 60:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
        if "curl " in line or ("listening on" in line and not seed):
            break
    base = re.search(r"listening on (http://\S+)", banner)
    key = re.search(r"demo key:\s+(secret_\w+)", banner)
    if not base or (seed and not key):
        process.terminate()
        sys.exit(f"unexpected banner:\n{banner}")
    return process, base.group(1), key.group(1) if key else None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def make_token():
    """A fresh internal key in the server's format: prefix, 40 base62 characters, base62 CRC-32."""
    body = "secret_" + "".join(random.choice(BASE62) for _ in range(40))
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
    return {"rps": rps, "latency": latency, "errors": int(non2xx.group(1)) if non2xx else 0}


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def write_scripts(directory, tokens):
    """wrk Lua scripts for `users/me`, full speed and with a 1 ms pause after each response:
    over many tokens in turn when `tokens` is given, otherwise with the headers on the command line."""
    request = ""
    if tokens:
        listing = os.path.join(directory, "tokens.txt")
        with open(listing, "w") as file:
            file.write("\n".join(tokens) + "\n")
        request = f"""
local tokens = {{}}
for line in io.lines("{listing}") do tokens[#tokens + 1] = line end
local index = math.random(#tokens)
request = function()
  index = index % #tokens + 1
  return wrk.format("GET", "/v1/users/me", {{["Authorization"] = "Bearer " .. tokens[index],
                                             ["Notion-Version"] = "2022-06-28"}})
end
"""
    scripts = []
    for name, text in [("full.lua", request), ("paused.lua", request + "function delay() return 1 end\n")]:
        path = os.path.join(directory, name)
        with open(path, "w") as file:
            file.write(text)
        scripts.append(path if text else None)
    return scripts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--tokens", type=int, default=0, help="live tokens to add to the store")
    parser.add_argument("--active", type=int, default=1, help="tokens users/me is spread over")
    args = parser.parse_args()
    binary = os.path.join(ROOT, ".build", "release", "gatehouse") if args.skip_build else build()
    directory = tempfile.mkdtemp(prefix="gatehouse-bench-")
    plans = os.path.join(directory, "plans.json")
    with open(plans, "w") as file:
        json.dump({"pro": {"requests_per_second": 10_000_000, "burst": 10_000_000, "daily_quota": None}}, file)
    database_url = args.database_url or f"sqlite:{directory}/gatehouse.sqlite"
    process, base, key = start(binary, database_url, plans)
    tokens = []
    if args.tokens or args.active > 1:
        made = time.monotonic()
        tokens = populate(database_url, max(args.tokens, args.active), args.active)
        print(f"added {max(args.tokens, args.active):,} tokens in {time.monotonic() - made:.1f} s", file=sys.stderr)
    full, paused = write_scripts(directory, tokens if args.active > 1 else [])
    auth = [] if full else [f"Authorization: Bearer {key}", "Notion-Version: 2022-06-28"]
    rounds = []
    try:
        wrk(f"{base}/healthz", args, connections=4, duration=2)  # warm-up
        rss_before = rss_kib(process.pid)
        for _ in range(args.rounds):
            health = wrk(f"{base}/healthz", args)
            me = wrk(f"{base}/v1/users/me", args, auth, script=full)
            rounds.append((health, me))
        rss_after = rss_kib(process.pid)
        # About half of the maximum: each connection pauses 1 ms after each response, so the
        # rate is set by the number of connections; one correction from the first try.
        target = statistics.median(me["rps"] for _, me in rounds) / 2
        connections = max(1, round(target * 0.0013))
        half = wrk(f"{base}/v1/users/me", args, auth, script=paused, connections=connections)
        connections = max(1, round(connections * target / half["rps"]))
        half = wrk(f"{base}/v1/users/me", args, auth, script=paused, connections=connections)
    finally:
        process.terminate()
        process.wait(timeout=15)
    store = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"\nstore: {store}; tokens in the store: {args.tokens or 1:,}; users/me over {args.active:,} token(s); "
          f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s × {args.rounds} rounds; release build")
    print("| round | /healthz req/s | /v1/users/me req/s | ratio | users/me p50 | p99 | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for index, (health, me) in enumerate(rounds, 1):
        print(f"| {index} | {health['rps']:,.0f} | {me['rps']:,.0f} | {me['rps'] / health['rps']:.1%} "
              f"| {me['latency']['50']:.2f} ms | {me['latency']['99']:.2f} ms | {health['errors'] + me['errors']} |")
    ratio = statistics.median(me["rps"] / health["rps"] for health, me in rounds)
    print(f"\nmedian users/me throughput: {statistics.median(me['rps'] for _, me in rounds):,.0f} req/s; "
          f"median ratio to /healthz: {ratio:.1%}")
    print(f"users/me at about half load: {half['rps']:,.0f} req/s ({connections} connections, 1 ms pause): "
          f"p50 {half['latency']['50']:.2f} ms, p99 {half['latency']['99']:.2f} ms, non-2xx {half['errors']}")
    print(f"server RSS: {rss_before / 1024:.1f} MiB after start-up and warm-up, {rss_after / 1024:.1f} MiB after the rounds")


if __name__ == "__main__":
    main()
