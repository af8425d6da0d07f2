/**
 * @file test_normalize.c
 * @brief Table-driven tests of pf_norm_name(), pf_norm_name_passport() and pf_norm_docnum().
 *
 * The romanisations asserted below are what ICU 72's "Any-Latin; Latin-ASCII" gives; they pin the
 * behaviour that traveller keys depend on, so an ICU upgrade that changes one shows up here.
 * Names are made up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../workers/normalize.h"

/** One pf_norm_name() case; want NULL with PF_OK means "any non-empty A-Z output". */
typedef struct name_case_s {
        const char *label;
        const char *in;
        size_t in_len; /* 0: strlen(in) */
        pf_err_t err;
        const char *want;
} name_case_t;

static const name_case_t name_cases[] = {
        /* ASCII */
        {"lower case", "john smith", 0, PF_OK, "JOHN SMITH"},
        {"spaces", "  Mary   Ann  ", 0, PF_OK, "MARY ANN"},
        {"hyphen", "JEAN-PIERRE", 0, PF_OK, "JEAN PIERRE"},
        {"apostrophe", "O'Neil", 0, PF_OK, "O NEIL"},
        {"mrz filler", "SMITH<<JOHN<PAUL<<<<<", 0, PF_OK, "SMITH JOHN PAUL"},
        {"dots and commas", "Dr. J.R.R. Tolkien, Jr.", 0, PF_OK, "DR J R R TOLKIEN JR"},
        {"digits", "Anne2Marie 3", 0, PF_OK, "ANNE MARIE"},
        {"controls", "Anna\tMaria\r\n", 0, PF_OK, "ANNA MARIA"},
        {"embedded nul", "AB\0CD", 5, PF_OK, "AB CD"},
        {"one letter", "x", 0, PF_OK, "X"},
        /* Latin diacritics */
        {"french", "François Lefèvre", 0, PF_OK, "FRANCOIS LEFEVRE"},
        {"french hyphen", "Hélène Dupré-Noël", 0, PF_OK, "HELENE DUPRE NOEL"},
        {"german", "Jürgen MÜLLER", 0, PF_OK, "JURGEN MULLER"},
        {"german sharp s", "Straße", 0, PF_OK, "STRASSE"},
        {"polish", "Łukasz Żółć", 0, PF_OK, "LUKASZ ZOLC"},
        {"turkish dotted", "İsmail Işık", 0, PF_OK, "ISMAIL ISIK"},
        {"turkish cedilla", "Çağlar Şahin Gülşen", 0, PF_OK, "CAGLAR SAHIN GULSEN"},
        {"nordic", "Åse Ødegård", 0, PF_OK, "ASE ODEGARD"},
        {"nordic ligature", "Ærø", 0, PF_OK, "AERO"},
        {"icelandic", "Þór Aðalsteinsdóttir", 0, PF_OK, "THOR ADALSTEINSDOTTIR"},
        {"vietnamese", "Nguyễn Văn Đức", 0, PF_OK, "NGUYEN VAN DUC"},
        {"decomposed accent", "Re\xCC\x81mi", 0, PF_OK, "REMI"},
        {"typographic apostrophe",
         "O\xE2\x80\x99"
         "Brien",
         0, PF_OK, "O BRIEN"},
        {"nbsp", "Anna\xC2\xA0Lena", 0, PF_OK, "ANNA LENA"},
        /* Cyrillic: ISO 9, not the passport (ICAO) spelling */
        {"cyrillic", "Владимир Петров", 0, PF_OK, "VLADIMIR PETROV"},
        {"cyrillic iso 9", "Юлия Щербакова", 0, PF_OK, "ULIA SERBAKOVA"},
        {"cyrillic upper", "ЖАННА ХОХЛОВА", 0, PF_OK, "ZANNA HOHLOVA"},
        {"mixed scripts", "Anna Владимировна", 0, PF_OK, "ANNA VLADIMIROVNA"},
        /* Greek */
        {"greek", "Γιώργος Παπαδόπουλος", 0, PF_OK, "GIORGOS PAPADOPOULOS"},
        {"greek eta", "Χρήστος Ψαράς", 0, PF_OK, "CHRESTOS PSARAS"},
        /* Semitic scripts: consonants only; ayin/hamza marks vanish inside words */
        {"arabic", "محمد عبد الله", 0, PF_OK, "MHMD BD ALLH"},
        {"arabic ayin", "سعيد", 0, PF_OK, "SYD"},
        {"hebrew", "דוד כהן", 0, PF_OK, "DWD KHN"},
        /* Other scripts */
        {"armenian", "Սարգսյան", 0, PF_OK, "SARGSYAN"},
        {"georgian", "გიორგი", 0, PF_OK, "GIORGI"},
        {"devanagari", "राहुल शर्मा", 0, PF_OK, "RAHULA SARMA"},
        {"chinese", "王小明", 0, PF_OK, NULL},
        {"japanese kanji", "山田太郎", 0, PF_OK, NULL},
        {"japanese kana", "やまだ たろう", 0, PF_OK, NULL},
        {"korean", "김민준", 0, PF_OK, NULL},
        /* Bad UTF-8 */
        {"overlong 2", "\xC0\xAF", 0, PF_ERR_BAD_UTF8, ""},
        {"overlong 3", "A\xE0\x80\xAF", 0, PF_ERR_BAD_UTF8, ""},
        {"lone continuation",
         "\x80"
         "ABC",
         0, PF_ERR_BAD_UTF8, ""},
        {"truncated 2", "Jos\xC3", 0, PF_ERR_BAD_UTF8, ""},
        {"truncated 3",
         "\xE2\x82"
         "AB",
         0, PF_ERR_BAD_UTF8, ""},
        {"surrogate", "\xED\xA0\x80", 0, PF_ERR_BAD_UTF8, ""},
        {"above U+10FFFF", "\xF4\x90\x80\x80", 0, PF_ERR_BAD_UTF8, ""},
        {"byte 0xFF", "Ann\xFF", 0, PF_ERR_BAD_UTF8, ""},
        {"valid then bad", "Müller\xC3", 0, PF_ERR_BAD_UTF8, ""},
        /* Nothing letter-like */
        {"empty", "", 0, PF_ERR_MISSING_FIELD, ""},
        {"punctuation", "--- ''' <<< ...", 0, PF_ERR_MISSING_FIELD, ""},
        {"digits only", "12345", 0, PF_ERR_MISSING_FIELD, ""},
        {"symbol only", "\xEF\xB7\xBD", 0, PF_ERR_MISSING_FIELD, ""}, /* U+FDFD, not romanised */
        {"emoji", "\xF0\x9F\x98\x80", 0, PF_ERR_MISSING_FIELD, ""},
};

/* pf_norm_name_passport(): the spelling a passport prints (screening), not ISO. */
static const name_case_t passport_cases[] = {
        /* ASCII: as pf_norm_name(), but apostrophes join (MRZ practice) */
        {"ascii", "john smith", 0, PF_OK, "JOHN SMITH"},
        {"hyphen splits", "Jean-Luc", 0, PF_OK, "JEAN LUC"},
        {"apostrophe joins", "O'Neil", 0, PF_OK, "ONEIL"},
        {"apostrophe inside", "D'Artagnan", 0, PF_OK, "DARTAGNAN"},
        {"wade-giles apostrophe", "CH'EN TS'AI", 0, PF_OK, "CHEN TSAI"},
        {"typographic apostrophe",
         "O\xE2\x80\x99"
         "Brien",
         0, PF_OK, "OBRIEN"},
        {"mrz filler", "SMITH<<JOHN<PAUL<<<<<", 0, PF_OK, "SMITH JOHN PAUL"},
        /* Latin diacritics fold as in pf_norm_name() */
        {"french", "François Lefèvre", 0, PF_OK, "FRANCOIS LEFEVRE"},
        {"german", "Jürgen MÜLLER", 0, PF_OK, "JURGEN MULLER"},
        {"polish", "Łukasz Żółć", 0, PF_OK, "LUKASZ ZOLC"},
        /* Cyrillic: ICAO Doc 9303 */
        {"icao", "Юлия Щербакова", 0, PF_OK, "IULIIA SHCHERBAKOVA"},
        {"icao kh ts ch", "Хохлов Цветков Чернов", 0, PF_OK, "KHOKHLOV TSVETKOV CHERNOV"},
        {"soft sign dropped", "Илья Игорь", 0, PF_OK, "ILIA IGOR"},
        {"yo and short i", "Артём Йорданов", 0, PF_OK, "ARTEM IORDANOV"},
        {"hard sign", "Объедков", 0, PF_OK, "OBIEEDKOV"}, /* Ъ IE, Е E */
        {"ukrainian", "Микола Григорій", 0, PF_OK, "MYKOLA HRYHORII"},
        {"ukrainian yi", "Тарас Їжак", 0, PF_OK, "TARAS IZHAK"},
        {"serbian", "Ђорђевић Љиљана Њего", 0, PF_OK, "DORDEVIC LJILJANA NJEGO"},
        {"cyrillic upper and lower", "ЖАННА жанна", 0, PF_OK, "ZHANNA ZHANNA"},
        /* Greek: ELOT 743 as on Greek passports */
        {"elot", "Χρήστος Παπαδόπουλος", 0, PF_OK, "CHRISTOS PAPADOPOULOS"},
        {"elot beta eta", "Βασίλειος Ηλίας", 0, PF_OK, "VASILEIOS ILIAS"},
        {"elot ev ef", "Ευάγγελος Ευθύμιος", 0, PF_OK, "EVANGELOS EFTHYMIOS"},
        {"elot mp nt gk", "Μπακογιάννης Ντόκας Γκίκας", 0, PF_OK, "MPAKOGIANNIS NTOKAS GKIKAS"},
        {"elot gg", "Αγγελόπουλος", 0, PF_OK, "ANGELOPOULOS"},
        {"elot ou ps x", "Ψαρράς Ξανθούλης", 0, PF_OK, "PSARRAS XANTHOULIS"},
        {"elot diaeresis", "Αΐδα", 0, PF_OK, "AIDA"},
        {"elot final sigma", "ΝΙΚΟΛΑΟΣ νικολαος", 0, PF_OK, "NIKOLAOS NIKOLAOS"},
        /* Arabic script */
        {"arabic", "محمد", 0, PF_OK, "MHMD"},
        {"arabic article", "الحسن", 0, PF_OK, "AL HSN"},
        {"arabic initial ayin", "عمر عبد العزيز", 0, PF_OK, "AMR ABD AL AZIZ"},
        {"arabic allah", "عبد الله", 0, PF_OK, "ABD ALLH"},
        {"arabic ta marbuta", "فاطمة", 0, PF_OK, "FATMA"},
        {"arabic long vowels", "يوسف سعيد", 0, PF_OK, "YUSF SID"},
        {"persian", "پرویز", 0, PF_OK, NULL},
        /* Other scripts go through ICU */
        {"hebrew", "דוד כהן", 0, PF_OK, "DWD KHN"},
        {"chinese", "王小明", 0, PF_OK, NULL},
        {"mixed scripts", "Anna Владимировна", 0, PF_OK, "ANNA VLADIMIROVNA"},
        /* Errors as pf_norm_name() */
        {"overlong", "\xC0\xAF", 0, PF_ERR_BAD_UTF8, ""},
        {"truncated", "Jos\xC3", 0, PF_ERR_BAD_UTF8, ""},
        {"surrogate", "\xED\xA0\x80", 0, PF_ERR_BAD_UTF8, ""},
        {"empty", "", 0, PF_ERR_MISSING_FIELD, ""},
        {"apostrophes only", "'''", 0, PF_ERR_MISSING_FIELD, ""},
        {"emoji", "\xF0\x9F\x98\x80", 0, PF_ERR_MISSING_FIELD, ""},
};

static int setup_norm(void **state) {
        char errstr[256];

        *state = pf_norm_new(errstr, sizeof(errstr));
        return *state == NULL ? -1 : 0;
}

static int teardown_norm(void **state) {
        pf_norm_destroy(*state);
        return 0;
}

/** Asserts @p s is non-empty A-Z tokens separated by single spaces. */
static void assert_canonical(const char *s, size_t len) {
        assert_int_equal(strlen(s), len);
        assert_true(len > 0);
        assert_true(s[0] != ' ' && s[len - 1] != ' ');
        for (size_t i = 0; i < len; i++) {
                if (s[i] == ' ')
                        assert_true(s[i + 1] != ' ');
                else
                        assert_true(s[i] >= 'A' && s[i] <= 'Z');
        }
}

static void test_name_table(void **state) {
        pf_norm_t *norm = *state;

        for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
                const name_case_t *tc = &name_cases[i];
                size_t in_len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
                char out[PF_NORM_NAME_OUT_SIZE];
                size_t out_len = 99;
                pf_err_t err;

                print_message("[ case     ] %s\n", tc->label);
                memset(out, 'x', sizeof(out));
                err = pf_norm_name(norm, tc->in, in_len, out, sizeof(out), &out_len);
                assert_string_equal(pf_err_name(err), pf_err_name(tc->err));
                if (err != PF_OK) {
                        assert_string_equal(out, "");
                        assert_int_equal(out_len, 0);
                        continue;
                }
                assert_canonical(out, out_len);
                if (tc->want != NULL)
                        assert_string_equal(out, tc->want);
        }
}

/** Normalising a normalised name changes nothing (keys may be recomputed from stored forms). */
static void test_name_idempotent(void **state) {
        pf_norm_t *norm = *state;

        for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
                const name_case_t *tc = &name_cases[i];
                size_t in_len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
                char once[PF_NORM_NAME_OUT_SIZE], twice[PF_NORM_NAME_OUT_SIZE];
                size_t once_len, twice_len;

                if (pf_norm_name(norm, tc->in, in_len, once, sizeof(once), &once_len) != PF_OK)
                        continue;
                assert_int_equal(
                        pf_norm_name(norm, once, once_len, twice, sizeof(twice), &twice_len),
                        PF_OK);
                assert_string_equal(once, twice);
        }
}

/** The ASCII fast path gives what ICU gives: a leading NBSP forces the ICU path. */
static void test_name_fast_path_agrees(void **state) {
        for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
                const name_case_t *tc = &name_cases[i];
                size_t in_len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
                char forced[PF_NORM_NAME_IN_MAX];
                char fast[PF_NORM_NAME_OUT_SIZE], slow[PF_NORM_NAME_OUT_SIZE];
                size_t fast_len, slow_len;
                bool ascii = true;

                for (size_t b = 0; b < in_len; b++)
                        ascii = ascii && (unsigned char)tc->in[b] < 0x80;
                if (!ascii)
                        continue;
                memcpy(forced, "\xC2\xA0", 2);
                memcpy(forced + 2, tc->in, in_len);
                assert_int_equal(
                        pf_norm_name(*state, tc->in, in_len, fast, sizeof(fast), &fast_len),
                        pf_norm_name(*state, forced, in_len + 2, slow, sizeof(slow), &slow_len));
                assert_string_equal(fast, slow);
        }
}

static void test_name_length_limit(void **state) {
        char in[PF_NORM_NAME_IN_MAX + 1];
        char out[PF_NORM_NAME_OUT_SIZE];
        size_t out_len;

        memset(in, 'A', sizeof(in));
        assert_int_equal(pf_norm_name(*state, in, PF_NORM_NAME_IN_MAX, out, sizeof(out), &out_len),
                         PF_OK);
        assert_int_equal(out_len, PF_NORM_NAME_IN_MAX);
        assert_int_equal(pf_norm_name(*state, in, sizeof(in), out, sizeof(out), &out_len),
                         PF_ERR_TOO_LARGE);
        assert_string_equal(out, "");
        assert_int_equal(out_len, 0);
}

/** The worst single-code-point expansion (U+FDFA, 3 bytes -> 18 letters) over a full input. */
static void test_name_worst_expansion(void **state) {
        char in[PF_NORM_NAME_IN_MAX];
        char out[PF_NORM_NAME_OUT_SIZE];
        size_t in_len = 0, out_len;

        while (in_len + 3 <= sizeof(in)) {
                memcpy(in + in_len, "\xEF\xB7\xBA", 3);
                in_len += 3;
        }
        assert_int_equal(pf_norm_name(*state, in, in_len, out, sizeof(out), &out_len), PF_OK);
        assert_canonical(out, out_len);
}

typedef struct small_case_s {
        const char *in;
        size_t out_size;
        pf_err_t err;
        const char *want;
} small_case_t;

static void test_name_small_output(void **state) {
        static const small_case_t cases[] = {
                {"JOHN", 4, PF_ERR_TOO_LARGE, ""},
                {"JOHN", 5, PF_OK, "JOHN"},
                {"JO HN", 5, PF_ERR_TOO_LARGE, ""},
                {"JO HN", 6, PF_OK, "JO HN"},
                {"JOHN ", 5, PF_OK, "JOHN"},
                {"Müller", 6, PF_ERR_TOO_LARGE, ""},
                {"Müller", 7, PF_OK, "MULLER"},
                {"Straße", 7, PF_ERR_TOO_LARGE, ""},
                {"Straße", 8, PF_OK, "STRASSE"},
                {"---", 1, PF_ERR_MISSING_FIELD, ""},
                {"A", 1, PF_ERR_TOO_LARGE, ""},
                {"Ж", 1, PF_ERR_TOO_LARGE, ""},
                {"Ж", 2, PF_OK, "Z"},
        };
        char out[16];
        size_t out_len;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                print_message("[ case     ] \"%s\" in %zu bytes\n", cases[i].in, cases[i].out_size);
                assert_int_equal(pf_norm_name(*state, cases[i].in, strlen(cases[i].in), out,
                                              cases[i].out_size, &out_len),
                                 cases[i].err);
                assert_string_equal(out, cases[i].want);
        }
        /* out_size 0: nothing is written at all */
        out[0] = 'x';
        assert_int_equal(pf_norm_name(*state, "A", 1, out, 0, &out_len), PF_ERR_TOO_LARGE);
        assert_int_equal(out[0], 'x');
}

static void test_name_bad_args(void **state) {
        char out[8];
        size_t out_len;

        assert_int_equal(pf_norm_name(NULL, "A", 1, out, sizeof(out), &out_len), PF_ERR_INTERNAL);
        assert_int_equal(pf_norm_name(*state, NULL, 1, out, sizeof(out), &out_len),
                         PF_ERR_INTERNAL);
        assert_int_equal(pf_norm_name(*state, NULL, 0, out, sizeof(out), &out_len),
                         PF_ERR_MISSING_FIELD);
        assert_int_equal(pf_norm_name(*state, "A", 1, NULL, 8, &out_len), PF_ERR_INTERNAL);
        assert_int_equal(pf_norm_name(*state, "A", 1, out, sizeof(out), NULL), PF_ERR_INTERNAL);
        pf_norm_destroy(NULL);
}

typedef struct doc_case_s {
        const char *label;
        const char *in;
        pf_err_t err;
        const char *want;
} doc_case_t;

static const doc_case_t doc_cases[] = {
        {"plain", "AB123456", PF_OK, "AB123456"},
        {"lower and dashes", "ab 123-456", PF_OK, "AB123456"},
        {"mrz filler and dots", "P<12.34.5<<", PF_OK, "P12345"},
        {"slashes", "12/345/67", PF_OK, "1234567"},
        {"nbsp and unicode hyphen",
         "AB\xC2\xA0"
         "12\xE2\x80\x90"
         "3",
         PF_OK, "AB123"},
        {"empty", "", PF_ERR_MISSING_FIELD, ""},
        {"punctuation only", " -<.", PF_ERR_MISSING_FIELD, ""},
        {"cyrillic letters",
         "\xD0\x90\xD0\x91"
         "123",
         PF_ERR_INVALID_VALUE, ""}, /* "АБ123" */
        {"fullwidth digits", "\xEF\xBC\x91\xEF\xBC\x92", PF_ERR_INVALID_VALUE, ""},
        {"accented letter",
         "\xC3\x89"
         "12",
         PF_ERR_INVALID_VALUE, ""},
        {"bad utf8", "AB\xC3", PF_ERR_BAD_UTF8, ""},
        {"bad utf8 wins", "\xD0\x90\xFF", PF_ERR_BAD_UTF8, ""},
};

static void test_docnum_table(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(doc_cases) / sizeof(doc_cases[0]); i++) {
                const doc_case_t *tc = &doc_cases[i];
                char out[64];
                size_t out_len = 99;

                print_message("[ case     ] docnum %s\n", tc->label);
                assert_string_equal(pf_err_name(pf_norm_docnum(tc->in, strlen(tc->in), out,
                                                               sizeof(out), &out_len)),
                                    pf_err_name(tc->err));
                assert_string_equal(out, tc->want);
                assert_int_equal(out_len, strlen(tc->want));
        }
}

static void test_docnum_limits(void **state) {
        char in[PF_NORM_DOCNUM_IN_MAX + 1];
        char out[PF_NORM_DOCNUM_IN_MAX + 1];
        size_t out_len;

        (void)state;
        memset(in, '7', sizeof(in));
        assert_int_equal(pf_norm_docnum(in, PF_NORM_DOCNUM_IN_MAX, out, sizeof(out), &out_len),
                         PF_OK);
        assert_int_equal(out_len, PF_NORM_DOCNUM_IN_MAX);
        assert_int_equal(pf_norm_docnum(in, sizeof(in), out, sizeof(out), &out_len),
                         PF_ERR_TOO_LARGE);
        assert_int_equal(pf_norm_docnum("AB-12", 5, out, 4, &out_len), PF_ERR_TOO_LARGE);
        assert_string_equal(out, "");
        assert_int_equal(pf_norm_docnum("AB-12", 5, out, 5, &out_len), PF_OK);
        assert_string_equal(out, "AB12");
        assert_int_equal(pf_norm_docnum(NULL, 1, out, sizeof(out), &out_len), PF_ERR_INTERNAL);
}

static void test_passport_table(void **state) {
        pf_norm_t *norm = *state;

        for (size_t i = 0; i < sizeof(passport_cases) / sizeof(passport_cases[0]); i++) {
                const name_case_t *tc = &passport_cases[i];
                size_t in_len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
                char out[PF_NORM_NAME_OUT_SIZE], again[PF_NORM_NAME_OUT_SIZE];
                size_t out_len = 99, again_len;
                pf_err_t err;

                print_message("[ case     ] %s\n", tc->label);
                memset(out, 'x', sizeof(out));
                err = pf_norm_name_passport(norm, tc->in, in_len, out, sizeof(out), &out_len);
                assert_string_equal(pf_err_name(err), pf_err_name(tc->err));
                if (err != PF_OK) {
                        assert_string_equal(out, "");
                        assert_int_equal(out_len, 0);
                        continue;
                }
                assert_canonical(out, out_len);
                if (tc->want != NULL)
                        assert_string_equal(out, tc->want);
                /* a fixed point: the index may normalise stored forms again */
                assert_int_equal(
                        pf_norm_name_passport(norm, out, out_len, again, sizeof(again), &again_len),
                        PF_OK);
                assert_string_equal(again, out);
        }
}

/** The ASCII fast path of the passport form gives what the table path gives. */
static void test_passport_fast_path_agrees(void **state) {
        for (size_t i = 0; i < sizeof(passport_cases) / sizeof(passport_cases[0]); i++) {
                const name_case_t *tc = &passport_cases[i];
                size_t in_len = tc->in_len != 0 ? tc->in_len : strlen(tc->in);
                char forced[PF_NORM_NAME_IN_MAX];
                char fast[PF_NORM_NAME_OUT_SIZE], slow[PF_NORM_NAME_OUT_SIZE];
                size_t fast_len, slow_len;
                bool ascii = true;

                for (size_t b = 0; b < in_len; b++)
                        ascii = ascii && (unsigned char)tc->in[b] < 0x80;
                if (!ascii)
                        continue;
                memcpy(forced, "\xC2\xA0", 2);
                memcpy(forced + 2, tc->in, in_len);
                assert_int_equal(pf_norm_name_passport(*state, tc->in, in_len, fast, sizeof(fast),
                                                       &fast_len),
                                 pf_norm_name_passport(*state, forced, in_len + 2, slow,
                                                       sizeof(slow), &slow_len));
                assert_string_equal(fast, slow);
        }
}

/** Limits and arguments as pf_norm_name(); a tiny output buffer is TOO_LARGE, never overrun. */
static void test_passport_limits(void **state) {
        char in[PF_NORM_NAME_IN_MAX + 1], out[PF_NORM_NAME_OUT_SIZE], tiny[4];
        size_t out_len;

        memset(in, 'A', sizeof(in));
        assert_int_equal(pf_norm_name_passport(*state, in, sizeof(in), out, sizeof(out), &out_len),
                         PF_ERR_TOO_LARGE);
        /* the longest input of the widest letter (Щ, 2 bytes -> SHCH) still fits the output */
        for (size_t i = 0; i + 1 < PF_NORM_NAME_IN_MAX; i += 2)
                memcpy(in + i, "\xD0\xA9", 2);
        assert_int_equal(
                pf_norm_name_passport(*state, in, PF_NORM_NAME_IN_MAX, out, sizeof(out), &out_len),
                PF_OK);
        assert_int_equal(out_len, 2 * PF_NORM_NAME_IN_MAX);
        assert_int_equal(
                pf_norm_name_passport(*state, "Щука", strlen("Щука"), tiny, sizeof(tiny), &out_len),
                PF_ERR_TOO_LARGE);
        assert_string_equal(tiny, "");
        assert_int_equal(pf_norm_name_passport(NULL, "A", 1, out, sizeof(out), &out_len),
                         PF_ERR_INTERNAL);
        assert_int_equal(pf_norm_name_passport(*state, NULL, 1, out, sizeof(out), &out_len),
                         PF_ERR_INTERNAL);
        assert_int_equal(pf_norm_name_passport(*state, "A", 1, out, sizeof(out), NULL),
                         PF_ERR_INTERNAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_name_table, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_idempotent, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_fast_path_agrees, setup_norm,
                                                teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_length_limit, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_worst_expansion, setup_norm,
                                                teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_small_output, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_name_bad_args, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_passport_table, setup_norm, teardown_norm),
                cmocka_unit_test_setup_teardown(test_passport_fast_path_agrees, setup_norm,
                                                teardown_norm),
                cmocka_unit_test_setup_teardown(test_passport_limits, setup_norm, teardown_norm),
                cmocka_unit_test(test_docnum_table),
                cmocka_unit_test(test_docnum_limits),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
