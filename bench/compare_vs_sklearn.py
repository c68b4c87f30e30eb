#!/usr/bin/env python3
"""Clearway's agreement figures vs scikit-learn on the same vectors.

Cohen's kappa and the Jaccard index of `clearway compare` come from `clearway_service::compare::stats`.
This script draws selection vectors (seeded; several shapes: independent, correlated, rare, all-equal),
writes each as a minimal metric file (`selection` = the bits in input order, hex, bit i in byte i // 8),
runs `clearway compare merge A.json B.json --json` — the real path that recomputes agreement from metric
files — and compares every pair's kappa with `sklearn.metrics.cohen_kappa_score` and its Jaccard index
with `sklearn.metrics.jaccard_score`. Exit 1 on any difference above 1e-12.

Usage:
    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    cargo build --release -p clearway-cli
    /tmp/skvenv/bin/python bench/compare_vs_sklearn.py [--clearway target/release/clearway]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn.metrics import cohen_kappa_score, jaccard_score


def bits_hex(v):
    out = bytearray((len(v) + 7) // 8)
    for i, x in enumerate(v):
        if x:
            out[i // 8] |= 1 << (i % 8)
    return out.hex()


def metric_file(path, name, v):
    n = len(v)
    report = {
        "format": "clearway-compare/1",
        "metrics_only": True,
        "data": {"source": "sklearn check", "filings": n, "rejected": 0, "fingerprint": "5eed5eed5eed5eed"},
        "bundles": [{
            "name": name, "version": "1", "agency": "check", "hash": "0" * 64,
            "lanes": {"green": int(n - v.sum()), "blue": 0, "yellow": int(v.sum()), "red": 0},
            "selected": int(v.sum()), "exam_rate": float(v.mean()), "do_not_load": 0, "mean_score": 0.0,
            "random_selected": 0, "assess_seconds": 0.0, "decisions_per_second": 0.0,
            "selection": bits_hex(v),
        }],
        "agreement": {"pairs": [], "regions": []},
        "disagreements": [],
        "labelled": None,
        "harmonised": {"profiles": [], "own": []},
        "timing": {"wall_seconds": 0.0, "parse_seconds": 0.0, "filings_per_second": 0.0},
    }
    with open(path, "w") as f:
        json.dump(report, f)


def cases(rng):
    n = 5000
    a = rng.random(n) < 0.1
    yield "independent 10 % / 20 %", a, rng.random(n) < 0.2
    b = np.where(rng.random(n) < 0.8, a, rng.random(n) < 0.1)
    yield "correlated", a, b
    yield "rare (0.5 %)", rng.random(n) < 0.005, rng.random(n) < 0.005
    yield "opposite", a, ~a
    yield "identical", a, a.copy()
    yield "small by hand", np.array([1, 1, 0, 0, 1, 1, 0, 0, 0, 0], bool), np.array([1, 0, 1, 0, 1, 0, 0, 0, 0, 0], bool)
    for k in range(10):
        p, q = rng.random() * 0.5, rng.random() * 0.5
        yield f"random {k} ({p:.2f}, {q:.2f})", rng.random(1000 + 997 * k) < p, rng.random(1000 + 997 * k) < q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clearway", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "clearway"))
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    worst = 0.0
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for name, x, y in cases(rng):
            pa, pb = os.path.join(d, "a.json"), os.path.join(d, "b.json")
            metric_file(pa, "A", x)
            metric_file(pb, "B", y)
            out = subprocess.run([a.clearway, "compare", "merge", pa, pb, "--json"], check=True, capture_output=True, text=True).stdout
            pair = json.loads(out)["agreement"]["pairs"][0]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                k_ref = cohen_kappa_score(x, y)
                j_ref = jaccard_score(x, y, zero_division=0) if (x | y).any() else float("nan")
            k, j = pair["kappa"], pair["jaccard"]
            dk = abs(k - k_ref) if k is not None and np.isfinite(k_ref) else (0.0 if k is None and not np.isfinite(k_ref) else float("inf"))
            dj = abs(j - j_ref) if j is not None and np.isfinite(j_ref) else (0.0 if j is None and not np.isfinite(j_ref) else float("inf"))
            worst = max(worst, dk, dj)
            ok = dk <= 1e-12 and dj <= 1e-12
            failed += not ok
            print(f"{name:<28} n={len(x):>5}  kappa {k!s:>22} sklearn {k_ref:>22.17f}  jaccard {j!s:>20} sklearn {j_ref:>20.17f}  {'ok' if ok else 'DIFFERENT'}")
    print(f"largest difference {worst:.3g}; {failed} of the cases differ")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
