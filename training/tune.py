#!/usr/bin/env python3
"""Chooses a model's prior_power, prior_power_rare, content_weight and
smooth on held-out train pages.

usage: tune.py SPILL MODEL_DIR WORKDIR VAL_REAL.jsonl VAL_SYNTH.jsonl

For every setting tried, a copy of the model gets the manifest keys (no
retraining: they act after the classifier) and `spill eval` runs on the
held-out real pages and the synthetic pages built from them.  The objective
weighs both halves alike:
    0.5 * line F1 of content on the real pages
  + 0.5 * mean(line F1 of content, of spillover and of garbage, recall of
               foreign strings of 1-5 words) on the synthetic pages
Foreign is measured as issue 3 sets its target: recall of short strings with
at most MAX_FALSE_FOREIGN of the clean characters wrongly foreign, on the
synthetic pages and on the real ones alike; settings over that bound lose to
those within it.  Two stages, since prior_power_rare (the foreign model's
prior correction) moves foreign and little else: a grid of prior_power,
content_weight and smooth (SMOOTHS, or CHAIN_SMOOTHS for a model with a
chain of line labels) at prior_power_rare RARE_FIRST; then, those fixed,
prior_power_rare on a finer grid.  In each, settings within TOLERANCE of the
best objective are not told apart by this many held-out pages; of those, the
one with the least smoothing wins (smoothing blurs the edges of blocks, which
line F1 barely sees) - in the second, the least correction of the prior -
then the objective.
Prints the choice as "prior_power prior_power_rare content_weight smooth"."""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys

# Issue 3's bound is 0.3% on pages never seen; held-out and dev pages have
# differed by 0.07 points either way at one setting, so tuning keeps a third
# under it.
MAX_FALSE_FOREIGN = 0.002
TOLERANCE = 0.001
POWERS = [0.5, 0.75, 1.0]
RARE_FIRST = 0.75
RARE_POWERS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
CONTENT_WEIGHTS = [1.0, 1.25, 1.5, 1.75, 2.0]
SMOOTHS = [0.1, 0.2, 0.3]               # weight of each neighbouring line
CHAIN_SMOOTHS = [0.25, 0.5, 0.75, 1.0]  # weight of the posterior under the chain


def f1(p, r):
    if p is None or r is None or p + r == 0:
        return 0.0
    return 2 * p * r / (p + r)


def evaluate(spill, model, path, out):
    subprocess.run([spill, "eval", "--batch", "-m", model, "--json", out, path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["all"]


def trial_score(spill, model, manifest, work, val_real, val_synth, power, rare, cw, smooth):
    """(bound, objective) of one setting: bound is 0 within the false-foreign
    bound, negative by how far over it."""
    trial = os.path.join(work, "model")
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
             synth["short_foreign_recall"] or 0.0]
    score = 0.5 * (real["f1"] or 0.0) + 0.5 * sum(parts) / len(parts)
    false_foreign = max(synth["false_foreign_rate"] or 0.0, real["false_foreign_rate"] or 0.0)
    print("prior_power %-5g rare %-5g content %-4g smooth %-4g  objective %.4f  real F1 %.4f"
          "  synth %s  false foreign %.4f" % (power, rare, cw, smooth, score, real["f1"] or 0,
                                              " ".join("%.3f" % x for x in parts),
                                              false_foreign),
          file=sys.stderr)
    return min(0.0, MAX_FALSE_FOREIGN - false_foreign), score


def choose(results, prefer):
    """The setting of results [(bound, objective, setting)] within the bound
    (or least over it), within TOLERANCE of the best objective, `prefer`
    smallest, then the best objective."""
    bound = max(r[0] for r in results)
    valid = [r for r in results if r[0] == bound]
    top = max(r[1] for r in valid)
    near = [r for r in valid if r[1] >= top - TOLERANCE]
    return min(near, key=lambda r: (prefer(r[2]), -r[1]))[2]


def main():
    spill, model, work, val_real, val_synth = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(model, "manifest.txt")) as f:
        manifest = f.read()
    args = (spill, model, manifest, work, val_real, val_synth)
    smooths = CHAIN_SMOOTHS if re.search(r"(?m)^line_transitions = ", manifest) else SMOOTHS
    first = [trial_score(*args, power, RARE_FIRST, cw, smooth) + ((power, RARE_FIRST, cw, smooth),)
             for power, cw, smooth in itertools.product(POWERS, CONTENT_WEIGHTS, smooths)]
    power, _rare, cw, smooth = choose(first, lambda s: s[3])
    second = [trial_score(*args, power, rare, cw, smooth) + ((power, rare, cw, smooth),)
              for rare in RARE_POWERS]
    print("%g %g %g %g" % choose(second, lambda s: s[1]))


if __name__ == "__main__":
    main()
