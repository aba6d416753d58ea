#!/usr/bin/env python3
"""Record responses from a STOA-compatible control plane into tests/fixtures/stoa/.

    scripts/record-stoa.py --url http://127.0.0.1:8098 --token-cmd '/path/token.py {user} {role} {tenant}'

Each file is {"request": {"method","path","body"}, "status", "headers", "body"}, the shape the
client's replay tests read. Writes change the control plane (a promotion is created, approved,
rolled back): point it at a throw-away instance (../shared/tools/stoa-live, STOA_FRESH=1), never
at a shared one. `--ack-cmd` plays the gateways' acknowledgement (stoa-live's pipeline.py).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "stoa")
USERS = {
    "tess": ("tenant-admin", "acme"),
    "dave": ("devops", "acme"),
    "dora": ("devops", "acme"),
    "vic": ("viewer", "acme"),
}


class Recorder:
    def __init__(self, url, token_cmd):
        self.url = url.rstrip("/")
        self.token_cmd = token_cmd
        self.tokens = {}

    def token(self, user):
        if user not in self.tokens:
            role, tenant = USERS[user]
            cmd = self.token_cmd.format(user=user, role=role, tenant=tenant)
            self.tokens[user] = subprocess.check_output(shlex.split(cmd), text=True).strip()
        return self.tokens[user]

    def call(self, user, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token(user))
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, headers, raw = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, headers, raw = e.code, e.headers, e.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        kept = {"content-type": headers.get("content-type")}
        if headers.get("retry-after"):
            kept["retry-after"] = headers.get("retry-after")
        return {"request": {"method": method, "path": path, "body": body},
                "status": status, "headers": kept, "body": parsed}

    def record(self, name, user, method, path, body=None, expect=None):
        rec = self.call(user, method, path, body)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(rec, f, indent=2)
            f.write("\n")
        print(f"{rec['status']} {name}", file=sys.stderr)
        if expect is not None and rec["status"] != expect:
            sys.exit(f"{name}: expected {expect}, got {rec['status']}: {rec['body']}")
        return rec["body"]


def subscriptions_only(r):
    for env in ["dev", "development", "staging", "stage", "production", "prod"]:
        r.record(f"get_subscriptions-tenant_ok_env-{env}", "dave", "GET",
                 f"/v1/subscriptions/tenant/acme?environment={env}&page_size=100", expect=200)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--token-cmd", required=True)
    p.add_argument("--ack-cmd", help="command that acknowledges a promotion's gateways, {id} replaced")
    a = p.parse_args()
    r = Recorder(a.url, a.token_cmd)
    t = "/v1/tenants/acme"

    # Reads every role needs, and the admin lists devops may not read.
    r.record("get_admin-deployments_ok_tenant-admin", "tess", "GET", "/v1/admin/deployments?page_size=100", expect=200)
    synced = r.record("get_admin-deployments_ok_env-dev_synced", "tess", "GET",
                      "/v1/admin/deployments?environment=dev&sync_status=synced&page_size=100", expect=200)
    r.record("get_admin-deployments_403_devops", "dave", "GET", "/v1/admin/deployments?page_size=100", expect=403)
    gateways = r.record("get_admin-gateways_ok_tenant-admin", "tess", "GET", "/v1/admin/gateways?page_size=100",
                        expect=200)
    r.record("get_admin-gateways_ok_tenant-acme_env-staging", "tess", "GET",
             "/v1/admin/gateways?environment=staging&tenant_id=acme&page_size=100", expect=200)
    r.record("get_admin-gateways_403_devops", "dave", "GET", "/v1/admin/gateways?page_size=100", expect=403)
    r.record("get_apis_ok_catalog", "dave", "GET", t + "/apis?page_size=100", expect=200)
    r.record("get_apis_ok_catalog_env-dev", "dave", "GET", t + "/apis?environment=dev&page_size=100", expect=200)
    r.record("get_apis_ok_catalog_env-prod", "dave", "GET", t + "/apis?environment=prod&page_size=100", expect=200)
    r.record("get_subscriptions-tenant_ok_all", "dave", "GET", "/v1/subscriptions/tenant/acme?page_size=100",
             expect=200)
    # The real service never returns a subscription's stage: one recording per spelling.
    for env in ["dev", "development", "staging", "stage", "production", "prod"]:
        r.record(f"get_subscriptions-tenant_ok_env-{env}", "dave", "GET",
                 f"/v1/subscriptions/tenant/acme?environment={env}&page_size=100", expect=200)
    r.record("get_audit_ok_promotion-events", "tess", "GET", "/v1/audit/acme?page_size=100", expect=200)
    promotions = r.record("get_promotions_ok_live", "dave", "GET", t + "/promotions?page_size=100", expect=200)
    pending = next(p for p in promotions["items"] if p["status"] == "pending")
    r.record("get_promotion-diff_ok_devops", "dave", "GET", f"{t}/promotions/{pending['id']}/diff", expect=200)

    # Create: refused targets, then shipping dev → staging as the web console would send it.
    by_name = {g["name"]: g for g in gateways["items"]}
    source = next(d for d in synced["items"] if d["desired_state"].get("api_id") == "shipping")
    body = {"source_deployment_id": source["id"], "source_environment": "dev", "target_environment": "staging",
            "message": "ship the new rates"}
    r.record("post_promotions_400_other_tenant_gateway", "tess", "POST", t + "/promotions/shipping",
             dict(body, target_gateway_ids=[by_name["globex-stoa-staging"]["id"]]), expect=400)
    staged = r.call("tess", "GET", "/v1/admin/deployments?environment=staging&sync_status=synced&page_size=100")
    payments = next(d for d in staged["body"]["items"] if d["desired_state"].get("api_id") == "payments")
    r.record("post_promotions_400_family_mismatch", "tess", "POST", t + "/promotions/payments",
             {"source_deployment_id": payments["id"], "source_environment": "staging",
              "target_environment": "production", "message": "to the webMethods gateway",
              "target_gateway_ids": [by_name["webmethods-prod"]["id"]]}, expect=400)
    created = r.record("post_promotions_created_shipping", "tess", "POST", t + "/promotions/shipping",
                       dict(body, target_gateway_ids=[by_name["acme-stoa-staging"]["id"]]), expect=201)
    pid = created["id"]
    r.record("post_promotion-approve_ok_devops", "dora", "POST", f"{t}/promotions/{pid}/approve",
             {"reviewed_spec_hash": "sha256:unknown-to-the-real-service"}, expect=200)
    r.record("post_promotion-complete_400_not_synced", "tess", "POST", f"{t}/promotions/{pid}/complete")
    if a.ack_cmd:
        subprocess.check_call(shlex.split(a.ack_cmd.format(id=pid)))
        time.sleep(1)
        r.record("get_promotion_ok_promoted_by_gateways", "tess", "GET", f"{t}/promotions/{pid}", expect=200)
        r.record("post_promotion-complete_400_already_promoted", "tess", "POST", f"{t}/promotions/{pid}/complete")
        reverse = r.record("post_promotion-rollback_created_reverse", "tess", "POST",
                           f"{t}/promotions/{pid}/rollback", {"message": "rates were wrong"}, expect=201)
        r.record("get_promotion_ok_reverse_promoting", "tess", "GET", f"{t}/promotions/{reverse['id']}", expect=200)
        r.record("get_audit_ok_after_flow", "tess", "GET", "/v1/audit/acme?page_size=100", expect=200)


if __name__ == "__main__":
    main()
