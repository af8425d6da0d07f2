#!/usr/bin/env bash
# Precision and recall of paxflow's screener and of the GTAS QuickMatch baseline on
# tests/data/screen_eval (made by scripts/make_screen_eval.py).
# Usage: scripts/screen_eval.sh [PAXFLOW_BINARY]   (a binary with the `screen` subcommand;
#        without it a small driver is built in a temporary directory)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="$ROOT/tests/data/screen_eval"
THRESHOLD=${THRESHOLD:-0.85}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=${1:-}
if [ -z "$bin" ]; then
  cat >"$tmp/main.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "screen_cli.h"
int main(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "screen") != 0)
                return 2;
        return pf_screen_cli_main(argc - 1, argv + 1, stdin, stdout, stderr);
}
EOF
  gcc -std=c11 -O2 -I"$ROOT/workers" "$tmp/main.c" "$ROOT"/workers/{watchlist,screen,gtas,screen_cli,normalize,err}.c \
    $(pkg-config --cflags --libs jansson icu-uc icu-i18n) -lm -o "$tmp/paxflow"
  bin="$tmp/paxflow"
fi
for matcher in paxflow gtas; do
  "$bin" screen --watchlist "$DATA/watchlist.jsonl" --threshold "$THRESHOLD" --matcher "$matcher" \
    <"$DATA/travellers.jsonl" >"$tmp/$matcher.out"
done
python3 - "$DATA/travellers.jsonl" "$tmp/paxflow.out" "$tmp/gtas.out" "$THRESHOLD" <<'EOF'
import json, sys
from collections import Counter
truth = {}
cls = {}
for line in open(sys.argv[1], encoding="utf-8"):
    t = json.loads(line)
    truth[t["id"]] = set(t["expect"])
    cls[t["id"]] = t["class"]
pairs = sum(len(v) for v in truth.values())
print("travellers %d, labelled traveller-entry pairs %d positive, %d negative travellers, threshold %s"
      % (len(truth), pairs, sum(1 for v in truth.values() if not v), sys.argv[4]))
for name, path in (("paxflow", sys.argv[2]), ("gtas", sys.argv[3])):
    tp = fp = 0
    miss, fps = Counter(), Counter()
    found = {}
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        found[r["id"]] = {m["entry_id"] for m in r.get("matches", [])}
    for tid, exp in truth.items():
        got = found.get(tid, set())
        tp += len(got & exp)
        fp += len(got - exp)
        if got - exp:
            fps[cls[tid]] += 1
        if exp - got:
            miss[cls[tid]] += 1
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / pairs if pairs else 1.0
    print("%-8s precision %.4f  recall %.4f  (tp %d, fp %d, fn %d)" % (name, prec, rec, tp, fp, pairs - tp))
    print("         missed by class: %s" % dict(sorted(miss.items())))
    print("         false positives by class: %s" % dict(sorted(fps.items())))
EOF
