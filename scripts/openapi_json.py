#!/usr/bin/env python3
"""Turns an OpenAPI document written in YAML (docs/openapi.yaml) into JSON, at build time.

Usage: openapi_json.py <in.yaml> <out.json> [<out.cpp> <namespace>]

Writes the JSON (compact, keys in the document's order) and, when asked, a C++ source defining
`std::string_view <namespace>::OpenApiJson()` with that JSON embedded, so the gateway serves it
without reading files at run time. Fails (exit 1, a message naming the problem) on YAML errors,
on a document that is not OpenAPI 3.1, and on a local $ref that names nothing.
"""
import json
import sys

import yaml


def fail(message):
    print(f"openapi_json.py: {message}", file=sys.stderr)
    sys.exit(1)


def resolve(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def check_refs(doc, node, where):
    if isinstance(node, dict):
        for key, value in node.items():
            # `{description: a, b}` in a flow mapping makes "b" a key without a value.
            if value is None:
                fail(f"{where}/{key}: no value (an unquoted comma in a flow mapping?)")
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/"):
                fail(f"{where}: only local references are allowed, not {ref}")
            if not resolve(doc, ref):
                fail(f"{where}: $ref {ref} names nothing")
        for key, value in node.items():
            check_refs(doc, value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            check_refs(doc, value, f"{where}/{i}")


def main(argv):
    if len(argv) not in (3, 5):
        fail("usage: openapi_json.py <in.yaml> <out.json> [<out.cpp> <namespace>]")
    try:
        with open(argv[1], encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        fail(f"{argv[1]}: {e}")
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1."):
        fail(f"{argv[1]}: not an OpenAPI 3.1 document (openapi: 3.1.x)")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        fail(f"{argv[1]}: no paths")
    check_refs(doc, doc, "#")
    # Status codes written unquoted are integers in YAML; JSON keys are strings either way.
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str)
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(text + "\n")
    if len(argv) == 5:
        delimiter = "openapi_json"
        if f"){delimiter}\"" in text:
            fail("the document contains the raw string delimiter")
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write(
                f"// Generated from {argv[1]} by scripts/openapi_json.py; edit the YAML instead.\n"
                "#include <string_view>\n"
                f"namespace {argv[4]} {{\n"
                "std::string_view OpenApiJson() {\n"
                f"    static constexpr std::string_view kJson = R\"{delimiter}({text}){delimiter}\";\n"
                "    return kJson;\n"
                "}\n"
                f"}}  // namespace {argv[4]}\n")


if __name__ == "__main__":
    main(sys.argv)
