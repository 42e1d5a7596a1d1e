#!/usr/bin/env python3
"""Chooses a model's prior_power, prior_power_rare and smooth on held-out
train pages.

usage: tune.py SPILL MODEL_DIR WORKDIR VAL_REAL.jsonl VAL_SYNTH.jsonl

For every setting of the grid, a copy of the model gets the two manifest
keys (no retraining: they act after the classifier) and `spill eval` runs on
the held-out real pages and the synthetic pages built from them.  The
objective weighs both halves alike:
    0.5 * line F1 of content on the real pages
  + 0.5 * mean(line F1 of content, of spillover and of garbage, span F1 of
               foreign) on the synthetic pages
Prints the best setting as "prior_power prior_power_rare smooth"."""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys

POWERS = [0.5, 0.75, 1.0]
RARE_POWERS = [0.25, 0.5, 0.75]
SMOOTHS = [0.1, 0.2, 0.3]


def f1(p, r):
    if p is None or r is None or p + r == 0:
        return 0.0
    return 2 * p * r / (p + r)


def evaluate(spill, model, path, out):
    subprocess.run([spill, "eval", "-m", model, "--json", out, path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["all"]


def main():
    spill, model, work, val_real, val_synth = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    trial = os.path.join(work, "model")
    with open(os.path.join(model, "manifest.txt")) as f:
        manifest = f.read()
    best = None
    for power, rare, smooth in itertools.product(POWERS, RARE_POWERS, SMOOTHS):
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(model, trial)
        text = re.sub(r"(?m)^prior_power = .*$",
                      "prior_power = %g\nprior_power_rare = %g" % (power, rare), manifest)
        text = re.sub(r"(?m)^smooth = .*$", "smooth = %g" % smooth, text)
        with open(os.path.join(trial, "manifest.txt"), "w") as f:
            f.write(text)
        real = evaluate(spill, trial, val_real, os.path.join(work, "real.json"))
        synth = evaluate(spill, trial, val_synth, os.path.join(work, "synth.json"))
        lab = synth["labels"]
        parts = [synth["f1"] or 0.0,
                 f1(lab["spillover"]["line_precision"], lab["spillover"]["line_recall"]),
                 f1(lab["garbage"]["line_precision"], lab["garbage"]["line_recall"]),
                 f1(lab["foreign"]["span_precision"], lab["foreign"]["span_recall"])]
        score = 0.5 * (real["f1"] or 0.0) + 0.5 * sum(parts) / len(parts)
        print("prior_power %-5g rare %-5g smooth %-4g  objective %.4f  real F1 %.4f  synth %s"
              % (power, rare, smooth, score, real["f1"] or 0,
                 " ".join("%.3f" % x for x in parts)), file=sys.stderr)
        if best is None or score > best[0]:
            best = (score, power, rare, smooth)
    print("%g %g %g" % best[1:])


if __name__ == "__main__":
    main()
