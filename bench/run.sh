#!/bin/sh
# Throughput of `spill score` against bare CLD2 on the same corpus.
#
#   bench/run.sh [SIZE_MB]        (default 40; BUILD=build, ROUNDS=3)
#
# Builds (Release), generates deterministic corpora (bench/make_corpus.py:
# pages of 300 B-300 KB, and corpora of ~3 KB and ~30 KB pages), then runs
# spill score -j 1 and the reference (bench/cld2_bare: CLD2 once per line)
# alternately, ROUNDS times each, and prints per-core MB/s from user+system
# CPU time (best round), their ratio, -j 2 scaling (wall time), peak RSS, a
# single 50 MB page, and instructions per input byte (callgrind, 1 MB corpus,
# stable on a noisy machine; less the fixed start-up cost, shown apart).
# Both programs run with the same glibc malloc tunables, so that neither
# pays the kernel for CLD2's large per-call allocations (spill sets them
# itself; see detect/cli/main.c).
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-40}
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-3}
W=$BUILD/bench-work
mkdir -p "$W"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$BUILD" --target spill_cli cld2_bare -j2 > /dev/null
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864

[ -f "$W/mixed-$SIZE.jsonl" ] || python3 bench/make_corpus.py "$SIZE" "$W/mixed-$SIZE.jsonl"
[ -f "$W/p3k.jsonl" ] || python3 bench/make_corpus.py 20 "$W/p3k.jsonl" --pages 2500 3500 --seed 2
[ -f "$W/p30k.jsonl" ] || python3 bench/make_corpus.py 20 "$W/p30k.jsonl" --pages 25000 35000 --seed 3
[ -f "$W/one1.jsonl" ] || python3 bench/make_corpus.py 1 "$W/one1.jsonl" --seed 4
if [ ! -f "$W/big50.jsonl" ]; then
    python3 - "$W/big50.jsonl" "$W/p30k.jsonl" <<'PY'
import json, sys
# One page of about 50 MB, made of the 30 KB pages' texts.
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8")]
text, i = [], 0
while sum(len(t) for t in text) < 50_000_000:
    text.append(texts[i % len(texts)])
    i += 1
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(json.dumps({"id": "big", "text": "\n".join(text)}, ensure_ascii=False) + "\n")
PY
fi

# measure CMD...: prints "cpu_seconds wall_seconds max_rss_kb" of one run.
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f %d" % (r.ru_utime + r.ru_stime, wall, r.ru_maxrss))
PY
}

# best CMD...: the best (lowest CPU) of ROUNDS runs.
best() {
    b=""
    for _ in $(seq "$ROUNDS"); do
        m=$(measure "$@")
        if [ -z "$b" ] || [ "$(echo "$m $b" | awk '{print ($1 < $4)}')" = 1 ]; then b=$m; fi
    done
    echo "$b"
}

mb() { python3 -c "import os,sys; print('%.2f' % (os.path.getsize(sys.argv[1]) / 1e6))" "$1"; }

SPILL="$BUILD/spill score -q"
echo "corpus                 MB    spill -j1 MB/s  cld2 MB/s  ratio(cpu)  spill -j2 speed-up  peak RSS -j2"
for c in "mixed-$SIZE" p3k p30k; do
    f="$W/$c.jsonl"
    size=$(mb "$f")
    # Alternate the two programs so drift hits both alike.
    s=""; r=""
    for _ in $(seq "$ROUNDS"); do
        m=$(measure $SPILL -j 1 "$f"); s=$(printf '%s\n%s\n' "$s" "$m" | awk 'NF' | sort -n | head -1)
        m=$(measure "$BUILD/bench/cld2_bare" "$f"); r=$(printf '%s\n%s\n' "$r" "$m" | awk 'NF' | sort -n | head -1)
    done
    j2=$(best $SPILL -j 2 "$f")
    echo "$c $size $s $r $j2" | awk '{
        printf "%-20s %6.1f  %14.1f  %9.1f  %10.2f  %18.2f  %9.1f MB\n",
            $1, $2, $2 / $3, $2 / $6, $3 / $6, $4 / $10, $11 / 1024 }'
done

f="$W/big50.jsonl"
m=$(best $SPILL -j 1 --max-record-size 128M "$f")
echo "$(mb "$f") $m" | awk '{ printf "one 50 MB page: %.1f MB/s per core, %.1f s CPU, peak RSS %.0f MB\n", $1 / $2, $2, $4 / 1024 }'

# instructions PROG... FILE: instructions callgrind counts for one run.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" "$@" > /dev/null 2> "$W/cg.txt"
    grep -o 'Collected : [0-9]*' "$W/cg.txt" | grep -o '[0-9]*$'
}

if command -v valgrind > /dev/null; then
    # Per input byte, less what a run of one tiny record costs (loading the
    # model: a fixed cost a process pays once, however large its input).
    f="$W/one1.jsonl"
    printf '{"id": "x", "text": "A few words."}\n' > "$W/tiny.jsonl"
    for prog in "$BUILD/spill score -q -j 1" "$BUILD/bench/cld2_bare"; do
        full=$(instructions $prog "$f")
        base=$(instructions $prog "$W/tiny.jsonl")
        echo "$prog $full $base $(mb "$f")" | awk '{ printf "%-28s %.0f instructions per input byte (start-up %.0f M instructions)\n", $1, ($(NF-2) - $(NF-1)) / ($NF * 1e6), $(NF-1) / 1e6 }'
    done
fi
