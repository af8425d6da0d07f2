#!/usr/bin/env bash
# Precision and recall of paxflow's screener and of the GTAS QuickMatch baseline on
# tests/data/screen_eval (made by scripts/make_screen_eval.py).
# Usage: scripts/screen_eval.sh [PAXFLOW_BINARY]   (a binary with the `screen` subcommand;
#        without it a small driver is built in a temporary directory)
# Environment: DATA (another set made by make_screen_eval.py --out DIR), THRESHOLD (default 0.85, the default screen.threshold); VERBOSE=1 also lists
# every miss and false positive (traveller and entry names, dates, nationalities).
# Besides the counts at THRESHOLD it prints, for paxflow, precision and recall at other
# thresholds, how often a reported match was right per confidence band (calibration), and
# the matches by kind (NAME = a date of birth unknown on a side, NAME_DOB = both known).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${DATA:-"$ROOT/tests/data/screen_eval"}
THRESHOLD=${THRESHOLD:-0.85}
VERBOSE=${VERBOSE:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=${1:-}
if [ -z "$bin" ]; then
  cat >"$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "screen_cli.h"
int main(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "screen") != 0)
                return 2;
        return pf_screen_cli_main(argc - 1, argv + 1, stdin, stdout, stderr);
}
C
  gcc -std=c11 -O2 -I"$ROOT/workers" "$tmp/main.c" "$ROOT"/workers/{watchlist,screen,gtas,screen_cli,normalize,err}.c \
    $(pkg-config --cflags --libs jansson icu-uc icu-i18n) -lm -o "$tmp/paxflow"
  bin="$tmp/paxflow"
fi
for matcher in paxflow gtas; do
  "$bin" screen --watchlist "$DATA/watchlist.jsonl" --threshold "$THRESHOLD" --matcher "$matcher" \
    <"$DATA/travellers.jsonl" >"$tmp/$matcher.out"
done
# every match down to 0.5, for the curves below
"$bin" screen --watchlist "$DATA/watchlist.jsonl" --threshold 0.5 --matcher paxflow \
  <"$DATA/travellers.jsonl" >"$tmp/paxflow-all.out"
python3 - "$DATA" "$tmp" "$THRESHOLD" "$VERBOSE" <<'PY'
import json, sys
from collections import Counter
data, tmp, threshold, verbose = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
truth, cls, trav, undecidable = {}, {}, {}, {}
for line in open(data + "/travellers.jsonl", encoding="utf-8"):
    t = json.loads(line)
    if t["expect"] is None:  # equal to an undated entry in every field: reported, not scored
        undecidable[t["id"]] = t["about"]
        continue
    truth[t["id"]] = set(t["expect"])
    cls[t["id"]] = t["class"]
    trav[t["id"]] = t
entries = {}
for line in open(data + "/watchlist.jsonl", encoding="utf-8"):
    e = json.loads(line)
    entries[e["entry_id"]] = e
pairs = sum(len(v) for v in truth.values())
print("travellers %d, labelled traveller-entry pairs %d positive, %d negative travellers, "
      "%d undecidable (unscored), threshold %s"
      % (len(truth), pairs, sum(1 for v in truth.values() if not v), len(undecidable), sys.argv[3]))

def load(path):
    found = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        found[r["id"]] = {m["entry_id"]: m for m in r.get("matches", [])}
    return found

def describe(tid, eid, conf):
    t, e = trav[tid], entries[eid]
    names = " | ".join("%s / %s" % (n.get("given_names"), n.get("surname")) for n in e.get("names", []))
    return "%-20s %s  %s / %s %s %s  ->  %s: %s %s %s" % (
        cls[tid], "%.3f" % conf if conf is not None else "  -  ", t.get("given_names"),
        t.get("surname"), t.get("date_of_birth"), t.get("nationality"), eid, names,
        e.get("date_of_birth"), e.get("nationality"))

def score(found, thr):
    tp = fp = 0
    for tid, exp in truth.items():
        got = {eid for eid, m in found.get(tid, {}).items() if m["confidence"] >= thr}
        tp += len(got & exp)
        fp += len(got - exp)
    return tp, fp

for name in ("paxflow", "gtas"):
    found = load("%s/%s.out" % (tmp, name))
    tp = fp = 0
    miss, fps = Counter(), Counter()
    lines = []
    for tid, exp in truth.items():
        got = set(found.get(tid, {}))
        tp += len(got & exp)
        fp += len(got - exp)
        if got - exp:
            fps[cls[tid]] += 1
        if exp - got:
            miss[cls[tid]] += 1
        if verbose:
            for eid in sorted(exp - got):
                lines.append("  MISS " + describe(tid, eid, None))
            for eid in sorted(got - exp):
                lines.append("  FP   " + describe(tid, eid, found[tid][eid]["confidence"]))
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / pairs if pairs else 1.0
    print("%-8s precision %.4f  recall %.4f  (tp %d, fp %d, fn %d)" % (name, prec, rec, tp, fp, pairs - tp))
    print("         missed by class: %s" % dict(sorted(miss.items())))
    print("         false positives by class: %s" % dict(sorted(fps.items())))
    for l in lines:
        print(l)
    seen = sum(1 for tid, eid in undecidable.items() if eid in found.get(tid, {}))
    print("         undecidable (unscored): %d of %d namesakes of an undated entry matched it"
          % (seen, len(undecidable)))

found = {tid: ms for tid, ms in load(tmp + "/paxflow-all.out").items() if tid not in undecidable}
print("paxflow at other thresholds:")
for thr in (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98):
    tp, fp = score(found, thr)
    print("  threshold %.2f  precision %.4f  recall %.4f  (tp %d, fp %d)"
          % (thr, tp / (tp + fp) if tp + fp else 1.0, tp / pairs, tp, fp))
print("paxflow calibration: share of reported matches that are right, per confidence band")
print("  (all / NAME_DOB: both dates known / NAME: a date unknown):")
bands = [(0.5, 0.7), (0.7, 0.85), (0.85, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)]
for lo, hi in bands:
    cells = []
    for kinds in (("NAME_DOB", "NAME", "DOCUMENT"), ("NAME_DOB",), ("NAME",)):
        right = total = 0
        for tid, ms in found.items():
            for eid, m in ms.items():
                if lo <= m["confidence"] < hi and m["kind"] in kinds:
                    total += 1
                    right += eid in truth.get(tid, set())
        cells.append("%4d, %5.1f %% right" % (total, 100.0 * right / total if total else 0))
    print("  [%.2f, %.2f)  %s" % (lo, min(hi, 1.0), "  /  ".join(cells)))
print("paxflow at threshold %.2f by kind:" % threshold)
for kind in ("NAME_DOB", "NAME"):
    right = total = 0
    for tid, ms in found.items():
        for eid, m in ms.items():
            if m["confidence"] >= threshold and m["kind"] == kind:
                total += 1
                right += eid in truth.get(tid, set())
    print("  %-8s %4d matches, %4d right, %4d wrong" % (kind, total, right, total - right))
PY
