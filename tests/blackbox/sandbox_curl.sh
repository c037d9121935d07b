#!/usr/bin/env bash
# Black-box test of the aikom-sandbox binary with curl, a client this project did not write:
# start on port 0, read the port from the first line, get a token, upsert a record, read it back,
# see problem details for a bad record, survive kill -9, and stop cleanly on SIGTERM.
# Usage: sandbox_curl.sh /path/to/aikom-sandbox
set -euo pipefail

sandbox=$1
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$work/clients.json" <<'JSON'
{"clients": [{"id": "zdo-a", "secret": "zdo-a-secret", "role": "institution",
              "institutions": ["32855961"]}]}
JSON

start() {
  "$sandbox" --listen 127.0.0.1:0 --db "$work/sandbox.db" --clients "$work/clients.json" \
    --tls-dir "$work/tls" > "$work/out.txt" 2> "$work/err.txt" &
  pid=$!
  for _ in $(seq 1 300); do
    if [ -s "$work/out.txt" ]; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "the sandbox exited at start: $(cat "$work/err.txt")"
    sleep 0.1
  done
  first=$(head -n 1 "$work/out.txt")
  [[ "$first" =~ ^listening\ on\ https://127\.0\.0\.1:([0-9]+)$ ]] || fail "first line was: $first"
  port=${BASH_REMATCH[1]}
  base="https://127.0.0.1:$port"
}

curl_() { curl --silent --show-error --cacert "$work/tls/ca.pem" "$@"; }

start
[ -f "$work/tls/ca.pem" ] || fail "no ca.pem was written"

# 1. A token by client credentials (HTTP Basic).
token=$(curl_ -u zdo-a:zdo-a-secret -d grant_type=client_credentials "$base/v1/oauth/token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
[ -n "$token" ] || fail "no access token"

record='{"id":"kd-000123","name":{"last":"Тестенко","first":"Марія"},"birth_date":"2021-03-14",
"sex":"female","document":{"type":"ua_birth_certificate","series":"I-КВ","number":"123456"},
"displacement":{"status":"none"},"contact":{"status":"in_contact"},"education":{"form":"distance"}}'

# 2. Upsert: 201 the first time, with an ETag.
status=$(curl_ -o "$work/put.json" -D "$work/put.headers" -w '%{http_code}' -X PUT \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data-binary "$record" "$base/v1/institutions/32855961/children/kd-000123")
[ "$status" = 201 ] || fail "PUT answered $status: $(cat "$work/put.json")"
grep -qi '^etag: "' "$work/put.headers" || fail "no ETag on PUT"

# 3. Read it back.
status=$(curl_ -o "$work/get.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
  "$base/v1/institutions/32855961/children/kd-000123")
[ "$status" = 200 ] || fail "GET answered $status"
python3 - "$work/get.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["id"] == "kd-000123" and r["institution"] == "32855961", r
assert r["document"]["series"] == "I-КВ" and r["education"]["form"] == "distance", r
PY

# 4. A bad record: 422 problem details, every error with a pointer.
status=$(curl_ -o "$work/bad.json" -D "$work/bad.headers" -w '%{http_code}' -X PUT \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data-binary '{"id":"kd-9","birth_date":"2021-02-30","sex":"?"}' \
  "$base/v1/institutions/32855961/children/kd-9")
[ "$status" = 422 ] || fail "a bad record answered $status"
grep -qi '^content-type: application/problem+json' "$work/bad.headers" || fail "not problem+json"
python3 - "$work/bad.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
assert p["status"] == 422 and p["type"].startswith("urn:aikom:problem:"), p
pointers = {e["pointer"] for e in p["errors"]}
assert {"/birth_date", "/sex"} <= pointers, pointers
assert all(e["message_uk"] for e in p["errors"]), p
assert p["request_id"], p
PY

# 5. kill -9, restart on the same database: what was confirmed is still there.
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
start
token=$(curl_ -u zdo-a:zdo-a-secret -d grant_type=client_credentials "$base/v1/oauth/token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
status=$(curl_ -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "$base/v1/institutions/32855961/children/kd-000123")
[ "$status" = 200 ] || fail "after kill -9 the record is gone ($status)"

# 6. SIGTERM: a clean exit with status 0.
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" = 0 ] || fail "exit status after SIGTERM: $code"

echo "1 passed, 0 failed"
