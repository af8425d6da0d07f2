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
    print(f"plots: {base}-throughput.png {base}-cost.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
