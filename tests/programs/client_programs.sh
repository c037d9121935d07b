#!/usr/bin/env bash
# The client programs against a real aikom-sandbox process: the three examples (callback,
# coroutine, future) upsert a synthetic record and read it back; aikom-feed prints the change
# feed as JSON lines, resumes from its cursor, follows until SIGTERM, and exits 1 for a cursor
# that needs a resync and 2 for every other failure (wrong CA, wrong host name, no secret, usage).
# Usage: client_programs.sh SANDBOX FEED EXAMPLE_CALLBACK EXAMPLE_COROUTINE EXAMPLE_FUTURE
set -euo pipefail

sandbox=$1
feed=$2
examples=("$3" "$4" "$5")
# A scratch directory $work, the pids to kill on exit, fail, start_sandbox, expect_exit.
# shellcheck source=../support/sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/sandbox.sh"

cat > "$work/clients.json" <<'JSON'
{"clients": [{"id": "zdo-a", "secret": "zdo-a-secret", "role": "institution",
              "institutions": ["32855961"]}]}
JSON

# The clients file holds secrets: the sandbox warns when others may read it, and not otherwise.
chmod 644 "$work/clients.json"
start_sandbox a 127.0.0.1:0 "$work/tls-a"
grep -q "^aikom-sandbox: warning: the clients file .* is open to other users (mode 0644)" \
  "$work/a.err" || fail "no warning for a clients file of mode 644: $(cat "$work/a.err")"
chmod 600 "$work/clients.json"
# A second sandbox with its own CA, on an address its certificate does not name.
start_sandbox b 127.0.0.2:0 "$work/tls-b"
! grep -q "warning" "$work/b.err" || fail "a warning for a clients file of mode 600: $(cat "$work/b.err")"

export AIKOM_CLIENT_SECRET=zdo-a-secret AIKOM_CLIENT_ID=zdo-a
ca_a="$work/tls-a/ca.pem"
ca_b="$work/tls-b/ca.pem"

# 1. The examples: settings from the command line, then from the environment.
for program in "${examples[@]}"; do
  name=$(basename "$program")
  id="kd-example-${name#aikom-example-}"
  expect_exit 0 "$name" "$program" --server "$a_url" --ca "$ca_a"
  grep -q "^upserted $id: created$" "$work/run.out" || fail "$name printed: $(cat "$work/run.out")"
  grep -q "^read back $id, etag [0-9a-f]" "$work/run.out" || fail "$name printed: $(cat "$work/run.out")"
  AIKOM_SERVER=$a_url AIKOM_CA=$ca_a expect_exit 0 "$name (environment)" "$program"
  grep -q "^upserted $id: unchanged$" "$work/run.out" || fail "$name printed: $(cat "$work/run.out")"
done
# A failure prints the error, our message and the request id, and exits non-zero.
expect_exit 1 "example with a wrong CA" "${examples[2]}" --server "$a_url" --ca "$ca_b"
grep -q "certificate is not trusted" "$work/run.err" || fail "wrong CA: $(cat "$work/run.err")"
grep -q "request id: " "$work/run.err" || fail "no request id: $(cat "$work/run.err")"
expect_exit 2 "example without a secret" env -u AIKOM_CLIENT_SECRET "${examples[0]}" \
  --server "$a_url" --ca "$ca_a"

# 2. aikom-feed drains the feed: one change object per line, the cursor last on stderr.
expect_exit 0 "aikom-feed" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a --limit 2
python3 - "$work/run.out" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 3, lines
seqs = []
for line in lines:
    event = json.loads(line)
    assert {"seq", "type", "institution", "id"} <= event.keys(), event
    assert event["type"] == "upsert" and event["etag"], event
    assert event["record"]["id"] == event["id"], event
    assert event["record"]["name"]["last"] == "Тестенко", event
    seqs.append(event["seq"])
assert seqs == sorted(seqs) and len(set(seqs)) == 3, seqs
assert {json.loads(l)["id"] for l in lines} == {
    "kd-example-callback", "kd-example-coroutine", "kd-example-future"}, lines
PY
last=$(tail -n 1 "$work/run.err")
[[ "$last" == "cursor: "?* ]] || fail "last stderr line: $last"
cursor=${last#cursor: }

# 3. From that cursor: nothing new, the same cursor.
expect_exit 0 "aikom-feed --cursor" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a \
  --cursor "$cursor"
[ ! -s "$work/run.out" ] || fail "events after the cursor: $(cat "$work/run.out")"
[ "$(tail -n 1 "$work/run.err")" = "cursor: $cursor" ] || fail "cursor moved: $(cat "$work/run.err")"

# 4. --follow prints what there is, keeps polling, and stops on SIGTERM with exit 0.
"$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a --follow \
  > "$work/follow.out" 2> "$work/follow.err" &
follower=$!
pids+=("$follower")
for _ in $(seq 1 100); do
  if [ "$(wc -l < "$work/follow.out")" -ge 3 ]; then break; fi
  sleep 0.1
done
sleep 2.5 # at least one poll after the feed was drained
kill -0 "$follower" 2>/dev/null || fail "--follow exited: $(cat "$work/follow.err")"
kill -TERM "$follower"
code=0
wait "$follower" || code=$?
[ "$code" = 0 ] || fail "--follow after SIGTERM: exit $code: $(cat "$work/follow.err")"
[ "$(wc -l < "$work/follow.out")" = 3 ] || fail "--follow printed: $(cat "$work/follow.out")"
[ "$(tail -n 1 "$work/follow.err")" = "cursor: $cursor" ] || fail "--follow: $(cat "$work/follow.err")"

# 5. Exit 2: a CA of another sandbox, a host name the certificate does not name, no secret,
# a cursor the server did not issue, and usage errors. Each with a one-line message.
expect_exit 2 "wrong CA" "$feed" --server "$a_url" --ca "$ca_b" --client-id zdo-a
grep -q "certificate is not trusted" "$work/run.err" || fail "wrong CA: $(cat "$work/run.err")"
one_line "wrong CA"
expect_exit 2 "host name mismatch" "$feed" --server "$b_url" --ca "$ca_b" --client-id zdo-a
grep -q "certificate is not valid for '127.0.0.2'" "$work/run.err" ||
  fail "host name mismatch: $(cat "$work/run.err")"
one_line "host name mismatch"
expect_exit 2 "no secret" env -u AIKOM_CLIENT_SECRET "$feed" --server "$a_url" --ca "$ca_a" \
  --client-id zdo-a
grep -q "AIKOM_CLIENT_SECRET" "$work/run.err" || fail "no secret: $(cat "$work/run.err")"
one_line "no secret"
expect_exit 2 "wrong secret" env AIKOM_CLIENT_SECRET=wrong "$feed" --server "$a_url" \
  --ca "$ca_a" --client-id zdo-a
grep -q "invalid_client" "$work/run.err" || fail "wrong secret: $(cat "$work/run.err")"
one_line "wrong secret"
expect_exit 2 "foreign cursor" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a \
  --cursor not-a-cursor
one_line "foreign cursor"
expect_exit 2 "bad --limit" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a --limit 0
expect_exit 2 "no --server" "$feed" --client-id zdo-a
expect_exit 0 "--help" "$feed" --help
grep -q "^usage: aikom-feed" "$work/run.out" || fail "--help printed: $(cat "$work/run.out")"

# 6. Exit 1: the sandbox restarted on a fresh :memory: database (same CA), so the saved cursor is
# ahead of its feed and must not be followed (docs/protocol.md §10.6). The binary cannot shorten
# the 7-day retention, so this is how a resync is reached from outside.
kill -TERM "$a_pid"
wait "$a_pid" || fail "sandbox a did not stop cleanly"
start_sandbox a 127.0.0.1:0 "$work/tls-a"
expect_exit 1 "resync" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a --cursor "$cursor"
grep -q "resync required" "$work/run.err" || fail "resync: $(cat "$work/run.err")"
one_line "resync"
expect_exit 0 "after a resync" "$feed" --server "$a_url" --ca "$ca_a" --client-id zdo-a

echo "1 passed, 0 failed"
