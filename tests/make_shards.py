#!/usr/bin/env python3
"""Writes N small JSONL shards of pages from a few made-up sites, whose
chrome lines recur across pages: for the sketch, Python and Dask tests.

usage: make_shards.py DIR N"""

import json
import os
import random
import sys


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    rng = random.Random(11)
    words = ("the river city council said on monday that a new bridge would be built over the "
             "next two years after a long public debate about costs and traffic").split()
    sites = ["news.example.com", "blog.example.org", "shop.example.net"]
    chrome = {s: ["Home | News | Sport | Contact", "Sign in to %s" % s,
                  "Copyright 2024 %s. All rights reserved." % s] for s in sites}
    k = 0
    for shard in range(n):
        with open(os.path.join(out, "shard-%02d.jsonl" % shard), "w") as f:
            for _ in range(12):
                site = rng.choice(sites)
                body = [" ".join(rng.choice(words) for _ in range(rng.randint(12, 30))).capitalize() + "."
                        for _ in range(rng.randint(2, 6))]
                text = "\n".join([chrome[site][0], "A headline %d about the bridge" % k] + body +
                                 chrome[site][1:])
                f.write(json.dumps({"id": "page-%d" % k, "url": "https://%s/%d" % (site, k),
                                    "text": text}) + "\n")
                k += 1


if __name__ == "__main__":
    main()
