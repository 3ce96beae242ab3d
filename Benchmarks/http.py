#!/usr/bin/env python3
"""HTTP benchmark: builds the release binary, starts `gatehouse serve` on loopback and drives
`GET /healthz` and `GET /v1/users/me` (a valid key) with wrk (Debian's `wrk`), in the same run, so
the ratio between them is measured under the same conditions. Prints a table.

    python3 Benchmarks/http.py [--duration 10] [--connections 32] [--threads 2]
                               [--database-url postgres://…] [--skip-build]

The demo integration's plan is made unlimited by a plans file, so the figure is the cost of
authentication (and the rate-limit bookkeeping), not of refusals.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "gatehouse"], cwd=ROOT, check=True)
    path = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    return os.path.join(path, "gatehouse")


def start(binary, database_url, plans):
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--database-url", database_url, "--plans-file", plans, "--log-level", "error"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    banner = ""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
        if "curl " in line or ("listening on" in line and "--no-seed" in process.args):
            break
    base = re.search(r"listening on (http://\S+)", banner)
    key = re.search(r"demo key:\s+(secret_\w+)", banner)
    if not (base and key):
        process.terminate()
        sys.exit(f"unexpected banner:\n{banner}")
    return process, base.group(1), key.group(1)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, args, headers=()):
    command = ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.duration}s"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, latency, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    binary = os.path.join(ROOT, ".build", "release", "gatehouse") if args.skip_build else build()
    directory = tempfile.mkdtemp(prefix="gatehouse-bench-")
    plans = os.path.join(directory, "plans.json")
    with open(plans, "w") as file:
        json.dump({"pro": {"requests_per_second": 10_000_000, "burst": 10_000_000, "daily_quota": None}}, file)
    database_url = args.database_url or f"sqlite:{directory}/gatehouse.sqlite"
    process, base, key = start(binary, database_url, plans)
    try:
        auth = [f"Authorization: Bearer {key}", "Notion-Version: 2022-06-28"]
        wrk(f"{base}/healthz", argparse.Namespace(threads=1, connections=4, duration=2))  # warm-up
        health = wrk(f"{base}/healthz", args)
        me = wrk(f"{base}/v1/users/me", args, auth)
        rss = rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)
    store = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"\nstore: {store}; wrk -t{args.threads} -c{args.connections} -d{args.duration}s; release build")
    print(f"| endpoint | req/s | p50 | p90 | p99 | non-2xx |")
    print(f"|---|---|---|---|---|---|")
    for name, (rps, latency, errors) in [("GET /healthz", health), ("GET /v1/users/me", me)]:
        print(f"| {name} | {rps:,.0f} | {latency.get('50')} | {latency.get('90')} | {latency.get('99')} | {errors} |")
    print(f"\nauthenticated / healthz throughput: {me[0] / health[0]:.1%}; server RSS after the run: {rss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
