#!/bin/sh
# The binary finds its model; --model overrides; a model of another schema or
# a damaged one is refused with a message naming both schemas or the file.
. "$SRC/tests/cli_lib.sh"

"$SPILL" score "$SEED" > /dev/null || fail "default model"
"$SPILL" score --model "$TESTDATA/tiny-model" "$SEED" > /dev/null || fail "--model"

cp -r "$TESTDATA/tiny-model" "$T/old"
sed -i 's/^schema_version = .*/schema_version = 0/' "$T/old/manifest.txt"
expect_status 2 "$SPILL" score --model "$T/old" "$SEED" 2> "$T/err.txt"
grep -q "v0" "$T/err.txt" && grep -q "this spill computes spill-seg" "$T/err.txt" ||
    fail "schema mismatch message: $(cat "$T/err.txt")"

cp -r "$TESTDATA/tiny-model" "$T/cut"
head -c 1000 "$TESTDATA/tiny-model/model.svm" > "$T/cut/model.svm"
expect_status 2 "$SPILL" score --model "$T/cut" "$SEED" 2> "$T/err.txt"
grep -q "model.svm" "$T/err.txt" && grep -q "truncated or altered" "$T/err.txt" ||
    fail "damaged model message: $(cat "$T/err.txt")"

SPILL_MODEL="$TESTDATA/tiny-model" "$SPILL" score "$SEED" > /dev/null || fail "SPILL_MODEL"
echo ok
