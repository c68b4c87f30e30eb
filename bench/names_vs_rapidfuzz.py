#!/usr/bin/env python3
"""Party-screening speed: Clearway's `names bench` against Python rapidfuzz `process.extractOne`
(scorer WRatio) over the same names, in one run, both on one core.

Usage (rapidfuzz only here, never a runtime or test dependency):

    python3 -m venv /tmp/rfvenv && /tmp/rfvenv/bin/pip install rapidfuzz
    clearway lists import --db lists.db ../shared/data/sanctions/ofac_sdn_2021/*.csv \
        ../shared/data/sanctions/un/*.xml ../shared/data/sanctions/ca_sema/*.xml
    /tmp/rfvenv/bin/python bench/names_vs_rapidfuzz.py --clearway target/release/clearway --db lists.db

The script asks Clearway to export the indexed names (`choices.txt`) and the queries (`queries.txt`, every
n-th alias with one letter swap), runs `clearway names bench` on those queries (one thread), then times
rapidfuzz on a sample of the same queries (it is ~1,000x slower, so a sample keeps the run short) and
prints both throughputs and the ratio.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clearway", default="target/release/clearway")
    ap.add_argument("--db", default="lists.db")
    ap.add_argument("--queries", type=int, default=20000, help="queries for Clearway")
    ap.add_argument("--rapidfuzz-queries", type=int, default=200, help="sample of the same queries for rapidfuzz")
    args = ap.parse_args()

    from rapidfuzz import fuzz, process, utils

    # Pin both to one core where the OS allows it.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run(
            [args.clearway, "names", "bench", "--db", args.db, "--max", str(args.queries), "--export", d, "--json"],
            check=True, capture_output=True, text=True,
        )
        cw = json.loads(out.stdout)
        with open(os.path.join(d, "choices.txt"), encoding="utf-8") as f:
            choices = [l for l in f.read().split("\n") if l]
        with open(os.path.join(d, "queries.txt"), encoding="utf-8") as f:
            queries = [l for l in f.read().split("\n") if l]

    step = max(1, len(queries) // args.rapidfuzz_queries)
    sample = queries[::step][: args.rapidfuzz_queries]
    t = time.perf_counter()
    c = time.process_time()
    for q in sample:
        process.extractOne(q, choices, scorer=fuzz.WRatio, processor=utils.default_process)
    rf_secs = time.perf_counter() - t
    rf_cpu = time.process_time() - c
    rf_qps = len(sample) / rf_secs
    rf_cpu_qps = len(sample) / rf_cpu

    ratio = cw["queries_per_second"] / rf_qps
    out = {
        "names_indexed": len(choices),
        "clearway": {"queries": cw["queries"], "queries_per_second": round(cw["queries_per_second"]),
                     "microseconds_per_query": round(cw["microseconds_per_query"], 1)},
        "rapidfuzz_extractOne_WRatio": {"queries": len(sample), "queries_per_second": round(rf_qps, 1),
                                        "queries_per_cpu_second": round(rf_cpu_qps, 1)},
        "speedup": round(ratio),
    }
    # CPU time (the time each actually ran), robust to a shared machine's load.
    if cw.get("queries_per_cpu_second"):
        out["clearway"]["queries_per_cpu_second"] = round(cw["queries_per_cpu_second"])
        out["speedup_cpu"] = round(cw["queries_per_cpu_second"] / rf_cpu_qps)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
