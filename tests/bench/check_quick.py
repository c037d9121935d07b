"""bench.quick: aikom_bench --quick still runs, prints every row and writes them all as JSON.

    python3 check_quick.py AIKOM_BENCH WORK_DIR

Asserts nothing about speed (tests never time anything): only that the program ran every
measurement, that its table and WORK_DIR/results.json hold the same rows, that every figure is a
positive number, and that the rows tools track by name (the issue's targets among them) are
there under their stable names.
"""

import json
import math
import os
import subprocess
import sys

# Names other tools may track: renaming one is a change to announce, not a refactoring.
REQUIRED = [
    'decode.dom_default',
    'decode.dom_monotonic',
    'decode.typed vs decode.dom_default',
    'decode.into vs decode.dom_default',
    'decode.into vs decode.dom_monotonic',
    'decode.into vs decode.limit_null_parser',
    'decode.into vs decode.limit_simdjson',
    'decode.into_readiness vs decode.dom_default',
    'decode.limit_null_parser vs decode.dom_default',
    'decode.limit_simdjson vs decode.dom_default',
    'encode.dom_serialize',
    'encode.canonical vs encode.dom_serialize',
    'csv.ndjson_reader',
    'csv.utf8_reader vs csv.ndjson_reader',
    'csv.windows_1251_reader vs csv.ndjson_reader',
    'identifiers.rnokpp_process vs identifiers.rnokpp_stdnum',
    'identifiers.edrpou_process vs identifiers.edrpou_stdnum',
    'identifiers.rnokpp_in_process',
    'identifiers.edrpou_in_process',
    'client.batch',
    'client.single vs client.single_wrk',
    'client.single handshakes',
    'client.batch handshakes',
    'server.sqlite_floor',
] + ['server.%s_c%d vs server.v1_c%d' % (kind, n, n)
     for n in (4, 16, 64) for kind in ('get_record', 'feed_page', 'put')] + [
    'server.put_c%d vs server.sqlite_floor' % n for n in (4, 16, 64)] + [
    'server.feed_poll_100k vs server.feed_poll_10k',
    'server.feed_poll_1m vs server.feed_poll_10k',
    'memory.sync_push peak_rss_mb',
    'memory.validate peak_rss_mb',
    'memory.audit peak_rss_mb',
]
# Rows may be skipped only because an optional package is missing, and must say which.
OPTIONAL = ('simdjson', 'stdnum', 'wrk')
# Rounds of a --quick run: 2, except for runs capped at one (a push of the whole roster).
ONE_ROUND = ('memory.',)


def fail(message):
    sys.stderr.write('bench.quick: %s\n' % message)
    sys.exit(1)


def positive(row, key):
    value = row.get(key)
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        fail('%s: %s is %r, not a positive number' % (row.get('name'), key, value))


def main():
    program, work_dir = sys.argv[1], sys.argv[2]
    os.makedirs(work_dir, exist_ok=True)
    out = os.path.join(work_dir, 'results.json')
    if os.path.exists(out):
        os.remove(out)
    run = subprocess.run([program, '--quick', '--out', out, '--work-dir', work_dir],
                         capture_output=True, text=True, timeout=580, check=False)
    sys.stdout.write(run.stdout)
    if run.returncode != 0:
        fail('exit status %d: %s' % (run.returncode, run.stderr))

    lines = run.stdout.splitlines()
    header = next((i for i, l in enumerate(lines) if l.startswith('name ')), None)
    footer = next((i for i, l in enumerate(lines) if l.startswith('rows: ')), None)
    if header is None or footer is None or footer < header:
        fail('no table in the output')
    table = lines[header + 1:footer]
    if len(table) != int(lines[footer].split()[1]):
        fail('the table has %d lines but says "%s"' % (len(table), lines[footer]))

    with open(out, encoding='utf-8') as f:
        rows = json.load(f)
    if not isinstance(rows, list) or len(rows) != len(table):
        fail('results.json does not hold one object per table row')
    names = [r.get('name') for r in rows]
    if len(set(names)) != len(names):
        fail('row names are not unique')
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        fail('rows missing: %s' % ', '.join(missing))

    for row, line in zip(rows, table):
        for key in ('name', 'measure', 'baseline', 'section', 'mb_per_s', 'records_per_s',
                    'ratio', 'seconds', 'rounds', 'target', 'met'):
            if key not in row:
                fail('%s has no %s' % (row.get('name'), key))
        if line.split()[0] != row['measure']:
            fail('table line %r is not row %s' % (line, row['name']))
        if 'skipped' in row:
            if not any(word in row['skipped'] for word in OPTIONAL):
                fail('%s was skipped: %s' % (row['name'], row['skipped']))
            if 'skipped' not in line:
                fail('%s is skipped but its table line does not say so' % row['name'])
            continue
        rounds = 1 if row['name'].startswith(ONE_ROUND) else 2
        if row['rounds'] != rounds:
            fail('%s ran %r rounds, --quick runs %d' % (row['name'], row['rounds'], rounds))
        positive(row, 'seconds')
        positive(row, 'records_per_s')
        if row['bytes']:
            positive(row, 'mb_per_s')
        if row['baseline'] is not None:
            # The baseline's rows are those of its measure (a row's name adds "vs" its own
            # baseline): no ratio to a baseline that could not run; its row says why.
            if row['ratio'] is None and any(r['measure'] == row['baseline'] and 'skipped' in r
                                            for r in rows):
                continue
            positive(row, 'ratio')
            if row['target'] is not None and not isinstance(row['met'], bool):
                fail('%s has a target but no verdict' % row['name'])
        if 'max' in row:
            positive(row, 'value')
            if not isinstance(row['met'], bool):
                fail('%s has a ceiling but no verdict' % row['name'])
    sections = {r['section'] for r in rows if 'skipped' not in r}
    for section in ('decode', 'encode', 'csv', 'identifiers', 'server', 'memory'):
        if section not in sections:
            fail('section %s measured nothing' % section)
    print('bench.quick: %d rows, all present in the table and in %s' % (len(rows), out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
