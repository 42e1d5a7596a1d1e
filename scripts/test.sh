#!/bin/sh
# Builds spill and runs the whole test suite through ctest, as CI does
# (.ci/run): first a normal build with warnings as errors (valgrind memcheck
# included), then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer (less valgrind, and the Python and install tests:
# label nosan in tests/CMakeLists.txt).  Installs what is missing first.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPILL_WERROR=ON
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSPILL_SANITIZE=ON -DSPILL_WERROR=ON
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'valgrind|nosan'
