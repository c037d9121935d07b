#!/usr/bin/env bash
# aikom-sync against a real aikom-sandbox process:
#  1. push: a 20,000-record roster from aikom-gen (with defects) is pushed while the process is
#     killed with SIGKILL at 10 random moments and resumed each time; at the end the server holds
#     exactly the roster's valid records (ids and content hashes, each written once) and every
#     record aikom-validate refuses is in the report with its pointers; a second push sends
#     nothing; `status` prints the journal's counts;
#  2. pull: the change feed pulled while being killed at 10 random moments equals a clean pull,
#     every event exactly once, seq strictly increasing;
#  3. exit status 0 (clean push), 1 (rejected records, with a report), 2 (no secret, wrong CA,
#     usage), each failure in one line;
#  4. the peak RSS that --verbose reports stays far below 100 MB (not checked when aikom-sync
#     was built with a sanitizer);
#  5. under umask 022, every file the programs create with personal data (the roster, the
#     journal, the report, the pulled feed and its state) is owner-only.
# Usage: sync_programs.sh SANDBOX SYNC GEN VALIDATE [SEED]
set -euo pipefail

sandbox=$1
sync=$2
gen=$3
validate=$4
seed=${5:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$seed
echo "random seed $seed (pass it as the fifth argument to repeat the kill moments)"
# A scratch directory $work, the pids to kill on exit, fail, start_sandbox, expect_exit.
# shellcheck source=../support/sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/sandbox.sh"
umask 022 # a permissive one: the programs must not rely on the caller's

# The generator's institutions for --institutions 3 --seed 11, plus one the client may not write.
"$gen" --count 20000 --institutions 3 --seed 11 --defect-rate 0.05 -o "$work/roster.ndjson"
institutions=$(roster_institutions "$work/roster.ndjson")
cat > "$work/clients.json" <<JSON
{"clients": [{"id": "zdo-sync", "secret": "zdo-sync-secret", "role": "platform",
              "institutions": [$institutions]}]}
JSON

# kill_runs LABEL MAX_MS COMMAND...: starts COMMAND and kills it with SIGKILL after a random
# delay of 50..MAX_MS ms, until it was killed 10 times while running (a run that finished
# before its kill does not count).
kill_runs() {
  local label=$1 max=$2 kills=0 tries=0 pid delay
  shift 2
  while [ "$kills" -lt 10 ]; do
    tries=$((tries + 1))
    [ "$tries" -le 40 ] || fail "$label: finished before 10 kills ($kills)"
    "$@" > /dev/null 2>> "$work/kill.err" &
    pid=$!
    delay=$((50 + RANDOM % (max - 49)))
    delay=$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then
      kills=$((kills + 1))
    fi
    wait "$pid" 2>/dev/null || true
  done
  echo "$label: killed 10 times in $tries runs"
}

start_sandbox a 127.0.0.1:0 "$work/tls-a" --latency-ms 20 # slow enough for 10 kills in each run
export AIKOM_CLIENT_SECRET=zdo-sync-secret
ca_a="$work/tls-a/ca.pem"
common=(--server "$a_url" --ca "$ca_a" --client-id zdo-sync)

# 1. Push, killed and resumed. With 20 ms per answer a whole push takes about 9 s and a whole
# pull about 5 s (on 2 cores), so the kills fall across most of each.
kill_runs "push" 1500 "$sync" push "${common[@]}" --journal "$work/journal.db" --batch 100 --quiet \
  "$work/roster.ndjson"
expect_exit 0 "status after the kills" "$sync" status --journal "$work/journal.db"
echo "after the kills the journal holds: $(tr -s ' \n' ' ' < "$work/run.out")"
expect_exit 1 "push to completion" "$sync" push "${common[@]}" --journal "$work/journal.db" \
  --batch 100 --report "$work/report.json" --verbose "$work/roster.ndjson"
grep -q "^summary: sent [0-9]*, accepted [0-9]*, unchanged [0-9]*, rejected [0-9]*, invalid [0-9]*, missing 0, withdrawn 0; 20000 records read in " \
  "$work/run.out" || fail "summary: $(cat "$work/run.out")"
echo "push to completion: $(cat "$work/run.out")"
rss=$(sed -n 's/.*peak RSS \([0-9]*\) MB.*/\1/p' "$work/run.err")
[ -n "$rss" ] || fail "--verbose reported no peak RSS"
# A sanitizer's runtime (compiled in however the flags were given) names its entry point.
sanitizer=$(grep -aoE -m1 '__(asan|tsan|msan)_init' "$sync" | head -n 1 || true)
if [ -n "$sanitizer" ]; then
  echo "built with a sanitizer ($sanitizer): its shadow memory makes the peak RSS ($rss MB) no measure; the bound is not checked"
else
  [ "$rss" -lt 100 ] || fail "peak RSS: '$rss' MB"
fi
grep -q "POST /v1/batches" "$work/run.err" || fail "--verbose logged no request: $(head -n 3 "$work/run.err")"
echo "push of 20,000 records: peak RSS $rss MB"

# Read back what the server holds, and the oracle: what aikom-validate refuses.
expect_exit 0 "clean pull" "$sync" pull "${common[@]}" --state "$work/clean.state" \
  --out "$work/clean.ndjson" --quiet
for f in roster.ndjson journal.db report.json clean.ndjson clean.state; do
  mode=$(stat -c %a "$work/$f")
  [ "$mode" = 600 ] || fail "$f was created with mode $mode, not 600"
done
echo "created owner-only under umask 022: roster, journal, report, pulled feed and state"
"$validate" --profile submission --format json "$work/roster.ndjson" > "$work/validate.json" || true
python3 "$(dirname "${BASH_SOURCE[0]}")/../support/roster_held.py" "$work/roster.ndjson" \
  "$work/clean.ndjson" "$work/validate.json" || fail "the server does not hold exactly the valid records"
python3 - "$work/roster.ndjson" "$work/validate.json" "$work/report.json" <<'PY'
import json, sys
roster, validate, report = sys.argv[1:4]
refused = {i["record"] for i in json.load(open(validate, encoding="utf-8"))["issues"]
           if i["severity"] == "error"}
refused_ids = set()
for n, line in enumerate(open(roster, encoding="utf-8")):
    if n in refused:
        try:
            refused_ids.add(json.loads(line)["id"])
        except Exception:
            pass
problems = json.load(open(report, encoding="utf-8"))
listed = {r["id"] for r in problems["records"]}
assert refused_ids <= listed, sorted(refused_ids - listed)[:5]
for r in problems["records"]:
    assert r["state"] in ("rejected", "invalid") and r["position"] and r["issues"], r
    for i in r["issues"]:
        assert i["pointer"].startswith("/") or i["pointer"] == "", i
        assert i["code"] and i["message"] and i["message_uk"] and i["severity"], i
print("%d refused records in the report, each with its position and issues" % len(listed))
PY

# The same again sends nothing; status prints the journal's counts.
expect_exit 1 "push again" "$sync" push "${common[@]}" --journal "$work/journal.db" --quiet \
  "$work/roster.ndjson"
grep -q "^summary: sent 0, " "$work/run.out" || fail "push again: $(cat "$work/run.out")"
expect_exit 0 "status" "$sync" status --journal "$work/journal.db"
accepted=$(sed -n 's/^accepted *\([0-9]*\)$/\1/p' "$work/run.out")
[ "$accepted" = "$(wc -l < "$work/clean.ndjson")" ] || fail "status: $(cat "$work/run.out")"
grep -q "^pending *0$" "$work/run.out" || fail "status: $(cat "$work/run.out")"

# 2. Pull, killed and resumed: the output equals the clean pull.
kill_runs "pull" 700 "$sync" pull "${common[@]}" --state "$work/pull.state" --out "$work/pull.ndjson" \
  --quiet
echo "after the kills the output holds $(wc -l < "$work/pull.ndjson") events"
expect_exit 0 "pull to completion" "$sync" pull "${common[@]}" --state "$work/pull.state" \
  --out "$work/pull.ndjson"
python3 - "$work/pull.ndjson" "$work/clean.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
seqs = [json.loads(l)["seq"] for l in lines]
assert all(a < b for a, b in zip(seqs, seqs[1:])), "seq not strictly increasing"
clean = open(sys.argv[2], encoding="utf-8").read().splitlines()
assert lines == clean, (len(lines), len(clean))
print("pull: %d events, each once, equal to a clean pull" % len(lines))
PY

# 3. Exit status. 0: the valid records of a small roster, pushed to a fresh journal.
python3 - "$work/roster.ndjson" "$work/validate.json" "$work/small.ndjson" <<'PY'
import json, sys
refused = {i["record"] for i in json.load(open(sys.argv[2], encoding="utf-8"))["issues"]
           if i["severity"] == "error"}
with open(sys.argv[3], "w", encoding="utf-8") as out:
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
        if n < 300 and n not in refused:
            out.write(line)
PY
expect_exit 0 "clean push" "$sync" push "${common[@]}" --journal "$work/small.db" \
  "$work/small.ndjson"
grep -q "^summary: sent 0, accepted 0, unchanged [1-9]" "$work/run.out" ||
  grep -q "^summary: sent [1-9][0-9]*, accepted [1-9]" "$work/run.out" ||
  fail "clean push: $(cat "$work/run.out")"
# 1: a record of an institution the client may not write is rejected by the server.
python3 - "$work/small.ndjson" "$work/foreign.ndjson" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").readline())
r["id"], r["institution"] = "kd-foreign", "32855961"
open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(r, ensure_ascii=False) + "\n")
PY
expect_exit 1 "rejected record" "$sync" push "${common[@]}" --journal "$work/small.db" \
  --report "$work/small-report.json" "$work/small.ndjson" "$work/foreign.ndjson"
python3 - "$work/small-report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
[r] = report["records"]
assert r["id"] == "kd-foreign" and r["state"] == "rejected", r
assert r["position"].endswith("foreign.ndjson:1"), r
assert report["summary"]["rejected"] == 1, report["summary"]
# The small roster's first run is now missing nothing; the foreign file's record is listed once.
PY
# 2: no secret, an empty secret file, a CA that did not sign the server's certificate, usage.
expect_exit 2 "no secret" env -u AIKOM_CLIENT_SECRET "$sync" push "${common[@]}" \
  --journal "$work/small.db" "$work/small.ndjson"
grep -q "AIKOM_CLIENT_SECRET" "$work/run.err" || fail "no secret: $(cat "$work/run.err")"
one_line "no secret"
: > "$work/empty-secret"
expect_exit 2 "empty secret file" env -u AIKOM_CLIENT_SECRET "$sync" pull "${common[@]}" \
  --client-secret-file "$work/empty-secret" --state "$work/x.state" --out "$work/x.ndjson"
one_line "empty secret file"
printf 'zdo-sync-secret\n' > "$work/secret"
expect_exit 0 "secret file" env -u AIKOM_CLIENT_SECRET "$sync" pull "${common[@]}" --quiet \
  --client-secret-file "$work/secret" --state "$work/x.state" --out "$work/x.ndjson"
start_sandbox b 127.0.0.1:0 "$work/tls-b"
expect_exit 2 "wrong CA" "$sync" push --server "$a_url" --ca "$work/tls-b/ca.pem" \
  --client-id zdo-sync --journal "$work/wrong-ca.db" "$work/small.ndjson"
grep -q "certificate is not trusted" "$work/run.err" || fail "wrong CA: $(cat "$work/run.err")"
one_line "wrong CA"
expect_exit 2 "secret on the command line" "$sync" push "${common[@]}" --client-secret x \
  --journal "$work/small.db" "$work/small.ndjson"
grep -q "never taken from the command line" "$work/run.err" || fail "$(cat "$work/run.err")"
expect_exit 2 "no files" "$sync" push "${common[@]}" --journal "$work/small.db"
expect_exit 2 "unknown option" "$sync" pull "${common[@]}" --journal "$work/small.db"
one_line "unknown option"
expect_exit 2 "no command" "$sync"
expect_exit 2 "unknown format" "$sync" push "${common[@]}" --journal "$work/small.db" \
  "$work/clients.json.txt"
expect_exit 2 "missing file" "$sync" push "${common[@]}" --journal "$work/small.db" \
  "$work/nothing.ndjson"
one_line "missing file"
expect_exit 2 "another server's journal" "$sync" push --server "$b_url" --ca "$work/tls-b/ca.pem" \
  --client-id zdo-sync --journal "$work/small.db" "$work/small.ndjson"
one_line "another server's journal"
expect_exit 2 "status without a journal" "$sync" status --journal "$work/nothing.db"
expect_exit 0 "--help" "$sync" --help
grep -q "^usage: aikom-sync push" "$work/run.out" || fail "--help: $(cat "$work/run.out")"

echo "1 passed, 0 failed"
