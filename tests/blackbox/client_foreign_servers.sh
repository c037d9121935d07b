#!/usr/bin/env bash
# Black-box test of the aikom client (through aikom-feed) against servers this project did not
# write: a scripted HTTPS server on Python's http.server + ssl (scripted_server.py) and
# openssl s_server, with a throwaway CA and certificates made by the openssl command line.
#
#   1. The feed from a scripted server: a token by HTTP Basic, a 503 whose Retry-After is an
#      HTTP-date, pages in chunked coding (hand-written chunks), a Connection: close answer and a
#      close-delimited body; the events, the cursor, the wait, the token, the request ids and
#      where the secret went are checked from the server's own log of what it received.
#   2. Answers that are not the protocol's: a 200 text/html page (a captive portal) → exit 2
#      naming the media type; a 410 resync-required problem → exit 1.
#   3. TLS that must fail: a certificate for another host name, one from a CA the client is not
#      given, and a server offering only TLS 1.1 → exit 2 with the reason.
#
# Usage: client_foreign_servers.sh /path/to/aikom-feed [/path/to/python3]   (openssl on PATH)
set -euo pipefail

feed=$1
python=${2:-python3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
servers=()
cleanup() {
  for p in "${servers[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
checks=0
pass() { checks=$((checks + 1)); echo "ok $checks - $*"; }
started=$EPOCHREALTIME
elapsed() { "$python" -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f} s")' \
  "$1" "$EPOCHREALTIME"; }

client_id=zdo-32855961
# Synthetic; the ':' '+' '/' ' ' must be form-encoded inside Basic (RFC 6749 §2.3.1).
secret='s3cr3t:Тест+/ ='
export AIKOM_CLIENT_SECRET=$secret

# ---- certificates -------------------------------------------------------------------------------

ossl() { openssl "$@" 2>>"$work/openssl.err" || fail "openssl $1: $(tail -n 3 "$work/openssl.err")"; }

make_ca() { # name
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=aikom black-box test CA $1" -keyout "$work/$1.key" -out "$work/$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

make_cert() { # name ca subjectAltName
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${3%%,*}" \
    -keyout "$work/$1.key" -out "$work/$1.csr"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$3" > "$work/$1.ext"
  ossl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2.key" \
    -CAserial "$work/$2.srl" -CAcreateserial -days 1 -extfile "$work/$1.ext" -out "$work/$1.pem"
}

make_ca ca
make_ca rogue-ca
make_cert server ca "DNS:localhost,IP:127.0.0.1"
make_cert other-host ca "DNS:other.example"
make_cert rogue rogue-ca "DNS:localhost,IP:127.0.0.1"

# ---- servers ------------------------------------------------------------------------------------

# Waits (bounded) until `file` has a line matching `regex` (its first group is the port), or the
# server `pid` died; sets `port`.
await_port() { # file regex pid what
  local line
  for _ in $(seq 1 200); do
    if [[ -f "$1" ]]; then # the background job may not have opened it yet
      while IFS= read -r line; do
        if [[ "$line" =~ $2 ]]; then
          port=${BASH_REMATCH[1]}
          return
        fi
      done < "$1"
    fi
    kill -0 "$3" 2>/dev/null || fail "$4 exited at start: $(cat "$1" "$1.err" 2>/dev/null)"
    sleep 0.05
  done
  fail "$4 did not start listening within 10 s"
}

start_scripted() { # name (the script is $work/name.json)
  "$python" "$here/scripted_server.py" --cert "$work/server.pem" --key "$work/server.key" \
    --script "$work/$1.json" --log "$work/$1.log" > "$work/$1.out" 2> "$work/$1.out.err" &
  servers+=("$!")
  await_port "$work/$1.out" '^port ([0-9]+)$' "$!" "the scripted server ($1)"
}

start_s_server() { # name s_server-arguments…
  local name=$1
  shift
  # Port 0: s_server binds a free port itself and prints `ACCEPT 127.0.0.1:N`.
  openssl s_server -accept 127.0.0.1:0 -www "$@" < /dev/null > "$work/$name.out" \
    2> "$work/$name.out.err" &
  servers+=("$!")
  await_port "$work/$name.out" '^ACCEPT 127\.0\.0\.1:([0-9]+)$' "$!" "openssl s_server ($name)"
}

stop_last_server() {
  local pid=${servers[-1]}
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset 'servers[-1]'
}

# Runs aikom-feed (bounded) with the client id; sets `code`; output in $work/name.{stdout,stderr}.
run_feed() { # name aikom-feed-arguments…
  local name=$1
  shift
  code=0
  timeout 30 "$feed" --client-id "$client_id" "$@" > "$work/$name.stdout" \
    2> "$work/$name.stderr" || code=$?
}

# Exactly one line on stderr, containing each of the given texts; nothing on stdout.
one_line_failure() { # name expected-code text…
  local name=$1 want=$2
  shift 2
  [[ "$code" == "$want" ]] ||
    fail "$name: exit $code, expected $want; stderr: $(cat "$work/$name.stderr")"
  [[ ! -s "$work/$name.stdout" ]] || fail "$name: printed events: $(head -c 300 "$work/$name.stdout")"
  [[ "$(wc -l < "$work/$name.stderr")" == 1 ]] ||
    fail "$name: stderr is not one line: $(cat "$work/$name.stderr")"
  for text in "$@"; do
    grep -qF -- "$text" "$work/$name.stderr" ||
      fail "$name: the message does not say '$text': $(cat "$work/$name.stderr")"
  done
}

# ---- 1. the feed from the scripted server -------------------------------------------------------

"$python" - "$work/feed.json" "$client_id" <<'PY'
import json, sys

def record(n, first, sex, born):
    return {"id": f"kd-{n:06d}", "institution": "32855961",
            "name": {"last": "Тестенко", "first": first}, "birth_date": born, "sex": sex,
            "document": {"type": "ua_birth_certificate", "series": "I-КВ",
                         "number": f"{123450 + n}"},
            "displacement": {"status": "none"}, "contact": {"status": "in_contact"},
            "education": {"form": "in_person"}}

def upsert(seq, n, *child):
    return {"seq": seq, "type": "upsert", "institution": "32855961", "id": f"kd-{n:06d}",
            "etag": f"{seq:032x}", "record": record(n, *child)}

def delete(seq, n):
    return {"seq": seq, "type": "delete", "institution": "32855961", "id": f"kd-{n:06d}"}

pages = [
    ("chunked", [upsert(11, 1, "Марія", "female", "2021-03-14"),
                 upsert(14, 2, "Олег", "male", "2020-11-02")], "YzoxNA==", True),
    ("chunked-close", [upsert(15, 3, "Ірина", "female", "2022-01-30"), delete(19, 2)],
     "YzoxOQ==", True),
    ("close-delimited", [upsert(23, 4, "Тарас", "male", "2021-07-07")], "YzoyMw==", False),
]
script = {"client_id": sys.argv[2], "unavailable": {"count": 1, "retry_after_seconds": 2},
          "pages": [{"framing": f, "page": {"changes": c, "next_cursor": n, "has_more": m}}
                    for f, c, n, m in pages]}
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(script, out, ensure_ascii=False)
PY

start_scripted feed
t0=$EPOCHREALTIME
run_feed feed --server "https://localhost:$port" --ca "$work/ca.pem" --limit 2
feed_time=$(elapsed "$t0")
stop_last_server
[[ "$code" == 0 ]] || fail "feed: exit $code; stderr: $(cat "$work/feed.stderr")"

"$python" - "$work" "$port" "$client_id" <<'PY' || fail "feed: see above"
import base64, json, os, re, sys, urllib.parse

work, port, client_id = sys.argv[1:4]
secret = os.environ["AIKOM_CLIENT_SECRET"]
script = json.load(open(f"{work}/feed.json", encoding="utf-8"))
log = [json.loads(line) for line in open(f"{work}/feed.log", encoding="utf-8")]
stdout = open(f"{work}/feed.stdout", encoding="utf-8").read()
stderr = open(f"{work}/feed.stderr", encoding="utf-8").read().splitlines()
problems = []
def check(ok, what):
    if not ok:
        problems.append(what)

# What aikom-feed printed: exactly the scripted events, one JSON line each, then the cursor.
events = [e for p in script["pages"] for e in p["page"]["changes"]]
lines = stdout.splitlines()
check([json.loads(l) for l in lines] == events,
      f"printed events differ from the scripted ones:\n{stdout}")
check(stderr[-1:] == ["cursor: " + script["pages"][-1]["page"]["next_cursor"]],
      f"last stderr line: {stderr[-1:]}")

# What the server received.
check(all("method" in e for e in log), f"a failed handshake or an unparsed request: {log}")
requests = [e for e in log if "method" in e]
tokens = [e for e in requests if e["target"].startswith("/v1/oauth/token")]
feed = [e for e in requests if e["target"].startswith("/v1/changes")]
check(len(tokens) == 1 and tokens[0]["status"] == 200,
      f"token requests: {[(t['status'], t.get('token_problems')) for t in tokens]}")
check(len(feed) == 4 and [e["status"] for e in feed] == [503, 200, 200, 200],
      f"feed answers: {[e['status'] for e in feed]}")
check(len(tokens) + len(feed) == len(requests), f"other requests: {requests}")

def header(e, name):
    return [v for k, v in e["headers"] if k.lower() == name.lower()]

if tokens and len(feed) == 4:
    bearer = "Bearer " + tokens[0]["issued_token"]
    check(all(header(e, "Authorization") == [bearer] for e in feed),
          "a feed request did not carry the one issued token")
    # The retry came no earlier than the Retry-After date, and not much later.
    due = feed[0]["retry_after_epoch"]
    check(1.0 <= due - feed[0]["t"] <= 2.0, "the scripted date was not 1..2 s ahead")
    check(feed[1]["t"] >= due, f"retried {due - feed[1]['t']:.3f} s before the Retry-After date")
    check(feed[1]["t"] < due + 1.5, f"retried {feed[1]['t'] - due:.3f} s after the date")
    check([e["cursor"] for e in feed] == ["", ""] + [p["page"]["next_cursor"]
                                                     for p in script["pages"][:2]],
          f"cursors sent: {[e['cursor'] for e in feed]}")
    check(all(e["limit"] == "2" for e in feed), "a feed request without limit=2")
    # Connections: the 503 (kept alive) is retried on the same connection; after each
    # Connection: close answer the next request opens a new one.
    check(feed[1]["connection"] == feed[0]["connection"], "the kept-alive connection was not reused")
    check(feed[3]["connection"] != feed[2]["connection"], "a closed connection was used again")
    print(f"  the 503 at {feed[0]['t'] % 100:.3f}, Retry-After date at {due % 100}, retry at "
          f"{feed[1]['t'] % 100:.3f} ({feed[1]['t'] - due:+.3f} s from the date); "
          f"{len({e['connection'] for e in requests})} TLS connections for "
          f"{len(requests)} requests")

# Every request: the host name (SNI and Host), a valid X-Request-Id, and the secret nowhere but
# in the token request's Basic header.
form = lambda s: urllib.parse.quote_plus(s)
basic = base64.b64encode(f"{form(client_id)}:{form(secret)}".encode()).decode()
for e in requests:
    check(e["sni"] == "localhost", f"SNI {e['sni']!r} on {e['request_line']}")
    check(header(e, "Host") == [f"localhost:{port}"], f"Host {header(e, 'Host')}")
    ids = header(e, "X-Request-Id")
    check(len(ids) == 1 and re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", ids[0]) is not None,
          f"X-Request-Id {ids} on {e['request_line']}")
    is_token = e in tokens
    text = "\n".join([e["request_line"], e["body"]] +
                     [f"{k}: {v}" for k, v in e["headers"]
                      if not (is_token and k.lower() == "authorization")])
    for leak in (secret, form(secret), urllib.parse.quote(secret, safe=""), basic, "Basic "):
        check(leak not in text, f"{leak!r} was sent in {e['request_line']}")
    if is_token:
        check(header(e, "Authorization") == ["Basic " + basic], "the token request's Basic")
        check(e["token_problems"] == [], f"token request: {e['token_problems']}")

if problems:
    print("\n".join("  " + p for p in problems), file=sys.stderr)
    sys.exit(1)
PY
pass "feed via Basic token, 503 + HTTP-date Retry-After, chunked and close-delimited pages ($feed_time)"

# ---- 2. answers that are not the protocol's -----------------------------------------------------

cat > "$work/portal.json" <<JSON
{"client_id": "$client_id",
 "fixed": {"status": 200, "content_type": "text/html; charset=utf-8",
           "body": "<!DOCTYPE html><html><body><h1>Wi-Fi</h1><p>Accept the terms to continue</p></body></html>"}}
JSON
start_scripted portal
run_feed portal --server "https://localhost:$port" --ca "$work/ca.pem"
stop_last_server
one_line_failure portal 2 "aikom-feed: " "text/html"
[[ "$(grep -c '"/v1/changes' "$work/portal.log")" == 1 ]] ||
  fail "portal: the HTML answer was requested again: $(cat "$work/portal.log")"
pass "a 200 text/html page: exit 2, '$(cat "$work/portal.stderr")'"

cat > "$work/gone.json" <<JSON
{"client_id": "$client_id",
 "fixed": {"status": 410, "content_type": "application/problem+json",
           "body": {"type": "urn:aikom:problem:resync-required",
                    "title": "Cursor too old: resync required", "status": 410,
                    "detail": "events after this cursor are no longer kept: read the feed again without a cursor",
                    "request_id": "req-3c1f0e9a7b2d4e65", "retryable": false, "errors": []}}}
JSON
start_scripted gone
gone_cursor() { # the cursors the server received, one per line
  "$python" -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)
    if e.get("target", "").startswith("/v1/changes"): print(e["cursor"])' "$work/gone.log"
}
run_feed gone --server "https://localhost:$port" --ca "$work/ca.pem" --cursor 'Yzo0MTAy'
one_line_failure gone 1 "resync required"
[[ "$(gone_cursor)" == 'Yzo0MTAy' ]] || fail "gone: the server received the cursor $(gone_cursor)"
pass "a 410 resync-required problem: exit 1, '$(cat "$work/gone.stderr")'"

# A cursor is opaque and is URL-encoded like any query value (docs/protocol.md §2): a
# standard-base64 cursor such as 'Yzo0MT+y/A==' must reach a server that decodes the query as a
# form (Python's parse_qs here, Boost.URL's params() in our own server) unchanged, not with its
# '+' read as a space (it once went out as 'cursor=Yzo0MT+y%2FA==').
: > "$work/gone.log"
run_feed gone-plus --server "https://localhost:$port" --ca "$work/ca.pem" --cursor 'Yzo0MT+y/A=='
stop_last_server
one_line_failure gone-plus 1 "resync required"
[[ "$(gone_cursor)" == 'Yzo0MT+y/A==' ]] ||
  fail "gone-plus: the cursor 'Yzo0MT+y/A==' arrived as '$(gone_cursor)'"
pass "a cursor with '+', '/' and '=' reaches the server intact"

# ---- 3. TLS that must fail ----------------------------------------------------------------------

# A control for each server: openssl s_client shows the certificate is fine but for the one
# fault under test, so aikom-feed's refusal is for that fault.
s_client() { openssl s_client -brief -connect "127.0.0.1:$port" "$@" < /dev/null > /dev/null 2>&1; }

start_s_server other-host -cert "$work/other-host.pem" -key "$work/other-host.key"
s_client -CAfile "$work/ca.pem" -verify_hostname other.example -verify_return_error ||
  fail "control: the other-host certificate does not verify for other.example"
run_feed other-host --server "https://localhost:$port" --ca "$work/ca.pem"
one_line_failure other-host 2 "certificate is not valid for 'localhost'"
run_feed other-ip --server "https://127.0.0.1:$port" --ca "$work/ca.pem"
one_line_failure other-ip 2 "certificate is not valid for '127.0.0.1'"
stop_last_server
pass "a certificate for other.example only: exit 2, '$(cat "$work/other-host.stderr")'"

start_s_server rogue -cert "$work/rogue.pem" -key "$work/rogue.key"
s_client -CAfile "$work/rogue-ca.pem" -verify_hostname localhost -verify_return_error ||
  fail "control: the rogue certificate does not verify against its own CA"
run_feed rogue --server "https://localhost:$port" --ca "$work/ca.pem"
stop_last_server
one_line_failure rogue 2 "certificate is not trusted"
pass "a certificate from a CA the client was not given: exit 2, '$(cat "$work/rogue.stderr")'"

# Debian 12's OpenSSL keeps TLS 1.1 only at security level 0.
start_s_server tls11 -cert "$work/server.pem" -key "$work/server.key" -tls1_1 \
  -cipher 'DEFAULT:@SECLEVEL=0'
s_client -CAfile "$work/ca.pem" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' ||
  fail "control: the server does not speak TLS 1.1"
if s_client -CAfile "$work/ca.pem" -tls1_2; then fail "control: the server speaks TLS 1.2"; fi
t0=$EPOCHREALTIME
run_feed tls11 --server "https://localhost:$port" --ca "$work/ca.pem"
tls11_time=$(elapsed "$t0")
stop_last_server
one_line_failure tls11 2 "TLS handshake" "failed"
pass "a server offering only TLS 1.1: exit 2 in $tls11_time, '$(cat "$work/tls11.stderr")'"

echo "$checks passed, 0 failed in $(elapsed "$started")"
