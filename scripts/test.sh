#!/bin/sh
# Builds spill and runs the whole test suite through ctest, warnings as
# errors - what CI runs (.ci/run).  Installs what is missing first.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPILL_WERROR=ON
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"
