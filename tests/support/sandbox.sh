# Sourced by the test scripts that drive an aikom-sandbox process (the binary in $sandbox): a
# scratch directory $work, removed on exit with every process listed in `pids` killed, `fail`,
# and the helpers below. The script writes $work/clients.json before start_sandbox.

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill -9 "$p" && wait "$p"; } 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# roster_institutions ROSTER: the institutions of an NDJSON roster that are ЄДРПОУ-shaped, as a
# comma-separated list of JSON strings (lines that are not records are skipped).
roster_institutions() {
  python3 - "$1" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        seen.add(json.loads(line)["institution"])
    except Exception:
        pass
print(",".join('"%s"' % i for i in sorted(i for i in seen if isinstance(i, str) and len(i) == 8 and i.isdigit())))
PY
}

# start_sandbox NAME LISTEN TLS_DIR [ARGS...]: starts a sandbox on $sandbox_db (a throwaway
# in-memory database unless set) and $work/clients.json, waits for its first line; sets NAME_url
# and NAME_pid.
start_sandbox() {
  local name=$1 listen=$2 tls=$3 out="$work/$1.out"
  shift 3
  "$sandbox" --listen "$listen" --db "${sandbox_db:-:memory:}" --clients "$work/clients.json" \
    --tls-dir "$tls" "$@" > "$out" 2> "$work/$name.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    if [ -s "$out" ]; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "sandbox $name exited at start: $(cat "$work/$name.err")"
    sleep 0.1
  done
  local first
  first=$(head -n 1 "$out")
  [[ "$first" =~ ^listening\ on\ (https://[0-9.]+:[0-9]+)$ ]] || fail "first line was: $first"
  printf -v "${name}_url" '%s' "${BASH_REMATCH[1]}"
  printf -v "${name}_pid" '%s' "$pid"
}

# expect_exit CODE LABEL COMMAND...: runs COMMAND with stdout/stderr in $work/run.{out,err}.
expect_exit() {
  local want=$1 label=$2 code=0
  shift 2
  "$@" > "$work/run.out" 2> "$work/run.err" || code=$?
  [ "$code" = "$want" ] || fail "$label: exit $code, expected $want; stderr: $(tail -n 5 "$work/run.err")"
}

# one_line LABEL: the failure was told in exactly one line.
one_line() {
  [ "$(wc -l < "$work/run.err")" = 1 ] || fail "$1: not one line: $(cat "$work/run.err")"
}
