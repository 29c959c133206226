#!/usr/bin/env python3
"""Generates one world for every system in bench/peers.sh, so they enforce the same policy.

Writes into DIR:
  holders.csv, filings.csv, domains.csv   for `serverhold import` (registrar reg-a)
  rpz.zone       the same policy as an RPZ zone (origin rpz.local.): `*.cn CNAME .` denies every
                 name under cn., and each filed domain gets `NAME CNAME rpz-passthru.` and
                 `*.NAME CNAME rpz-passthru.` (so www.NAME passes too): 2 records per filed domain
  cn.zone        the authoritative upstream's zone for cn. (a wildcard A: every name resolves, so
                 whatever is denied is denied by the policy, not by the data)
  denied.txt     dnsperf input, names every system must deny: registered but unfiled, held
                 (registrant identity unverified), and unregistered names
  allowed.txt    dnsperf input, filed names (half of them www.NAME)
  mix.txt        90% allowed / 10% denied, interleaved
  targets.txt    filed domains, one per holder, for the change-visible probes
  big-holder.txt one name of the holder with BIG domains (the big takedown's probe target)
  world.json     the counts

Domains: FILED filed and verified (ALLOW), as HOLDERS holders x 5 plus one holder with BIG domains;
UNFILED registered without a filing; HELD registered with an unverified registrant. Deterministic.
"""
import argparse
import json
import os
import random

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def resident_id(i):
    """A resident identity number with a valid GB 11643 check character."""
    first17 = "110105%011d" % i
    s = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return first17 + ID_CHECK[s % 11]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--filed", type=int, default=1_000_000)
    ap.add_argument("--big", type=int, default=100_000, help="domains of the one big holder (part of --filed)")
    ap.add_argument("--unfiled", type=int, default=50_000)
    ap.add_argument("--held", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=100_000, help="distinct names per query file")
    a = ap.parse_args()
    per = 5
    small_holders = (a.filed - a.big) // per
    unfiled_holders = a.unfiled // per
    held_holders = a.held // per
    os.makedirs(a.dir, exist_ok=True)
    p = lambda n: os.path.join(a.dir, n)
    filed_names = []
    denied_pool = []
    with open(p("holders.csv"), "w", newline="") as h, open(p("filings.csv"), "w", newline="") as f, \
            open(p("domains.csv"), "w", newline="") as d:
        h.write("holder_ref,identity_type,identity_number,name\r\n")
        f.write("filing_number,sponsor_name,sponsor_type,service_type,service_name,access_provider,domain\r\n")
        d.write("domain,holder_ref,registrar_id,registrant_handle,verified,created,expires\r\n")

        def holder(i, kind, count, verified, filed):
            ref = "h%d" % i
            h.write("%s,RESIDENT_ID_CARD,%s,持有人%d\r\n" % (ref, resident_id(i), i))
            names = []
            for j in range(count):
                # a third under com.cn: the registrable name sits one label below the longest zone
                name = "%s%d-%d%s" % (kind, i, j, ".com.cn" if j % 3 == 2 else ".cn")
                names.append(name)
                d.write("%s,%s,reg-a,c%d,%s,2024-01-01,2030-06-30\r\n" % (name, ref, i, "true" if verified else "false"))
                if filed:
                    # one filing per 100 names (a big holder files its sites in many filings)
                    f.write("京ICP备%d号-%d,持有人%d,INDIVIDUAL,WEBSITE,网站%d,某某云,%s\r\n"
                            % (10_000_000 + i, 1 + j // 100, i, i, name))
            return names

        i = 0
        targets = []
        for _ in range(small_holders):
            names = holder(i, "d", per, True, True)
            filed_names.extend(names)
            targets.append(names[0])
            i += 1
        big = holder(i, "big", a.big, True, True)
        filed_names.extend(big)
        i += 1
        for _ in range(unfiled_holders):
            denied_pool.extend(holder(i, "u", per, True, False))
            i += 1
        for _ in range(held_holders):
            denied_pool.extend(holder(i, "v", per, False, True))
            i += 1

    with open(p("rpz.zone"), "w") as z:
        z.write("$TTL 3600\n@ SOA ns.rpz.local. hostmaster.rpz.local. 1 3600 600 86400 60\n@ NS ns.rpz.local.\n"
                "ns A 127.0.0.1\n*.cn CNAME .\n")
        for n in filed_names:
            z.write("%s CNAME rpz-passthru.\n*.%s CNAME rpz-passthru.\n" % (n, n))
    with open(p("cn.zone"), "w") as z:
        z.write("$TTL 3600\n$ORIGIN cn.\n@ SOA ns.cn. hostmaster.cn. 1 3600 600 86400 3600\n@ NS ns.cn.\n"
                "ns A 127.0.0.1\n* A 198.51.100.7\n")

    r = random.Random(6)
    q = min(a.queries, len(filed_names) // 2)
    allowed = [("www." if k % 2 else "") + n for k, n in enumerate(r.sample(filed_names, q))]
    unregistered = ["nx%d%s" % (k, ".com.cn" if k % 3 == 2 else ".cn") for k in range(q)]
    denied = r.sample(denied_pool, min(len(denied_pool), q // 2))
    denied += unregistered[: q - len(denied)]
    r.shuffle(denied)
    write_queries(p("allowed.txt"), allowed)
    write_queries(p("denied.txt"), denied)
    mix = []
    di = 0
    for k, n in enumerate(allowed):
        mix.append(n)
        if k % 9 == 8:
            mix.append(denied[di % len(denied)])
            di += 1
    write_queries(p("mix.txt"), mix)
    # probe targets spread over the table, never the same holder twice
    with open(p("targets.txt"), "w") as t:
        for n in targets[:: max(1, len(targets) // 1000)][:1000]:
            t.write(n + "\n")
    with open(p("big-holder.txt"), "w") as t:
        t.write("%s\n%s\n" % (big[0], big[-1]))
    with open(p("world.json"), "w") as w:
        json.dump({"filed": len(filed_names), "big_holder": a.big, "unfiled": unfiled_holders * per,
                   "held": held_holders * per, "holders": i, "rpz_records": 2 * len(filed_names) + 1,
                   "queries": q}, w)


def write_queries(path, names):
    with open(path, "w") as f:
        for n in names:
            f.write("%s A\n" % n)


if __name__ == "__main__":
    main()
