/**
 * @file test_gtas.c
 * @brief Tests of the GTAS QuickMatch baseline: Double Metaphone primary codes, the
 *        Jaro-Winkler >= 0.95 rule, the birth-year-within-3 rule and the document clause.
 *
 * The expected Double Metaphone codes are those of Apache commons-codec 1.17.0
 * (DoubleMetaphone.doubleMetaphone(word), primary, maximum length 4), the implementation GTAS
 * calls; the alternates quoted in comments (Smith -> SM0 / XMT, Schmidt -> XMT / SMT) are
 * Philips' published examples. Names are made up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../workers/gtas.h"
#include "../../workers/screen.h"
#include "../../workers/watchlist.h"

typedef struct dm_case_s {
        const char *word, *code;
} dm_case_t;

static const dm_case_t dm_cases[] = {
        {"SMITH", "SM0"}, /* alternate XMT */
        {"SMYTH", "SM0"},
        {"SCHMIDT", "XMT"}, /* alternate SMT */
        {"SMITS", "SMTS"},
        {"THOMPSON", "TMPS"},
        {"KNIGHT", "NT"}, /* initial KN */
        {"WRIGHT", "RT"}, /* initial WR */
        {"XAVIER", "SF"}, /* initial X */
        {"JOSE", "HS"},   /* Spanish J in a 4-letter JOSE */
        {"CAESAR", "SSR"},
        {"CHARACTER", "KRKT"},
        {"KOCH", "KK"}, /* final CH after a vowel */
        {"WOJCIECH", "AJSK"},
        {"JOHNSON", "JNSN"},
        {"JOHN", "JN"},
        {"JON", "JN"},
        {"RJ", "RJ"}, /* final J */
        {"MOHAMMED", "MHMT"},
        {"SHCHERBAKOVA", "XXRP"},
        {"ZHANG", "JNK"},
        {"PHILIP", "FLP"},
        {"LAUGH", "LF"},
        {"CZERNY", "SRN"},
        {"SUGAR", "XKR"},
        {"ISLAND", "ALNT"},
        {"ACCIDENT", "AKST"},
        {"TCHAIKOVSKY", "XKFS"},
        {"ATHANASIOS", "A0NS"}, /* SIO: primary S */
        {"HSIAO", "S"},
        {"ABDULRAHMAN", "APTL"},
        {"GHISLANE", "JLN"},
        {"AGGIE", "AJ"},
        {"PAUL", "PL"},
        {"A", "A"},
        {"", ""},
};

static void test_double_metaphone(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(dm_cases) / sizeof(dm_cases[0]); i++) {
                char out[5] = "????";
                size_t n = pf_double_metaphone(dm_cases[i].word, strlen(dm_cases[i].word), out);

                if (strcmp(out, dm_cases[i].code) != 0 || n != strlen(out))
                        fail_msg("DM(%s) = %s, want %s", dm_cases[i].word, out, dm_cases[i].code);
        }
        {
                /* long input: at most 4 letters out, no overrun */
                char word[200], out[5];

                memset(word, 'X', sizeof(word));
                assert_true(pf_double_metaphone(word, sizeof(word), out) <= 4);
                assert_int_equal(strlen(out), pf_double_metaphone(word, sizeof(word), out));
        }
}

typedef struct gtas_fixture_s {
        pf_watchlist_t *wl;
        pf_gtas_t *gtas;
} gtas_fixture_t;

static int setup(void **state) {
        static const struct {
                const char *id, *given, *surname, *dob;
        } people[] = {
                {"G-1", "John", "Smith", "1980-05-06"},
                {"G-2", "Anna", "Kowalska", "1990"}, /* year only: GTAS cannot parse it */
                {"G-3", "Владимир", "Петров", "1975-09-09"},
        };
        gtas_fixture_t *fx = calloc(1, sizeof(*fx));
        char errstr[256];

        assert_non_null(fx);
        fx->wl = pf_watchlist_new(errstr, sizeof(errstr));
        assert_non_null(fx->wl);
        for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
                pf_wl_name_t name = {people[i].given, people[i].surname};
                pf_wl_doc_t doc = {"PASSPORT", "P-778899", "PL"};
                pf_wl_entry_t entry = {.entry_id = people[i].id,
                                       .list = "GT",
                                       .category = "C",
                                       .names = &name,
                                       .name_count = 1,
                                       .date_of_birth = people[i].dob,
                                       .docs = &doc,
                                       .doc_count = i == 1,
                                       .valid_from = PF_WL_DATE_NONE,
                                       .valid_until = PF_WL_DATE_NONE};

                assert_int_equal(pf_watchlist_upsert(fx->wl, &entry, errstr, sizeof(errstr)),
                                 PF_OK);
        }
        fx->gtas = pf_gtas_new(fx->wl, errstr, sizeof(errstr));
        assert_non_null(fx->gtas);
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        gtas_fixture_t *fx = *state;

        pf_gtas_destroy(fx->gtas);
        pf_watchlist_destroy(fx->wl);
        free(fx);
        return 0;
}

typedef struct gtas_case_s {
        const char *label;
        pf_screen_subject_t subj;
        const char *want; /* entry, or NULL for no hit */
        double confidence;
        pf_match_kind_t kind;
} gtas_case_t;

static const gtas_case_t gtas_cases[] = {
        /* (a) equal metaphones and JW >= 0.95: 0.9, within 3 birth years */
        {"exact",
         {.given_names = "John", .surname = "Smith", .date_of_birth = "1980-05-06"},
         "G-1",
         0.9,
         PF_MATCH_NAME_DOB},
        {"year +3",
         {.given_names = "John", .surname = "Smith", .date_of_birth = "1983-01-01"},
         "G-1",
         0.9,
         PF_MATCH_NAME_DOB},
        {"year -3",
         {.given_names = "John", .surname = "Smith", .date_of_birth = "1977-12-31"},
         "G-1",
         0.9,
         PF_MATCH_NAME_DOB},
        {"year +4",
         {.given_names = "John", .surname = "Smith", .date_of_birth = "1984-05-06"},
         NULL,
         0,
         0},
        {"same metaphones, JW >= 0.95",
         {.given_names = "Jon", .surname = "Smith", .date_of_birth = "1981-05-06"},
         "G-1",
         0.9,
         PF_MATCH_NAME_DOB},
        /* (b) JW >= 0.95, metaphones differ (SM0 / SMTS): only with the same date, 0.8 */
        {"JW only, same date",
         {.given_names = "John", .surname = "Smits", .date_of_birth = "1980-05-06"},
         "G-1",
         0.8,
         PF_MATCH_NAME_DOB},
        {"JW only, other date",
         {.given_names = "John", .surname = "Smits", .date_of_birth = "1980-05-07"},
         NULL,
         0,
         0},
        /* JW < 0.95: no hit even with equal dates */
        {"JW below 0.95",
         {.given_names = "J", .surname = "Smith", .date_of_birth = "1980-05-06"},
         NULL,
         0,
         0},
        {"reordered",
         {.given_names = "Smith", .surname = "John", .date_of_birth = "1980-05-06"},
         NULL,
         0,
         0},
        /* GTAS parses yyyy-MM-dd only, on both sides */
        {"traveller year only",
         {.given_names = "John", .surname = "Smith", .date_of_birth = "1980"},
         NULL,
         0,
         0},
        {"no date", {.given_names = "John", .surname = "Smith"}, NULL, 0, 0},
        {"entry year only",
         {.given_names = "Anna", .surname = "Kowalska", .date_of_birth = "1990-01-01"},
         NULL,
         0,
         0},
        /* the names are normalised first (in GTAS's favour): Cyrillic list, ISO 9 traveller */
        {"script",
         {.given_names = "Vladimir", .surname = "Petrov", .date_of_birth = "1975-09-09"},
         "G-3",
         0.9,
         PF_MATCH_NAME_DOB},
        /* documents: exact after normalisation */
        {"document",
         {.doc_number = "p778899", .doc_country = "POL"},
         "G-2",
         1.0,
         PF_MATCH_DOCUMENT},
        {"document, other country", {.doc_number = "P778899", .doc_country = "DE"}, NULL, 0, 0},
};

static void test_quickmatch(void **state) {
        gtas_fixture_t *fx = *state;

        for (size_t i = 0; i < sizeof(gtas_cases) / sizeof(gtas_cases[0]); i++) {
                const gtas_case_t *c = &gtas_cases[i];
                pf_match_t m[PF_RESULT_MAX_MATCHES];
                size_t count = 99;

                assert_int_equal(
                        pf_gtas_subject(fx->gtas, &c->subj, m, PF_RESULT_MAX_MATCHES, &count),
                        PF_OK);
                if (c->want == NULL) {
                        if (count != 0)
                                fail_msg("%s: unexpected hit %s", c->label, m[0].entry_id);
                        continue;
                }
                if (count != 1 || strcmp(m[0].entry_id, c->want) != 0 ||
                    m[0].confidence != c->confidence || m[0].kind != c->kind)
                        fail_msg("%s: %zu hits, first %s %.2f", c->label, count,
                                 count ? m[0].entry_id : "-", count ? m[0].confidence : 0.0);
        }
}

/** The preconditions of the JW cases above, so that they test what they claim. */
static void test_quickmatch_preconditions(void **state) {
        char a[5], b[5];

        (void)state;
        assert_true(pf_jaro_winkler("JOHN SMITS", 10, "JOHN SMITH", 10) >= 0.95);
        assert_true(pf_jaro_winkler("JON SMITH", 9, "JOHN SMITH", 10) >= 0.95);
        assert_true(pf_jaro_winkler("J SMITH", 7, "JOHN SMITH", 10) < 0.95);
        pf_double_metaphone("SMITS", 5, a);
        pf_double_metaphone("SMITH", 5, b);
        assert_string_not_equal(a, b);
}

static void test_quickmatch_misc(void **state) {
        gtas_fixture_t *fx = *state;
        pf_screen_subject_t subj = {
                .given_names = "John", .surname = "Smith", .date_of_birth = "1980-05-06"};
        pf_match_t m[1];
        size_t count = 99;

        assert_int_equal(pf_gtas_subject(NULL, &subj, m, 1, &count), PF_ERR_INTERNAL);
        assert_int_equal(pf_gtas_subject(fx->gtas, &subj, m, 0, &count), PF_OK);
        assert_int_equal(count, 0);
        pf_gtas_destroy(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_double_metaphone),
                cmocka_unit_test_setup_teardown(test_quickmatch, setup, teardown),
                cmocka_unit_test(test_quickmatch_preconditions),
                cmocka_unit_test_setup_teardown(test_quickmatch_misc, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
