#!/bin/sh
# Runs libFuzzer targets (clang from Debian), each for a set time, growing
# tests/fuzz/corpus/TARGET; a crash leaves crash-* in tests/fuzz/ - copy it
# into the target's corpus directory, where ctest replays it from then on.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    (default 600 s; jsonl warc utf8 annotate)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-jsonl warc utf8 annotate}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPILL_FUZZ=ON >/dev/null
for t in $targets; do
    cmake --build build-fuzz --target "fuzz_$t" -j2 >/dev/null
done
for t in $targets; do
    mkdir -p "tests/fuzz/corpus/$t" build-fuzz/new/$t
    echo "== fuzz_$t for ${secs}s" >&2
    (cd tests/fuzz && ../../build-fuzz/tests/fuzz_"$t" -max_total_time="$secs" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 "../../build-fuzz/new/$t" "corpus/$t") 2>&1 | tail -3
done
echo "new inputs are in build-fuzz/new/TARGET; merge the interesting ones with -merge=1" >&2
