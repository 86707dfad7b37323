#!/usr/bin/env python3
"""Compare two Prometheus query API responses (ours vs. a real Prometheus).

Usage: compare_prom_json.py OURS.json PROMETHEUS.json [--rel 1e-9]

Equal means: both succeeded, same resultType, the same set of label sets, and
per series the same timestamps with values within --rel relative tolerance
(NaN equals NaN, infinities must match exactly). Prints one line and exits
0 when equal:
  EQUAL series=S points=P
  EQUAL_EXCEPT_KNOWN series=S points=P known=K: <first differences>
  DIFFER ...: <first differences>                          (exit 1)

--known-before T (Unix seconds): value differences at timestamps before T
count as the known version difference rather than as errors. Prometheus 2.42
applies rate()'s counter zero-point clamp before the extrapolation-threshold
clamp; later Prometheus (3.x, which Spyglass follows) clamps to the threshold
first. The two differ only where a window reaches back before a counter's
first sample, i.e. within one range of the start of the data.
"""
import argparse
import json
import math
import sys


def key(labels):
    return tuple(sorted(labels.items()))


def fmt(labels):
    return "{" + ",".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"


def close(a, b, rel):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    # An absolute floor so values that should be 0 but carry rounding noise
    # (sums of rates that cancel) do not count as different.
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), 1e-12)


def points(entry):
    if "values" in entry:
        return [(float(t), float(v)) for t, v in entry["values"]]
    if "value" in entry:
        t, v = entry["value"]
        return [(float(t), float(v))]
    return []


def load(path):
    with open(path, "rb") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours")
    ap.add_argument("theirs")
    ap.add_argument("--rel", type=float, default=1e-9)
    ap.add_argument("--max-report", type=int, default=5)
    ap.add_argument("--known-before", type=float, default=float("-inf"))
    a = ap.parse_args()

    ours, theirs = load(a.ours), load(a.theirs)
    diffs = []
    if ours.get("status") != "success" or theirs.get("status") != "success":
        print("DIFFER status ours=%s(%s) prometheus=%s(%s)" % (
            ours.get("status"), ours.get("error", ""), theirs.get("status"), theirs.get("error", "")))
        return 1
    od, td = ours["data"], theirs["data"]
    if od.get("resultType") != td.get("resultType"):
        diffs.append("resultType ours=%s prometheus=%s" % (od.get("resultType"), td.get("resultType")))
    om = {key(e["metric"]): e for e in od.get("result", [])}
    tm = {key(e["metric"]): e for e in td.get("result", [])}
    only_ours = [k for k in om if k not in tm]
    only_theirs = [k for k in tm if k not in om]
    if only_ours:
        diffs.append("%d series only in ours, e.g. %s" % (len(only_ours), fmt(dict(only_ours[0]))))
    if only_theirs:
        diffs.append("%d series only in prometheus, e.g. %s" % (len(only_theirs), fmt(dict(only_theirs[0]))))
    npoints = 0
    value_diffs = 0
    known = []
    for k in sorted(set(om) & set(tm)):
        op, tp = points(om[k]), points(tm[k])
        npoints += len(tp)
        ots = {t: v for t, v in op}
        tts = {t: v for t, v in tp}
        if set(ots) != set(tts):
            missing = sorted(set(tts) - set(ots))
            extra = sorted(set(ots) - set(tts))
            value_diffs += 1
            if len(diffs) < a.max_report:
                diffs.append("%s timestamps differ: %d only in prometheus (first %s), %d only in ours (first %s)"
                             % (fmt(dict(k)), len(missing), missing[:1], len(extra), extra[:1]))
        for t in sorted(set(ots) & set(tts)):
            if not close(ots[t], tts[t], a.rel):
                if t < a.known_before:
                    known.append("%s @%s ours=%r prometheus=%r" % (fmt(dict(k)), t, ots[t], tts[t]))
                    continue
                value_diffs += 1
                if len(diffs) < a.max_report:
                    diffs.append("%s @%s ours=%r prometheus=%r" % (fmt(dict(k)), t, ots[t], tts[t]))
                break
    if diffs:
        print("DIFFER series ours=%d prometheus=%d series_with_value_diffs=%d: %s"
              % (len(om), len(tm), value_diffs, " | ".join(diffs[:a.max_report])))
        return 1
    if known:
        print("EQUAL_EXCEPT_KNOWN series=%d points=%d known=%d (before %s, rate extrapolation at the "
              "start of the data, Prometheus 2.42 vs 3): %s"
              % (len(tm), npoints, len(known), a.known_before, " | ".join(known[:a.max_report])))
        return 0
    print("EQUAL series=%d points=%d" % (len(tm), npoints))
    return 0


if __name__ == "__main__":
    sys.exit(main())
