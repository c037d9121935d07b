#!/usr/bin/env bash
# The Quick start of README.md, on a fresh Debian 12 machine (as root, or with sudo):
#
#   ./cmake/quickstart.sh demo    installs what is missing, builds, runs the demo
#   ./cmake/quickstart.sh test    installs what is missing, builds, runs every test
#   ./cmake/quickstart.sh bench   installs what is missing, builds in Release, runs the benchmarks
#                                 (one table; the same rows in build/bench/results.json)
#   ./cmake/quickstart.sh fuzz [SECONDS]
#                                 installs Clang, builds the libFuzzer targets (preset fuzz), runs
#                                 each for SECONDS (default 60) on its corpus, one at a time, and
#                                 prints its executions and findings (new inputs and crashes go to
#                                 build/fuzz-runs/, never into the committed corpus)
#
# Idempotent: packages already installed are not touched, builds are incremental (ccache).
# The test mode builds with AddressSanitizer and UndefinedBehaviorSanitizer (preset asan).
# AIKOM_WERROR=ON (set by CI) builds with warnings as errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

mode=${1:-}
case "$mode" in
  demo|test|bench|fuzz) ;;
  *) echo "usage: $0 demo|test|bench|fuzz [SECONDS]" >&2; exit 2 ;;
esac

say() { printf '\n==> %s\n' "$*"; }

# Debian 12's unversioned Boost is 1.74 and has no Boost.JSON: the 1.81 packages are required.
packages=(cmake g++ make ccache
          libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
          doctest-dev libssl-dev libsqlite3-dev python3-stdnum python3-jsonschema curl)
# Only the test mode needs these: headless Chromium renders the HTML readiness report
# (test html.report_renders), so `demo` and `bench` do not install a browser.
if [ "$mode" = test ]; then
  packages+=(chromium)
fi
# wrk drives the sandbox in the benchmarks' client and server sections (bench.quick in the test
# suite runs them too). simdjson is one limit line of the decode section, never linked by the
# library. Without either, those rows say they were skipped.
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  packages+=(wrk)
fi
if [ "$mode" = bench ]; then
  packages+=(libsimdjson-dev)
fi

install_missing() {
  local missing=() p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "all required packages are installed"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  say "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The demo builds `dev`; the tests build `asan` (the same with AddressSanitizer and
# UndefinedBehaviorSanitizer: any finding fails the test). AIKOM_WERROR=ON (CI) builds `ci`,
# which is `asan` with warnings as errors.
preset=dev
if [ "$mode" = test ]; then
  preset=asan
fi
if [ "${AIKOM_WERROR:-OFF}" = "ON" ]; then
  preset=ci
fi

install_missing

case "$mode" in
  demo)
    say "configuring (preset $preset)"
    cmake --preset "$preset"
    say "building the example programs"
    cmake --build --preset "$preset" --target aikom-gen aikom-tour aikom-validate aikom-audit \
      aikom-sandbox aikom-sync
    bin="build/$preset/examples"
    mkdir -p build/demo
    say "generating a synthetic roster: 5000 children in 4 institutions, 10% with defects"
    "$bin/aikom-gen" --count 5000 --institutions 4 --seed 7 --defect-rate 0.1 --format ndjson -o build/demo/roster.ndjson
    "$bin/aikom-gen" --count 500 --institutions 1 --seed 8 --format csv -o build/demo/roster.csv
    # Three hand-made synthetic lines to show how problems are reported: by position and
    # JSON Pointer, never by a child's data.
    printf '%s\n' \
      '{"id":"demo-1","sex":"female","education":{"form":"distance"}}' \
      '{"id":"demo-2","birth_date":"2021-02-30","nickname":"x","document":{"series":"I-КВ"}}' \
      '{"id":"demo-3","sex":"male",' > build/demo/broken.ndjson
    say "aikom-tour build/demo/roster.ndjson build/demo/roster.csv build/demo/broken.ndjson"
    "$bin/aikom-tour" build/demo/roster.ndjson build/demo/roster.csv build/demo/broken.ndjson

    # The generator's reference date is 2025-06-01; the checks are made as of that day.
    say "aikom-validate: what AIKOM would refuse, and what can be fixed safely (first lines)"
    set +e
    "$bin/aikom-validate" --as-of 2025-06-01 --fix build/demo/fixed.ndjson build/demo/roster.ndjson > build/demo/validate.txt
    status=$?
    set -e
    head -n 12 build/demo/validate.txt
    echo "  ... (all of it in build/demo/validate.txt)"
    tail -n 1 build/demo/validate.txt
    echo "  exit status $status (1 = errors found); fixed records in build/demo/fixed.ndjson"
    say "aikom-validate on the fixed records"
    "$bin/aikom-validate" --as-of 2025-06-01 build/demo/fixed.ndjson | tail -n 1 || true
    say "aikom-audit: the readiness report (the four indicators of the ministry's letter)"
    "$bin/aikom-audit" build/demo/fixed.ndjson --as-of 2025-06-01 --deadline 2025-06-07 \
      --json build/demo/readiness.json --html build/demo/readiness.html > build/demo/readiness.txt
    head -n 40 build/demo/readiness.txt
    echo "  ... the whole report: build/demo/readiness.txt, build/demo/readiness.html (open it in a"
    echo "      browser), build/demo/readiness.json"

    # The exchange: a roster pushed to the reference server, fixed, pushed again, read back.
    sync=build/demo/sync
    rm -rf "$sync" && mkdir -p "$sync"
    say "aikom-gen: a roster of 2000 children in 3 institutions, 10% with defects"
    # Ages made for today, since the server checks as of today (the records above are for a fixed
    # day, so that their report stays the same).
    "$bin/aikom-gen" --count 2000 --institutions 3 --seed 21 --defect-rate 0.1 \
      --reference-date today -o "$sync/roster.ndjson"
    # A throwaway client allowed to write exactly the roster's institutions, with a random secret.
    institutions=$(python3 -c '
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    i = json.loads(line).get("institution")
    if isinstance(i, str) and len(i) == 8 and i.isdigit():
        seen.add(i)
print(", ".join(json.dumps(i) for i in sorted(seen)))' "$sync/roster.ndjson")
    AIKOM_CLIENT_SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    export AIKOM_CLIENT_SECRET
    (umask 077 # the file holds the secret: owner-only
     printf '{"clients": [{"id": "demo-platform", "secret": "%s", "role": "platform", "institutions": [%s]}]}\n' \
       "$AIKOM_CLIENT_SECRET" "$institutions" > "$sync/clients.json")
    say "aikom-sandbox: the reference server on a free loopback port, with a fresh CA in $sync/tls"
    "$bin/aikom-sandbox" --listen 127.0.0.1:0 --db :memory: --clients "$sync/clients.json" \
      --tls-dir "$sync/tls" > "$sync/sandbox.out" 2> "$sync/sandbox.err" &
    sandbox_pid=$!
    trap 'kill -TERM "$sandbox_pid" 2>/dev/null || true' EXIT
    until [ -s "$sync/sandbox.out" ]; do
      kill -0 "$sandbox_pid" 2>/dev/null || { cat "$sync/sandbox.err" >&2; exit 1; }
      sleep 0.1
    done
    server=$(sed -n '1s/^listening on //p' "$sync/sandbox.out")
    echo "  $server (trusting $sync/tls/ca.pem)"
    connect=(--server "$server" --ca "$sync/tls/ca.pem" --client-id demo-platform)

    say "aikom-sync push: what the server accepts, and what it would not take and why"
    set +e
    "$bin/aikom-sync" push "${connect[@]}" --journal "$sync/journal.db" \
      --report "$sync/report.json" "$sync/roster.ndjson"
    status=$?
    set -e
    echo "  exit status $status (1 = some records not accepted); the first of them:"
    python3 -c '
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
for r in report["records"][:6]:
    for i in r["issues"]:
        if i["severity"] == "error":
            print("  %s %s %s: %s %s: %s" % (r["position"].rsplit("/", 1)[-1], r["id"], r["state"],
                                            i["pointer"], i["code"], i["message"]))
print("  ... %d records in all in %s" % (len(report["records"]), sys.argv[1]))' "$sync/report.json"

    say "aikom-validate --fix, then aikom-sync push again: only the changed records go"
    "$bin/aikom-validate" --profile submission --fix "$sync/fixed.ndjson" "$sync/roster.ndjson" \
      > /dev/null || true
    set +e
    "$bin/aikom-sync" push "${connect[@]}" --journal "$sync/journal.db" \
      --report "$sync/report.json" "$sync/fixed.ndjson"
    set -e
    say "aikom-sync status: the journal"
    "$bin/aikom-sync" status --journal "$sync/journal.db"

    say "aikom-sync pull: the change feed into $sync/feed.ndjson"
    "$bin/aikom-sync" pull "${connect[@]}" --state "$sync/feed.state" --out "$sync/feed.ndjson"
    # What the server holds: the last change of each record (a change object carries the record).
    python3 -c '
import json, sys
held = {}
for line in open(sys.argv[1], encoding="utf-8"):
    change = json.loads(line)
    held[(change["institution"], change["id"])] = change.get("record")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for record in held.values():
        if record is not None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")' "$sync/feed.ndjson" "$sync/server.ndjson"

    say "aikom-audit: the readiness report of what the server holds"
    "$bin/aikom-audit" "$sync/server.ndjson" --html "$sync/readiness.html" > "$sync/readiness.txt"
    head -n 16 "$sync/readiness.txt"
    echo "  ... the whole report: $sync/readiness.txt; open $sync/readiness.html in a browser"
    kill -TERM "$sandbox_pid"
    wait "$sandbox_pid" || true
    trap - EXIT
    say "the sandbox is stopped; everything the demo wrote is in build/demo"
    ;;
  test)
    say "configuring (preset $preset)"
    cmake --preset "$preset"
    say "building everything"
    cmake --build --preset "$preset"
    say "running every test"
    ctest --preset "$preset"
    ;;
  bench)
    say "configuring (preset release)"
    cmake --preset release
    say "building the benchmarks"
    cmake --build --preset release --target aikom_bench
    say "benchmarks: 200,000 records (decode, encode, CSV), 1,000,000 РНОКПП and ЄДРПОУ (vs python-stdnum), the client and the server on loopback (vs wrk), peak memory on 1,000,000 records"
    build/release/bench/aikom_bench --out build/bench/results.json --work-dir build/bench
    ;;
  fuzz)
    seconds=${2:-60}
    case "$seconds" in
      ''|*[!0-9]*) echo "usage: $0 fuzz [SECONDS]" >&2; exit 2 ;;
    esac
    # The fuzz preset builds with Clang; libFuzzer is in Clang's runtime libraries.
    packages=(clang libclang-rt-14-dev)
    install_missing
    say "configuring (preset fuzz)"
    cmake --preset fuzz
    say "building the fuzz targets"
    cmake --build --preset fuzz
    runs=build/fuzz-runs
    report=()
    found=0
    for name in record_decoder readers normalizers protocol client_response server_request; do
      work="$runs/$name"
      rm -rf "$work/crashes" && mkdir -p "$work/new" "$work/crashes"
      # libFuzzer writes new inputs into the first directory only: the committed corpus and
      # the regression inputs are read, never written.
      dirs=("$work/new")
      if [ -d "tests/fuzz/corpus/$name" ]; then
        dirs+=("tests/fuzz/corpus/$name")
      fi
      dirs+=(tests/fuzz/regressions)
      say "fuzz_$name for $seconds s (log: $work/log.txt)"
      set +e
      "build/fuzz/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -close_fd_mask=2 -artifact_prefix="$work/crashes/" "${dirs[@]}" \
        > "$work/log.txt" 2>&1
      status=$?
      set -e
      executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log.txt" | tail -n 1)
      rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log.txt" | tail -n 1)
      crashes=$(find "$work/crashes" -type f | wc -l)
      if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        found=1
        tail -n 30 "$work/log.txt"
        verdict="FINDING (exit $status): $(find "$work/crashes" -type f | head -n 3 | tr '\n' ' ')"
      else
        verdict="no crash"
      fi
      report+=("$(printf '%-24s %12s executions %8s/s   %s' "fuzz_$name" "${executions:-?}" \
                  "${rate:-?}" "$verdict")")
    done
    say "fuzzing, $seconds s per target"
    printf '  %s\n' "${report[@]}"
    echo "  to keep a finding: minimise it (-minimize_crash=1), add it to tests/fuzz/regressions/"
    exit "$found"
    ;;
esac
