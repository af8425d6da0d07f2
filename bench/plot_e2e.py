#!/usr/bin/python3
"""Plots of an end-to-end benchmark run (bench/e2e.sh): reads its JSON, writes PNGs beside it.

Usage: /usr/bin/python3 bench/plot_e2e.py RESULT.json
Writes RESULT-throughput.png (events/s per system), RESULT-cost.png (CPU seconds per million
events and peak RSS per system) and, when the run has a latency phase, RESULT-latency.png
(p50/p99/p99.9 per system at the fixed rate, with the 150 ms target) and
RESULT-latency-time.png (p50 and p99 of each second of the measurement, by send time).
Uses Debian's python3-matplotlib (scripts/setup.sh installs it).
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path):
    with open(path) as f:
        run = json.load(f)
    systems = run["systems"]
    names = [s["label"] for s in systems]
    base = path[:-5] if path.endswith(".json") else path
    title = f"paxflow e2e, {run['mode']} mode, {run['date']}: {run['events']:,} events"

    def bars(ax, key, fmt, label):
        values = [s[key] for s in systems]
        drawn = ax.bar(names, values, color=["#999", "#1f77b4", "#d62728"])
        ax.bar_label(drawn, labels=[fmt.format(v) for v in values])
        ax.set_ylabel(label)

    fig, ax = plt.subplots(figsize=(7, 4))
    bars(ax, "events_per_s", "{:,.0f}", "events/s (first to last message)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "-throughput.png", dpi=120)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4))
    bars(a1, "cpu_s_per_1m", "{:,.1f}", "CPU s per 1M events")
    bars(a2, "rss_mib", "{:,.0f}", "peak RSS, MiB")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "-cost.png", dpi=120)
    written = [base + "-throughput.png", base + "-cost.png"]
    lat = run.get("latency")
    if lat and lat.get("systems"):
        written += latency_plots(lat, base, run)
    print("plots: " + " ".join(written))


COLOURS = {"copy": "#999", "pf": "#1f77b4", "pfa": "#6baed6", "pff": "#9ecae1", "ks": "#d62728"}


def latency_plots(lat, base, run):
    systems = lat["systems"]
    title = (f"paxflow e2e latency, {run['mode']} mode, {run['date']}: {lat['rate']:,} events/s, "
             f"commit {lat['commit_interval_ms']} ms, sent_at {lat['sent_at']}")
    pcts = [("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(systems)
    for i, s in enumerate(systems):
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(pcts))]
        vals = [s[k] if s[k] is not None else 0 for k, _ in pcts]
        label = s["label"]
        if s.get("missing"):
            label += f" ({s['missing']} MISSING)"
        drawn = ax.bar(xs, vals, width, label=label, color=COLOURS.get(s["key"]))
        ax.bar_label(drawn, labels=[f"{v:,.0f}" for v in vals], fontsize=7)
    ax.axhline(lat.get("target_p99_ms", 150), color="k", linestyle="--", linewidth=0.8)
    ax.text(len(pcts) - 0.5, lat.get("target_p99_ms", 150), " p99 target", va="bottom",
            ha="right", fontsize=8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(pcts)))
    ax.set_xticklabels([n for _, n in pcts])
    ax.set_ylabel("append -> result visible (read_committed), ms")
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(base + "-latency.png", dpi=120)

    fig, ax = plt.subplots(figsize=(9, 6))
    for s in systems:
        rows = [r for r in s.get("per_second", []) if r[2] is not None]
        if not rows:
            continue
        c = COLOURS.get(s["key"])
        ax.plot([r[0] for r in rows], [r[2] for r in rows], color=c, linestyle=":",
                label=s["label"] + " p50")
        ax.plot([r[0] for r in rows], [r[3] for r in rows], color=c, label=s["label"] + " p99")
    ax.axhline(lat.get("target_p99_ms", 150), color="k", linestyle="--", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("second of the measurement (by send time); dotted: p50, solid: p99")
    ax.set_ylabel("latency, ms")
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(base + "-latency-time.png", dpi=120)
    return [base + "-latency.png", base + "-latency-time.png"]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
