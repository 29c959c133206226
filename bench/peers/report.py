#!/usr/bin/env python3
"""Reads what bench/peers.sh measured (WORK/out) and writes bench/results/peers.json and a table.

Ratios are ours / Unbound's, as issue 6 defines them (for memory lower is better, so a ratio
under 1 is the win there); the table also shows each row against the best peer of that row.
"""
import argparse
import datetime
import json
import pathlib
import re
import statistics

MIXES = {"denied": "names denied by the policy", "allowed": "filed names from a warm cache",
         "mix": "90% allowed / 10% denied, interleaved"}
NAMES = {"serverhold": "serverhold gateway", "unbound": "Unbound + RPZ", "pdns": "PowerDNS Recursor + RPZ"}


def qps_of(path):
    text = path.read_text()
    return float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1)), \
        int((re.search(r"Queries lost:\s+(\d+)", text) or re.search(r"()", "0")).group(1) or 0)


def pct(sorted_values, p):
    """Nearest rank: with fewer than 100 samples p99 is the largest."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def rates(path):
    """dnsperf -S 1 lines: (epoch seconds at the end of the interval, queries per second)."""
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r"^(\d+\.\d+): ([\d.]+)$", line.strip())
        if m:
            out.append((float(m.group(1)), float(m.group(2))))
    return out


def dip(load_file, samples, warmup=None):
    """Worst one-second answer rate while changes apply, against the change-free baseline.

    Baseline: the seconds before the first change (after the first second). A change "applies"
    from its acknowledgement until its undo is visible (visible + restore, plus 1 s for the
    interval boundaries). Returns (worst dip %, noise floor %: the worst dip within the
    baseline itself, baseline qps, change seconds)."""
    rs = rates(load_file)
    if not rs or not samples:
        return None, None, None, 0
    # the baseline ends before the first change, the unmeasured warm-up change included
    first = min(s["change_epoch_ms"] for s in samples + ([warmup] if warmup else [])) / 1000
    base = [q for t, q in rs[1:] if t < first - 0.5]
    if len(base) < 3:
        return None, None, None, 0
    med = statistics.median(base)
    windows = [(s["change_epoch_ms"] / 1000, s["change_epoch_ms"] / 1000 + ((s.get("visible_ms") or 0)
                + (s.get("restore_ms") or 0)) / 1000 + 1.0) for s in samples]
    during = [q for t, q in rs if any(a < t and t - 1 < b for a, b in windows)]
    worst = max(0.0, (1 - min(during) / med) * 100) if during else None
    noise = max(0.0, (1 - min(base) / med) * 100)
    return worst, noise, med, len(during)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("out")
    for a in ("commit", "runs", "duration", "clients", "threads", "systems", "import-seconds", "import-fresh", "change-qps", "start-runs",
              "gateway-opts"):
        ap.add_argument("--" + a, default="")
    a = ap.parse_args()
    w = pathlib.Path(a.work)
    o = w / "out"
    systems = a.systems.split()
    world = json.loads((w / "world" / "world.json").read_text())
    today = datetime.date.today().isoformat()
    load = (o / "load").read_text().replace("\n", "; ").strip("; ") if (o / "load").exists() else ""
    setting = (f"dnsperf -l {a.duration} -c {a.clients} -T {a.threads} over UDP on loopback, on the same 2 cores; "
               f"median of {a.runs} runs interleaved; world: {world['filed']:,} filed domains = "
               f"{world['rpz_records']:,} RPZ records; {load}")
    fig = {}
    for s in systems:
        f = fig[s] = {}
        starts = [float((o / f"{s}.start.{k}").read_text()) for k in range(1, int(a.start_runs) + 1)]
        f["start"] = statistics.median(starts)
        f["start_runs"] = starts
        f["rss_mb"] = int((o / f"{s}.rss_kb").read_text()) / 1024
        for mix in MIXES:
            runs = [qps_of(o / f"{s}.{mix}.{r}.out") for r in range(1, int(a.runs) + 1)]
            f[mix] = statistics.median(q for q, _ in runs)
            f[mix + "_runs"] = [round(q) for q, _ in runs]
            f[mix + "_lost"] = sum(l for _, l in runs)
    rows = []

    def row(metric, value, unit, goal, peer, ratio, notes):
        rows.append({"metric": metric, "value": value, "unit": unit, "goal": goal, "peer": peer, "ratio": ratio,
                     "commit": a.commit, "date": today, "notes": notes})

    ours = fig.get("serverhold")
    unb = fig.get("unbound")
    raw = lambda key: "; ".join(f"{NAMES[s]} {fig[s][key]:,.0f} (runs {fig[s][key + '_runs']}, lost {fig[s][key + '_lost']})"
                                for s in systems)
    if ours and unb:
        for mix, what in MIXES.items():
            row(f"ratio_{mix}_qps", round(ours[mix] / unb[mix], 3), "x", ">= 1.0", round(unb[mix], 1),
                round(ours[mix] / unb[mix], 3), f"ours / Unbound's queries per second, {what}: {raw(mix)}; {setting}")
        row("ratio_rss", round(ours["rss_mb"] / unb["rss_mb"], 3), "x", "<= 0.25", round(unb["rss_mb"], 1),
            round(ours["rss_mb"] / unb["rss_mb"], 3),
            "ours / Unbound's resident memory (lower is better) after the runs with the policy loaded: "
            + "; ".join(f"{NAMES[s]} {fig[s]['rss_mb']:.0f} MiB" for s in systems)
            + f"; gateway JVM options: {a.gateway_opts}")
    for s in systems:
        for mix in MIXES:
            row(f"{s}_{mix}_qps", round(fig[s][mix], 1), "qps", None,
                round(unb[mix], 1) if unb and s != "unbound" else None,
                round(fig[s][mix] / unb[mix], 3) if unb and s != "unbound" else None,
                f"{NAMES[s]}, {MIXES[mix]}; runs {fig[s][mix + '_runs']}, lost {fig[s][mix + '_lost']}; {setting}")
        row(f"{s}_rss_mb", round(fig[s]["rss_mb"], 1), "MiB", None, None, None, f"{NAMES[s]}: VmRSS after the runs")
    if ours:
        row("start_seconds", ours["start"], "s", "< 2", unb["start"] if unb else None,
            round(ours["start"] / unb["start"], 3) if unb else None,
            "from exec to the first policy answer (NXDOMAIN for a denied name); serverhold from its persisted policy "
            "file (JVM start included), the peers from their RPZ zone file: "
            + "; ".join(f"{NAMES[s]} {fig[s]['start']:.2f} s {fig[s]['start_runs']}" for s in systems)
            + f"; median of {a.start_runs} starts each")
    def warm(system, key=None):
        f = o / f"{system}.warmup.json"
        w = json.loads(f.read_text())["samples"][0] if f.exists() else None
        return w if key is None or w is None else w[key]

    ch = []
    for kind in ("takedown", "filing"):
        p = o / f"serverhold.{kind}.json"
        if p.exists():
            ch += [dict(x, kind=kind) for x in json.loads(p.read_text())["samples"]]
    peer = json.loads((o / "unbound.ixfr.json").read_text())["samples"] if (o / "unbound.ixfr.json").exists() else []
    if ch:
        vis = sorted(x["visible_ms"] for x in ch if not x.get("timed_out"))
        pvis = sorted(x["visible_ms"] for x in peer if not x.get("timed_out"))
        timed_out = sum(1 for x in ch if x.get("timed_out"))
        for p_, name in ((50, "change_visible_p50_ms"), (99, "change_visible_p99_ms")):
            v, pv = pct(vis, p_), pct(pvis, p_)
            row(name, round(v, 2), "ms", "< 25" if p_ == 99 else None, round(pv, 2) if pv is not None else None,
                round(v / pv, 4) if pv else None,
                f"from the registry's reply to the first NXDOMAIN at the gateway, {len(vis)} changes "
                f"({sum(1 for x in ch if x['kind'] == 'takedown')} takedowns, "
                f"{sum(1 for x in ch if x['kind'] == 'filing')} lost filings; {timed_out} timed out) under a dnsperf mix "
                f"at {a.change_qps} qps offered"
                f"; peer: Unbound + RPZ fed by NOTIFY + IXFR from a BIND 9 primary taking each change "
                f"as a dynamic update, from the update's reply, {len(pvis)} changes (lower is better; ratio ours/peer); "
                f"each system took one unmeasured change first (the first after a start: ours "
                f"{warm('serverhold', 'visible_ms')} ms, the peer's {warm('unbound', 'visible_ms')} ms)")
        d, noise, base, n = dip(o / "serverhold.change-load.out", ch, warm("serverhold"))
        pd, pnoise, pbase, pn = dip(o / "unbound.change-load.out", peer, warm("unbound")) if peer else (None, None, None, 0)
        if d is not None:
            row("qps_dip_during_change_pct", round(d, 1), "%", "0 (no drop)", round(pd, 1) if pd is not None else None,
                None, f"worst one-second answer rate while changes applied vs the median of the change-free seconds "
                f"before them ({base:,.0f} qps, {n} seconds with a change); noise floor (worst change-free second) "
                f"{noise:.1f}%" + (f"; peer (Unbound + IXFR): worst {pd:.1f}% of {pbase:,.0f} qps over {pn} seconds, "
                                   f"noise floor {pnoise:.1f}%" if pd is not None else ""))
    big = o / "serverhold.big.json"
    if big.exists():
        b = json.loads(big.read_text())["samples"][0]
        row("takedown_big_visible_ms", b["visible_ms"], "ms", None, None, None,
            f"one takedown of a holder with {world['big_holder']:,} filed domains: from the registry's reply to the "
            f"first NXDOMAIN at the gateway for one of them; restore (lift) {b.get('restore_ms')} ms")
    if a.import_seconds:
        row("import_1m_seconds", float(a.import_seconds), "s", None, None, None,
            f"serverhold import of the world ({world['filed'] + world['unfiled'] + world['held']:,} domains, "
            f"{world['holders']:,} holders, filings for {world['filed'] + world['held']:,}) into the embedded MariaDB, "
            f"while the registry ran; one run" + ("" if a.import_fresh else " (measured when this WORK dir was first "
                                                  "populated, possibly at an earlier commit)"))
    pathlib.Path(a.out).write_text("[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")

    # the table
    print(f"\n{'':28}" + "".join(f"{NAMES[s]:>26}" for s in systems) + f"{'ours / best peer':>18}")
    def line(label, key, fmt, higher_better=True):
        vals = {s: fig[s][key] for s in systems}
        peers = [v for s, v in vals.items() if s != "serverhold"]
        best = (max if higher_better else min)(peers) if peers else None
        r = f"{vals['serverhold'] / best:.2f}" if ours and best else ""
        print(f"{label:28}" + "".join(f"{fmt.format(vals[s]):>26}" for s in systems) + f"{r:>18}")
    line("denied names, qps", "denied", "{:,.0f}")
    line("allowed names (cache), qps", "allowed", "{:,.0f}")
    line("90/10 mix, qps", "mix", "{:,.0f}")
    line("resident memory, MiB", "rss_mb", "{:,.0f}", False)
    line("start until first answer, s", "start", "{:.2f}", False)
    for r in rows:
        if r["metric"].startswith(("change_", "qps_dip", "takedown_big", "import_")):
            print(f"{r['metric']:28}{r['value']:>26}" + (f"   peer {r['peer']}" if r["peer"] is not None else ""))
    print(f"\nwrote {a.out}")


if __name__ == "__main__":
    main()
