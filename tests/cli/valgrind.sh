#!/bin/sh
# valgrind memcheck over end-to-end runs: no invalid reads or writes, no
# leaks, through every reader, the writers and the thread pool.
. "$SRC/tests/cli_lib.sh"
command -v valgrind > /dev/null || { echo "skip: valgrind is not installed"; exit 77; }
M="--model $TESTDATA/tiny-model"
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"

python3 "$SRC/tests/make_warc.py" "$T/cc.warc.gz"
python3 "$SRC/tests/make_warc.py" "$T/lying.warc.gz" --lying
printf '%s\n' '{"id": "a", "text": "Page one.\nWith a second line."}' '{"id": "b", "text": 7}' \
    'not json' '{"id": "c", "text": "Третья страница."}' > "$T/in.jsonl"

# vg WHAT ARGS...: spill under memcheck; exit status 99 is a memory error
# (1 is fine: some inputs hold bad records on purpose).
vg() {
    what=$1
    shift
    set +e
    $VG "$SPILL" "$@" > /dev/null 2> "$T/vg.txt"
    rc=$?
    set -e
    [ $rc -ne 99 ] || fail "valgrind: $what: $(cat "$T/vg.txt")"
}
vg "score text" score $M -q "$SEED"
vg "score -j 2" score $M -q -j 2 "$T/in.jsonl" "$T/cc.warc.gz"
vg "lying WARC" score $M -q "$T/lying.warc.gz"
vg "clean" clean $M -q -j 2 --keep foreign "$T/in.jsonl"
vg "dolma" score $M -q --format dolma "$T/in.jsonl"
vg "explain" explain $M "$SEED"
echo ok
