# Helpers of the CLI tests (sourced).  Environment from ctest: SPILL (the
# binary), SRC (the source tree), TESTDATA (tests/data).
set -eu
: "${SPILL:?}" "${SRC:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/spill-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
SEED="$SRC/seeds/000_4b7c8317d8a84a7b.txt"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect_status WANT CMD...: runs CMD, checks its exit status.
expect_status() {
    want=$1
    shift
    set +e
    "$@"
    got=$?
    set -e
    [ "$got" = "$want" ] || fail "exit status $got, want $want: $*"
}

# py SCRIPT [ARGS...]: runs a Python assertion script; a failed assert fails.
py() {
    python3 - "$@" || fail "python check failed"
}
