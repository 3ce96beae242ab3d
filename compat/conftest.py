"""Starts the built `gatehouse serve` on a new SQLite store for the compatibility suite."""

import atexit
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

BINARY = os.environ.get("GATEHOUSE_BINARY", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "gatehouse"))


def scratch_directory(prefix):
    """A new temporary folder, removed when this Python process exits (after its servers stop)."""
    directory = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@dataclass
class Sandbox:
    base_url: str
    key: str
    workspace_id: str
    database_url: str
    owner_email: str
    owner_password: str

    def cli_with_input(self, *args: str, input: str) -> dict:
        """As `cli`, feeding `input` on standard input (passwords are never arguments)."""
        out = subprocess.run(
            [BINARY, *args, "--json", "--database-url", self.database_url],
            check=True, capture_output=True, text=True, timeout=60, input=input,
        )
        return json.loads(out.stdout)

    def cli(self, *args: str) -> dict:
        """Runs an admin command against the same store and returns its JSON output."""
        out = subprocess.run(
            [BINARY, *args, "--json", "--database-url", self.database_url],
            check=True, capture_output=True, text=True, timeout=60,
        )
        return json.loads(out.stdout)


def start_sandbox(plans_json, extra_arguments=()):
    """Starts `gatehouse serve` on a new SQLite store with the given plans file contents;
    returns the process and what its banner announced."""
    directory = scratch_directory("gatehouse-compat-")
    database_url = f"sqlite:{directory}/gatehouse.sqlite"
    plans = os.path.join(directory, "plans.json")
    with open(plans, "w") as file:
        json.dump(plans_json, file)
    process = subprocess.Popen(
        [BINARY, "serve", "--port", "0", "--database-url", database_url, "--plans-file", plans, *extra_arguments],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "curl " in line:
            break
    banner = "".join(lines)
    base = re.search(r"listening on (http://\S+)", banner)
    key = re.search(r"demo key:\s+(secret_\w+)", banner)
    workspace = re.search(r"Seeded a sandbox workspace \"[^\"]*\" \(([0-9a-f-]+)\)", banner)
    owner = re.search(r"owner sign-in:\s+(\S+) / (\S+)", banner)
    assert base and key and workspace and owner, f"unexpected banner:\n{banner}"
    return process, Sandbox(base.group(1), key.group(1), workspace.group(1), database_url, owner.group(1), owner.group(2))


# The free plan made quicker than the seed's 0.2 req/s, so the retry test takes seconds, not
# minutes; the sandbox's pro plan made roomy, so the other tests never meet a limit.
ROOMY_PLANS = {
    "free": {"requests_per_second": 1, "burst": 2, "daily_quota": 1000},
    "pro": {"requests_per_second": 1000, "burst": 1000},
}


def serve_sandbox():
    """A generator for fixtures: a sandbox on its own store, stopped cleanly afterwards."""
    process, sandbox = start_sandbox(ROOMY_PLANS)
    yield sandbox
    process.terminate()
    assert process.wait(timeout=15) == 0


@pytest.fixture(scope="session")
def sandbox():
    yield from serve_sandbox()
