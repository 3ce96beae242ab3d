"""Property-based fuzzing of the whole API with schemathesis, driven by docs/openapi.yaml (as
served at /v1/openapi.json), against a server of its own: once with the demo integration's key,
once with no credentials. Every generated request must get a response that is not a 5xx and that
conforms to the document (status code, content type, headers, body schema). The run is seeded,
so a failure reproduces; the counts are printed."""

import os
import re
import subprocess
import sys

import pytest

from conftest import start_sandbox

SEED = 20261125
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


@pytest.fixture(scope="module")
def target():
    roomy = {"requests_per_second": 100000, "burst": 100000, "daily_quota": None}
    process, sandbox = start_sandbox({plan: roomy for plan in ["free", "pro", "team", "enterprise"]})
    yield sandbox
    process.terminate()
    # A clean exit after the whole run: the server survived every request.
    assert process.wait(timeout=15) == 0


def schemathesis(target, *headers):
    binary = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    command = [binary, "run", f"{target.base_url}/v1/openapi.json", "--url", target.base_url,
               "--checks", CHECKS, "--seed", str(SEED), "--max-examples", "30", "--workers", "1"]
    for header in headers:
        command += ["-H", header]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "NO_COLOR": "1"})
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    operations = re.search(r"Tested: (\d+)", result.stdout)
    return result, int(counts.group(1)) if counts else 0, int(operations.group(1)) if operations else 0


@pytest.mark.parametrize("credentials", ["with the demo key", "without credentials"])
def test_every_generated_request_gets_a_conforming_non_5xx_response(target, credentials, capsys):
    headers = [f"Authorization: Bearer {target.key}"] if credentials == "with the demo key" else []
    result, generated, operations = schemathesis(target, *headers)
    summary = [line for line in result.stdout.splitlines()
               if re.search(r"generated|Tested:|Seed:|failed|Failures|passed", line)]
    with capsys.disabled():
        print(f"\nschemathesis {credentials}, seed {SEED}: {generated} requests generated, "
              f"{operations} operations tested")
    assert result.returncode == 0, result.stdout[-6000:]
    assert operations >= 38, summary
    assert generated >= 2000, summary
