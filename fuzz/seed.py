#!/usr/bin/env python3
"""Writes the seed corpora (fuzz/corpus/<target>/) from the recorded service responses
(tests/fixtures/stoa/*.json bodies) and a few hand-written files. Existing corpus files
(what earlier runs found) are kept."""

import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)


def main():
    bodies = []
    for path in sorted((ROOT / "tests" / "fixtures" / "stoa").glob("*.json")):
        record = json.loads(path.read_text())
        body = record.get("body") if isinstance(record, dict) else None
        if body is not None:
            bodies.append(body)
    for body in bodies:
        raw = json.dumps(body, indent=1)
        add("decode_pages", raw)
        add("decode_objects", raw)
        for text in strings(body):
            if any(c.isdigit() for c in text) and "-" in text and ":" in text:
                add("timestamp", text)
            if len(text) < 64:
                add("stage_name", text)
            add("sanitize", text)
    for name in ["dev", "development", "staging", "stage", "prod", "production", "qa-1", " Prod "]:
        add("stage_name", name)
    for text in ["\x1b[31mred\x1b[0m", "a\x1b]8;;http://x\x07link\x1b]8;;\x07", "\u202eevil", "\x9b2J", "tab\there\r\nnext"]:
        add("sanitize", text)
    for ts in ["2026-11-23T07:36:29Z", "2026-11-23T07:36:29.421+00:00", "2026-11-23 07:36:29.42", "2026-11-23 07:36:29.42+00:00"]:
        add("timestamp", ts)
    add("config_toml", """current_context = "team"

[client]
timeout_secs = 10

[tighten]
staging = "read-only"
production = "promote-only"

[[context]]
name = "team"
server = "https://cp.example.test"
tenant = "acme"
identity_provider = "https://auth.example.test"
realm = "stoa"
client_id = "stoactl"
stage_endpoints = false
""")
    add("config_toml", "[[context]]\nname = \"a\"\nserver = \"http://127.0.0.1:1\"\ntenant = \"t\"\n")
    add("state_file", json.dumps({"version": 1, "control_planes": {
        "http://127.0.0.1:8000/acme": {"stage": "staging", "view": "apis"}}}))
    add("state_file", "{}")
    add("token_file", json.dumps({"version": 1, "contexts": {
        "default": {"access_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "refresh_token": "r-123456",
                    "expires_at": "2026-11-23T07:36:29Z"}}}))
    add("token_file", json.dumps({"version": 1, "contexts": {"prod": {"access_token": "abcdefgh"}}}))
    count = sum(1 for _ in CORPUS.rglob("seed-*"))
    print(f"{count} seed files under {CORPUS}", file=sys.stderr)


if __name__ == "__main__":
    main()
