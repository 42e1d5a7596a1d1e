#!/bin/sh
# Installs exactly the Debian packages spill needs to build, test and train.
# Idempotent: packages already present are left alone and apt is not touched.
# Usage: scripts/setup.sh            build + test dependencies
#        scripts/setup.sh --report   also what `spill report`'s browser test needs
set -eu

PKGS="build-essential cmake pkg-config
      libicu-dev libcld2-dev libutf8proc-dev libsvm-dev
      zlib1g-dev libzstd-dev libjansson-dev libxxhash-dev
      libcmocka-dev python3 zstd gzip valgrind clang"

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
