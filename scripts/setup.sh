#!/bin/sh
# Installs exactly the Debian packages spill needs to build, test and train.
# Idempotent: packages already present are left alone and apt is not touched.
# Build: compilers, CMake, the libraries (jansson and simdjson for JSON); tests: cmocka, python3 (test
# scripts, training), valgrind, clang (sanitizers, libFuzzer), zstd/gzip,
# chromium (the report's browser test), python3-distributed (the Dask
# example's test).
set -eu

PKGS="build-essential cmake pkg-config
      libicu-dev libcld2-dev libutf8proc-dev libsvm-dev
      zlib1g-dev libzstd-dev libjansson-dev libsimdjson-dev libxxhash-dev
      libcmocka-dev python3 zstd gzip valgrind clang
      chromium python3-distributed"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: need root to install:$missing" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
