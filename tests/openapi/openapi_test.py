#!/usr/bin/env python3
"""Keeps docs/openapi.json true (docs/protocol.md, issue 9). Standard library and Debian's
python3-jsonschema (4.10) only.

  openapi_test.py document  DOC ROUTES_HPP
      The document is a structurally valid OpenAPI 3.1 document and lists every endpoint of
      include/aikom/protocol/routes.hpp's `endpoint` enum (read from its `///< METHODS /path`
      comments, so a new endpoint without an OpenAPI entry fails here).

  openapi_test.py responses DOC SANDBOX
      Starts the aikom-sandbox binary on port 0 with a throwaway database, drives every endpoint
      over TLS (trusting only the CA the sandbox writes), and validates every response against
      the document: its status must be listed for the path template and method, its body must
      validate against the schema of its Content-Type, its required headers must be present and
      match their schemas. Each endpoint is one named step; the summary lists which pass.

  openapi_test.py captured  DOC DIR
      Validates the same way every response the C++ integration tests received through their
      TLS test client (tests/support/tls_client.cpp appends each exchange to
      DIR/responses-<pid>.ndjson when AIKOM_CAPTURE_RESPONSES=DIR is set).

The `document` check is structural: it is NOT the official OpenAPI 3.1 meta-schema (that schema
is not packaged in Debian 12 and the test downloads nothing). It checks what a client generator
relies on: the version, unique operationIds, declared path parameters, resolvable $refs, every
schema a valid Draft 2020-12 schema, responses on every operation.
"""

import base64
import copy
import datetime
import http.client
import glob
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

import jsonschema

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# ---- the document ------------------------------------------------------------------------------

def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise KeyError("only local references are used: " + ref)
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def deref(doc, node):
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
        seen += 1
        if seen > 20:
            raise KeyError("reference loop")
    return node


def walk(node, path=""):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + "/" + str(i))


def route_endpoints(routes_hpp):
    """(name, [methods], path) of every enumerator of `enum class endpoint`."""
    text = open(routes_hpp, encoding="utf-8").read()
    m = re.search(r"enum class endpoint\s*\{(.*?)\};", text, re.S)
    if not m:
        raise AssertionError("no `enum class endpoint` in " + routes_hpp)
    out = []
    for line in m.group(1).splitlines():
        e = re.match(r"\s*(\w+),?\s*///<\s*([A-Z|]+)\s+(/\S*)", line)
        if e:
            out.append((e.group(1), e.group(2).split("|"), e.group(3)))
        elif re.match(r"\s*\w+,", line):
            raise AssertionError("endpoint without a `///< METHODS /path` comment: " + line.strip())
    return out


def check_document(doc_path, routes_hpp):
    doc = json.load(open(doc_path, encoding="utf-8"))
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)

    need(doc.get("openapi") == "3.1.0", "openapi is not \"3.1.0\"")
    need(isinstance(doc.get("info"), dict) and "title" in doc["info"] and "version" in doc["info"],
         "info with title and version")
    need(isinstance(doc.get("paths"), dict) and doc["paths"], "paths")

    # every $ref resolves
    for where, node in walk(doc):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            try:
                resolve(doc, node["$ref"])
            except (KeyError, IndexError, TypeError):
                problems.append("unresolved $ref %s at %s" % (node["$ref"], where))

    # every schema is a valid Draft 2020-12 schema
    schemas = []
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        schemas.append(("#/components/schemas/" + name, s))
    for where, node in walk(doc):
        if where.startswith("/components/schemas"):
            continue
        if isinstance(node, dict) and isinstance(node.get("schema"), dict):
            schemas.append((where + "/schema", node["schema"]))
    for where, s in schemas:
        try:
            jsonschema.Draft202012Validator.check_schema(s)
        except jsonschema.exceptions.SchemaError as e:
            problems.append("invalid schema at %s: %s" % (where, e.message))

    # operations: responses, unique operationIds, declared path parameters
    op_ids = {}
    security_schemes = doc.get("components", {}).get("securitySchemes", {})
    oauth_scopes = set()
    for s in security_schemes.values():
        for flow in s.get("flows", {}).values():
            oauth_scopes |= set(flow.get("scopes", {}))
    for path, item in doc.get("paths", {}).items():
        need(path.startswith("/v1"), "path outside /v1: " + path)
        templated = set(re.findall(r"\{([^}]+)\}", path))
        path_params = [deref(doc, p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            where = "%s %s" % (method.upper(), path)
            oid = op.get("operationId")
            need(isinstance(oid, str) and oid, where + ": no operationId")
            if oid in op_ids:
                problems.append("operationId %s used by %s and %s" % (oid, op_ids[oid], where))
            op_ids[oid] = where
            responses = op.get("responses")
            need(isinstance(responses, dict) and responses, where + ": no responses")
            for status, r in (responses or {}).items():
                need(re.fullmatch(r"[1-5][0-9][0-9]|[1-5]XX|default", status),
                     where + ": bad response key " + status)
                need("description" in deref(doc, r), where + " " + status + ": response without description")
            params = path_params + [deref(doc, p) for p in op.get("parameters", [])]
            declared = {p["name"] for p in params if p.get("in") == "path"}
            for p in params:
                need(p.get("in") in ("path", "query", "header", "cookie"), where + ": parameter without `in`")
                if p.get("in") == "path":
                    need(p.get("required") is True, where + ": path parameter %s not required" % p["name"])
            need(declared == templated,
                 where + ": path parameters declared %s, in the template %s" % (sorted(declared), sorted(templated)))
            for req in op.get("security", []):
                for scheme, scopes in req.items():
                    need(scheme in security_schemes, where + ": unknown security scheme " + scheme)
                    for sc in scopes:
                        need(sc in oauth_scopes, where + ": unknown scope " + sc)

    # every endpoint of the server's route list is in the document
    for name, methods, path in route_endpoints(routes_hpp):
        item = doc.get("paths", {}).get(path)
        if item is None:
            problems.append("endpoint %s (%s) is not in the document" % (name, path))
            continue
        for m in methods:
            need(m.lower() in item, "endpoint %s: %s %s is not in the document" % (name, m, path))

    for p in problems:
        print("FAIL:", p)
    print("openapi.document: %d paths, %d operations, %d schemas checked, %d problems"
          % (len(doc.get("paths", {})), len(op_ids), len(schemas), len(problems)))
    return 0 if not problems else 1


# ---- validating responses ---------------------------------------------------------------------

def strict_copy(doc):
    """The document with `additionalProperties: false` on every object schema that lists its
    properties and says nothing about others: the test then also fails on a member the server
    sends that the document does not describe (clients must ignore such members; the document
    should still name them)."""
    d = copy.deepcopy(doc)
    for _, node in walk(d):
        if (isinstance(node, dict) and node.get("type") == "object" and "properties" in node
                and "additionalProperties" not in node):
            node["additionalProperties"] = False
    return d


class Checker:
    def __init__(self, doc):
        self.doc = doc
        self.strict = strict_copy(doc)
        self.resolver = jsonschema.RefResolver("", self.strict)
        self.templates = []
        for path in doc["paths"]:
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "/?$"
            self.templates.append((path, re.compile(rx)))
        self.seen = set()

    def template_of(self, target):
        path = target.split("?", 1)[0]
        for template, rx in self.templates:
            if rx.match(path):
                return template
        return None

    def validate(self, schema, value, what):
        schema = copy.deepcopy(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema, resolver=self.resolver).iter_errors(value),
                        key=lambda e: list(e.absolute_path))
        if errors:
            e = errors[0]
            raise AssertionError("%s: body does not match the schema at /%s: %s (%d error(s))"
                                 % (what, "/".join(map(str, e.absolute_path)), e.message[:300], len(errors)))

    def response_object(self, method, target, status):
        template = self.template_of(target)
        if template is None:
            if status != 404:
                raise AssertionError("%s %s: answered %d for a path the document does not list"
                                     % (method, target, status))
            return "components.responses.NotFound", deref(self.strict, {"$ref": "#/components/responses/NotFound"})
        item = self.strict["paths"][template]
        op = item.get(method.lower())
        if op is None:
            if status not in (401, 405):
                raise AssertionError("%s %s: answered %d for a method the document does not list"
                                     % (method, template, status))
            name = "Unauthorized" if status == 401 else "MethodNotAllowed"
            return "components.responses." + name, deref(self.strict, {"$ref": "#/components/responses/" + name})
        r = op["responses"].get(str(status)) or op["responses"].get(str(status)[0] + "XX")
        if r is None:
            raise AssertionError("%s %s: status %d is not in the document (it lists %s)"
                                 % (method, template, status, ", ".join(op["responses"])))
        self.seen.add((method.upper(), template, status))
        return "%s %s %d" % (method.upper(), template, status), deref(self.strict, r)

    def check(self, method, target, resp):
        what, r = self.response_object(method, target, resp.status)
        if resp.status == 405:
            template = self.template_of(target)
            listed = {m.upper() for m in self.doc["paths"][template] if m in HTTP_METHODS}
            allow = {m.strip() for m in (resp.getheader("Allow") or "").split(",") if m.strip()}
            if allow != listed:
                raise AssertionError("%s %s: Allow is %s, the document lists %s"
                                     % (method, template, sorted(allow), sorted(listed)))
        injected = resp.status in (429, 503) and b"injected fault" in resp.body
        if resp.status != 413 and not injected and resp.getheader("Cache-Control") != "no-store":
            raise AssertionError("%s: no Cache-Control: no-store" % what)
        for name, h in r.get("headers", {}).items():
            h = deref(self.strict, h)
            value = resp.getheader(name)
            if value is None:
                if h.get("required"):
                    raise AssertionError("%s: header %s missing" % (what, name))
                continue
            self.validate(h.get("schema", {}), value, what + " header " + name)
        if method.upper() == "HEAD":
            return  # a response to HEAD has no body on the wire (RFC 9110 §9.3.2)
        ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
        content = r.get("content")
        if not content:
            if resp.body:
                raise AssertionError("%s: a body where the document describes none" % what)
            return
        if ctype not in content:
            raise AssertionError("%s: Content-Type %r is not one of %s" % (what, ctype, list(content)))
        schema = content[ctype].get("schema", {})
        if ctype.endswith("json"):
            try:
                body = json.loads(resp.body.decode("utf-8"))
            except ValueError as e:
                raise AssertionError("%s: the body is not JSON: %s" % (what, e))
            self.validate(schema, body, what)
            if ctype == "application/problem+json" and body.get("status") != resp.status:
                raise AssertionError("%s: problem status %r differs from the HTTP status" % (what, body.get("status")))
            resp.json = body
        else:
            self.validate(schema, resp.body.decode("utf-8"), what)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body, self.json = status, headers, body, None

    def getheader(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Sandbox:
    def __init__(self, binary, work, clients):
        self.work = work
        with open(os.path.join(work, "clients.json"), "w", encoding="utf-8") as f:
            json.dump({"clients": clients}, f)
        self.out = open(os.path.join(work, "sandbox.out"), "w+")
        self.err = open(os.path.join(work, "sandbox.err"), "w+")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--db", ":memory:", "--clients",
             os.path.join(work, "clients.json"), "--tls-dir", os.path.join(work, "tls")],
            stdout=self.out, stderr=self.err)
        first = ""
        for _ in range(300):
            self.out.seek(0)
            first = self.out.readline()
            if first.endswith("\n"):
                break
            if self.proc.poll() is not None:
                self.err.seek(0)
                raise SystemExit("the sandbox exited at start: " + self.err.read())
            time.sleep(0.1)
        m = re.match(r"^listening on https://([0-9.]+):([0-9]+)$", first.strip())
        if not m:
            raise SystemExit("the sandbox's first line was: %r" % first)
        self.host, self.port = m.group(1), int(m.group(2))
        self.ctx = ssl.create_default_context(cafile=os.path.join(work, "tls", "ca.pem"))

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Client:
    """Requests to the sandbox, each response checked against the document."""

    def __init__(self, sandbox, checker):
        self.sb, self.checker = sandbox, checker
        self.conn = None
        self.tokens = {}

    def raw(self, method, target, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.sb.host, self.sb.port, context=self.sb.ctx, timeout=30)
            try:
                self.conn.request(method, target, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                resp = Response(r.status, r.getheaders(), data)
                if (r.getheader("Connection") or "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def call(self, method, target, expect, body=None, token=None, headers=None, ctype="application/json"):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if body is not None:
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body, ensure_ascii=False)
            if isinstance(body, str):
                body = body.encode("utf-8")
            if ctype:
                h.setdefault("Content-Type", ctype)
        resp = self.raw(method, target, body, h)
        self.checker.check(method, target, resp)
        if resp.status != expect:
            detail = resp.body[:300].decode("utf-8", "replace")
            raise AssertionError("%s %s: expected %d, got %d: %s" % (method, target, expect, resp.status, detail))
        return resp

    def token(self, client, scope=None):
        key = (client, scope)
        if key not in self.tokens:
            form = {"grant_type": "client_credentials"}
            if scope is not None:
                form["scope"] = scope
            basic = base64.b64encode(("%s:%s-secret" % (client, client)).encode()).decode()
            r = self.call("POST", "/v1/oauth/token", 200, body=urllib.parse.urlencode(form),
                          ctype="application/x-www-form-urlencoded", headers={"Authorization": "Basic " + basic})
            self.tokens[key] = r.json["access_token"]
        return self.tokens[key]


# ---- synthetic data ---------------------------------------------------------------------------

A = "32855961"   # the institution of the clients below
B = "21560766"   # an institution nobody but admin (and the authority's territory) reaches
FAR = "14360570"  # outside every list

CLIENTS = [
    {"id": "admin", "secret": "admin-secret", "role": "admin", "institutions": []},
    {"id": "ouo", "secret": "ouo-secret", "role": "authority", "institutions": [A, B]},
    {"id": "zdo", "secret": "zdo-secret", "role": "institution", "institutions": [A]},
    {"id": "platform-a", "secret": "platform-a-secret", "role": "platform", "institutions": [A]},
    {"id": "platform-b", "secret": "platform-b-secret", "role": "platform", "institutions": []},
    {"id": "reviewer", "secret": "reviewer-secret", "role": "reviewer", "institutions": [A]},
]


def years_ago(years, days=0):
    today = datetime.date.today()
    return (today.replace(year=today.year - years) - datetime.timedelta(days=days)).isoformat()


def record(rid, institution=A, **changes):
    r = {"id": rid, "institution": institution,
         "name": {"last": "Тестенко", "first": "Олена", "patronymic": "Петрівна"},
         "birth_date": years_ago(4, 30), "sex": "female", "citizenship": "UA",
         "document": {"type": "ua_birth_certificate", "series": "I-КВ", "number": "123456"},
         "displacement": {"status": "none"}, "contact": {"status": "in_contact"},
         "education": {"form": "in_person"},
         "enrollment": {"group": {"id": "g-1", "name": "Сонечко", "age_band": "middle", "kind": "general"},
                        "enrolled_on": years_ago(1)},
         "guardians": [{"name": {"last": "Тестенко", "first": "Марія"}, "relation": "mother",
                        "phone": "+380501234567"}]}
    r.update(changes)
    return r


def child(inst, rid):
    return "/v1/institutions/%s/children/%s" % (inst, rid)


def etag_of(resp):
    return resp.getheader("ETag").strip('"')


# ---- the steps: one per endpoint ---------------------------------------------------------------

def step_discovery(c):
    r = c.call("GET", "/v1", 200)
    c.call("GET", "/v1?x=1", 400)
    c.call("POST", "/v1", 405, body={}, token=c.token("admin"))
    c.call("GET", "/v1/no-such-endpoint", 404)


def step_openapi(c, doc_bytes):
    r = c.call("GET", "/v1/openapi.json", 200)
    if r.body != doc_bytes:
        raise AssertionError("GET /v1/openapi.json: the body is not the bytes of docs/openapi.json")
    c.call("GET", "/v1/openapi.json?x=1", 400)


def step_token(c):
    c.token("zdo")
    form = "application/x-www-form-urlencoded"
    c.call("POST", "/v1/oauth/token", 401, body="grant_type=client_credentials&client_id=zdo&client_secret=wrong",
           ctype=form)
    c.call("POST", "/v1/oauth/token", 400, body="grant_type=password&client_id=zdo&client_secret=zdo-secret",
           ctype=form)
    c.call("POST", "/v1/oauth/token", 400,
           body="grant_type=client_credentials&client_id=zdo&client_secret=zdo-secret&scope=admin", ctype=form)
    c.call("POST", "/v1/oauth/token?x=1", 400, body="grant_type=client_credentials", ctype=form)
    c.call("GET", "/v1/oauth/token", 405)


def step_put_child(c):
    t = c.token("zdo")
    r = c.call("PUT", child(A, "kd-000001"), 201, body=record("kd-000001"), token=t,
               headers={"If-None-Match": "*"})
    c.call("PUT", child(A, "kd-000001"), 200, body=record("kd-000001"), token=t)
    c.call("PUT", child(A, "kd-000001"), 412, body=record("kd-000001"), token=t, headers={"If-None-Match": "*"})
    c.call("PUT", child(A, "kd-000001"), 412, body=record("kd-000001"), token=t,
           headers={"If-Match": '"00000000000000000000000000000000"'})
    c.call("PUT", child(A, "kd-000002"), 201, body=record("kd-000002", free_meals=None, pets=1),
           token=t, headers={"Prefer": "handling=lenient"})
    c.call("PUT", child(A, "kd-000009"), 422, body={"id": "kd-000009", "birth_date": "2021-02-30", "sex": "?"},
           token=t)
    c.call("PUT", child(A, "kd-000009"), 422, body=record("kd-000009", birth_date=years_ago(9)), token=t)
    c.call("PUT", child(A, "kd-000009"), 400, body=record("kd-000008"), token=t)
    c.call("PUT", child(A, "kd-000009"), 400, body="[1,2", token=t)
    c.call("PUT", child(A, "kd-000009"), 415, body=record("kd-000009"), token=t, ctype="text/plain")
    c.call("PUT", child(B, "kd-000009"), 403, body=record("kd-000009", institution=B), token=t)
    c.call("PUT", child(A, "kd-000009"), 403, body=record("kd-000009"), token=c.token("zdo", "children:read"))
    c.call("PUT", child(A, "kd-000009"), 401, body=record("kd-000009"))
    c.call("PUT", child(A, "kd-000009"), 401, body=record("kd-000009"), token="0" * 64)
    c.call("PUT", child(A, "kd-000009"), 413, body=b'{"pad":"' + b"x" * (1 << 20) + b'"}', token=t)


def step_get_child(c):
    t = c.token("zdo")
    r = c.call("GET", child(A, "kd-000001"), 200, token=t)
    c.call("GET", child(A, "kd-000001"), 304, token=t, headers={"If-None-Match": r.getheader("ETag")})
    c.call("GET", child(A, "kd-404"), 404, token=t)
    c.call("GET", child(B, "kd-000001"), 403, token=t)
    c.call("GET", child(A, "kd-000001") + "?x=1", 400, token=t)
    c.call("GET", child(A, "kd-000001"), 200, token=c.token("ouo"))
    c.call("GET", child(A, "kd-000001"), 403, token=c.token("reviewer"))
    c.call("HEAD", child(A, "kd-000001"), 405, token=t)
    c.call("POST", child(A, "kd-000001"), 405, token=t, body={})


def step_delete_child(c):
    t = c.token("zdo")
    r = c.call("PUT", child(A, "kd-000099"), 201, body=record("kd-000099"), token=t)
    c.call("DELETE", child(A, "kd-000099"), 412, token=t, headers={"If-Match": '"00000000000000000000000000000000"'})
    c.call("DELETE", child(A, "kd-000099"), 204, token=t, headers={"If-Match": r.getheader("ETag")})
    c.call("DELETE", child(A, "kd-000099"), 404, token=t)
    c.call("DELETE", child(B, "kd-000099"), 403, token=t)


def step_list_children(c):
    t = c.token("zdo")
    r = c.call("GET", "/v1/institutions/%s/children?limit=1" % A, 200, token=t)
    if not r.json["has_more"]:
        raise AssertionError("expected a second page")
    c.call("GET", "/v1/institutions/%s/children?limit=1&cursor=%s" % (A, urllib.parse.quote(r.json["next_cursor"])),
           200, token=t)
    c.call("GET", "/v1/institutions/%s/children?limit=0" % A, 400, token=t)
    c.call("GET", "/v1/institutions/%s/children?cursor=bm9wZQ" % A, 400, token=t)
    c.call("GET", "/v1/institutions/%s/children" % B, 403, token=t)


def step_withdrawal(c):
    t = c.token("zdo")
    c.call("PUT", child(A, "kd-000003"), 201, body=record("kd-000003"), token=t)
    target = child(A, "kd-000003") + "/withdrawal"
    body = {"left_on": years_ago(0, 3), "reason": "переведення до іншого закладу"}
    c.call("POST", target, 200, body=body, token=t, headers={"Idempotency-Key": "wd-1"})
    r = c.call("POST", target, 200, body=body, token=t, headers={"Idempotency-Key": "wd-1"})
    if r.getheader("Idempotent-Replayed") != "true":
        raise AssertionError("the repeated withdrawal was not replayed")
    c.call("POST", target, 422, body={"left_on": years_ago(0, 2)}, token=t, headers={"Idempotency-Key": "wd-1"})
    c.call("POST", target, 422, body={"left_on": "yesterday", "why": 1}, token=t)
    c.call("POST", target, 400, body=[1], token=t)
    c.call("POST", target, 400, body=body, token=t, headers={"Idempotency-Key": "not a key"})
    c.call("POST", target, 412, body=body, token=t, headers={"If-Match": '"00000000000000000000000000000000"'})
    c.call("POST", target, 415, body=body, token=t, ctype="text/plain")
    c.call("POST", child(A, "kd-404") + "/withdrawal", 404, body=body, token=t)
    c.call("POST", child(B, "kd-000003") + "/withdrawal", 403, body=body, token=t)
    c.call("GET", target, 405, token=t)


def step_batches(c):
    t = c.token("platform-a")
    items = [record("kd-000010"), record("kd-000011", birth_date=years_ago(9)), record("kd-000012", institution=B),
             {"id": "kd-000013", "pets": 1}]
    c.call("POST", "/v1/batches", 200, body={"items": items}, token=t, headers={"Idempotency-Key": "batch-1"})
    c.call("POST", "/v1/batches", 200, body={"items": []}, token=t)
    c.call("POST", "/v1/batches", 400, body={"records": []}, token=t)
    c.call("POST", "/v1/batches", 422, body={"items": [{}] * 501}, token=t)
    c.call("POST", "/v1/batches", 415, body={"items": []}, token=t, ctype="text/plain")
    c.call("POST", "/v1/batches", 403, body={"items": []}, token=c.token("ouo"))


def cursor_value(cursor):
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def make_cursor(value):
    return urllib.parse.quote(base64.urlsafe_b64encode(value.encode()).decode().rstrip("="))


def step_changes(c):
    t = c.token("zdo")
    r = c.call("GET", "/v1/changes?limit=2", 200, token=t)
    c.call("GET", "/v1/changes?cursor=" + urllib.parse.quote(r.json["next_cursor"]), 200, token=t)
    c.call("GET", "/v1/changes?limit=5000", 400, token=t)
    c.call("GET", "/v1/changes?cursor=bm9wZQ", 400, token=t)  # garbage: 400
    # v1.1: the cursor carries the database's epoch; old-format, foreign and future cursors: 410
    kind, epoch, seq = cursor_value(r.json["next_cursor"]).split(":")
    c.call("GET", "/v1/changes?cursor=" + make_cursor("c:1"), 410, token=t)
    c.call("GET", "/v1/changes?cursor=" + make_cursor("c:99999999"), 410, token=t)
    c.call("GET", "/v1/changes?cursor=" + make_cursor("%s:%s:%s" % (kind, "0" * len(epoch), seq)), 410, token=t)
    c.call("GET", "/v1/changes?cursor=" + make_cursor("%s:%s:99999999" % (kind, epoch)), 410, token=t)
    listing = c.call("GET", "/v1/institutions/%s/children?limit=1" % A, 200, token=t).json["next_cursor"]
    c.call("GET", "/v1/changes?cursor=" + urllib.parse.quote(listing), 400, token=t)
    c.call("GET", "/v1/changes", 403, token=c.token("reviewer"))


def step_changes_institution_filter(c):
    t = c.token("zdo")
    r = c.call("GET", "/v1/changes?institution=" + A, 200, token=t)
    if not r.json["changes"] or any(e["institution"] != A for e in r.json["changes"]):
        raise AssertionError("institution=%s: no events, or an event of another institution" % A)
    r = c.call("GET", "/v1/changes?institution=%s&cursor=%s" % (A, urllib.parse.quote(r.json["next_cursor"])),
               200, token=t)
    if r.json["changes"] or r.json["has_more"]:
        raise AssertionError("the filtered feed's next_cursor did not reach the head")
    c.call("PUT", "/v1/institutions/%s/children/kd-b-feed" % B, 201, body=record("kd-b-feed", institution=B),
           token=c.token("admin"))
    # repeatable: an authority names both institutions of its territory, or one of them
    ouo = c.token("ouo")
    both = c.call("GET", "/v1/changes?institution=%s&institution=%s&limit=1000" % (A, B), 200, token=ouo)
    seen = {e["institution"] for e in both.json["changes"]}
    if seen != {A, B}:
        raise AssertionError("institution=A&institution=B gave events of %s" % sorted(seen))
    only_b = c.call("GET", "/v1/changes?institution=%s&limit=1000" % B, 200, token=ouo)
    if {e["institution"] for e in only_b.json["changes"]} != {B}:
        raise AssertionError("institution=B gave events of another institution")
    c.call("GET", "/v1/changes?institution=%s&institution=%s" % (A, FAR), 403, token=ouo)
    c.call("GET", "/v1/changes?institution=" + B, 403, token=t)
    c.call("GET", "/v1/changes?institution=1234", 400, token=t)


def step_validate(c):
    t = c.token("reviewer")
    c.call("POST", "/v1/validate?profile=structure", 200,
           body={"id": "kd-1", "document": {"type": "ua_birth_certificate", "series": "І-КВ", "number": "12345"},
                 "pets": 2}, token=t)
    c.call("POST", "/v1/validate", 200, body=record("kd-1"), token=t, headers={"Prefer": "handling=lenient"})
    c.call("POST", "/v1/validate", 200, body="not json", token=t)
    c.call("POST", "/v1/validate?profile=nope", 400, body=record("kd-1"), token=t)
    c.call("POST", "/v1/validate", 415, body=record("kd-1"), token=t, ctype="text/plain")


def correction_body(rid, **extra):
    b = {"institution": A, "child_id": rid, "reason": "свідоцтво видане за кордоном; реєстр не знаходить запис",
         "record": record(rid, document={"type": "ua_birth_certificate", "number": "004512"})}
    b.update(extra)
    return b


def step_create_correction(c):
    t = c.token("zdo")
    r = c.call("POST", "/v1/correction-requests", 201, body=correction_body("kd-000020"), token=t,
               headers={"Idempotency-Key": "cr-1"})
    if r.getheader("Location") != "/v1/correction-requests/" + r.json["id"]:
        raise AssertionError("Location differs from the id")
    c.call("POST", "/v1/correction-requests", 422, body={"institution": A, "pets": 1}, token=t)
    c.call("POST", "/v1/correction-requests", 403, body=correction_body("kd-000020", institution=B), token=t)
    c.call("POST", "/v1/correction-requests", 400, body=[1], token=t)
    c.call("POST", "/v1/correction-requests", 403, body=correction_body("kd-000020"), token=c.token("reviewer"))


def step_create_correction_v11(c):
    """v1.1 members: fields, base_etag (412 when it is not the stored record's ETag)."""
    t = c.token("zdo")
    r = c.call("POST", "/v1/correction-requests", 201, body=correction_body("kd-000021", fields=["/document/series"]),
               token=t)
    if r.json["fields"] != ["/document/series"] or r.json["base_etag"] is not None:
        raise AssertionError("fields or base_etag not as sent: %r %r" % (r.json["fields"], r.json["base_etag"]))
    current = etag_of(c.call("GET", child(A, "kd-000001"), 200, token=t))
    r = c.call("POST", "/v1/correction-requests", 201, body=correction_body("kd-000001"), token=t)
    if r.json["base_etag"] != current:
        raise AssertionError("without base_etag the server did not take the current ETag")
    # a stale base_etag: 412 with the record's current ETag
    r = c.call("POST", "/v1/correction-requests", 412,
               body=correction_body("kd-000001", base_etag="00000000000000000000000000000000"), token=t)
    if r.getheader("ETag") != '"%s"' % current:
        raise AssertionError("412 for a stale base_etag: ETag %r, expected the current one" % r.getheader("ETag"))
    # a base_etag for a record that does not exist: 412 without an ETag
    r = c.call("POST", "/v1/correction-requests", 412, body=correction_body("kd-000029", base_etag=current), token=t)
    if r.getheader("ETag") is not None:
        raise AssertionError("412 for a missing record carries an ETag")
    c.call("POST", "/v1/correction-requests", 422, body=correction_body("kd-000021", fields=["no-slash"]), token=t)


def step_list_corrections(c):
    c.call("GET", "/v1/correction-requests", 200, token=c.token("zdo"))
    c.call("GET", "/v1/correction-requests?status=pending&institution=" + A, 200, token=c.token("reviewer"))
    c.call("GET", "/v1/correction-requests?status=nope", 400, token=c.token("reviewer"))
    c.call("GET", "/v1/correction-requests", 403, token=c.token("ouo"))


def step_list_corrections_paging(c):
    t = c.token("reviewer")
    first = c.call("GET", "/v1/correction-requests?limit=1", 200, token=t)
    if len(first.json["items"]) != 1 or not first.json["has_more"] or not first.json["next_cursor"]:
        raise AssertionError("limit=1 with several requests: expected one item, has_more and a next_cursor")
    cursor = urllib.parse.quote(first.json["next_cursor"])
    second = c.call("GET", "/v1/correction-requests?limit=1&cursor=" + cursor, 200, token=t)
    if len(second.json["items"]) != 1 or second.json["items"][0]["id"] == first.json["items"][0]["id"]:
        raise AssertionError("the second page repeats the first")
    everything = c.call("GET", "/v1/correction-requests?limit=1000", 200, token=t).json
    if [i["id"] for i in everything["items"][:2]] != [first.json["items"][0]["id"], second.json["items"][0]["id"]]:
        raise AssertionError("the pages are not the listing's first items in order (oldest first)")
    if everything["has_more"] or everything["next_cursor"] is not None:
        raise AssertionError("the last page has has_more or a next_cursor")
    # the cursor is bound to its filter
    c.call("GET", "/v1/correction-requests?limit=1&status=pending&cursor=" + cursor, 400, token=t)
    c.call("GET", "/v1/correction-requests?limit=1&institution=%s&cursor=%s" % (A, cursor), 400, token=t)
    f = c.call("GET", "/v1/correction-requests?limit=1&status=pending&institution=" + A, 200, token=t)
    c.call("GET", "/v1/correction-requests?limit=1&status=pending&institution=%s&cursor=%s"
           % (A, urllib.parse.quote(f.json["next_cursor"])), 200, token=t)
    c.call("GET", "/v1/correction-requests?limit=0", 400, token=t)


def new_correction(c, rid, **extra):
    r = c.call("POST", "/v1/correction-requests", 201, body=correction_body(rid, **extra), token=c.token("zdo"))
    return r.json["id"]


def step_get_correction(c):
    cid = new_correction(c, "kd-000022")
    c.call("GET", "/v1/correction-requests/" + cid, 200, token=c.token("reviewer"))
    c.call("GET", "/v1/correction-requests/" + cid, 200, token=c.token("zdo"))
    c.call("GET", "/v1/correction-requests/cr-999999", 404, token=c.token("admin"))
    c.call("GET", "/v1/correction-requests/cr-999999", 403, token=c.token("reviewer"))
    c.call("DELETE", "/v1/correction-requests/" + cid, 405, token=c.token("admin"))


def step_apply_correction(c):
    cid = new_correction(c, "kd-000023")
    t = c.token("reviewer")
    target = "/v1/correction-requests/%s/apply" % cid
    c.call("POST", target, 422, body={"note": 5, "x": 1}, token=t)
    c.call("POST", target, 415, body={}, token=t, ctype="text/plain")
    c.call("POST", target, 200, body={"note": "перевірено за копією свідоцтва"}, token=t,
           headers={"Idempotency-Key": "review-1"})
    c.call("POST", target, 409, body={}, token=t)
    c.call("POST", "/v1/correction-requests/cr-999999/apply", 403, body={}, token=t)
    c.call("POST", target, 403, body={}, token=c.token("zdo"))


def step_apply_correction_conflict(c):
    """v1.1: apply after the record changed since the request was made is a 409 with the current
    ETag, and the request stays pending."""
    t = c.token("zdo")
    r = c.call("PUT", child(A, "kd-000024"), 201, body=record("kd-000024"), token=t)
    cid = new_correction(c, "kd-000024", base_etag=etag_of(r))
    changed = c.call("PUT", child(A, "kd-000024"), 200, body=record("kd-000024", free_meals=True), token=t)
    rv = c.token("reviewer")
    r = c.call("POST", "/v1/correction-requests/%s/apply" % cid, 409, body={}, token=rv)
    if r.getheader("ETag") != changed.getheader("ETag"):
        raise AssertionError("409 on apply: ETag %r, expected the current %r" % (r.getheader("ETag"), changed.getheader("ETag")))
    if c.call("GET", "/v1/correction-requests/" + cid, 200, token=rv).json["status"] != "pending":
        raise AssertionError("the refused apply changed the request's status")
    # deleted since: 409 without an ETag
    c.call("DELETE", child(A, "kd-000024"), 204, token=t)
    r = c.call("POST", "/v1/correction-requests/%s/apply" % cid, 409, body={}, token=rv)
    if r.getheader("ETag") is not None:
        raise AssertionError("409 on apply of a deleted record carries an ETag")


def step_reject_correction(c):
    cid = new_correction(c, "kd-000025")
    t = c.token("reviewer")
    target = "/v1/correction-requests/%s/reject" % cid
    c.call("POST", target, 422, body={}, token=t)
    c.call("POST", target, 200, body={"note": "потрібна копія документа"}, token=t)
    c.call("POST", target, 409, body={"note": "ще раз"}, token=t)
    c.call("POST", "/v1/correction-requests/cr-999999/reject", 404, body={"note": "x"}, token=c.token("admin"))


def step_completeness(c):
    t = c.token("ouo")
    c.call("GET", "/v1/reports/completeness?institution=%s&deadline=%s" % (A, years_ago(-1)), 200, token=t)
    c.call("GET", "/v1/reports/completeness", 200, token=c.token("admin"))
    c.call("GET", "/v1/reports/completeness?as_of=tomorrow", 400, token=t)
    c.call("GET", "/v1/reports/completeness?institution=" + FAR, 403, token=t)
    c.call("GET", "/v1/reports/completeness", 403, token=c.token("reviewer"))


def check_negotiation(c, target, token):
    """Accept decides between JSON and the HTML page (docs/protocol.md §3)."""
    html = {"text/html", "text/html, application/json;q=0.9", "application/json;q=0.5, text/html",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    json_ = {None, "application/json", "*/*", "text/html;q=0.5, application/json", "text/*;q=0.1, application/json"}
    for accept in sorted(html):
        r = c.call("GET", target, 200, token=token, headers={"Accept": accept})
        ctype = (r.getheader("Content-Type") or "").replace(" ", "").lower()
        if ctype != "text/html;charset=utf-8" or not r.body.startswith(b"<!DOCTYPE html>"):
            raise AssertionError("Accept: %s: expected an HTML page, got %r" % (accept, r.getheader("Content-Type")))
    for accept in sorted(json_, key=str):
        r = c.call("GET", target, 200, token=token, headers={"Accept": accept} if accept else {})
        if r.getheader("Content-Type") != "application/json" or r.json is None:
            raise AssertionError("Accept: %s: expected JSON, got %r" % (accept, r.getheader("Content-Type")))


def step_progress_report(c):
    t = c.token("ouo")
    r = c.call("GET", "/v1/reports/progress", 200, token=t)
    if [i["institution"] for i in r.json["institutions"]] != sorted([A, B]) or len(r.json["total"]["days"]) != 30:
        raise AssertionError("the default report: not the territory's institutions or not 30 days")
    c.call("GET", "/v1/reports/progress?institution=%s&deadline=%s" % (A, years_ago(-1)), 200, token=t)
    check_negotiation(c, "/v1/reports/progress?institution=" + A, t)
    c.call("GET", "/v1/reports/progress?from=%s&to=%s" % (years_ago(2), years_ago(0)), 400, token=t)
    c.call("GET", "/v1/reports/progress?institution=" + FAR, 403, token=t)


def step_form85k_report(c):
    t = c.token("ouo")
    c.call("GET", "/v1/reports/form-85k", 200, token=t)
    c.call("GET", "/v1/reports/form-85k?as_of=%s&institution=%s" % (years_ago(0, 1), A), 200, token=t)
    check_negotiation(c, "/v1/reports/form-85k?institution=" + A, t)
    c.call("GET", "/v1/reports/form-85k?as_of=nope", 400, token=t)
    c.call("GET", "/v1/reports/form-85k?institution=" + FAR, 403, token=t)


def step_grants(c):
    t = c.token("ouo")
    base = "/v1/institutions/%s/grants" % A
    c.call("GET", base, 200, token=t)
    c.call("GET", "/v1/institutions/%s/grants" % FAR, 403, token=t)
    c.call("GET", base, 403, token=c.token("zdo"))


def step_grant(c):
    t = c.token("ouo")
    one = "/v1/institutions/%s/grants/platform-b" % A
    c.call("PUT", one, 201, body={"note": "договір 12/2025"}, token=t)
    c.call("PUT", one, 200, body={"note": "договір 12/2025, продовжено"}, token=t)
    c.call("PUT", one, 200, token=t)
    c.call("GET", one, 200, token=t)
    c.call("PUT", one, 422, body={"note": "x", "until": "2026-01-01"}, token=t)
    c.call("PUT", one, 400, body=[1], token=t)
    c.call("PUT", "/v1/institutions/%s/grants/no-such-client" % A, 404, token=t)
    c.call("PUT", "/v1/institutions/%s/grants/reviewer" % A, 409, token=t)
    c.call("PUT", "/v1/institutions/%s/grants/platform-b" % FAR, 403, token=t)
    c.call("DELETE", one, 204, token=t)
    c.call("DELETE", one, 404, token=t)
    c.call("GET", one, 404, token=t)
    c.call("POST", one, 405, body={}, token=t)


def step_grant_history(c):
    t = c.token("ouo")
    c.call("GET", "/v1/institutions/%s/grant-history" % A, 200, token=t)
    c.call("GET", "/v1/institutions/%s/grant-history" % FAR, 403, token=t)


def step_router_and_headers(c):
    """v1.1: path segments checked by the router before authentication; 415 for another charset
    or a Content-Encoding; Preference-Applied; record listing cursors bound to their
    institution; a replayed problem keeps the first request's request_id."""
    for target in ("/v1/institutions/1234/children", "/v1/institutions/3285596x/children/kd-1",
                   "/v1/institutions/%s/children/kd~bad" % A, "/v1/institutions/%s/grants/no~such" % A):
        c.call("GET", target, 400)  # no token: the router answers first
    t = c.token("zdo")
    c.call("PUT", child(A, "kd-000030"), 415, body=record("kd-000030"), token=t,
           ctype="application/json; charset=iso-8859-1")
    c.call("PUT", child(A, "kd-000030"), 415, body=record("kd-000030"), token=t, headers={"Content-Encoding": "gzip"})
    r = c.call("PUT", child(A, "kd-000030"), 201, body=record("kd-000030"), token=t,
               ctype="application/json; charset=UTF-8", headers={"Content-Encoding": "identity"})
    if r.getheader("Preference-Applied") is not None:
        raise AssertionError("Preference-Applied without Prefer")
    lenient = {"Prefer": "handling=lenient"}
    for method, target, status, body in (
            ("PUT", child(A, "kd-000030"), 200, record("kd-000030", pets=1)),
            ("POST", "/v1/batches", 200, {"items": [record("kd-000031", pets=1)]}),
            ("POST", "/v1/validate", 200, record("kd-000031", pets=1)),
            ("POST", "/v1/correction-requests", 201, correction_body("kd-000032", record=record("kd-000032", pets=1)))):
        r = c.call(method, target, status, body=body, token=t, headers=lenient)
        if r.getheader("Preference-Applied") != "handling=lenient":
            raise AssertionError("%s %s with Prefer: handling=lenient: Preference-Applied %r"
                                 % (method, target, r.getheader("Preference-Applied")))
    # record listing cursors: bound to their institution
    admin = c.token("admin")
    for rid in ("kd-b-1", "kd-b-2"):
        c.call("PUT", child(B, rid), 201, body=record(rid, institution=B), token=admin)
    ouo = c.token("ouo")
    cursor = c.call("GET", "/v1/institutions/%s/children?limit=1" % A, 200, token=ouo).json["next_cursor"]
    c.call("GET", "/v1/institutions/%s/children?limit=1&cursor=%s" % (B, urllib.parse.quote(cursor)), 400, token=ouo)
    # a replayed problem: the body (and its request_id) is the first response's, the header new
    body = {"left_on": "not a date"}
    first = c.call("POST", child(A, "kd-000030") + "/withdrawal", 422, body=body, token=t,
                   headers={"Idempotency-Key": "replay-problem", "X-Request-Id": "first-request"})
    again = c.call("POST", child(A, "kd-000030") + "/withdrawal", 422, body=body, token=t,
                   headers={"Idempotency-Key": "replay-problem", "X-Request-Id": "second-request"})
    if (again.getheader("Idempotent-Replayed") != "true" or again.body != first.body
            or again.getheader("X-Request-Id") != "second-request" or again.json["request_id"] != "first-request"):
        raise AssertionError("a replayed problem: expected the first body (request_id first-request) "
                             "with X-Request-Id second-request")


def expect_error(resp, code, **where):
    """The problem carries exactly one error, `code`, placed as `where` says (pointer=,
    parameter= or header=) and by nothing else (docs/protocol.md §8.1, §8.3)."""
    errors = resp.json["errors"]
    got = [(e["code"], {k: e[k] for k in ("pointer", "parameter", "header") if k in e}) for e in errors]
    if got != [(code, where)]:
        raise AssertionError("%d %s: expected the one error %s at %s, got %s"
                             % (resp.status, resp.json["detail"], code, where, got))


def step_protocol_errors(c):
    """The protocol's own error codes: the parameter, header or access at fault is named in
    `errors` (docs/protocol.md §8.3)."""
    t = c.token("zdo")
    expect_error(c.call("GET", "/v1/changes?limt=5", 400), "parameter.unknown", parameter="limt")
    expect_error(c.call("GET", "/v1/institutions/%s/children?limt=5" % A, 400, token=t),
                 "parameter.unknown", parameter="limt")
    expect_error(c.call("GET", "/v1/institutions/1234/children", 400), "path.invalid", parameter="edrpou")
    expect_error(c.call("GET", "/v1/institutions/%s/children/kd~bad" % A, 400), "path.invalid", parameter="id")
    expect_error(c.call("GET", "/v1/institutions/%s/grants/no~such" % A, 400), "path.invalid",
                 parameter="client_id")
    expect_error(c.call("GET", "/v1/changes?limit=0", 400, token=t), "parameter.invalid", parameter="limit")
    expect_error(c.call("GET", "/v1/changes?cursor=bm9wZQ", 400, token=t), "cursor.invalid", parameter="cursor")
    expect_error(c.call("GET", "/v1/reports/form-85k?as_of=nope", 400, token=t), "parameter.invalid",
                 parameter="as_of")
    scope = c.call("PUT", child(A, "kd-000040"), 403, body=record("kd-000040"),
                   token=c.token("zdo", "children:read"))
    expect_error(scope, "access.scope", pointer="")
    if "children:write" not in scope.json["errors"][0]["message"]:
        raise AssertionError("access.scope: the message does not name the scope: %r"
                             % scope.json["errors"][0]["message"])
    expect_error(c.call("GET", child(B, "kd-000040"), 403, token=t), "access.institution", pointer="")
    expect_error(c.call("PUT", child(A, "kd-000040"), 400, body=record("kd-000041"), token=t),
                 "path.mismatch", pointer="/id")
    expect_error(c.call("PUT", child(A, "kd-000040"), 400, body=record("kd-000040"), token=t,
                        headers={"If-None-Match": '"00000000000000000000000000000000"'}),
                 "header.invalid", header="If-None-Match")
    expect_error(c.call("POST", "/v1/batches", 400, body={"items": []}, token=t,
                        headers={"Idempotency-Key": "not a key"}), "header.invalid", header="Idempotency-Key")
    expect_error(c.call("POST", "/v1/batches", 422, body={"items": [{}] * 501}, token=t),
                 "batch.too_many_items", pointer="/items")
    # an unknown correction request, for a caller limited to a list: the same 403 as for one of
    # another institution
    r = c.call("GET", "/v1/correction-requests/cr-999999", 403, token=c.token("reviewer"))
    if [e["code"] for e in r.json["errors"]] != ["access.institution"]:
        raise AssertionError("403 for an unknown correction request: errors %r" % r.json["errors"])


def step_admin_faults(c):
    t = c.token("admin")
    c.call("GET", "/v1/admin/faults", 200, token=t)
    c.call("PUT", "/v1/admin/faults", 200, body={"latency_ms": 0, "error_rate": 0.0}, token=t)
    c.call("PUT", "/v1/admin/faults", 422, body={"error_status": 500}, token=t)
    c.call("PUT", "/v1/admin/faults", 415, body={}, token=t, ctype="text/plain")
    c.call("POST", "/v1/admin/faults", 405, body={}, token=t)
    c.call("GET", "/v1/admin/faults", 403, token=c.token("zdo"))


def step_injected_faults(c):
    """429 and 503 as the document describes them (an injected fault on every request)."""
    t = c.token("admin")
    c.call("PUT", "/v1/admin/faults", 200, body={"error_rate": 1.0, "error_status": 429}, token=t)
    try:
        c.call("GET", "/v1/changes", 429, token=c.token("zdo"))
        c.call("GET", "/v1", 429)
    finally:
        c.call("PUT", "/v1/admin/faults", 200, body={}, token=t)
    c.call("PUT", "/v1/admin/faults", 200, body={"error_rate": 1.0}, token=t)
    try:
        c.call("POST", "/v1/batches", 503, body={"items": []}, token=c.token("zdo"))
    finally:
        c.call("PUT", "/v1/admin/faults", 200, body={}, token=t)


def run_responses(doc_path, binary):
    doc_bytes = open(doc_path, "rb").read()
    doc = json.loads(doc_bytes)
    checker = Checker(doc)
    work = tempfile.mkdtemp(prefix="aikom-openapi-")
    sb = Sandbox(binary, work, CLIENTS)
    c = Client(sb, checker)
    steps = [
        ("GET /v1", lambda: step_discovery(c)),
        ("POST /v1/oauth/token", lambda: step_token(c)),
        ("PUT /v1/institutions/{edrpou}/children/{id}", lambda: step_put_child(c)),
        ("GET /v1/institutions/{edrpou}/children/{id}", lambda: step_get_child(c)),
        ("DELETE /v1/institutions/{edrpou}/children/{id}", lambda: step_delete_child(c)),
        ("GET /v1/institutions/{edrpou}/children", lambda: step_list_children(c)),
        ("POST /v1/institutions/{edrpou}/children/{id}/withdrawal", lambda: step_withdrawal(c)),
        ("POST /v1/batches", lambda: step_batches(c)),
        ("GET /v1/changes", lambda: step_changes(c)),
        ("GET /v1/changes?institution= (v1.1)", lambda: step_changes_institution_filter(c)),
        ("POST /v1/validate", lambda: step_validate(c)),
        ("POST /v1/correction-requests", lambda: step_create_correction(c)),
        ("POST /v1/correction-requests fields, base_etag (v1.1)", lambda: step_create_correction_v11(c)),
        ("GET /v1/correction-requests", lambda: step_list_corrections(c)),
        ("GET /v1/correction-requests?limit=&cursor= (v1.1)", lambda: step_list_corrections_paging(c)),
        ("GET /v1/correction-requests/{id}", lambda: step_get_correction(c)),
        ("POST /v1/correction-requests/{id}/apply", lambda: step_apply_correction(c)),
        ("POST /v1/correction-requests/{id}/apply after a change (v1.1)", lambda: step_apply_correction_conflict(c)),
        ("POST /v1/correction-requests/{id}/reject", lambda: step_reject_correction(c)),
        ("GET /v1/reports/completeness", lambda: step_completeness(c)),
        ("GET /v1/reports/progress (v1.1)", lambda: step_progress_report(c)),
        ("GET /v1/reports/form-85k (v1.1)", lambda: step_form85k_report(c)),
        ("GET /v1/institutions/{edrpou}/grants (v1.1)", lambda: step_grants(c)),
        ("GET|PUT|DELETE /v1/institutions/{edrpou}/grants/{client_id} (v1.1)", lambda: step_grant(c)),
        ("GET /v1/institutions/{edrpou}/grant-history (v1.1)", lambda: step_grant_history(c)),
        ("GET /v1/openapi.json (v1.1)", lambda: step_openapi(c, doc_bytes)),
        ("path segments, charset, Content-Encoding, Preference-Applied, cursors, replays (v1.1)",
         lambda: step_router_and_headers(c)),
        ("protocol error codes: parameter, header, access (v1.1)", lambda: step_protocol_errors(c)),
        ("GET|PUT /v1/admin/faults", lambda: step_admin_faults(c)),
        ("429 and 503 (injected faults)", lambda: step_injected_faults(c)),
    ]
    only = os.environ.get("AIKOM_OPENAPI_STEPS")
    failed = []
    try:
        for name, fn in steps:
            if only and not re.search(only, name):
                continue
            try:
                fn()
                print("PASS  " + name)
            except AssertionError as e:
                failed.append(name)
                print("FAIL  %s\n      %s" % (name, e))
    finally:
        sb.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("openapi.responses: %d of %d steps passed; %d (method, path, status) triples validated"
          % (len(steps) - len(failed), len(steps), len(checker.seen)))
    return 1 if failed else 0


def run_captured(doc_path, capture_dir):
    """Every response the integration tests received through their TLS test client (captured
    with AIKOM_CAPTURE_RESPONSES=DIR) checked against the document."""
    with open(doc_path, encoding="utf-8") as f:
        checker = Checker(json.load(f))
    files = sorted(glob.glob(os.path.join(capture_dir, "responses-*.ndjson")))
    if not files:
        print("no captured responses in %s: did the integration tests run?" % capture_dir,
              file=sys.stderr)
        return 1
    count, failures = 0, []
    for name in files:
        with open(name, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                x = json.loads(line)
                resp = Response(x["status"], [tuple(h) for h in x["headers"]], x["body"].encode("utf-8"))
                count += 1
                try:
                    checker.check(x["method"], x["target"], resp)
                except AssertionError as e:
                    failures.append("%s:%d: %s" % (os.path.basename(name), number, e))
    for f in failures[:50]:
        print(f, file=sys.stderr)
    print("%d captured responses checked, %d (method, path, status) combinations, %d failed"
          % (count, len(checker.seen), len(failures)))
    return 1 if failures else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "captured":
        return run_captured(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "document":
        return check_document(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "responses":
        return run_responses(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
