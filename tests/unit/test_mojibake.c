/* mojibake.c: UTF-8 read through cp1252, cp1251 or KOI8-R is found by
 * mapping it back; ordinary text of those scripts is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void finds(const char *s, size_t want_chars, const char *want_codec)
{
    int codec;
    size_t n = mojibake_chars(s, strlen(s), &codec);
    assert_int_equal(n, want_chars);
    assert_string_equal(mojibake_codec_name(codec), want_codec);
}

static void mojibake_of_each_code_page(void **state)
{
    (void)state;
    /* "Привет, мир" decoded as cp1251, as KOI8-R; "übernahme" and "中文"
     * as cp1252 (Python's str.encode("utf-8").decode(codec)). */
    finds("РџСЂРёРІРµС‚, РјРёСЂ", 18, "cp1251");
    finds("п÷я─п╦п╡п╣я┌, п╪п╦я─", 18, "KOI8-R");
    finds("Ã¼bernahme", 2, "cp1252");
    finds("ä¸\xC2\xADæ–‡", 6, "cp1252");          /* U+00AD, a soft hyphen */
    finds("Ã¼ber 20 Ã©tÃ©s", 6, "cp1252");
    /* Latin-1 leaves cp1252's holes as C1 controls: "Ð\u008F" is "Џ"... */
    finds("Ð\xC2\x8F", 2, "cp1252");
}

static void ordinary_text_is_not_mojibake(void **state)
{
    (void)state;
    finds("", 0, "");
    finds("plain ASCII text, nothing else", 0, "");
    finds("Déjà vu : l'été à Paris, « à bientôt ! »", 0, "");
    finds("Übergrößenträger für Straßenbahnen", 0, "");
    finds("Привет, мир! Это обычный текст.", 0, "");
    /* All-capital Ukrainian maps to well-formed UTF-8 ("МІ" is C3 B2) but
     * only through letters: no code page's sequences hold anything else. */
    finds("МІНІСТЕРСТВО ВНУТРІШНІХ СПРАВ", 0, "");
    finds("中文的文本，日本語のテキスト", 0, "");
    /* "Ü" as cp1252 is "Ãœ": letters only, so alone it is not told from
     * text; a lead byte cut short counts nothing. */
    finds("Ãœbernahme", 0, "");
    finds("Ã", 0, "");
    finds("Ã x", 0, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mojibake_of_each_code_page),
        cmocka_unit_test(ordinary_text_is_not_mojibake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
