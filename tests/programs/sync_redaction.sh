#!/usr/bin/env bash
# No personal data, token or secret in what aikom-sync and aikom-sandbox print: a push and a pull
# with --verbose of synthetic records whose names, birth-certificate numbers, РНОКПП and phones
# are known (one record accepted, one refused before sending, one refused by the server), then
# failing runs (a wrong secret, a CA of nobody's).
# Everything the programs wrote to stdout and stderr, the push's report and the sandbox's log
# are searched for each value, for the secret and for anything shaped like an access token.
# Usage: sync_redaction.sh SANDBOX SYNC
set -euo pipefail

sandbox=$1
sync=$2
# A scratch directory $work, the pids to kill on exit, fail, start_sandbox, expect_exit.
# shellcheck source=../support/sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/sandbox.sh"

secret="Sekret-Pysanka-7340-Wz"
cat > "$work/clients.json" <<JSON
{"clients": [{"id": "pd-sync", "secret": "$secret", "role": "platform",
              "institutions": ["32855961"]}]}
JSON

# The roster and, one a line, the values that must appear nowhere.
python3 - "$work/roster.ndjson" "$work/values.txt" <<'PY'
import datetime, json, sys

def rnokpp(birth, female, sequence, damage=False):
    days = (birth - datetime.date(1899, 12, 31)).days
    first9 = "%05d%04d" % (days, 2 * sequence + (0 if female else 1))
    weights = [-1, 5, 7, 9, 4, 6, 10, 5, 7]
    check = sum(w * int(d) for w, d in zip(weights, first9)) % 11 % 10
    return first9 + str((check + 1) % 10 if damage else check)

today = datetime.date.today()
born = today.replace(year=today.year - 4) - datetime.timedelta(days=40)
people = [  # accepted; refused before sending; refused by the server (another institution)
    dict(last="Заболотнюковська", first="Євпраксія", patronymic="Мирославівна",
         rnokpp=rnokpp(born, True, 2417), number="739164", g_last="Перепеличенко",
         g_first="Доброгоста", phone="+380671234987", institution="32855961"),
    dict(last="Коломийцевська", first="Ярославна", patronymic="Всеволодівна",
         rnokpp=rnokpp(born, True, 1234, damage=True), number="8412736", g_last="Вишнепольська",
         g_first="Златослава", phone="+38093555712", institution="32855961"),
    dict(last="Переяславцева", first="Богуміла", patronymic="Святозарівна",
         rnokpp=rnokpp(born, True, 3141), number="582946", g_last="Квітчастенко",
         g_first="Милослава", phone="+380503318274", institution="21560766"),
]
with open(sys.argv[1], "w", encoding="utf-8") as roster, \
        open(sys.argv[2], "w", encoding="utf-8") as values:
    for n, p in enumerate(people, 1):
        record = {
            "id": "kd-pd-%d" % n, "institution": p["institution"],
            "name": {"last": p["last"], "first": p["first"], "patronymic": p["patronymic"]},
            "birth_date": born.isoformat(), "sex": "female", "citizenship": "UA",
            "rnokpp": p["rnokpp"],
            "document": {"type": "ua_birth_certificate", "series": "I-ЖТ", "number": p["number"]},
            "displacement": {"status": "none"}, "contact": {"status": "in_contact"},
            "education": {"form": "in_person"},
            "guardians": [{"name": {"last": p["g_last"], "first": p["g_first"]},
                           "relation": "mother", "phone": p["phone"]}]}
        roster.write(json.dumps(record, ensure_ascii=False) + "\n")
        for key in ("last", "first", "patronymic", "rnokpp", "number", "g_last", "g_first",
                    "phone"):
            values.write(p[key] + "\n")
        values.write(p["phone"].lstrip("+") + "\n")
PY
echo "$secret" >> "$work/values.txt"

start_sandbox a 127.0.0.1:0 "$work/tls-a"
common=(--server "$a_url" --ca "$work/tls-a/ca.pem" --client-id pd-sync)
export AIKOM_CLIENT_SECRET=$secret
mkdir "$work/logs"
# keep NAME: the last run's stdout and stderr, for the search.
keep() { cp "$work/run.out" "$work/logs/$1.out"; cp "$work/run.err" "$work/logs/$1.err"; }

expect_exit 1 "push" "$sync" push "${common[@]}" --journal "$work/journal.db" \
  --report "$work/report.json" --verbose "$work/roster.ndjson"
keep push
grep -q "^summary: sent 2, accepted 1, unchanged 0, rejected 1, invalid 1," "$work/run.out" ||
  fail "push: $(cat "$work/run.out")"
grep -q "POST /v1/batches" "$work/run.err" || fail "push --verbose logged no request"
expect_exit 0 "pull" "$sync" pull "${common[@]}" --state "$work/pull.state" \
  --out "$work/pull.ndjson" --verbose
keep pull
grep -q "GET /v1/changes" "$work/run.err" || fail "pull --verbose logged no request"
[ "$(wc -l < "$work/pull.ndjson")" = 1 ] || fail "pull: $(wc -l < "$work/pull.ndjson") events"
expect_exit 0 "status" "$sync" status --journal "$work/journal.db"
keep status

# Failing runs.
expect_exit 2 "wrong secret" env AIKOM_CLIENT_SECRET="$secret-wrong" "$sync" push "${common[@]}" \
  --journal "$work/journal.db" --verbose "$work/roster.ndjson"
keep wrong-secret
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=nobody \
  -keyout "$work/nobody.key" -out "$work/nobody.pem" 2> /dev/null
expect_exit 2 "CA of nobody" "$sync" pull --server "$a_url" --ca "$work/nobody.pem" \
  --client-id pd-sync --state "$work/other.state" --out "$work/other.ndjson" --verbose
keep wrong-ca
grep -q "not trusted" "$work/run.err" || fail "CA of nobody: $(cat "$work/run.err")"

kill -TERM "$a_pid"
wait "$a_pid" || true
cp "$work/a.out" "$work/a.err" "$work/report.json" "$work/logs/"
grep -q "refused" "$work/logs/a.err" || fail "the sandbox logged no refusal: $(cat "$work/a.err")"

python3 - "$work/values.txt" "$work/logs" <<'PY'
import os, re, sys
values = [v for v in open(sys.argv[1], encoding="utf-8").read().split("\n") if v]
token_shape = re.compile(r"[0-9a-fA-F]{64}")
leaks = []
for name in sorted(os.listdir(sys.argv[2])):
    text = open(os.path.join(sys.argv[2], name), encoding="utf-8", errors="replace").read()
    leaks += ["%s: '%s'" % (name, v) for v in values if v in text]
    leaks += ["%s: something shaped like an access token" % name for _ in token_shape.findall(text)]
if leaks:
    sys.exit("FAIL: personal data, a secret or a token in what the programs wrote:\n  " +
             "\n  ".join(leaks))
print("searched %d files for %d values: none found" % (len(os.listdir(sys.argv[2])), len(values)))
PY
