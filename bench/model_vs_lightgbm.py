#!/usr/bin/env python3
"""Clearway's learned risk model vs LightGBM on the same KCS splits, side by side.

LightGBM (the baseline the issue names): 300 trees, learning rate 0.05, 63 leaves, 0.8 bagging and
feature fraction (bagging every iteration), label-encoded categoricals (every non-numeric column and every
column whose name says it is an id/code/type, codes fitted on train+valid levels in sorted order), `Fraud`
label, `Critical Fraud` and `Declaration ID` dropped, `Date` dropped.

Clearway: `clearway model train` then `clearway model eval --json` (release build).

Both are timed on the same machine in the same run, on one thread (LightGBM `num_threads=1`, Clearway
`--threads 1`) and with their default threading (LightGBM: every core; Clearway: available parallelism).
LightGBM's time is `lgb.train` (dataset construction + boosting) on data already in memory; Clearway's
is the whole `clearway model train` process (read both CSVs, build features, boost, calibrate, write the
model file). Wall and CPU seconds are both printed (CPU = user + system of the process / child), with
the load average, since the machine may be shared. Prints precision@1/2/5/10 %, recall@5/10 %, AUC and
training times, plus a differential check (the rank correlation of the two models' scores).

Usage:
    python3 -m venv /tmp/lgbvenv && /tmp/lgbvenv/bin/pip install lightgbm pandas scikit-learn
    cargo build --release -p clearway-cli
    /tmp/lgbvenv/bin/python bench/model_vs_lightgbm.py [--data DIR] [--clearway PATH] [--seeds 3]
"""
import argparse, json, math, os, resource, subprocess, sys, tempfile, time

import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.metrics import roc_auc_score


def prec_rec_at(scores, y, pct):
    n = len(scores)
    k = max(1, math.ceil(n * pct / 100.0))
    order = np.argsort(-scores, kind="stable")
    top = y[order[:k]]
    return top.sum() / k, top.sum() / max(1, y.sum())


def name_says_categorical(n):
    n = n.lower().strip()
    return (n == "id" or n.endswith(" id") or n.endswith("_id") or any(w in n for w in
            ["code", "type", "indicator", "country", "office", "port"]))


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "../../shared/data/declarations/kcs-synthetic"))
    ap.add_argument("--clearway", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "../target")), "release/clearway"))
    ap.add_argument("--seeds", type=int, default=3, help="LightGBM seeds to average")
    ap.add_argument("--train", default="df_syn_train_eng.csv")
    ap.add_argument("--valid", default="df_syn_valid_eng.csv")
    a = ap.parse_args()
    train_p = os.path.join(a.data, a.train)
    valid_p = os.path.join(a.data, a.valid)
    tr = pd.read_csv(train_p, dtype=str, keep_default_na=False)
    va = pd.read_csv(valid_p, dtype=str, keep_default_na=False)
    label = "Fraud"
    drop = ["Critical Fraud", "Declaration ID", "Date", label]
    feats = [c for c in tr.columns if c not in drop]
    Xtr = pd.DataFrame(index=tr.index)
    Xva = pd.DataFrame(index=va.index)
    for c in feats:
        numeric = not name_says_categorical(c)
        if numeric:
            try:
                Xtr[c] = pd.to_numeric(tr[c].replace("", np.nan))
                Xva[c] = pd.to_numeric(va[c].replace("", np.nan))
                continue
            except ValueError:
                pass
        levels = sorted(set(tr[c]) | set(va[c]))
        code = {l: i for i, l in enumerate(levels)}
        Xtr[c] = tr[c].map(code).astype(float)
        Xva[c] = va[c].map(code).astype(float)
    ytr = tr[label].astype(int).values
    yva = va[label].astype(int).values

    load_start = os.getloadavg()
    lgb_scores = None
    lgb_metrics = []
    lgb_times = {1: [], 0: []}  # threads (0 = LightGBM default: every core) -> [(wall, cpu)]
    for seed in range(a.seeds):
        for threads in (1, 0):
            params = dict(objective="binary", learning_rate=0.05, num_leaves=63, bagging_fraction=0.8,
                          bagging_freq=1, feature_fraction=0.8, seed=seed, verbose=-1,
                          num_threads=threads if threads else os.cpu_count())
            t0, c0 = time.perf_counter(), time.process_time()
            booster = lgb.train(params, lgb.Dataset(Xtr, ytr), num_boost_round=300)
            lgb_times[threads].append((time.perf_counter() - t0, time.process_time() - c0))
        s = booster.predict(Xva)
        if lgb_scores is None:
            lgb_scores = s
        lgb_metrics.append(metrics(s, yva))
    lgbm = {k: float(np.mean([m[k] for m in lgb_metrics])) for k in lgb_metrics[0]}
    med = lambda xs: float(np.median(xs))
    for threads, tag in ((1, "1t"), (0, "default")):
        lgbm[f"train_wall_{tag}"] = med([w for w, _ in lgb_times[threads]])
        lgbm[f"train_cpu_{tag}"] = med([c for _, c in lgb_times[threads]])

    def child_run(args, **kw):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(args, check=True, **kw)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return out, wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

    cw_runs = {"1t": [], "default": []}
    with tempfile.TemporaryDirectory() as td:
        model = os.path.join(td, "model.json")
        for rep in range(a.seeds):
            for tag, extra in (("1t", ["--threads", "1"]), ("default", [])):
                _, wall, cpu = child_run([a.clearway, "model", "train", "--train", train_p, "--valid", valid_p,
                                          "--label", label, "--drop", "Critical Fraud", "--out", model] + extra,
                                         stdout=subprocess.DEVNULL)
                cw_runs[tag].append((wall, cpu))
        out = subprocess.run([a.clearway, "model", "eval", "--model", model, "--data", valid_p, "--json"],
                             check=True, capture_output=True, text=True).stdout
        cw = json.loads(out)
        sc = subprocess.run([a.clearway, "model", "eval", "--model", model, "--data", valid_p, "--scores"],
                            check=True, capture_output=True, text=True).stdout.split()
        cw_scores = np.array([float(x) for x in sc]) if len(sc) == len(yva) else None
    for tag in ("1t", "default"):
        cw[f"train_wall_{tag}"] = med([w for w, _ in cw_runs[tag]])
        cw[f"train_cpu_{tag}"] = med([c for _, c in cw_runs[tag]])
    load_end = os.getloadavg()

    keys = [("precision_at_1pct", "precision@1%"), ("precision_at_2pct", "precision@2%"),
            ("precision_at_5pct", "precision@5%"), ("precision_at_10pct", "precision@10%"),
            ("recall_at_5pct", "recall@5%"), ("recall_at_10pct", "recall@10%"), ("auc", "AUC"),
            ("train_wall_1t", "train wall s, 1 thread"), ("train_cpu_1t", "train CPU s, 1 thread"),
            ("train_wall_default", "train wall s, default threads"), ("train_cpu_default", "train CPU s, default threads")]
    print(f"load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f}; {os.cpu_count()} cores")
    print(f"valid split: {len(yva)} rows, {yva.sum()} positive; LightGBM mean of {a.seeds} seeds, "
          f"times are medians of {a.seeds} runs each")
    print(f"{'metric':<32}{'LightGBM':>12}{'Clearway':>12}")
    for k, name in keys:
        print(f"{name:<32}{lgbm[k]:>12.4f}{cw[k]:>12.4f}")
    quality = (cw["precision_at_5pct"] >= lgbm["precision_at_5pct"] and cw["precision_at_10pct"] >= lgbm["precision_at_10pct"]
               and cw["auc"] >= lgbm["auc"])
    print("quality (p@5, p@10, AUC >= LightGBM):", "MET" if quality else "NOT MET")
    for tag, what in (("1t", "one thread each"), ("default", "default threading")):
        for unit in ("wall", "cpu"):
            k = f"train_{unit}_{tag}"
            print(f"training time, {what}, {unit}: Clearway {cw[k]:.2f} s vs LightGBM {lgbm[k]:.2f} s:",
                  "MET (no slower)" if cw[k] <= lgbm[k] else "NOT MET (slower)")
    if cw_scores is not None:
        from scipy.stats import spearmanr
        rho = spearmanr(cw_scores, lgb_scores).correlation
        print(f"differential: Spearman rank correlation of the two models' validation scores {rho:.3f}")
    print(json.dumps({"lightgbm": lgbm, "clearway": cw}))


def metrics(s, y):
    m = {}
    for p in [1, 2, 5, 10]:
        pr, rc = prec_rec_at(s, y, p)
        m[f"precision_at_{p}pct"] = float(pr)
        m[f"recall_at_{p}pct"] = float(rc)
    m["auc"] = float(roc_auc_score(y, s))
    return m


if __name__ == "__main__":
    sys.exit(main())
