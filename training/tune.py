#!/usr/bin/env python3
"""Chooses a model's prior_power, prior_power_rare, content_weight and
smooth on held-out train pages.

usage: tune.py SPILL MODEL_DIR WORKDIR VAL_REAL.jsonl VAL_SYNTH.jsonl

For every setting of the grid, a copy of the model gets the two manifest
keys (no retraining: they act after the classifier) and `spill eval` runs on
the held-out real pages and the synthetic pages built from them.  The
objective weighs both halves alike:
    0.5 * line F1 of content on the real pages
  + 0.5 * mean(line F1 of content, of spillover and of garbage, span F1 of
               foreign) on the synthetic pages
Settings over the false-foreign bound lose to those within it.  Settings
within TOLERANCE of the best objective are not told apart by this many
held-out pages; of those, the one with the least smoothing wins (smoothing
blurs the edges of blocks, which line F1 barely sees), then the objective.
Prints it as "prior_power prior_power_rare content_weight smooth"."""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys

MAX_FALSE_FOREIGN = 0.003
TOLERANCE = 0.001
POWERS = [0.5, 0.75, 1.0]
RARE_POWERS = [0.25, 0.5, 0.75]
CONTENT_WEIGHTS = [1.0, 1.25, 1.5]
SMOOTHS = [0.1, 0.2, 0.3]


def f1(p, r):
    if p is None or r is None or p + r == 0:
        return 0.0
    return 2 * p * r / (p + r)


def evaluate(spill, model, path, out):
    subprocess.run([spill, "eval", "--batch", "-m", model, "--json", out, path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["all"]


def main():
    spill, model, work, val_real, val_synth = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    trial = os.path.join(work, "model")
    with open(os.path.join(model, "manifest.txt")) as f:
        manifest = f.read()
    results = []
    for power, rare, cw, smooth in itertools.product(POWERS, RARE_POWERS, CONTENT_WEIGHTS,
                                                     SMOOTHS):
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(model, trial)
        text = re.sub(r"(?m)^(prior_power_rare|content_weight) = .*\n", "", manifest)
        text = re.sub(r"(?m)^prior_power = .*$",
                      "prior_power = %g\nprior_power_rare = %g\ncontent_weight = %g"
                      % (power, rare, cw), text)
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
        false_foreign = synth["false_foreign_rate"] or 0.0
        print("prior_power %-5g rare %-5g content %-4g smooth %-4g  objective %.4f  real F1 %.4f"
              "  synth %s  false foreign %.4f" % (power, rare, cw, smooth, score, real["f1"] or 0,
                                        " ".join("%.3f" % x for x in parts), false_foreign),
              file=sys.stderr)
        results.append((min(0.0, MAX_FALSE_FOREIGN - false_foreign), score,
                        (power, rare, cw, smooth)))
    bound = max(r[0] for r in results)
    valid = [r for r in results if r[0] == bound]
    top = max(r[1] for r in valid)
    near = [r for r in valid if r[1] >= top - TOLERANCE]
    best = min(near, key=lambda r: (r[2][3], -r[1]))
    print("%g %g %g %g" % best[2])


if __name__ == "__main__":
    main()
