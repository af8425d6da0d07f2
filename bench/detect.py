#!/usr/bin/env python3
"""Scores a backtest's per-event hits against the generator's ground truth (bench/detect.sh).

Inputs: the truth (paxflow gen --truth), the hits (paxflow rules backtest --hits: set "candidate"
is rules/default.rules, set "active" the built-in rules), and a small JSON of run facts.
Outputs: a Markdown report and a JSON file. Exit status 1 when a deterministic planted pattern
that the rule set covers is not detected in full (recall < 1.0), except the known gaps below.

Definitions (per rule R and rule set S):
  planted events  the must_hit events of every truth line whose rule is R: events that meet R's
                  condition by construction (the plant) and so must carry a hit of R.
  recall          planted events hit by R / planted events. A plant is detected when all its
                  must_hit events are.
  hits            all events on which S raised R.
  precision (planted)  hits on R's planted events / hits. A lower bound: background traffic
                  meets many conditions legitimately (one-way tickets are common), and those hits
                  are not false.
  precision (labels)   hits on events the generator labels for R / hits, where the generator
                  labels R: it knows, from its own choices, every event (planted or background)
                  that meets R's condition. Its counterpart, label recall, is labelled events hit
                  / labelled events.
"""
import collections
import json
import sys

RULES = ["R%02d" % i for i in range(1, 19)]
SETS = [("default", "candidate"), ("builtin", "active")]

# Deterministic plants the shipped pipeline cannot detect, with the reason (README of the rule
# language, "History approximations"; workers/pipeline.c). They are reported, not hidden: if one
# becomes detected, the report says so.
KNOWN_GAPS = {}  # R15 and R16 across travellers came with the flags table (workers/flags.h)

WHY = {
    "R01": "document on the watchlist",
    "R02": "name and date of birth on the watchlist",
    "R03": "booked < 48 h before departure",
    "R04": "cash, booked < 7 days before",
    "R05": "one-way ticket",
    "R06": "long stopover / hidden connection",
    "R07": "high-risk country group",
    "R08": "check-in < 1 h before departure",
    "R09": "no bags, trip >= 7 days",
    "R10": "card holder is not the traveller",
    "R11": "flagged agency",
    "R12": "document expiring / new",
    "R13": "4+ trips to one country in 30 days",
    "R14": "several documents / nationalities",
    "R15": "contact of a hit traveller",
    "R16": "travels with a hit traveller",
    "R17": "route unlike past routes",
    "R18": "previously hit traveller",
}


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    truth_path, hits_path, facts_path, md_path, json_path = sys.argv[1:6]
    truth = load_jsonl(truth_path)
    facts = json.load(open(facts_path, encoding="utf-8"))

    hits = {s: collections.defaultdict(set) for _, s in SETS}
    matched = {s: {} for _, s in SETS}  # event id -> watchlist entry ids, events with R02
    meta = {}
    for o in load_jsonl(hits_path):
        if "hits" in o:
            for r in o["hits"]:
                hits[o["set"]][r].add(o["event_id"])
            if "R02" in o["hits"]:
                matched[o["set"]][o["event_id"]] = o.get("matches", [])
        else:
            meta[o["set"]] = o
    in_set = {s: set(hits[s]) for _, s in SETS}
    # the built-in rules are R01-R05, R07, R13 (R01/R02 from screening); default.rules has all 18
    in_set["active"] |= {"R01", "R02", "R03", "R04", "R05", "R07", "R13"}
    in_set["candidate"] |= set(RULES)

    plants = [t for t in truth if "must_hit" in t]
    labelled = set()
    labels = collections.defaultdict(set)
    for t in truth:
        if "labels" in t:
            labelled |= set(t["labels"])
        elif "label" in t:
            labels[t["label"]].update(t["event_ids"])

    planted = collections.defaultdict(set)
    for p in plants:
        planted[p["rule"]].update(p["must_hit"])

    # per pattern
    patterns = collections.OrderedDict()
    for p in sorted(plants, key=lambda p: (p["rule"], p["pattern"])):
        row = patterns.setdefault(p["pattern"], {
            "pattern": p["pattern"], "rule": p["rule"], "deterministic": p["deterministic"],
            "needs": p.get("needs"), "previously_hit_by": p.get("previously_hit_by"),
            "known_gap": KNOWN_GAPS.get(p["pattern"]), "plants": 0, "must_hit": 0, "sets": {}})
        row["plants"] += 1
        row["must_hit"] += len(p["must_hit"])
        for name, s in SETS:
            st = row["sets"].setdefault(name, {"in_set": p["rule"] in in_set[s],
                                               "plants_detected": 0, "events_detected": 0})
            got = [e for e in p["must_hit"] if e in hits[s][p["rule"]]]
            st["events_detected"] += len(got)
            st["plants_detected"] += len(got) == len(p["must_hit"])
    for row in patterns.values():
        for st in row["sets"].values():
            st["recall"] = st["events_detected"] / row["must_hit"] if row["must_hit"] else None

    # per rule
    rules = []
    for r in RULES:
        row = {"rule": r, "condition": WHY[r], "planted_events": len(planted[r]),
               "plants": sum(1 for p in plants if p["rule"] == r), "labelled": r in labelled,
               "label_events": len(labels[r]) if r in labelled else None, "sets": {}}
        for name, s in SETS:
            h = hits[s].get(r, set())
            st = {"in_set": r in in_set[s], "hits": len(h),
                  "detected": len(h & planted[r]),
                  "suppressed": meta.get(s, {}).get("suppressed", {}).get(r, 0)}
            st["recall"] = st["detected"] / len(planted[r]) if planted[r] else None
            st["precision_planted"] = len(h & planted[r]) / len(h) if h else None
            if r in labelled:
                st["precision_labels"] = len(h & labels[r]) / len(h) if h else None
                st["recall_labels"] = len(h & labels[r]) / len(labels[r]) if labels[r] else None
                st["hits_outside_labels"] = len(h - labels[r])
            if r == "R02":  # whose entries matched the travellers the generator did not list
                other = h - labels[r]
                st["outside_labels_by_entry"] = collections.Counter(
                    "decoy" if any(m.startswith("GEN-DECOY-") for m in matched[s][e])
                    else "planted entry" for e in other)
                st["outside_labels_travellers_entries"] = len(
                    {m for e in other for m in matched[s][e]})
            row["sets"][name] = st
        rules.append(row)

    # the check: every deterministic pattern in a rule set that covers its rule has recall 1.0
    failures, gaps, gaps_closed = [], [], []
    for name, _ in SETS:
        for row in patterns.values():
            st = row["sets"][name]
            if not row["deterministic"] or not st["in_set"]:
                continue
            if row["known_gap"]:
                (gaps_closed if st["recall"] == 1.0 else gaps).append(
                    {"set": name, "pattern": row["pattern"], "recall": st["recall"]})
            elif st["recall"] != 1.0:
                failures.append({"set": name, "pattern": row["pattern"], "recall": st["recall"]})
    checks = {"deterministic_recall_1": not failures, "failures": failures,
              "known_gaps": gaps, "known_gaps_now_detected": gaps_closed}

    out = {"facts": facts, "sets": {n: meta.get(s, {}) for n, s in SETS}, "rules": rules,
           "patterns": list(patterns.values()), "checks": checks}
    with open(json_path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(markdown(out))
    print(markdown_summary(out))
    return 0 if not failures else 1


def pct(x):
    return "-" if x is None else ("%.3f" % x)


def markdown_summary(out):
    c = out["checks"]
    lines = ["detection: every deterministic planted pattern detected in full (recall 1.0): %s"
             % ("yes" if c["deterministic_recall_1"] else "NO")]
    for f in c["failures"]:
        lines.append("  FAILED  %s %s recall %s" % (f["set"], f["pattern"], pct(f["recall"])))
    for g in c["known_gaps"]:
        lines.append("  known gap  %s %s recall %s" % (g["set"], g["pattern"], pct(g["recall"])))
    for g in c["known_gaps_now_detected"]:
        lines.append("  known gap now detected  %s %s" % (g["set"], g["pattern"]))
    return "\n".join(lines)


def markdown(out):
    f = out["facts"]
    c = out["checks"]
    w = []
    w.append("# Detection report %s\n" % f["date"])
    w.append("Per-rule recall and precision of the shipped rule sets against the generator's "
             "ground truth (issue 6). Produced by `%s`.\n" % f["command"])
    w.append("- Workload: `%s` -> %s events (%s), %s watchlist entries (%s planted, the rest "
             "people who never travel).\n" % (f["gen_command"], f["events"], f["gen_summary"],
                                               f["watchlist_entries"], f["watchlist_planted"]))
    w.append("- Rules: `paxflow rules backtest rules/default.rules --against builtin --events ... "
             "--watchlist ... --hits ...`: the whole pipeline (decode, key, history, screening, "
             "rules, score) in-process, in event-time order, no broker. default.rules = %s; "
             "built-in = %s.\n" % (out["sets"]["default"].get("version", "?"),
                                   out["sets"]["builtin"].get("version", "?")))
    w.append("- Machine: %s. Backtest wall time %s s (both sets side by side).\n"
             % (f["machine"], f["backtest_seconds"]))
    w.append("\n**Every deterministic planted pattern detected in full (recall 1.0), in the rule "
             "sets that cover its rule: %s.**" % ("yes" if c["deterministic_recall_1"] else "NO"))
    if c["known_gaps"]:
        w.append(" Two deterministic plants are known not to be detectable by the shipped "
                 "pipeline and are reported as findings, not counted as passes: %s (see "
                 "below).\n" % ", ".join(sorted({g["pattern"] for g in c["known_gaps"]})))
    else:
        w.append("\n")
    for x in c["failures"]:
        w.append("- FAILED: %s %s recall %s\n" % (x["set"], x["pattern"], pct(x["recall"])))

    w.append("\n## Per rule\n\n")
    w.append("Planted events: must-hit events of that rule's plants (plants in brackets). "
             "Recall: planted events hit / planted events. Precision (planted): hits on planted "
             "events / hits. Precision (labels): hits on events the generator labels for the rule "
             "/ hits; label recall: labelled events hit / labelled events ('-': the generator "
             "cannot label the rule). 'n/a': the rule is not in that set.\n\n")
    w.append("| rule | condition | planted | default: recall | hits | prec. planted | "
             "prec. labels | label recall | built-in: recall | hits | prec. planted | "
             "prec. labels |\n")
    w.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for r in out["rules"]:
        d, b = r["sets"]["default"], r["sets"]["builtin"]

        def cells(st, full):
            if not st["in_set"]:
                return ["n/a"] * (4 if full else 3)
            v = [pct(st["recall"]), str(st["hits"]) +
                 (" (+%d capped)" % st["suppressed"] if st["suppressed"] else ""),
                 pct(st["precision_planted"]), pct(st.get("precision_labels"))]
            if full:
                v.append(pct(st.get("recall_labels")))
            return v
        dc = cells(d, True)
        bc = cells(b, False)
        w.append("| %s | %s | %d (%d) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" % tuple(
            [r["rule"], r["condition"], r["planted_events"], r["plants"]] + dc +
            (bc if b["in_set"] else ["n/a", "n/a", "n/a", "n/a"])[:4]))

    w.append("\n## Per planted pattern\n\n")
    w.append("| pattern | rule | deterministic | plants | must-hit events | default: plants "
             "detected | recall | built-in: plants detected | recall |\n")
    w.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n")
    for p in out["patterns"]:
        det = "yes" if p["deterministic"] else "no (fuzzy)"
        if p["known_gap"]:
            det = "yes, known gap"
        cells = []
        for name in ("default", "builtin"):
            st = p["sets"][name]
            cells += (["%d/%d" % (st["plants_detected"], p["plants"]), pct(st["recall"])]
                      if st["in_set"] else ["n/a", "n/a"])
        w.append("| %s | %s | %s | %d | %d | %s | %s | %s | %s |\n" % tuple(
            [p["pattern"], p["rule"], det, p["plants"], p["must_hit"]] + cells))

    w.append("\n## What the numbers mean\n\n")
    w.append(
        "**Plants.** `paxflow gen` plants, besides its background traffic, patterns for every "
        "catalogue rule and writes each to `--truth` with the rule, the pattern's events and the "
        "`must_hit` events: those that meet the rule's condition by construction, with a margin "
        "(e.g. a check-in 15-35 min before departure for R08's 1 h, a stopover of 2+ days for "
        "R06's 24 h, a second passport of a second nationality for R14). Event-level plants "
        "(R03-R05, R07-R12, R06 stopover) change one feature of a background booking; "
        "multi-trip plants (R01, R02, R06 hidden connection, R13-R18) are travellers of their "
        "own with trips before and in the window, on bookings without any other risk feature. "
        "\"Previously hit\" travellers are hit by construction: A by the watchlist (document, "
        "R01) on a trip 2-3 weeks before the window, D by a trip to the high-risk group (R07) "
        "4-5 weeks before.\n\n")
    w.append(
        "**Deterministic or not.** A pattern is deterministic when the rule's condition holds "
        "by construction, so recall must be 1.0. The one non-deterministic pattern is "
        "R02_WATCHLIST_NAME_FUZZY: the entry carries the name with two letters transposed and "
        "only the birth year, and whether that scores the 0.85 the rule asks for is the "
        "screener's calibrated judgement, not a property of the data. Its recall is reported, "
        "not required. The R18/R16 plants of traveller D depend on the hub having a route to "
        "the high-risk group (every hub in the generator's tables has). R15 across travellers "
        "(C uses hit traveller A's phone and e-mail) and R16 (E shares two bookings with "
        "previously hit D) read the shared flags table: a flag counts once it is older than "
        "the event by flags.delay.ms (default 1 h), so E's must-hit events on the second "
        "shared booking start at its second push, 24 h after D's flag.\n\n")
    if c["known_gaps"] or c["known_gaps_now_detected"]:
        w.append("**Known gaps (findings, not test failures).** These plants are the catalogue's "
                 "pattern, built deterministically; the shipped rules cannot see them:\n\n")
        for pat, why in KNOWN_GAPS.items():
            w.append("- `%s`: %s\n" % (pat, why))
        w.append("\nThe rule R15 as implemented does fire, on the *same* traveller reusing their "
                 "own contact after a hit (pattern R15_CONTACT_REUSED_AFTER_HIT, recall above); "
                 "that is the per-traveller approximation rules/README.md documents.\n\n")
    w.append(
        "**Precision.** Background traffic legitimately meets many conditions, so hits outside "
        "the plants are not false positives: precision against planted events alone is a lower "
        "bound. Where the generator knows the condition from its own choices it labels every "
        "event that meets it (`{\"label\":...}` lines of the truth): R03-R05 and R07-R12 from "
        "each booking; R01/R02 from the planted watchlist entries (anyone else matched is a "
        "false positive: a homonym of a decoy entry); R06, R13, R14, R17 have no background "
        "(ordinary travellers make at most 3 trips, from the hub, with one document and one "
        "nationality), so their labels are the plants. Precision against labels measures the "
        "rules against the generator's knowledge; 1.0 with label recall 1.0 means rule and "
        "generator agree on every event. R15, R16 and R18 are not labelled: whether a "
        "background traveller was \"previously hit\" depends on the scores (any hit at MEDIUM "
        "or above marks the traveller), which the generator does not compute. Their hits "
        "outside the plants are background travellers whose earlier push or trip scored MEDIUM "
        "(R15 then fires on the later pushes of the same booking, since the traveller's own "
        "contacts are flagged).\n\n")
    d2 = out["rules"][1]["sets"]["default"]
    if d2.get("hits_outside_labels"):
        w.append("**R02 outside the labels.** %d R02 hits fell on travellers the generator did "
                 "not put on the watchlist, by entry kind: %s (%d distinct entries). The decoys "
                 "are entries of people who never travel, drawn from the same name pools, some "
                 "with only a birth year or no date of birth: a traveller with the same name "
                 "and a compatible date is a homonym, which is what name screening costs in "
                 "practice. These are false positives by the generator's knowledge.\n\n"
                 % (d2["hits_outside_labels"],
                    ", ".join("%s %d" % kv for kv in sorted(d2["outside_labels_by_entry"].items())),
                    d2["outside_labels_travellers_entries"]))
    if any(r["sets"]["default"]["suppressed"] for r in out["rules"]):
        w.append("**Caps.** Some hits were suppressed by a rule's `cap N per D` (counts in "
                 "brackets); a capped rule's recall can drop under load by design.\n\n")
    w.append("Reproduce: `%s`.\n" % f["command"])
    return "".join(w)


if __name__ == "__main__":
    sys.exit(main())
