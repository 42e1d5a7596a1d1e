#!/usr/bin/env python3
"""Scores a directory of JSONL shards on a Dask cluster of worker processes.

usage: dask_score.py IN_DIR OUT_DIR [--workers N] [--model DIR]

Two passes over a dask.bag of the shards, on a LocalCluster of N worker
processes (Debian's python3-distributed; point a Client at a real cluster
for more machines):
  1. sketch: every shard's line counts (spill's mergeable sketch), merged
     into one corpus sketch - the same counts as one process over everything;
  2. score: every shard scored with that sketch into OUT_DIR/<shard name>,
     one annotation record per input record, byte for byte what
     `spill score --sketch corpus.sk SHARD` writes.
Workers load libspill through python/spill.py (ctypes)."""

import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))


def sketch_shard(path, work):
    import spill
    s = spill.Sketch()
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                text = json.loads(line).get("text")
            except ValueError:
                continue
            if isinstance(text, str):
                s.add(text)
    out = os.path.join(work, os.path.basename(path) + ".sk")
    s.save(out)
    return out


def merge_sketches(paths, out):
    import spill
    total = None
    for p in sorted(paths):
        part = spill.Sketch(p)
        total = part if total is None else total.merge(part)
    total.save(out)
    return out


def score_shard(path, sketch_path, out_dir, model_dir):
    import spill
    model = spill.Model(model_dir)
    sketch = spill.Sketch(sketch_path)
    out = os.path.join(out_dir, os.path.basename(path))
    n = 0
    with open(path, encoding="utf-8") as f, open(out + ".tmp", "w", encoding="utf-8") as o:
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                o.write(json.dumps({"id": None, "error": "invalid JSON: %s" % e}) + "\n")
                continue
            text = rec.get("text")
            if not isinstance(text, str):
                o.write(json.dumps({"id": rec.get("id"), "error": 'field "text" is not a string'}) + "\n")
                continue
            rid = rec.get("id")
            o.write(model.score_json(text, id=None if rid is None else str(rid),
                                     url=rec.get("url"), sketch=sketch))
            n += 1
    os.replace(out + ".tmp", out)
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default=None)
    a = ap.parse_args()

    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    shards = sorted(glob.glob(os.path.join(a.in_dir, "*.jsonl")))
    if not shards:
        sys.exit("dask_score.py: no *.jsonl in %s" % a.in_dir)
    os.makedirs(a.out_dir, exist_ok=True)
    work = os.path.join(a.out_dir, ".sketches")
    os.makedirs(work, exist_ok=True)
    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster, Client(cluster):
        bag = db.from_sequence(shards, npartitions=len(shards))
        parts = bag.map(sketch_shard, work).compute()
        corpus = merge_sketches(parts, os.path.join(work, "corpus.sk"))
        counts = bag.map(score_shard, corpus, a.out_dir, a.model).compute()
    print("dask_score.py: %d records in %d shards -> %s" % (sum(counts), len(shards), a.out_dir))


if __name__ == "__main__":
    main()
