#!/usr/bin/env bash
# The server killed, not the client: aikom-sync pushes a 4,000-record roster to an aikom-sandbox
# on a database file while the sandbox is killed with SIGKILL at up to 8 random moments (at
# least 3) and restarted on the same file and port each time.
#  1. After every kill, every write the server acknowledged is still there: each record the
#     journal holds as accepted is on the restarted server with the ETag it acknowledged.
#  2. The push resumes: after the kills one more push ends with exit status 0, and the server
#     holds exactly the roster (ids and content hashes), each record written once (a batch whose
#     answer was lost with the server is sent again with its Idempotency-Key and not written
#     twice).
# Usage: sandbox_kill.sh SANDBOX SYNC GEN [SEED]
set -euo pipefail

sandbox=$1
sync=$2
gen=$3
seed=${4:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
echo "random seed $seed (pass it as the fourth argument to repeat the kill moments)"
# shellcheck source=../support/sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/sandbox.sh"

"$gen" --count 4000 --institutions 2 --seed 23 --reference-date today -o "$work/roster.ndjson"
institutions=$(roster_institutions "$work/roster.ndjson")
cat > "$work/clients.json" <<JSON
{"clients": [{"id": "zdo-kill", "secret": "zdo-kill-secret", "role": "platform",
              "institutions": [$institutions]}]}
JSON
# The journal belongs to one server URL: every restart listens on the same port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="https://127.0.0.1:$port"
export AIKOM_CLIENT_SECRET=zdo-kill-secret
common=(--server "$url" --ca "$work/tls/ca.pem" --client-id zdo-kill)

# start_server: the sandbox on $work/server.db and $port; sets server_pid once it listens.
sandbox_db="$work/server.db"
start_server() {
  start_sandbox server "127.0.0.1:$port" "$work/tls" --latency-ms 10
}

# held FILE: pulls the whole feed into FILE (from the start, a state file of its own).
held() {
  rm -f "$1" "$1.state"
  expect_exit 0 "pull" "$sync" pull "${common[@]}" --state "$1.state" --out "$1" --quiet
}

# check_acknowledged FEED: every record the journal holds as accepted is in FEED's last state
# with the acknowledged ETag.
check_acknowledged() {
  python3 - "$work/journal.db" "$1" <<'PY'
import json, sqlite3, sys
journal, feed = sys.argv[1:3]
db = sqlite3.connect("file:%s?mode=ro" % journal, uri=True)
acknowledged = {(i, r): e for i, r, e in db.execute(
    "SELECT institution, id, etag FROM records WHERE state = 'accepted'")}
held = {}
for line in open(feed, encoding="utf-8"):
    e = json.loads(line)
    held[(e["institution"], e["id"])] = e["etag"] if e["type"] == "upsert" else None
lost = [k for k, etag in acknowledged.items() if held.get(k) != etag]
assert not lost, ("acknowledged but not held after the kill", len(lost), sorted(lost)[:3])
print(len(acknowledged))
PY
}

# Each run is cut short within its first 0.9 s (a whole push takes several seconds), so the
# kills fall across the push as it resumes; a run that finished first ends the loop.
kills=0
while [ "$kills" -lt 8 ]; do
  start_server
  "$sync" push "${common[@]}" --journal "$work/journal.db" --batch 50 --quiet \
    "$work/roster.ndjson" > /dev/null 2>> "$work/push.err" &
  push_pid=$!
  pids+=("$push_pid")
  delay=$((100 + RANDOM % 800))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if ! kill -0 "$push_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    break
  fi
  kill -9 "$server_pid"
  kills=$((kills + 1))
  wait "$server_pid" 2>/dev/null || true
  # Without its server the push gives up after its retries (a few seconds); 60 s is a hang.
  for _ in $(seq 1 600); do
    kill -0 "$push_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$push_pid" 2>/dev/null && fail "the push still runs 60 s after its server was killed"
  wait "$push_pid" 2>/dev/null || true
  # 1. What the server acknowledged survived the kill.
  start_server
  held "$work/after-kill.ndjson"
  n=$(check_acknowledged "$work/after-kill.ndjson") || fail "after kill $kills: an acknowledged write was lost"
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  echo "kill $kills: $n acknowledged records held after the restart"
done
[ "$kills" -ge 3 ] || fail "the push finished after $kills kills: too fast for the test"
echo "the sandbox was killed $kills times during the push"

# 2. The push resumes and the end state is exact.
start_server
expect_exit 0 "push to completion" "$sync" push "${common[@]}" --journal "$work/journal.db" \
  --batch 50 "$work/roster.ndjson"
echo "push to completion: $(cat "$work/run.out")"
held "$work/final.ndjson"
check_acknowledged "$work/final.ndjson" > /dev/null || fail "an acknowledged write is missing at the end"
python3 "$(dirname "${BASH_SOURCE[0]}")/../support/roster_held.py" "$work/roster.ndjson" \
  "$work/final.ndjson" || fail "the server does not hold exactly the roster"
kill -TERM "$server_pid"
wait "$server_pid" || fail "the sandbox did not stop cleanly on SIGTERM"
echo "PASS"
