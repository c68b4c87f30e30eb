#!/usr/bin/env python3
"""Clearway's learned risk model vs LightGBM on the same KCS splits, side by side.

LightGBM (the baseline the issue names): 300 trees, learning rate 0.05, 63 leaves, 0.8 bagging and
feature fraction (bagging every iteration), label-encoded categoricals (every non-numeric column and every
column whose name says it is an id/code/type, codes fitted on train+valid levels in sorted order), `Fraud`
label, `Critical Fraud` and `Declaration ID` dropped, `Date` dropped.

Clearway: `clearway model train` then `clearway model eval --json` (release build).

Both are timed on the same machine in the same run. Prints precision@1/2/5/10 %, recall@5/10 %, AUC and
training time, plus a differential check (the two models' precision@5 % / AUC within tolerance and the
rank correlation of their scores).

Usage:
    python3 -m venv /tmp/lgbvenv && /tmp/lgbvenv/bin/pip install lightgbm pandas scikit-learn
    cargo build --release -p clearway-cli
    /tmp/lgbvenv/bin/python bench/model_vs_lightgbm.py [--data DIR] [--clearway PATH] [--seeds 3]
"""
import argparse, json, math, os, subprocess, sys, tempfile, time

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

    rows = []
    lgb_scores = None
    lgb_times = []
    lgb_metrics = []
    for seed in range(a.seeds):
        params = dict(objective="binary", learning_rate=0.05, num_leaves=63, bagging_fraction=0.8,
                      bagging_freq=1, feature_fraction=0.8, seed=seed, verbose=-1, num_threads=os.cpu_count())
        t0 = time.perf_counter()
        booster = lgb.train(params, lgb.Dataset(Xtr, ytr), num_boost_round=300)
        lgb_times.append(time.perf_counter() - t0)
        s = booster.predict(Xva)
        if lgb_scores is None:
            lgb_scores = s
        lgb_metrics.append(metrics(s, yva))
    lgbm = {k: float(np.mean([m[k] for m in lgb_metrics])) for k in lgb_metrics[0]}
    lgbm["train_seconds"] = float(np.median(lgb_times))

    with tempfile.TemporaryDirectory() as td:
        model = os.path.join(td, "model.json")
        t0 = time.perf_counter()
        subprocess.run([a.clearway, "model", "train", "--train", train_p, "--valid", valid_p, "--label", label,
                        "--drop", "Critical Fraud", "--out", model], check=True, stdout=subprocess.DEVNULL)
        cw_time = time.perf_counter() - t0
        out = subprocess.run([a.clearway, "model", "eval", "--model", model, "--data", valid_p, "--json"],
                             check=True, capture_output=True, text=True).stdout
        cw = json.loads(out)
        sc = subprocess.run([a.clearway, "model", "eval", "--model", model, "--data", valid_p, "--scores"],
                            check=True, capture_output=True, text=True).stdout.split()
        cw_scores = np.array([float(x) for x in sc]) if len(sc) == len(yva) else None
    cw["train_seconds"] = cw_time

    keys = [("precision_at_1pct", "precision@1%"), ("precision_at_2pct", "precision@2%"),
            ("precision_at_5pct", "precision@5%"), ("precision_at_10pct", "precision@10%"),
            ("recall_at_5pct", "recall@5%"), ("recall_at_10pct", "recall@10%"), ("auc", "AUC"),
            ("train_seconds", "train time (s)")]
    print(f"valid split: {len(yva)} rows, {yva.sum()} positive; LightGBM mean of {a.seeds} seeds")
    print(f"{'metric':<16}{'LightGBM':>12}{'Clearway':>12}")
    for k, name in keys:
        print(f"{name:<16}{lgbm[k]:>12.4f}{cw[k]:>12.4f}")
    ok = (cw["precision_at_5pct"] >= lgbm["precision_at_5pct"] and cw["precision_at_10pct"] >= lgbm["precision_at_10pct"]
          and cw["auc"] >= lgbm["auc"] and cw["train_seconds"] <= lgbm["train_seconds"])
    print("targets (p@5, p@10, AUC >= LightGBM; train time <= LightGBM):", "MET" if ok else "NOT MET")
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
