/**
 * @file test_watchlist.c
 * @brief Tests of the watchlist: country codes, dates of birth, entry validation, upsert /
 *        replace / delete, and file loading (JSON Lines and CSV, all-or-nothing).
 *
 * Names and document numbers are made up.
 */
#define _GNU_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../workers/normalize.h"
#include "../../workers/screen.h"
#include "../../workers/watchlist.h"

/* --- Helpers ------------------------------------------------------------------------------- */

#define ERRS_MAX 1100

/** Collects the messages of pf_watchlist_load_file(). */
typedef struct errs_s {
        size_t count;
        char msg[ERRS_MAX][160];
} errs_t;

static void errs_cb(void *opaque, const char *message) {
        errs_t *errs = opaque;

        if (errs->count < ERRS_MAX)
                snprintf(errs->msg[errs->count], sizeof(errs->msg[0]), "%s", message);
        errs->count++;
}

/** Writes @p len bytes to a new temporary file ending in @p suffix; returns its path. */
static char *tmp_file(const char *suffix, const char *data, size_t len) {
        char *path = malloc(64);
        int fd;

        assert_non_null(path);
        snprintf(path, 64, "/tmp/pf_test_wl_XXXXXX%s", suffix);
        fd = mkstemps(path, (int)strlen(suffix));
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
        return path;
}

static void tmp_remove(char *path) {
        unlink(path);
        free(path);
}

static pf_watchlist_t *wl_new(void) {
        char errstr[256];
        pf_watchlist_t *wl = pf_watchlist_new(errstr, sizeof(errstr));

        assert_non_null(wl);
        return wl;
}

static size_t wl_entries(const pf_watchlist_t *wl) {
        pf_wl_stats_t stats;

        pf_watchlist_stats(wl, &stats);
        return stats.entries;
}

/** Loads @p text as a file with @p suffix. */
static pf_err_t load_text(pf_watchlist_t *wl, const char *suffix, const char *text, errs_t *errs,
                          size_t *loaded, char **path_out) {
        char *path = tmp_file(suffix, text, strlen(text));
        pf_err_t err;

        memset(errs, 0, sizeof(*errs));
        err = pf_watchlist_load_file(wl, path, errs_cb, errs, loaded);
        if (path_out != NULL)
                *path_out = path;
        else
                tmp_remove(path);
        return err;
}

/** @returns the matches of one screening (threshold 0.85). */
static size_t screen(const pf_watchlist_t *wl, const pf_screen_subject_t *subj, pf_match_t *m) {
        char errstr[256];
        pf_screener_t *scr =
                pf_screener_new(wl, PF_SCREEN_THRESHOLD_DEFAULT, errstr, sizeof(errstr));
        size_t count = 0;

        assert_non_null(scr);
        assert_int_equal(pf_screen_subject(scr, subj, m, PF_RESULT_MAX_MATCHES, &count, NULL),
                         PF_OK);
        pf_screener_destroy(scr);
        return count;
}

static bool screen_hits(const pf_watchlist_t *wl, const pf_screen_subject_t *subj,
                        const char *entry_id) {
        pf_match_t m[PF_RESULT_MAX_MATCHES];
        size_t count = screen(wl, subj, m);

        for (size_t i = 0; i < count; i++) {
                if (strcmp(m[i].entry_id, entry_id) == 0)
                        return true;
        }
        return false;
}

/* --- Country codes and dates ------------------------------------------------------------- */

typedef struct country_case_s {
        const char *in;
        pf_err_t err;
        const char *want;
} country_case_t;

static void test_country_alpha3(void **state) {
        static const country_case_t cases[] = {
                {"GB", PF_OK, "GBR"},
                {"gbr", PF_OK, "GBR"},
                {"de", PF_OK, "DEU"},
                {"D", PF_OK, "DEU"},
                {"DEU", PF_OK, "DEU"},
                {"UA", PF_OK, "UKR"},
                {"XK", PF_OK, "RKS"},
                {"GBD", PF_OK, "GBD"},
                {"XXA", PF_OK, "XXA"},
                {"UNK", PF_OK, "UNK"},
                {"ZW", PF_OK, "ZWE"},
                {"AD", PF_OK, "AND"},
                {"ZZ", PF_ERR_INVALID_VALUE, ""},
                {"ZZZ", PF_ERR_INVALID_VALUE, ""},
                {"E", PF_ERR_INVALID_VALUE, ""},
                {"", PF_ERR_INVALID_VALUE, ""},
                {"GBRR", PF_ERR_INVALID_VALUE, ""},
                {"G1", PF_ERR_INVALID_VALUE, ""},
                {NULL, PF_ERR_INVALID_VALUE, ""},
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char out[4] = "???";

                assert_int_equal(pf_country_alpha3(cases[i].in, out), cases[i].err);
                assert_string_equal(out, cases[i].want);
        }
}

typedef struct dob_case_s {
        const char *in;
        pf_err_t err;
        int year, month, day, precision;
} dob_case_t;

static void test_dob_parse(void **state) {
        static const dob_case_t cases[] = {
                {"1985-03-14", PF_OK, 1985, 3, 14, 3},
                {"1985-03", PF_OK, 1985, 3, 0, 2},
                {"1985", PF_OK, 1985, 0, 0, 1},
                {"", PF_OK, 0, 0, 0, 0},
                {NULL, PF_OK, 0, 0, 0, 0},
                {"2000-02-29", PF_OK, 2000, 2, 29, 3},
                {"1900-02-29", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1999-02-29", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1985-04-31", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1985-13-01", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1985-00", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1799", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"2101", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"85-03-14", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1985/03/14", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"14.03.1985", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"198a", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
                {"1985-03-14T00", PF_ERR_INVALID_VALUE, 0, 0, 0, 0},
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int y = -1, m = -1, d = -1, p = -1;

                assert_int_equal(pf_dob_parse(cases[i].in, &y, &m, &d, &p), cases[i].err);
                if (cases[i].err == PF_OK) {
                        assert_int_equal(y, cases[i].year);
                        assert_int_equal(m, cases[i].month);
                        assert_int_equal(d, cases[i].day);
                        assert_int_equal(p, cases[i].precision);
                }
        }
}

/* --- Entry validation ---------------------------------------------------------------------- */

typedef struct entry_case_s {
        const char *label;
        pf_wl_entry_t entry;
        pf_err_t err;
} entry_case_t;

static const pf_wl_name_t good_name[] = {{"Anna", "Kowalska"}};
static const pf_wl_name_t no_letters[] = {{"123", "--"}};
static const pf_wl_name_t bad_utf8_name[] = {{"Ann\xC3", "Kowalska"}};
static const pf_wl_name_t surname_only[] = {{NULL, "Kowalska"}};
static const pf_wl_doc_t good_doc[] = {{"PASSPORT", "X1234567", "PL"}};
static const pf_wl_doc_t bad_doc_country[] = {{"PASSPORT", "X1234567", "QQ"}};
static const pf_wl_doc_t no_doc_number[] = {{"PASSPORT", "", "PL"}};
static const pf_wl_doc_t punct_doc_number[] = {{"PASSPORT", "--<<", "PL"}};
static const pf_wl_doc_t long_doc_number[] = {
        {"PASSPORT", "123456789012345678901234567890123", "PL"}};
static const pf_wl_doc_t cyrillic_doc_number[] = {{"PASSPORT",
                                                   "\xD0\x90\xD0\x91"
                                                   "123",
                                                   "UA"}};

/* E(...) is a valid entry with some fields overridden: designated initialisers that override
 * the macro's defaults are the point here. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define E(...)                                                                                     \
        {                                                                                          \
                .entry_id = "E1", .list = "L", .category = "C", .severity = PF_WL_SEVERITY_HIGH,   \
                .names = good_name, .name_count = 1, .valid_from = PF_WL_DATE_NONE,                \
                .valid_until = PF_WL_DATE_NONE, __VA_ARGS__                                        \
        }

static const entry_case_t entry_cases[] = {
        {"valid", E(), PF_OK},
        {"document only", E(.names = NULL, .name_count = 0, .docs = good_doc, .doc_count = 1),
         PF_OK},
        {"surname only", E(.names = surname_only), PF_OK},
        {"full record",
         E(.date_of_birth = "1970-01-02", .nationality = "pl", .docs = good_doc, .doc_count = 1),
         PF_OK},
        {"no entry_id", E(.entry_id = NULL), PF_ERR_MISSING_FIELD},
        {"empty entry_id", E(.entry_id = ""), PF_ERR_MISSING_FIELD},
        {"no list", E(.list = NULL), PF_ERR_MISSING_FIELD},
        {"no category", E(.category = ""), PF_ERR_MISSING_FIELD},
        {"entry_id 64 bytes",
         E(.entry_id = "0123456789012345678901234567890123456789012345678901234567890123"),
         PF_ERR_TOO_LARGE},
        {"entry_id 63 bytes",
         E(.entry_id = "012345678901234567890123456789012345678901234567890123456789012"), PF_OK},
        {"list 32 bytes", E(.list = "0123456789012345678901234567890X"), PF_ERR_TOO_LARGE},
        {"bad utf-8 list", E(.list = "L\xFF"), PF_ERR_BAD_UTF8},
        {"neither names nor documents", E(.names = NULL, .name_count = 0), PF_ERR_MISSING_FIELD},
        {"name without letters", E(.names = no_letters), PF_ERR_MISSING_FIELD},
        {"bad utf-8 name", E(.names = bad_utf8_name), PF_ERR_BAD_UTF8},
        {"too many names", E(.name_count = PF_WL_NAMES_MAX + 1), PF_ERR_TOO_LARGE},
        {"bad severity", E(.severity = (pf_wl_severity_t)7), PF_ERR_INVALID_VALUE},
        {"bad date", E(.date_of_birth = "1970-02-30"), PF_ERR_INVALID_VALUE},
        {"bad nationality", E(.nationality = "QQ"), PF_ERR_INVALID_VALUE},
        {"bad issuing country", E(.docs = bad_doc_country, .doc_count = 1), PF_ERR_INVALID_VALUE},
        {"empty document number", E(.docs = no_doc_number, .doc_count = 1), PF_ERR_MISSING_FIELD},
        {"document number of punctuation", E(.docs = punct_doc_number, .doc_count = 1),
         PF_ERR_INVALID_VALUE},
        {"document number 33 bytes", E(.docs = long_doc_number, .doc_count = 1), PF_ERR_TOO_LARGE},
        {"cyrillic letters in a document number", E(.docs = cyrillic_doc_number, .doc_count = 1),
         PF_ERR_INVALID_VALUE},
};

static void test_entry_validation(void **state) {
        pf_watchlist_t *wl = wl_new();

        (void)state;
        for (size_t i = 0; i < sizeof(entry_cases) / sizeof(entry_cases[0]); i++) {
                const entry_case_t *c = &entry_cases[i];
                pf_wl_entry_t entry = c->entry;
                pf_wl_name_t many[PF_WL_NAMES_MAX + 1];
                char errstr[256] = "";
                pf_err_t err;

                if (entry.name_count > 1) {
                        for (size_t n = 0; n < entry.name_count; n++)
                                many[n] = good_name[0];
                        entry.names = many;
                }
                err = pf_watchlist_check(wl, &entry, errstr, sizeof(errstr));
                if (err != c->err)
                        fail_msg("%s: check gave %s, want %s (%s)", c->label, pf_err_name(err),
                                 pf_err_name(c->err), errstr);
                /* an error message never quotes the value (personal data) */
                assert_null(strstr(errstr, "Kowalska"));
                assert_null(strstr(errstr, "X1234567"));
                err = pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr));
                if (err != c->err)
                        fail_msg("%s: upsert gave %s", c->label, pf_err_name(err));
                assert_int_equal(wl_entries(wl), c->err == PF_OK ? 1 : 0);
                pf_watchlist_delete(wl, entry.entry_id ? entry.entry_id : "");
                assert_int_equal(wl_entries(wl), 0);
        }
        pf_watchlist_destroy(wl);
}

/* --- Upsert, replace, delete --------------------------------------------------------------- */

static void test_upsert_replace_delete(void **state) {
        pf_watchlist_t *wl = wl_new();
        pf_wl_name_t name_a[] = {{"Oleksandr", "Bondarenko"}};
        pf_wl_name_t name_b[] = {{"Dmytro", "Kovalchuk"}, {"Dmitri", "Kovalchuk"}};
        pf_wl_doc_t doc_a[] = {{"PASSPORT", "FA123456", "UKR"}};
        pf_wl_doc_t doc_b[] = {{"PASSPORT", "FB654321", "UKR"}, {"ID_CARD", "000111222", "UA"}};
        pf_wl_entry_t entry = E(.entry_id = "UA-1", .names = name_a, .docs = doc_a, .doc_count = 1,
                                .date_of_birth = "1981-06-30");
        pf_screen_subject_t a = {
                .given_names = "OLEKSANDR", .surname = "BONDARENKO", .date_of_birth = "1981-06-30"};
        pf_screen_subject_t b = {
                .given_names = "DMYTRO", .surname = "KOVALCHUK", .date_of_birth = "1981-06-30"};
        pf_screen_subject_t doc_old = {.doc_number = "FA123456", .doc_country = "UA"};
        pf_screen_subject_t doc_new = {.doc_number = "000111222", .doc_country = "UKR"};
        pf_wl_stats_t stats;
        char errstr[256];

        (void)state;
        assert_int_equal(pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)), PF_OK);
        assert_true(screen_hits(wl, &a, "UA-1"));
        assert_true(screen_hits(wl, &doc_old, "UA-1"));
        assert_false(screen_hits(wl, &b, "UA-1"));
        pf_watchlist_stats(wl, &stats);
        assert_int_equal(stats.entries, 1);
        assert_int_equal(stats.names, 1);
        assert_int_equal(stats.documents, 1);

        /* Replace: the old name and document no longer match, the new ones do. */
        entry.names = name_b;
        entry.name_count = 2;
        entry.docs = doc_b;
        entry.doc_count = 2;
        assert_int_equal(pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)), PF_OK);
        assert_false(screen_hits(wl, &a, "UA-1"));
        assert_false(screen_hits(wl, &doc_old, "UA-1"));
        assert_true(screen_hits(wl, &b, "UA-1"));
        assert_true(screen_hits(wl, &doc_new, "UA-1"));
        pf_watchlist_stats(wl, &stats);
        assert_int_equal(stats.entries, 1);
        assert_int_equal(stats.names, 2);
        assert_int_equal(stats.documents, 2);
        assert_int_equal(stats.dead_names, 1);

        /* A failed upsert leaves the entry as it was. */
        entry.date_of_birth = "1981-02-30";
        assert_int_equal(pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)),
                         PF_ERR_INVALID_VALUE);
        assert_true(screen_hits(wl, &b, "UA-1"));

        /* Delete (tombstone): nothing matches any more. */
        assert_true(pf_watchlist_delete(wl, "UA-1"));
        assert_false(pf_watchlist_delete(wl, "UA-1"));
        assert_false(pf_watchlist_delete(wl, "UA-2"));
        assert_false(screen_hits(wl, &b, "UA-1"));
        assert_false(screen_hits(wl, &doc_new, "UA-1"));
        pf_watchlist_stats(wl, &stats);
        assert_int_equal(stats.entries, 0);
        assert_int_equal(stats.names, 0);
        assert_int_equal(stats.documents, 0);

        /* Re-inserting after the delete works. */
        entry.date_of_birth = "1981-06-30";
        assert_int_equal(pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)), PF_OK);
        assert_true(screen_hits(wl, &b, "UA-1"));
        assert_true(screen_hits(wl, &doc_new, "UA-1"));
        pf_watchlist_destroy(wl);
}

/** Enough deletes to trigger the compaction of the name index; survivors still match. */
static void test_delete_compaction(void **state) {
        pf_watchlist_t *wl = wl_new();
        static const char *const given[] = {"Amir",   "Bogdan",  "Ciaran", "Dorota", "Eldar",
                                            "Farida", "Gustavo", "Halina", "Ilkka",  "Jurgis"};
        static const char *const surname[] = {"Nowak",   "Okafor",   "Petrescu", "Quispe",
                                              "Rahimi",  "Sorensen", "Tanaka",   "Ulloa",
                                              "Vasquez", "Wojcik"};
        pf_wl_stats_t stats;
        char errstr[256], id[32], num[32];

        (void)state;
        for (int i = 0; i < 3000; i++) {
                pf_wl_name_t name = {given[i % 10], surname[(i / 10) % 10]};
                pf_wl_doc_t doc = {"PASSPORT", num, "FRA"};
                pf_wl_entry_t entry =
                        E(.entry_id = id, .names = &name, .docs = &doc, .doc_count = 1);
                char dob[16];

                snprintf(id, sizeof(id), "C-%d", i);
                snprintf(num, sizeof(num), "N%07d", i);
                /* the name repeats every 100 entries; the date makes each one the best match */
                snprintf(dob, sizeof(dob), "%d-%02d-%02d", 1900 + i % 100, 1 + (i / 100) % 12,
                         1 + i / 1200);
                entry.date_of_birth = dob;
                assert_int_equal(pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)), PF_OK);
        }
        for (int i = 0; i < 3000; i++) {
                if (i % 3 != 0) {
                        snprintf(id, sizeof(id), "C-%d", i);
                        assert_true(pf_watchlist_delete(wl, id));
                }
        }
        pf_watchlist_stats(wl, &stats);
        assert_int_equal(stats.entries, 1000);
        assert_int_equal(stats.names, 1000);
        assert_int_equal(stats.documents, 1000);
        assert_true(stats.dead_names < stats.names); /* compacted at least once */
        for (int i = 0; i < 3000; i += 7) {
                pf_screen_subject_t subj = {.given_names = given[i % 10],
                                            .surname = surname[(i / 10) % 10]};
                pf_screen_subject_t doc = {.doc_number = num, .doc_country = "FR"};
                char dob[16];

                snprintf(id, sizeof(id), "C-%d", i);
                snprintf(num, sizeof(num), "N%07d", i);
                snprintf(dob, sizeof(dob), "%d-%02d-%02d", 1900 + i % 100, 1 + (i / 100) % 12,
                         1 + i / 1200);
                subj.date_of_birth = dob;
                assert_int_equal(screen_hits(wl, &subj, id), i % 3 == 0);
                assert_int_equal(screen_hits(wl, &doc, id), i % 3 == 0);
        }
        pf_watchlist_destroy(wl);
}

/* --- Files --------------------------------------------------------------------------------- */

#define GOOD1                                                                                      \
        "{\"entry_id\":\"F-1\",\"list\":\"UN\",\"category\":\"SANCTIONS\",\"names\":"              \
        "[{\"given_names\":\"Rustam\",\"surname\":\"Nazarov\"}],\"date_of_birth\":\"1977-08-09\"," \
        "\"documents\":[{\"number\":\"AB 1234567\",\"issuing_country\":\"UZ\",\"type\":"           \
        "\"PASSPORT\"}]}\n"
#define GOOD2                                                                                      \
        "{\"entry_id\":\"F-2\",\"list\":\"EU\",\"category\":\"TERRORISM\",\"severity\":"           \
        "\"CRITICAL\","                                                                            \
        "\"names\":[{\"given_names\":\"Leila\",\"surname\":\"Haddad\"}],\"nationality\":null}\n"

static void test_load_jsonl_ok(void **state) {
        pf_watchlist_t *wl = wl_new();
        pf_screen_subject_t rustam = {
                .given_names = "Rustam", .surname = "Nazarov", .date_of_birth = "1977-08-09"};
        pf_screen_subject_t doc = {.doc_number = "AB1234567", .doc_country = "UZB"};
        errs_t *errs = calloc(1, sizeof(*errs));
        size_t loaded = 99;

        (void)state;
        /* BOM, CRLF, blank lines and unknown fields are fine; a later line replaces an earlier */
        assert_int_equal(load_text(wl, ".jsonl",
                                   "\xEF\xBB\xBF" GOOD1 "\r\n   \n" GOOD2
                                   "{\"entry_id\":\"F-2\",\"list\":\"EU\",\"category\":\"T\","
                                   "\"x\":[1,{}],\"names\":[{\"surname\":\"Haddad\"}]}\n",
                                   errs, &loaded, NULL),
                         PF_OK);
        assert_int_equal(errs->count, 0);
        assert_int_equal(loaded, 3);
        assert_int_equal(wl_entries(wl), 2);
        assert_true(screen_hits(wl, &rustam, "F-1"));
        assert_true(screen_hits(wl, &doc, "F-1"));
        free(errs);
        pf_watchlist_destroy(wl);
}

/** One bad line among good ones: its error names file:line and nothing is applied. */
typedef struct bad_line_case_s {
        const char *label;
        const char *line;   /* without the newline */
        const char *reason; /* a substring of the reported message */
} bad_line_case_t;

static const bad_line_case_t bad_jsonl[] = {
        {"not json", "{\"entry_id\":", "invalid JSON"},
        {"array", "[1,2]", "not a JSON object"},
        {"entry_id number", "{\"entry_id\":5,\"list\":\"L\",\"category\":\"C\"}", "entry_id"},
        {"no entry_id", "{\"list\":\"L\",\"category\":\"C\",\"names\":[{\"surname\":\"Ng\"}]}",
         "entry_id"},
        {"empty names, no documents",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":[]}", "neither"},
        {"name of digits",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":[{\"surname\":\"42\"}]}",
         "no letters"},
        {"bad severity",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"severity\":\"high\","
         "\"names\":[{\"surname\":\"Ng\"}]}",
         "severity"},
        {"bad date",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"date_of_birth\":\"1990-13-01\","
         "\"names\":[{\"surname\":\"Ng\"}]}",
         "date_of_birth"},
        {"valid_from string",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"valid_from\":\"2020\","
         "\"names\":[{\"surname\":\"Ng\"}]}",
         "valid_from"},
        {"names not array",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":{\"surname\":\"Ng\"}}",
         "names"},
        {"name not object",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":[\"Ng\"]}", "names[0]"},
        {"document country",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"documents\":[{\"number\":\"1\","
         "\"issuing_country\":\"XY\"}]}",
         "issuing_country"},
        {"duplicate key",
         "{\"entry_id\":\"X\",\"entry_id\":\"Y\",\"list\":\"L\",\"category\":\"C\",\"names\":"
         "[{\"surname\":\"Ng\"}]}",
         "invalid JSON"},
        {"bad utf-8",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":"
         "[{\"surname\":\"N\xC3\x28g\"}]}",
         "UTF-8"},
        {"overlong utf-8",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":"
         "[{\"surname\":\"N\xC0\xAFg\"}]}",
         "UTF-8"},
        {"surrogate",
         "{\"entry_id\":\"X\",\"list\":\"L\",\"category\":\"C\",\"names\":"
         "[{\"surname\":\"N\xED\xA0\x80g\"}]}",
         "UTF-8"},
        {"escaped nul",
         "{\"entry_id\":\"X\\u0000\",\"list\":\"L\",\"category\":\"C\",\"names\":"
         "[{\"surname\":\"Ng\"}]}",
         "invalid JSON"},
};

static void test_load_jsonl_bad_line(void **state) {
        errs_t *errs = calloc(1, sizeof(*errs));

        (void)state;
        for (size_t i = 0; i < sizeof(bad_jsonl) / sizeof(bad_jsonl[0]); i++) {
                const bad_line_case_t *c = &bad_jsonl[i];
                pf_watchlist_t *wl = wl_new();
                char text[4096], want[128], *path;
                size_t loaded = 99;
                pf_err_t err;

                /* an entry loaded before must survive the failed load unchanged */
                assert_int_equal(load_text(wl, ".jsonl", GOOD2, errs, NULL, NULL), PF_OK);
                snprintf(text, sizeof(text), "%s%s\n%s", GOOD1, c->line, GOOD2);
                err = load_text(wl, ".jsonl", text, errs, &loaded, &path);
                if (err != PF_ERR_INVALID_VALUE || errs->count != 1)
                        fail_msg("%s: %s with %zu errors", c->label, pf_err_name(err), errs->count);
                snprintf(want, sizeof(want), "%s:2: ", path);
                if (strncmp(errs->msg[0], want, strlen(want)) != 0 ||
                    strstr(errs->msg[0], c->reason) == NULL)
                        fail_msg("%s: message '%s'", c->label, errs->msg[0]);
                assert_int_equal(loaded, 0);
                assert_int_equal(wl_entries(wl), 1); /* F-2 from before; F-1 not applied */
                tmp_remove(path);
                pf_watchlist_destroy(wl);
        }
        free(errs);
}

/** Every bad line is reported, in order, and the error list is capped. */
static void test_load_many_errors(void **state) {
        pf_watchlist_t *wl = wl_new();
        errs_t *errs = calloc(1, sizeof(*errs));
        size_t cap = 1200 * 8 + sizeof(GOOD1), len = 0;
        char *text = malloc(cap), *path;

        (void)state;
        len += (size_t)snprintf(text + len, cap - len, "%s", GOOD1);
        assert_int_equal(load_text(wl, ".jsonl", "x\n" GOOD2 "[]\n\n{}\n", errs, NULL, &path),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(errs->count, 3);
        assert_non_null(strstr(errs->msg[0], ":1: "));
        assert_non_null(strstr(errs->msg[1], ":3: "));
        assert_non_null(strstr(errs->msg[2], ":5: "));
        tmp_remove(path);
        for (int i = 0; i < 1200; i++)
                len += (size_t)snprintf(text + len, cap - len, "nope\n");
        assert_int_equal(load_text(wl, ".jsonl", text, errs, NULL, NULL), PF_ERR_INVALID_VALUE);
        assert_int_equal(errs->count, 1001); /* 1000 lines, then one summary */
        assert_non_null(strstr(errs->msg[1000], "1200 bad lines"));
        assert_int_equal(wl_entries(wl), 0);
        free(text);
        free(errs);
        pf_watchlist_destroy(wl);
}

/** A 10 MB line is rejected without being held, and nothing is loaded. */
static void test_load_huge_line(void **state) {
        pf_watchlist_t *wl = wl_new();
        errs_t *errs = calloc(1, sizeof(*errs));
        size_t big = 10u * 1024 * 1024, len = 0;
        char *text = malloc(big + 1024), *path;

        (void)state;
        len += (size_t)snprintf(text, 1024, "%s{\"entry_id\":\"", GOOD1);
        memset(text + len, 'A', big);
        len += big;
        len += (size_t)snprintf(text + len, 1024, "\"}\n%s", GOOD2);
        path = tmp_file(".jsonl", text, len);
        assert_int_equal(pf_watchlist_load_file(wl, path, errs_cb, errs, NULL),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(errs->count, 1);
        assert_non_null(strstr(errs->msg[0], ":2: line longer than"));
        assert_int_equal(wl_entries(wl), 0);
        tmp_remove(path);
        assert_int_equal(pf_watchlist_load_file(wl, "/nonexistent/pf.jsonl", errs_cb, errs, NULL),
                         PF_ERR_IO);
        /* a NUL byte inside a line */
        memcpy(text, GOOD1, sizeof(GOOD1) - 1);
        text[5] = '\0';
        path = tmp_file(".jsonl", text, sizeof(GOOD1) - 1);
        memset(errs, 0, sizeof(*errs));
        assert_int_equal(pf_watchlist_load_file(wl, path, errs_cb, errs, NULL),
                         PF_ERR_INVALID_VALUE);
        assert_non_null(strstr(errs->msg[0], ":1: NUL"));
        tmp_remove(path);
        free(text);
        free(errs);
        pf_watchlist_destroy(wl);
}

/** Names in other scripts load and are found from the same script and from Latin. */
static void test_load_odd_scripts(void **state) {
        pf_watchlist_t *wl = wl_new();
        errs_t *errs = calloc(1, sizeof(*errs));
        static const struct {
                const char *id, *given, *surname;
        } scripts[] = {
                {"S-ka", "\xE1\x83\x92\xE1\x83\x98\xE1\x83\x9D\xE1\x83\xA0\xE1\x83\x92\xE1\x83\x98",
                 "\xE1\x83\x91\xE1\x83\x94\xE1\x83\xA0\xE1\x83\x98\xE1\x83\xAB"}, /* Georgian */
                {"S-hy", "\xD4\xB1\xD6\x80\xD5\xB4\xD5\xA5\xD5\xB6",
                 "\xD5\x8D\xD5\xA1\xD6\x80\xD5\xA3\xD5\xBD\xD5\xB5\xD5\xA1\xD5\xB6"}, /* Armenian */
                {"S-zh", "", "\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E"},                 /* Han */
                {"S-hi", "\xE0\xA4\xB0\xE0\xA4\xBE\xE0\xA4\xB9\xE0\xA5\x81\xE0\xA4\xB2",
                 "\xE0\xA4\xB6\xE0\xA4\xB0\xE0\xA5\x8D\xE0\xA4\xAE\xE0\xA4\xBE"}, /* Devanagari */
                {"S-he", "\xD7\x93\xD7\x95\xD7\x93", "\xD7\x9B\xD7\x94\xD7\x9F"}, /* Hebrew */
        };
        char text[4096];
        size_t len = 0, loaded = 0;

        (void)state;
        for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
                len += (size_t)snprintf(
                        text + len, sizeof(text) - len,
                        "{\"entry_id\":\"%s\",\"list\":\"L\",\"category\":\"C\","
                        "\"names\":[{\"given_names\":\"%s\",\"surname\":\"%s\"}]}\n",
                        scripts[i].id, scripts[i].given, scripts[i].surname);
        assert_int_equal(load_text(wl, ".jsonl", text, errs, &loaded, NULL), PF_OK);
        assert_int_equal(loaded, 5);
        for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
                pf_screen_subject_t subj = {.given_names = scripts[i].given,
                                            .surname = scripts[i].surname};

                if (!screen_hits(wl, &subj, scripts[i].id))
                        fail_msg("%s not found from its own script", scripts[i].id);
        }
        {
                pf_screen_subject_t latin = {.given_names = "Armen", .surname = "Sargsyan"};
                pf_screen_subject_t hebrew = {.given_names = "David", .surname = "Cohen"};

                assert_true(screen_hits(wl, &latin, "S-hy"));
                (void)hebrew; /* DWD KHN vs DAVID COHEN: consonantal, see normalize.h */
        }
        free(errs);
        pf_watchlist_destroy(wl);
}

#define CSV_HEADER                                                                                 \
        "entry_id,list,category,severity,given_names,surname,date_of_birth,nationality,doc_type,"  \
        "doc_number,doc_issuing_country\n"

static void test_load_csv_ok(void **state) {
        pf_watchlist_t *wl = wl_new();
        errs_t *errs = calloc(1, sizeof(*errs));
        size_t loaded = 0;
        pf_screen_subject_t alias = {
                .given_names = "Abu", .surname = "Khalid, al-Masri", .date_of_birth = "1969-04-01"};
        pf_screen_subject_t primary = {
                .given_names = "Hassan", .surname = "Omar", .date_of_birth = "1969-04-01"};
        pf_screen_subject_t quoted = {
                .given_names = "Sean", .surname = "O\"Neill", .date_of_birth = "1955"};
        pf_screen_subject_t doc = {.doc_number = "A-998877", .doc_country = "EG"};

        (void)state;
        /* quoted commas, "" escapes, an empty quoted field, aliases and a document as extra rows
         * of one entry, a .txt file recognised as CSV by its header */
        assert_int_equal(load_text(wl, ".txt",
                                   CSV_HEADER
                                   "C-1,UN,TERRORISM,HIGH,Hassan,Omar,1969-04-01,EG,,,\r\n"
                                   "C-1,UN,TERRORISM,,Abu,\"Khalid, al-Masri\",,,,,\n"
                                   "C-2,EU,SANCTIONS,,Sean,\"O\"\"Neill\",1955,\"\",,,\n"
                                   "C-1,UN,TERRORISM,,,,,EGY,PASSPORT,A998877,EGY\n",
                                   errs, &loaded, NULL),
                         PF_OK);
        assert_int_equal(errs->count, 0);
        assert_int_equal(loaded, 2);
        assert_int_equal(wl_entries(wl), 2);
        assert_true(screen_hits(wl, &alias, "C-1"));
        assert_true(screen_hits(wl, &primary, "C-1"));
        assert_true(screen_hits(wl, &quoted, "C-2"));
        assert_true(screen_hits(wl, &doc, "C-1"));
        free(errs);
        pf_watchlist_destroy(wl);
}

static const bad_line_case_t bad_csv[] = {
        {"10 columns", "C-9,UN,T,HIGH,Ana,Lima,,,,", "columns"},
        {"12 columns", "C-9,UN,T,HIGH,Ana,Lima,,,,,BR,x", "columns"},
        {"12 columns, last empty", "C-9,UN,T,HIGH,Ana,Lima,,,,,,", "columns"},
        {"trailing comma", "C-9,UN,T,HIGH,Ana,Lima,,,,,BR,", "columns"},
        {"unterminated quote", "C-9,UN,T,HIGH,\"Ana,Lima,,,,,", "unterminated"},
        {"text after quote", "C-9,UN,T,HIGH,\"Ana\"x,Lima,,,,,", "after a closing quote"},
        {"quote in field", "C-9,UN,T,HIGH,An\"a,Lima,,,,,", "quote inside"},
        {"bad severity", "C-9,UN,T,SEVERE,Ana,Lima,,,,,", "severity"},
        {"no name nor document", "C-9,UN,T,HIGH,,,1980,,,,", "neither"},
        {"bad date", "C-9,UN,T,HIGH,Ana,Lima,1980-02-30,,,,", "date_of_birth"},
        {"bad document country", "C-9,UN,T,HIGH,,,,,PASSPORT,123,XX", "issuing_country"},
        {"disagreeing alias row", "C-1,UN,T,LOW,Ana,Lima,,,,,", "disagree"},
        {"bad utf-8", "C-9,UN,T,HIGH,An\xE2\x82,Lima,,,,,", "UTF-8"},
};

static void test_load_csv_bad_line(void **state) {
        errs_t *errs = calloc(1, sizeof(*errs));

        (void)state;
        for (size_t i = 0; i < sizeof(bad_csv) / sizeof(bad_csv[0]); i++) {
                const bad_line_case_t *c = &bad_csv[i];
                pf_watchlist_t *wl = wl_new();
                char text[2048], want[128], *path;
                size_t loaded = 99;
                pf_err_t err;

                snprintf(text, sizeof(text),
                         CSV_HEADER "C-1,UN,T,HIGH,Ana,Souza,,,,,\n%s\nC-3,UN,T,,Rui,Lima,,,,,\n",
                         c->line);
                err = load_text(wl, ".csv", text, errs, &loaded, &path);
                if (err != PF_ERR_INVALID_VALUE || errs->count != 1)
                        fail_msg("%s: %s with %zu errors", c->label, pf_err_name(err), errs->count);
                snprintf(want, sizeof(want), "%s:3: ", path);
                if (strncmp(errs->msg[0], want, strlen(want)) != 0 ||
                    strstr(errs->msg[0], c->reason) == NULL)
                        fail_msg("%s: message '%s'", c->label, errs->msg[0]);
                assert_int_equal(loaded, 0);
                assert_int_equal(wl_entries(wl), 0);
                tmp_remove(path);
                pf_watchlist_destroy(wl);
        }
        free(errs);
}

static void test_load_csv_header(void **state) {
        pf_watchlist_t *wl = wl_new();
        errs_t *errs = calloc(1, sizeof(*errs));

        (void)state;
        /* a .csv file must start with the header */
        assert_int_equal(load_text(wl, ".csv", "C-1,UN,T,HIGH,Ana,Souza,,,,,\n", errs, NULL, NULL),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(errs->count, 1);
        assert_non_null(strstr(errs->msg[0], ":1: the first line is not the CSV header"));
        /* a header alone loads nothing, successfully */
        assert_int_equal(load_text(wl, ".csv", CSV_HEADER, errs, NULL, NULL), PF_OK);
        /* an empty JSONL file too */
        assert_int_equal(load_text(wl, ".jsonl", "", errs, NULL, NULL), PF_OK);
        assert_int_equal(wl_entries(wl), 0);
        free(errs);
        pf_watchlist_destroy(wl);
}

/** Posting lists carry each name's packed date; one-name lists live inline, without it. */
static void test_postings_and_name_info(void **state) {
        static const struct {
                const char *id, *given, *surname, *dob;
        } people[] = {{"PA", "John", "Smith", "1980-05-06"},
                      {"PB", "John", "Smith", "1975"},
                      {"PC", "John", "Smith", NULL},
                      {"PU", "Zebulon", "Quixotic", NULL}};
        char errstr[256], given[64], surname[64];
        pf_watchlist_t *wl = pf_watchlist_new(errstr, sizeof(errstr));
        pf_norm_t *norm = pf_norm_new(errstr, sizeof(errstr));
        uint64_t keys[PF_SNAME_KEYS_MAX];
        const pf_wl_post_t *posts;
        pf_wl_post_t one;
        pf_sname_t sn;
        size_t count, len;
        bool seen[3] = {false, false, false};

        (void)state;
        assert_non_null(wl);
        assert_non_null(norm);
        for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
                pf_wl_name_t name = {people[i].given, people[i].surname};
                pf_wl_entry_t e = {.entry_id = people[i].id,
                                   .list = "L",
                                   .category = "C",
                                   .severity = PF_WL_SEVERITY_HIGH,
                                   .names = &name,
                                   .name_count = 1,
                                   .date_of_birth = people[i].dob,
                                   .valid_from = PF_WL_DATE_NONE,
                                   .valid_until = PF_WL_DATE_NONE};

                assert_int_equal(pf_watchlist_upsert(wl, &e, errstr, sizeof(errstr)), PF_OK);
        }
        /* the whole-name key (the first one made) of JOHN SMITH: three names, dates packed */
        assert_int_equal(pf_norm_name_passport(norm, "John", 4, given, sizeof(given), &len), PF_OK);
        assert_int_equal(pf_norm_name_passport(norm, "Smith", 5, surname, sizeof(surname), &len),
                         PF_OK);
        assert_int_equal(pf_sname_prepare(&sn, given, surname), PF_OK);
        assert_true(pf_sname_keys(&sn, 0, keys, PF_SNAME_KEYS_MAX) > 0);
        pf_watchlist_postings(wl, keys[0], &posts, &count, &one);
        assert_int_equal(count, 3);
        for (size_t i = 0; i < count; i++) {
                const pf_wl_name_info_t *info = pf_watchlist_name_info(wl, posts[i].id);
                const pf_wl_rec_t *rec = pf_watchlist_name_rec(wl, posts[i].id);

                assert_non_null(info);
                assert_non_null(rec);
                assert_int_equal(info->dob, posts[i].dob);
                assert_int_equal(info->index, 0);
                if (strcmp(rec->entry_id, "PA") == 0) {
                        assert_int_equal(posts[i].dob, pf_wl_dob_pack(3, 1980, 5, 6));
                        seen[0] = true;
                } else if (strcmp(rec->entry_id, "PB") == 0) {
                        assert_int_equal(posts[i].dob, pf_wl_dob_pack(1, 1975, 0, 0));
                        seen[1] = true;
                } else {
                        assert_string_equal(rec->entry_id, "PC");
                        assert_int_equal(posts[i].dob, 0);
                        seen[2] = true;
                }
        }
        assert_true(seen[0] && seen[1] && seen[2]);
        /* a name of its own: its list is inline, the date left to the name info */
        assert_int_equal(pf_norm_name_passport(norm, "Zebulon", 7, given, sizeof(given), &len),
                         PF_OK);
        assert_int_equal(pf_norm_name_passport(norm, "Quixotic", 8, surname, sizeof(surname), &len),
                         PF_OK);
        assert_int_equal(pf_sname_prepare(&sn, given, surname), PF_OK);
        assert_true(pf_sname_keys(&sn, 0, keys, PF_SNAME_KEYS_MAX) > 0);
        pf_watchlist_postings(wl, keys[0], &posts, &count, &one);
        assert_int_equal(count, 1);
        assert_ptr_equal(posts, &one);
        assert_int_equal(one.dob, 0);
        assert_non_null(pf_watchlist_name_info(wl, one.id));
        assert_non_null(pf_watchlist_name_info(wl, one.id)->blob);
        pf_watchlist_prefetch_name(wl, one.id);
        pf_watchlist_prefetch_key(wl, keys[0]);
        /* deleted: the posting may remain, the name is gone */
        assert_true(pf_watchlist_delete(wl, "PU"));
        assert_null(pf_watchlist_name_info(wl, one.id));
        assert_null(pf_watchlist_name_rec(wl, one.id));
        assert_null(pf_watchlist_name_info(wl, 1u << 30));
        /* an unknown key */
        pf_watchlist_postings(wl, 12345, &posts, &count, &one);
        assert_int_equal(count, 0);
        assert_null(posts);
        pf_norm_destroy(norm);
        pf_watchlist_destroy(wl);
}

/** The most names an entry may have, each as long as allowed in the widest script, fit. */
static void test_largest_entry(void **state) {
        char errstr[256], field[PF_WL_NAME_MAX + 1] = "";
        pf_watchlist_t *wl = pf_watchlist_new(errstr, sizeof(errstr));
        pf_wl_name_t names[PF_WL_NAMES_MAX];
        pf_wl_entry_t e = {.entry_id = "BIG",
                           .list = "L",
                           .category = "C",
                           .severity = PF_WL_SEVERITY_HIGH,
                           .names = names,
                           .name_count = PF_WL_NAMES_MAX,
                           .date_of_birth = "1970-01-01",
                           .valid_from = PF_WL_DATE_NONE,
                           .valid_until = PF_WL_DATE_NONE};
        pf_screener_t *scr;
        pf_screen_subject_t subj = {.given_names = "Shchshchshchshch",
                                    .surname = "Shchshchshchshch"};
        pf_match_t m[PF_RESULT_MAX_MATCHES];
        size_t count = 0;

        (void)state;
        assert_non_null(wl);
        /* "Брзбрзбр " is 17 bytes and 8 consonants: 7 tokens a field, whose joins fill the
         * prepared name's buffer (about 1.1 KB serialized) */
        while (strlen(field) + 17 <= PF_WL_NAME_MAX)
                strcat(field, "Брзбрзбр ");
        for (size_t i = 0; i < PF_WL_NAMES_MAX; i++) {
                names[i].given_names = field;
                names[i].surname = field;
        }
        assert_int_equal(pf_watchlist_upsert(wl, &e, errstr, sizeof(errstr)), PF_OK);
        scr = pf_screener_new(wl, 0.0, errstr, sizeof(errstr));
        assert_non_null(scr);
        assert_int_equal(pf_screen_subject(scr, &subj, m, PF_RESULT_MAX_MATCHES, &count, NULL),
                         PF_OK);
        pf_screener_destroy(scr);
        pf_watchlist_destroy(wl);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_country_alpha3),
                cmocka_unit_test(test_dob_parse),
                cmocka_unit_test(test_entry_validation),
                cmocka_unit_test(test_upsert_replace_delete),
                cmocka_unit_test(test_delete_compaction),
                cmocka_unit_test(test_postings_and_name_info),
                cmocka_unit_test(test_largest_entry),
                cmocka_unit_test(test_load_jsonl_ok),
                cmocka_unit_test(test_load_jsonl_bad_line),
                cmocka_unit_test(test_load_many_errors),
                cmocka_unit_test(test_load_huge_line),
                cmocka_unit_test(test_load_odd_scripts),
                cmocka_unit_test(test_load_csv_ok),
                cmocka_unit_test(test_load_csv_bad_line),
                cmocka_unit_test(test_load_csv_header),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
