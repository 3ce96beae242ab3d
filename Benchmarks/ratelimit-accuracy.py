#!/usr/bin/env python3
"""Measures rate-limit accuracy: drive one integration at FACTOR x its plan's rate for DURATION
seconds through N `gatehouse serve` nodes sharing one store, and compare what was admitted with
what the plan allows (rate x duration + burst; and the same bound over every 10 s window).

    python3 Benchmarks/ratelimit-accuracy.py --nodes 2 [--database-url postgres://...] [--plan team]
"""

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

PLANS = {"free": (0.2, 3), "pro": (1.0, 5), "team": (2.0, 10), "enterprise": (5.0, 20)}


def cli(binary, database_url, *args):
    out = subprocess.run([binary, *args, "--json", "--database-url", database_url], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def start_node(binary, database_url):
    process = subprocess.Popen(
        [binary, "serve", "--port", "0", "--no-seed", "--database-url", database_url],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    assert match, line
    return process, match.group(1)


def status_of(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Notion-Version": "2022-06-28"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "gatehouse"))
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--plan", default="team", choices=PLANS)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--factor", type=float, default=2)
    options = parser.parse_args()

    database_url = options.database_url or f"sqlite:{tempfile.mkdtemp()}/accuracy.sqlite"
    workspace = cli(options.binary, database_url, "workspace", "create", "--name", "Accuracy", "--plan", options.plan)
    integration = cli(options.binary, database_url, "integration", "create", "--workspace", workspace["id"], "--name", "Load")
    nodes = [start_node(options.binary, database_url) for _ in range(options.nodes)]
    rate, burst = PLANS[options.plan]
    interval = 1 / (rate * options.factor)
    admitted_at, refused, other = [], 0, 0
    start = time.monotonic()
    sent = 0
    try:
        while (now := time.monotonic() - start) < options.duration:
            target = sent * interval
            if target > now:
                time.sleep(target - now)
            status = status_of(nodes[sent % len(nodes)][1] + "/v1/users/me", integration["token"])
            sent += 1
            if status == 200:
                admitted_at.append(time.monotonic() - start)
            elif status == 429:
                refused += 1
            else:
                other += 1
    finally:
        for process, _ in nodes:
            process.terminate()
            process.wait()
    elapsed = time.monotonic() - start
    allowed = rate * elapsed + burst
    worst_window, window = 0, 10.0
    first = 0
    for last in range(len(admitted_at)):
        while admitted_at[last] - admitted_at[first] > window:
            first += 1
        worst_window = max(worst_window, last - first + 1)
    engine = "postgres" if database_url.startswith("postgres") else "sqlite"
    print(f"| {options.nodes} node(s), {engine} | {options.plan} {rate} req/s burst {burst} | {elapsed:.1f} s at {options.factor}x "
          f"| sent {sent} | admitted {len(admitted_at)} (bound {allowed:.1f}, {100 * len(admitted_at) / allowed:.1f}% of it) "
          f"| worst 10 s window {worst_window} (bound {rate * window + burst:.0f}) | 429s {refused} | other {other} |")


if __name__ == "__main__":
    main()
