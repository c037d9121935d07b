#!/usr/bin/env bash
# The Quick start of README.md, on a fresh Debian 12 machine (as root, or with sudo):
#
#   ./cmake/quickstart.sh demo    installs what is missing, builds, runs the demo
#   ./cmake/quickstart.sh test    installs what is missing, builds, runs every test
#   ./cmake/quickstart.sh bench   installs what is missing, builds in Release, runs the benchmarks
#
# Idempotent: packages already installed are not touched, builds are incremental (ccache).
# AIKOM_WERROR=ON (set by CI) builds with warnings as errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

mode=${1:-}
case "$mode" in
  demo|test|bench) ;;
  *) echo "usage: $0 demo|test|bench" >&2; exit 2 ;;
esac

say() { printf '\n==> %s\n' "$*"; }

# Debian 12's unversioned Boost is 1.74 and has no Boost.JSON: the 1.81 packages are required.
packages=(cmake g++ make ccache
          libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
          doctest-dev libssl-dev libsqlite3-dev python3-stdnum curl)
# Only the test mode needs these: headless Chromium renders the HTML readiness report
# (test html.report_renders), so `demo` and `bench` do not install a browser.
if [ "$mode" = test ]; then
  packages+=(chromium)
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

preset=dev
if [ "${AIKOM_WERROR:-OFF}" = "ON" ]; then
  preset=ci
fi

install_missing

case "$mode" in
  demo)
    say "configuring (preset $preset)"
    cmake --preset "$preset"
    say "building the example programs"
    cmake --build --preset "$preset" --target aikom-gen aikom-tour aikom-validate aikom-audit
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
    cmake --build --preset release --target aikom_records_bench
    say "records benchmark (200,000 generated records)"
    build/release/bench/aikom_records_bench --records 200000 --out build/bench/results.json
    ;;
esac
