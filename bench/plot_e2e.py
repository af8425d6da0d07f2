#!/usr/bin/python3
"""Plots of an end-to-end benchmark run (bench/e2e.sh): reads its JSON, writes PNGs beside it.

Usage: /usr/bin/python3 bench/plot_e2e.py RESULT.json
Writes RESULT-throughput.png (events/s per system) and RESULT-cost.png (CPU seconds per million
events and peak RSS per system). Uses Debian's python3-matplotlib (scripts/setup.sh installs it).
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

    fig, ax = plt.subplots(figsize=(7, 4))
    bars = ax.bar(names, [s["events_per_s"] for s in systems], color=["#999", "#1f77b4", "#d62728"])
    ax.bar_label(bars, labels=[f"{s['events_per_s']:,.0f}" for s in systems])
    ax.set_ylabel("events/s (first to last message)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "-throughput.png", dpi=120)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4))
    b1 = a1.bar(names, [s["cpu_s_per_1m"] for s in systems], color=["#999", "#1f77b4", "#d62728"])
    a1.bar_label(b1, labels=[f"{s['cpu_s_per_1m']:,.1f}" for s in systems])
    a1.set_ylabel("CPU s per 1M events")
    b2 = a2.bar(names, [s["rss_mib"] for s in systems], color=["#999", "#1f77b4", "#d62728"])
    a2.bar_label(b2, labels=[f"{s['rss_mib']:,.0f}" for s in systems])
    a2.set_ylabel("peak RSS, MiB")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(base + "-cost.png", dpi=120)
    print(f"plots: {base}-throughput.png {base}-cost.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
