#!/usr/bin/env python3
"""bench/scan/verdicts.py SCAN.jsonl PEER.tsv [BULK.tsv]: compares mailtls' MTA-STS policy verdict per domain with mta-sts-query's.
mailtls → VALID when a policy was fetched and parsed, FETCH_ERROR when a record exists but no usable policy, NONE otherwise
(what postfix-mta-sts-resolver's STSFetchResult means). Prints counts and mismatches; exit 1 on any mismatch."""
import json, sys
ours = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    sts = o["mta_sts"]
    ours[o["domain"]] = "VALID" if sts.get("policy") else "FETCH_ERROR" if sts.get("discovery") == "found" else "NONE"
peer = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]) if l.strip())
both = sorted(set(peer) & set(ours))
bad = [(d, ours[d], peer[d]) for d in both if ours[d] != peer[d]]
missing = sorted(set(peer) - set(ours))
counts = {}
for d in both:
    counts[peer[d]] = counts.get(peer[d], 0) + 1
print(f"verdicts compared: {len(both)} domains; peer verdicts {dict(sorted(counts.items()))}; mismatches {len(bad)}; missing in scan {len(missing)}")
classes = {}
if len(sys.argv) > 3:
    for l in open(sys.argv[3]):
        if not l.startswith("#") and l.strip():
            f = l.rstrip("\n").split("\t")
            classes[f[0]] = f[2]
by_class = {}
for d, a, b in bad:
    k = (classes.get(d, "?"), a, b)
    by_class[k] = by_class.get(k, 0) + 1
for (c, a, b), n in sorted(by_class.items()):
    print(f"  mismatch: {n} domain(s) of bulk class {c}: mailtls {a}, mta-sts-query {b}")
for d, a, b in bad[:5]:
    print(f"  e.g. {d} ({classes.get(d, '?')}): mailtls {a}, mta-sts-query {b}")
sys.exit(1 if bad or missing else 0)
