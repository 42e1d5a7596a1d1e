#!/bin/sh
# Every page in seeds/ against its expected annotation (seeds/*.expected.json),
# from the committed model.
. "$SRC/tests/cli_lib.sh"
for exp in "$SRC"/seeds/*.expected.json; do
    page="${exp%.expected.json}.txt"
    "$SPILL" score "$page" > "$T/out.jsonl"
    python3 "$SRC/tests/check_seed.py" "$page" "$exp" "$T/out.jsonl" || fail "$page"
done
echo ok
