#!/usr/bin/env python3
"""Clearway's learned risk model vs LightGBM and CatBoost on the same KCS splits, side by side.

LightGBM (the baseline the issue names): 300 trees, learning rate 0.05, 63 leaves, 0.8 bagging and
feature fraction (bagging every iteration), label-encoded categoricals (every non-numeric column and every
column whose name says it is an id/code/type, codes fitted on train+valid levels in sorted order), `Fraud`
label, `Critical Fraud` and `Declaration ID` dropped, `Date` dropped.

CatBoost (issue 22's baseline): CatBoost 1.2 defaults as the issue states them — 2,000 iterations, depth 6,
learning rate 0.05, the same categorical columns given as `cat_features` (raw strings: CatBoost builds its
own ordered target statistics and combinations), `Tax Rate`, `Net Mass`, `Item Price` numeric, the valid
split as eval set with `use_best_model` (early stopping on valid, as the issue's reference). One thread
(`thread_count=1`), `--catboost-seeds` seeds (default 3; each takes minutes: use `--catboost-seeds 0` to
skip it). Scoring speed (`predict`, one thread, whole valid split) and explanation cost (SHAP values of the
whole valid split, per row) are measured for both Python peers.

Clearway: `clearway model train --seed S` then `clearway model eval --json` for each seed (release build);
the mean of the seeds' metrics is reported.

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
    /tmp/lgbvenv/bin/pip install catboost   # for the CatBoost column
    /tmp/lgbvenv/bin/python bench/model_vs_lightgbm.py [--data DIR] [--clearway PATH] [--seeds 3] [--catboost-seeds 3]
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
    ap.add_argument("--catboost-seeds", type=int, default=3, help="CatBoost seeds (0 = no CatBoost column)")
    ap.add_argument("--catboost-iterations", type=int, default=2000)
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
    cat_cols = []
    for c in feats:
        numeric = not name_says_categorical(c)
        if numeric:
            try:
                Xtr[c] = pd.to_numeric(tr[c].replace("", np.nan))
                Xva[c] = pd.to_numeric(va[c].replace("", np.nan))
                continue
            except ValueError:
                pass
        cat_cols.append(c)
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
            t0 = time.perf_counter()
            booster.predict(Xva, num_threads=1)
            lgb_speed = {"score_rows_per_s": len(Xva) / (time.perf_counter() - t0)}
            t0 = time.perf_counter()
            booster.predict(Xva, pred_contrib=True, num_threads=1)
            lgb_speed["explain_us_per_row"] = (time.perf_counter() - t0) * 1e6 / len(Xva)
        lgb_metrics.append(metrics(s, yva))
    lgbm = {k: float(np.mean([m[k] for m in lgb_metrics])) for k in lgb_metrics[0]}
    med = lambda xs: float(np.median(xs))
    for threads, tag in ((1, "1t"), (0, "default")):
        lgbm[f"train_wall_{tag}"] = med([w for w, _ in lgb_times[threads]])
        lgbm[f"train_cpu_{tag}"] = med([c for _, c in lgb_times[threads]])
    lgbm.update(lgb_speed)

    cb = None
    if a.catboost_seeds > 0:
        from catboost import CatBoostClassifier, Pool
        Ctr, Cva = tr[feats].copy(), va[feats].copy()
        for c in feats:
            if c not in cat_cols:
                Ctr[c], Cva[c] = Xtr[c], Xva[c]
        ptr = Pool(Ctr, ytr, cat_features=cat_cols)
        pva = Pool(Cva, yva, cat_features=cat_cols)
        cb_metrics, cb_times = [], []
        for seed in range(a.catboost_seeds):
            m = CatBoostClassifier(iterations=a.catboost_iterations, depth=6, learning_rate=0.05, random_seed=seed,
                                   thread_count=1, verbose=0, use_best_model=True)
            t0, c0 = time.perf_counter(), time.process_time()
            m.fit(ptr, eval_set=pva)
            cb_times.append((time.perf_counter() - t0, time.process_time() - c0))
            s = m.predict_proba(pva)[:, 1]
            cb_metrics.append(metrics(s, yva))
            print(f"CatBoost seed {seed}: {m.get_best_iteration()} iterations kept, {cb_times[-1][0]:.1f} s wall, "
                  f"p@5 {cb_metrics[-1]['precision_at_5pct']:.4f} p@10 {cb_metrics[-1]['precision_at_10pct']:.4f} "
                  f"AUC {cb_metrics[-1]['auc']:.4f}", flush=True)
            if seed == 0:
                t0 = time.perf_counter()
                m.predict(pva, prediction_type="RawFormulaVal", thread_count=1)
                cb_speed = {"score_rows_per_s": len(yva) / (time.perf_counter() - t0)}
                t0 = time.perf_counter()
                m.get_feature_importance(pva, type="ShapValues", thread_count=1)
                cb_speed["explain_us_per_row"] = (time.perf_counter() - t0) * 1e6 / len(yva)
        cb = {k: float(np.mean([m[k] for m in cb_metrics])) for k in cb_metrics[0]}
        cb["train_wall_1t"] = med([w for w, _ in cb_times])
        cb["train_cpu_1t"] = med([c for _, c in cb_times])
        cb.update(cb_speed)

    def child_run(args, **kw):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(args, check=True, **kw)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return out, wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

    cw_runs = {"1t": [], "default": []}
    cw_metrics = []
    with tempfile.TemporaryDirectory() as td:
        model = os.path.join(td, "model.json")
        for rep in range(a.seeds):
            for tag, extra in (("default", []), ("1t", ["--threads", "1"])):
                _, wall, cpu = child_run([a.clearway, "model", "train", "--train", train_p, "--valid", valid_p,
                                          "--label", label, "--drop", "Critical Fraud", "--seed", str(rep + 1),
                                          "--out", model] + extra, stdout=subprocess.DEVNULL)
                cw_runs[tag].append((wall, cpu))
            out = subprocess.run([a.clearway, "model", "eval", "--model", model, "--data", valid_p, "--json"],
                                 check=True, capture_output=True, text=True).stdout
            cw_metrics.append(json.loads(out))
        cw = {k: float(np.mean([m[k] for m in cw_metrics])) for k in metrics(lgb_scores, yva)}
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
    print(f"valid split: {len(yva)} rows, {yva.sum()} positive; LightGBM and Clearway means of {a.seeds} seeds, "
          f"CatBoost of {a.catboost_seeds}, "
          f"times are medians of {a.seeds} runs each")
    print(f"{'metric':<32}{'LightGBM':>12}{'CatBoost':>12}{'Clearway':>12}")
    for k, name in keys + [("score_rows_per_s", "scoring rows/s, 1 thread"), ("explain_us_per_row", "explain us/row (batch SHAP)")]:
        cell = lambda d: f"{d[k]:>12.4f}" if d is not None and k in d else f"{'-':>12}"
        print(f"{name:<32}{cell(lgbm)}{cell(cb)}{cell(cw)}")
    print("(Clearway's scoring and explanation speeds: `cargo bench -p clearway-model`, not this script)")
    quality = (cw["precision_at_5pct"] >= lgbm["precision_at_5pct"] and cw["precision_at_10pct"] >= lgbm["precision_at_10pct"]
               and cw["auc"] >= lgbm["auc"])
    print("quality (p@5, p@10, AUC >= LightGBM):", "MET" if quality else "NOT MET")
    if cb is not None:
        q = all(cw[k] >= cb[k] for k in ("precision_at_5pct", "precision_at_10pct", "auc"))
        print("quality (p@5, p@10, AUC >= CatBoost, means of seeds):", "MET" if q else "NOT MET")
        r = cb["train_cpu_1t"] / max(cw["train_cpu_1t"], 1e-9)
        print(f"training CPU time on one thread: CatBoost {cb['train_cpu_1t']:.1f} s, Clearway {cw['train_cpu_1t']:.2f} s "
              f"(whole process): CatBoost / Clearway = {r:.0f}x:", "MET (>= 10x)" if r >= 10 else "NOT MET (< 10x)")
    for tag, what in (("1t", "one thread each"), ("default", "default threading")):
        for unit in ("wall", "cpu"):
            k = f"train_{unit}_{tag}"
            print(f"training time, {what}, {unit}: Clearway {cw[k]:.2f} s vs LightGBM {lgbm[k]:.2f} s:",
                  "MET (no slower)" if cw[k] <= lgbm[k] else "NOT MET (slower)")
    if cw_scores is not None:
        from scipy.stats import spearmanr
        rho = spearmanr(cw_scores, lgb_scores).correlation
        print(f"differential: Spearman rank correlation of the two models' validation scores {rho:.3f}")
    print(json.dumps({"lightgbm": lgbm, "catboost": cb, "clearway": cw}))


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
