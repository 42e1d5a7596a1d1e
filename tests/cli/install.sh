#!/bin/sh
# cmake --install puts spill, libspill (static and shared), spill.h, a
# pkg-config file and the default model in place; a tiny C program builds
# against the installed library through pkg-config and annotates a page; the
# installed spill finds its model with no flag.
. "$SRC/tests/cli_lib.sh"
BUILD=$(dirname "$SPILL")
cmake --install "$BUILD" --prefix "$T/prefix" > "$T/install.log" 2>&1 || fail "cmake --install: $(tail -5 "$T/install.log")"
LIB=$(ls -d "$T/prefix"/lib* | head -1)
for f in "$T/prefix/bin/spill" "$T/prefix/include/spill.h" "$LIB/libspill.a" "$LIB/libspill.so" \
         "$LIB/pkgconfig/spill.pc" "$T/prefix/share/spill/models/spill-1/manifest.txt"; do
    [ -e "$f" ] || fail "not installed: $f"
done

cat > "$T/tiny.c" <<'C'
#include <spill.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    spill_error err = {0};
    spill_model *m = spill_model_load(argv[1], NULL, &err);
    if (!m) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    const char *text = "A page of text with a sentence in it.\nHome | About | Contact\n";
    const spill_page *p;
    int rc = spill_annotate(c, "t", text, strlen(text), NULL, &p) != SPILL_OK || p->n_spans == 0;
    if (!rc)
        printf("%s %s %.2f\n", spill_version(), p->lang, p->score);
    spill_ctx_free(c);
    spill_model_free(m);
    return rc || argc < 2;
}
C
export PKG_CONFIG_PATH="$LIB/pkgconfig"
pkg-config --exists spill || fail "pkg-config does not know spill"
# shellcheck disable=SC2046
cc -std=c17 -o "$T/tiny-shared" "$T/tiny.c" $(pkg-config --cflags --libs spill) || fail "build against the shared library"
# shellcheck disable=SC2046
cc -std=c17 -o "$T/tiny-static" "$T/tiny.c" $(pkg-config --cflags spill) "$LIB/libspill.a" \
    $(pkg-config --libs --static spill | sed 's/-lspill//') || fail "build against the static library"
MODEL="$T/prefix/share/spill/models/spill-1"
LD_LIBRARY_PATH="$LIB" "$T/tiny-shared" "$MODEL" | grep -q "^0\.1\.0 en" || fail "shared program"
"$T/tiny-static" "$MODEL" | grep -q "^0\.1\.0 en" || fail "static program"

# The installed binary finds the installed model next to it, with no flag.
env -u SPILL_MODEL "$T/prefix/bin/spill" score "$SEED" > /dev/null || fail "installed spill"
echo ok
