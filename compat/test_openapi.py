"""The OpenAPI document: what /v1/openapi.json serves is docs/openapi.yaml, and it is a valid
OpenAPI 3.1 document (openapi-spec-validator)."""

import json
import os
import urllib.request

import yaml
from openapi_spec_validator import validate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_served_document_is_docs_openapi_yaml_and_valid(sandbox):
    with urllib.request.urlopen(f"{sandbox.base_url}/v1/openapi.json") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        served = json.load(response)
    with open(os.path.join(ROOT, "docs", "openapi.yaml")) as file:
        written = yaml.safe_load(file)
    assert served == written
    assert served["openapi"] == "3.1.0"
    validate(served)
