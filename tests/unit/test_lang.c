/* The CLD2 shim and lang.c: languages short and long, the full table
 * (Hausa, Yoruba), empty and invalid input, chunks tiling mixed text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cld2_shim.h"
#include "internal.h"

static const char *detect_flags(const char *text, int flags, int *reliable)
{
    cld2_result r;
    assert_int_equal(cld2_detect(text, strlen(text), NULL, flags, &r, NULL, 0), CLD2_OK);
    if (reliable)
        *reliable = r.is_reliable;
    return lang_code(r.lang3[0]);
}

static const char *detect(const char *text, int *reliable)
{
    return detect_flags(text, 0, reliable);
}

static const char *short_text(const char *text)
{
    return detect_flags(text, CLD2_FLAG_BEST_EFFORT, NULL);
}

static const struct {
    const char *lang, *text;
} SAMPLES[] = {
    {"en", "The committee will publish its findings next week, after a long review of the "
           "evidence that was gathered over the past two years by independent experts."},
    {"de", "Die Bundesregierung hat am Mittwoch beschlossen, die Förderung für erneuerbare "
           "Energien deutlich auszuweiten und die Verfahren zu vereinfachen."},
    {"fr", "Le gouvernement a annoncé mercredi de nouvelles mesures pour soutenir les "
           "entreprises touchées par la hausse des prix de l'énergie cet hiver."},
    {"ru", "Правительство объявило в среду о новых мерах поддержки предприятий, "
           "пострадавших от роста цен на энергию этой зимой."},
    {"zh", "政府周三宣布了新的措施，以支持受到今年冬天能源价格上涨影响的企业和家庭。"},
    {"ar", "أعلنت الحكومة يوم الأربعاء عن إجراءات جديدة لدعم الشركات المتضررة من ارتفاع "
           "أسعار الطاقة هذا الشتاء."},
    {"ja", "政府は水曜日、今冬のエネルギー価格の高騰で影響を受けた企業を支援するための"
           "新たな措置を発表した。"},
    {"es", "El gobierno anunció el miércoles nuevas medidas para apoyar a las empresas "
           "afectadas por la subida de los precios de la energía este invierno."},
};

static void six_and_more_languages_long(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SAMPLES / sizeof SAMPLES[0]; i++) {
        int reliable;
        assert_string_equal(detect(SAMPLES[i].text, &reliable), SAMPLES[i].lang);
        assert_true(reliable);
    }
}

static void short_texts(void **state)
{
    (void)state;
    /* Too short for CLD2's default answer: with best effort. */
    assert_string_equal(short_text("Москва является столицей России."), "ru");
    assert_string_equal(short_text("Wie geht es Ihnen heute, mein Freund?"), "de");
    assert_string_equal(short_text("¿Dónde está la estación de tren?"), "es");
    assert_string_equal(short_text("これは日本語の文章です。"), "ja");
    assert_string_equal(short_text("Αυτό είναι ένα ελληνικό κείμενο."), "el");
    assert_string_equal(short_text("यह एक हिंदी वाक्य है जो परीक्षण के लिए है।"), "hi");
}

static void full_table_knows_hausa_and_yoruba(void **state)
{
    (void)state;
    /* Only libcld2_full's table has these; the small one says something else. */
    assert_string_equal(detect("Ganin cewa 'yanci da adalci da zaman lafiya ba za su girku a "
                               "duniya ba, sai in an amince da cewa dukkan 'yan-adam suna da "
                               "mutunci da hakkoki daidai",
                               NULL),
                        "ha");
    assert_string_equal(detect("Gbogbo ènìyàn ni a bí ní òmìnira; iyì àti ẹ̀tọ́ kọ̀ọ̀kan sì "
                               "dọ́gba. Wọ́n ní ẹ̀bùn ti làákàyè àti ti ẹ̀rí-ọkàn, ó sì yẹ kí "
                               "wọn ó máa hùwà sí ara wọn gẹ́gẹ́ bí ọmọ ìyá.",
                               NULL),
                        "yo");
}

static void empty_and_invalid_input(void **state)
{
    (void)state;
    cld2_result r;
    assert_int_equal(cld2_detect("", 0, NULL, 0, &r, NULL, 0), CLD2_OK);
    assert_string_equal(lang_code(r.lang3[0]), "und");
    assert_int_equal(cld2_detect("ab\xC0\x80", 4, NULL, 0, &r, NULL, 0), CLD2_E_INVALID);
    assert_int_equal(r.valid_prefix, 2);
    assert_true(strlen(cld2_version()) > 0);
}

static void chunks_tile_mixed_text(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text, "%s %s %s", SAMPLES[0].text, SAMPLES[3].text, SAMPLES[1].text);
    cld2_chunk ch[64];
    cld2_result r;
    assert_int_equal(cld2_detect(text, strlen(text), NULL, 0, &r, ch, 64), CLD2_OK);
    assert_true(r.n_chunks >= 3 && r.n_chunks <= 64);
    uint32_t at = 0;
    bool seen_ru = false, seen_de = false;
    for (size_t i = 0; i < r.n_chunks; i++) {
        assert_int_equal(ch[i].offset, at);
        at += ch[i].bytes;
        seen_ru |= !strcmp(lang_code(ch[i].lang), "ru");
        seen_de |= !strcmp(lang_code(ch[i].lang), "de");
    }
    assert_int_equal(at, strlen(text));
    assert_true(seen_ru && seen_de);
}

/* Lines, script runs, words, then languages of `text`, as annotate.c runs them. */
static void identify(arena *a, const char *text, const spill_model *m, script_result *sr,
                     lang_result *lr)
{
    line *lines;
    size_t n;
    word_table words;
    assert_int_equal(segment_lines(a, text, strlen(text), &lines, &n), SPILL_OK);
    assert_int_equal(script_runs(a, text, lines, n, sr), SPILL_OK);
    assert_int_equal(script_words(a, text, lines, n, &words), SPILL_OK);
    assert_int_equal(lang_identify(a, text, strlen(text), NULL, m, &words, sr, lr),
                     SPILL_OK);
}

static void page_language_and_segment_languages(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    char text[2048];
    snprintf(text, sizeof text, "%s\n%s\nRead this: Текст: %s", SAMPLES[0].text, SAMPLES[0].text,
             SAMPLES[0].text);
    script_result sr;
    lang_result lr;
    identify(&a, text, NULL, &sr, &lr);
    assert_string_equal(lang_code(lr.lang), "en");
    assert_true(lr.conf > 0.9);
    bool cyrillic_lang = false;
    for (size_t i = 0; i < sr.n_segs; i++) {
        if (sr.segs[i].script == 8 /* USCRIPT_CYRILLIC */)
            cyrillic_lang = strcmp(lang_code(sr.segs[i].lang), "en") != 0;
    }
    assert_true(cyrillic_lang);
    assert_true(lr.n_mix >= 1);
    assert_string_equal(lang_code(lr.mix[0].lang), "en");
    arena_destroy(&a);
}

/* An English page with `middle` as its second line, identified with the
 * tiny model's tables (returned, for the caller to free). */
static spill_model *english_around(arena *a, const char *middle, char *text, size_t cap,
                                   script_result *sr, lang_result *lr)
{
    spill_model *m = spill_model_load_tables(SPILL_TEST_DATA "/tiny-model", NULL, NULL);
    assert_non_null(m);
    arena_init(a, NULL, 0);
    snprintf(text, cap, "%s\n%s\n%s", SAMPLES[0].text, middle, SAMPLES[0].text);
    identify(a, text, m, sr, lr);
    return m;
}

static void function_words_of_another_language_make_a_segment(void **state)
{
    (void)state;
    arena a;
    char text[4096];
    script_result sr;
    lang_result lr;
    spill_model *m = english_around(&a, "The committee said that die Regierung hat das Gesetz und "
                                    "die Steuern beschlossen before the vote was held in the city.",
                                    text, sizeof text, &sr, &lr);
    bool found = false;
    for (size_t i = 0; i < sr.n_segs; i++) {
        const seg *g = &sr.segs[i];
        if (g->wlang < 0)
            continue;
        found = true;
        assert_int_equal(g->line, 1);
        assert_string_equal(wordtab_lang(m->stopwords, g->wlang), "de");
        assert_string_equal(lang_code(g->lang), "de");
        assert_true(g->fstop >= 4);
        assert_memory_equal(text + g->b0, "die Regierung", 13);
    }
    assert_true(found);
    /* The English lines around it: their function words, none foreign. */
    assert_true(sr.segs[0].pstop > 5 && sr.segs[0].fstop <= 2);
    arena_destroy(&a);
    spill_model_free(m);
}

static void a_word_of_another_language_by_its_letters(void **state)
{
    (void)state;
    /* One German word, no function word of German around it: only its
     * letters say it is no English word. */
    arena a;
    char text[4096];
    script_result sr;
    lang_result lr;
    spill_model *m = english_around(&a, "The officials said the Landwirtschaftsministerium would "
                                    "publish the report next week.",
                                    text, sizeof text, &sr, &lr);
    assert_string_equal(lang_code(lr.lang), "en");
    bool found = false;
    for (size_t i = 0; i < sr.n_segs; i++) {
        const seg *g = &sr.segs[i];
        if (g->line != 1) {
            assert_int_equal(g->nflag, 0);  /* plain English: nothing flagged */
            assert_true(g->nknown * 10 >= g->words * 9);
            continue;
        }
        if (!(g->flags & SEG_RUN_NGRAM))
            continue;
        found = true;
        assert_memory_equal(text + g->b0, "Landwirtschaftsministerium ", g->b1 - g->b0);
        assert_string_equal(lang_code(g->lang), "de");
        assert_int_equal(g->nflag, 1);
        assert_true(g->nmargin >= 1.0f);
    }
    assert_true(found);
    arena_destroy(&a);
    spill_model_free(m);
}

/* CLD2 weighs languages by bytes: a paragraph of Hindi, three bytes a
 * letter, can outweigh more English text.  The page's language is the one
 * with clearly more letters. */
static void page_language_by_letters_not_bytes(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    const char *hindi = "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता "
                        "और समानता प्राप्त है। उन्हें बुद्धि और अन्तरात्मा की देन प्राप्त है "
                        "और परस्पर उन्हें भाईचारे के भाव से बर्ताव करना चाहिए।";
    char text[8192];
    snprintf(text, sizeof text, "%s\n%s\n%s\n%s", SAMPLES[0].text, hindi, SAMPLES[0].text,
             SAMPLES[0].text);
    script_result sr;
    lang_result lr;
    identify(&a, text, NULL, &sr, &lr);
    assert_string_equal(lang_code(lr.lang), "en");
    assert_true(lr.conf > 0.0);
    arena_destroy(&a);
}

static void names_and_codes(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(lang_name(0, buf, sizeof buf), "English");
    assert_string_equal(lang_code(6), "he");   /* CLD2's "iw" */
    assert_string_equal(lang_code(CLD2_LANG_UNKNOWN), "und");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(six_and_more_languages_long),
        cmocka_unit_test(short_texts),
        cmocka_unit_test(full_table_knows_hausa_and_yoruba),
        cmocka_unit_test(empty_and_invalid_input),
        cmocka_unit_test(chunks_tile_mixed_text),
        cmocka_unit_test(page_language_and_segment_languages),
        cmocka_unit_test(function_words_of_another_language_make_a_segment),
        cmocka_unit_test(a_word_of_another_language_by_its_letters),
        cmocka_unit_test(page_language_by_letters_not_bytes),
        cmocka_unit_test(names_and_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
