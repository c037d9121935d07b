"""Checks that a pulled change feed holds exactly a roster: the same (institution, id) keys, each
with the ETag of its record's canonical encoding, each written once. Records that aikom-validate
refused (its --json report, given as the third argument) are not expected on the server.

Usage: python3 roster_held.py ROSTER.ndjson FEED.ndjson [VALIDATE.json]
Exits 1 with what differs; prints one line when the feed holds the roster.
"""
import collections
import hashlib
import json
import sys


def main(roster, feed, validate=None):
    refused = set()
    if validate:
        with open(validate, encoding="utf-8") as f:
            refused = {i["record"] for i in json.load(f)["issues"] if i["severity"] == "error"}
    expected = {}
    with open(roster, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n in refused:
                continue
            line = line.rstrip("\n")
            r = json.loads(line)
            # aikom-gen writes the canonical encoding: the ETag is the first 32 hex digits of
            # its SHA-256.
            expected[(r["institution"], r["id"])] = hashlib.sha256(line.encode()).hexdigest()[:32]
    writes = collections.Counter()
    held = {}
    with open(feed, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            key = (e["institution"], e["id"])
            writes[key] += 1
            held[key] = e["etag"] if e["type"] == "upsert" else None
    held = {k: v for k, v in held.items() if v is not None}
    differ = sorted(held.keys() ^ expected.keys())
    if differ:
        sys.exit("held %d records, the roster %d; first that differ: %s"
                 % (len(held), len(expected), differ[:3]))
    wrong = [k for k in expected if held[k] != expected[k]]
    if wrong:
        sys.exit("content hashes differ for %d records: %s" % (len(wrong), wrong[:3]))
    doubled = [k for k, n in writes.items() if n != 1]
    if doubled:
        sys.exit("written more than once: %d records: %s" % (len(doubled), doubled[:3]))
    print("the server holds the %d records of the roster, each written once" % len(expected))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
