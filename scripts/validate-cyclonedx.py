#!/usr/bin/python3
"""Validates a CycloneDX 1.6 JSON BOM against the official schema (draft-07), with Python's
jsonschema: an implementation Kiln did not write. Usage: validate-cyclonedx.py SCHEMA_DIR BOM.
SCHEMA_DIR holds bom-1.6.schema.json, spdx.schema.json and jsf-0.82.schema.json as the
CycloneDX project publishes them. Prints "valid" or every error, one per line; exit 1 on any."""
import json
import sys
from pathlib import Path

import jsonschema

schemas = Path(sys.argv[1])
bom = json.loads(Path(sys.argv[2]).read_text())
store = {}
for name in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
    s = json.loads((schemas / name).read_text())
    store[s["$id"]] = s
root = store["http://cyclonedx.org/schema/bom-1.6.schema.json"]
resolver = jsonschema.RefResolver(root["$id"], root, store=store)
validator = jsonschema.Draft7Validator(root, resolver=resolver,
                                       format_checker=jsonschema.FormatChecker())
errors = sorted(validator.iter_errors(bom), key=lambda e: list(e.path))
for e in errors:
    print("/".join(str(p) for p in e.path) + ": " + e.message)
if errors:
    sys.exit(1)
print("valid")
