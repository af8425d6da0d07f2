/**
 * @file test_key.c
 * @brief Tests of the traveller key and keyed digests: stability across spellings, separation
 * across people, secrets and domains, and secret-file handling. Names are made up.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, unlink, write */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "../../workers/key.h"

#define SECRET_A "correct horse battery staple 01"
#define SECRET_B "correct horse battery staple 02"

typedef struct fixture_s {
        pf_key_t *key;
        pf_key_t *other; /* different secret */
        pf_norm_t *norm;
} fixture_t;

static int setup(void **state) {
        static fixture_t fx;
        char errstr[256];

        fx.key = pf_key_new((const uint8_t *)SECRET_A, strlen(SECRET_A), errstr, sizeof(errstr));
        fx.other = pf_key_new((const uint8_t *)SECRET_B, strlen(SECRET_B), errstr, sizeof(errstr));
        fx.norm = pf_norm_new(errstr, sizeof(errstr));
        *state = &fx;
        return fx.key != NULL && fx.other != NULL && fx.norm != NULL ? 0 : -1;
}

static int teardown(void **state) {
        fixture_t *fx = *state;

        pf_key_destroy(fx->key);
        pf_key_destroy(fx->other);
        pf_norm_destroy(fx->norm);
        return 0;
}

/** Fills an event's traveller; strings are copied with bounds (snprintf). */
static void make_event(pf_event_t *ev, const char *surname, const char *given, const char *dob) {
        memset(ev, 0, sizeof(*ev));
        snprintf(ev->traveller.surname, sizeof(ev->traveller.surname), "%s", surname);
        snprintf(ev->traveller.given_names, sizeof(ev->traveller.given_names), "%s", given);
        snprintf(ev->traveller.date_of_birth, sizeof(ev->traveller.date_of_birth), "%s", dob);
}

static void traveller_key(const pf_key_t *key, pf_norm_t *norm, const char *surname,
                          const char *given, const char *dob, uint8_t out[PF_KEY_BYTES]) {
        pf_event_t ev;

        make_event(&ev, surname, given, dob);
        assert_int_equal(pf_key_traveller(key, norm, &ev, out), PF_OK);
}

/** Pins the hashed layout: H16(secret, "trav\0" || surname || "\0" || given || "\0" || dob). */
static void test_traveller_known_layout(void **state) {
        static const char layout[] = "trav\0MULLER\0ANNA MARIA\0001980-05-17";
        fixture_t *fx = *state;
        uint8_t want[PF_KEY_BYTES], got[PF_KEY_BYTES];

        assert_int_equal(crypto_generichash(want, sizeof(want), (const uint8_t *)layout,
                                            sizeof(layout) - 1, (const uint8_t *)SECRET_A,
                                            strlen(SECRET_A)),
                         0);
        traveller_key(fx->key, fx->norm, "Müller", "anna-maria", "1980-05-17", got);
        assert_memory_equal(got, want, PF_KEY_BYTES);
}

/** Each group holds spellings of one person: all must give one key. */
static void test_traveller_same_person(void **state) {
        static const char *const groups[][3][3] = {
                {{"Müller", "Jürgen", "1970-01-02"},
                 {"MULLER", "JURGEN", "1970-01-02"},
                 {"  muller ", "jurgen", "1970-01-02"}},
                {{"Dupré-Noël", "Jean-Pierre", "1985"},
                 {"DUPRE NOEL", "JEAN PIERRE", "1985"},
                 {"dupre<noel", "jean  pierre", "1985"}},
                {{"O'Neil", "Séan", ""}, {"O NEIL", "SEAN", ""}, {"o neil", "Sean", ""}},
                {{"Петров", "Владимир", "1990-12"},
                 {"PETROV", "VLADIMIR", "1990-12"},
                 {"ПЕТРОВ", "владимир", "1990-12"}},
        };
        fixture_t *fx = *state;

        for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
                uint8_t first[PF_KEY_BYTES], other[PF_KEY_BYTES];

                traveller_key(fx->key, fx->norm, groups[g][0][0], groups[g][0][1], groups[g][0][2],
                              first);
                for (size_t v = 1; v < 3; v++) {
                        print_message("[ case     ] group %zu variant %zu\n", g, v);
                        traveller_key(fx->key, fx->norm, groups[g][v][0], groups[g][v][1],
                                      groups[g][v][2], other);
                        assert_memory_equal(first, other, PF_KEY_BYTES);
                }
        }
}

/** Each row differs from the reference person in one respect: every key must differ. */
static void test_traveller_different(void **state) {
        static const char *const variants[][3] = {
                {"SMITH", "JOHN PAUL", "1980-05-18"}, /* day of birth */
                {"SMITH", "JOHN PAUL", "1980-05"},    /* dob precision */
                {"SMITH", "JOHN PAUL", ""},           /* dob unknown */
                {"SMYTH", "JOHN PAUL", "1980-05-17"}, /* surname */
                {"SMITH", "JOHN", "1980-05-17"},      /* given names */
                {"SMITH", "PAUL JOHN", "1980-05-17"}, /* token order */
                {"SMITH", "JOHNPAUL", "1980-05-17"},  /* token boundary */
                {"SMITHJ", "OHN PAUL", "1980-05-17"}, /* field boundary */
                {"JOHN PAUL", "SMITH", "1980-05-17"}, /* swapped fields */
                {"SMITH", "", "1980-05-17"},          /* no given names */
        };
        fixture_t *fx = *state;
        uint8_t ref[PF_KEY_BYTES], key[PF_KEY_BYTES];

        traveller_key(fx->key, fx->norm, "SMITH", "JOHN PAUL", "1980-05-17", ref);
        for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
                print_message("[ case     ] variant %zu\n", i);
                traveller_key(fx->key, fx->norm, variants[i][0], variants[i][1], variants[i][2],
                              key);
                assert_memory_not_equal(ref, key, PF_KEY_BYTES);
        }
        traveller_key(fx->other, fx->norm, "SMITH", "JOHN PAUL", "1980-05-17", key);
        assert_memory_not_equal(ref, key, PF_KEY_BYTES);
}

/** The document is not part of the key. */
static void test_traveller_ignores_document(void **state) {
        fixture_t *fx = *state;
        uint8_t with_a[PF_KEY_BYTES], with_b[PF_KEY_BYTES];
        pf_event_t ev;

        make_event(&ev, "SMITH", "JOHN", "1980-05-17");
        ev.has_document = true;
        snprintf(ev.document.number, sizeof(ev.document.number), "%s", "AB123456");
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, with_a), PF_OK);
        snprintf(ev.document.number, sizeof(ev.document.number), "%s", "ZZ999999");
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, with_b), PF_OK);
        assert_memory_equal(with_a, with_b, PF_KEY_BYTES);
}

typedef struct bad_event_case_s {
        const char *label;
        const char *surname;
        const char *given;
        const char *dob;
        pf_err_t err;
} bad_event_case_t;

static void test_traveller_errors(void **state) {
        static const bad_event_case_t cases[] = {
                {"empty surname", "", "JOHN", "1980", PF_ERR_MISSING_FIELD},
                {"punctuation surname", "-- <<", "JOHN", "1980", PF_ERR_MISSING_FIELD},
                {"bad utf8 surname", "SM\xC3", "JOHN", "1980", PF_ERR_BAD_UTF8},
                {"bad utf8 given", "SMITH", "J\xFF", "1980", PF_ERR_BAD_UTF8},
                {"dob slashes", "SMITH", "JOHN", "1980/05/17", PF_ERR_INVALID_VALUE},
                {"dob short", "SMITH", "JOHN", "80", PF_ERR_INVALID_VALUE},
                {"dob letters", "SMITH", "JOHN", "19X0-05-17", PF_ERR_INVALID_VALUE},
                {"dob compact", "SMITH", "JOHN", "19800517", PF_ERR_INVALID_VALUE},
        };
        fixture_t *fx = *state;
        uint8_t out[PF_KEY_BYTES];
        pf_event_t ev;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                print_message("[ case     ] %s\n", cases[i].label);
                make_event(&ev, cases[i].surname, cases[i].given, cases[i].dob);
                memset(out, 0xAA, sizeof(out));
                assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, out), cases[i].err);
                for (size_t b = 0; b < sizeof(out); b++)
                        assert_int_equal(out[b], 0);
        }

        /* Given names that normalise to nothing count as "" (mononymous traveller). */
        make_event(&ev, "SUKARNO", "--", "1901");
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, out), PF_OK);

        /* A field without its NUL is rejected, not read past. */
        make_event(&ev, "SMITH", "JOHN", "1980");
        memset(ev.traveller.surname, 'A', sizeof(ev.traveller.surname));
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, out), PF_ERR_INVALID_VALUE);
        make_event(&ev, "SMITH", "JOHN", "1980");
        memset(ev.traveller.date_of_birth, '1', sizeof(ev.traveller.date_of_birth));
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, &ev, out), PF_ERR_INVALID_VALUE);

        assert_int_equal(pf_key_traveller(NULL, fx->norm, &ev, out), PF_ERR_INTERNAL);
        assert_int_equal(pf_key_traveller(fx->key, NULL, &ev, out), PF_ERR_INTERNAL);
        assert_int_equal(pf_key_traveller(fx->key, fx->norm, NULL, out), PF_ERR_INTERNAL);
}

static void test_hex(void **state) {
        uint8_t key[PF_KEY_BYTES];
        char hex[PF_KEY_HEX_SIZE];

        (void)state;
        for (size_t i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t)(i * 17 + 10);
        pf_key_hex(key, hex);
        assert_int_equal(strlen(hex), 32);
        assert_string_equal(hex, "0a1b2c3d4e5f708192a3b4c5d6e7f809");
        for (size_t i = 0; i < 32; i++)
                assert_true((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'));
}

static void test_digest(void **state) {
        static const char data[] = "+33612345678";
        fixture_t *fx = *state;
        uint64_t phone = pf_key_digest(fx->key, "phone", data, strlen(data));
        uint8_t hash[16];
        uint64_t want = 0;
        uint64_t doc, doc_spaced, doc_manual;

        /* Pins the layout: first 8 bytes, little-endian, of H16(secret, "dig\0phone\0" || data). */
        assert_int_equal(crypto_generichash(hash, sizeof(hash),
                                            (const uint8_t *)"dig\0phone\0+33612345678", 22,
                                            (const uint8_t *)SECRET_A, strlen(SECRET_A)),
                         0);
        for (size_t i = 0; i < 8; i++)
                want |= (uint64_t)hash[i] << (8 * i);
        assert_true(phone == want);

        assert_true(phone == pf_key_digest(fx->key, "phone", data, strlen(data)));
        assert_true(phone != pf_key_digest(fx->key, "email", data, strlen(data)));
        assert_true(phone != pf_key_digest(fx->key, "phon", data, strlen(data)));
        assert_true(phone != pf_key_digest(fx->key, "", data, strlen(data)));
        assert_true(phone != pf_key_digest(fx->other, "phone", data, strlen(data)));
        assert_true(phone != pf_key_digest(fx->key, "phone", data, strlen(data) - 1));
        /* domain/data boundary: ("ab", "c") and ("a", "bc") differ */
        assert_true(pf_key_digest(fx->key, "ab", "c", 1) != pf_key_digest(fx->key, "a", "bc", 2));
        assert_true(pf_key_digest(fx->key, NULL, NULL, 0) == pf_key_digest(fx->key, "", "", 0));

        assert_int_equal(pf_key_digest_doc(fx->key, "AB123456", 8, "FRA", &doc), PF_OK);
        assert_int_equal(pf_key_digest_doc(fx->key, "ab 123-456<", 11, "FRA", &doc_spaced), PF_OK);
        doc_manual = pf_key_digest(fx->key, "doc", "AB123456|FRA", 12);
        assert_true(doc == doc_spaced);
        assert_true(doc == doc_manual);
        assert_int_equal(pf_key_digest_doc(fx->key, "AB123456", 8, "DEU", &doc_spaced), PF_OK);
        assert_true(doc != doc_spaced);
        assert_int_equal(pf_key_digest_doc(fx->key, "AB123456", 8, "FRAN", &doc),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(pf_key_digest_doc(fx->key, "--", 2, "FRA", &doc), PF_ERR_MISSING_FIELD);
}

/** Writes @p len bytes to a new temporary file; returns its path in @p path. */
static void write_temp(char path[64], const void *data, size_t len) {
        int fd;

        snprintf(path, 64, "%s", "/tmp/pf_test_key_XXXXXX");
        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
}

typedef struct file_case_s {
        const char *label;
        const char *content;
        int ok;
} file_case_t;

static void test_secret_file(void **state) {
        static const file_case_t cases[] = {
                {"newline", SECRET_A "\n", 1},
                {"crlf", SECRET_A "\r\n", 1},
                {"bare", SECRET_A, 1},
                {"too short", "hunter2-secret\n", 0},
                {"too short, 15", "hunter2-secret!", 0},
                {"empty", "", 0},
                {"too long", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefX\n",
                 0},
        };
        fixture_t *fx = *state;
        uint8_t ref[PF_KEY_BYTES], key_bytes[PF_KEY_BYTES];
        char errstr[512];
        char path[64];

        traveller_key(fx->key, fx->norm, "SMITH", "JOHN", "1980", ref);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                pf_key_t *key;

                print_message("[ case     ] secret file %s\n", cases[i].label);
                write_temp(path, cases[i].content, strlen(cases[i].content));
                errstr[0] = '\0';
                key = pf_key_new_from_file(path, errstr, sizeof(errstr));
                unlink(path);
                if (!cases[i].ok) {
                        assert_null(key);
                        assert_true(strlen(errstr) > 0);
                        assert_non_null(strstr(errstr, path));
                        assert_null(strstr(errstr, "hunter2"));
                        assert_null(strstr(errstr, "0123456789"));
                        continue;
                }
                assert_non_null(key);
                /* same bytes as SECRET_A once the newline is stripped: same keys */
                traveller_key(key, fx->norm, "SMITH", "JOHN", "1980", key_bytes);
                assert_memory_equal(ref, key_bytes, PF_KEY_BYTES);
                pf_key_destroy(key);
        }

        errstr[0] = '\0';
        assert_null(pf_key_new_from_file("/nonexistent/pf-secret", errstr, sizeof(errstr)));
        assert_non_null(strstr(errstr, "/nonexistent/pf-secret"));
        errstr[0] = '\0';
        assert_null(pf_key_new_from_file("/tmp", errstr, sizeof(errstr)));
        assert_true(strlen(errstr) > 0);
        assert_null(pf_key_new_from_file(NULL, NULL, 0));
}

static void test_new_limits(void **state) {
        uint8_t secret[PF_KEY_SECRET_MAX + 1];
        char errstr[256];
        pf_key_t *key;

        (void)state;
        memset(secret, 'k', sizeof(secret));
        assert_null(pf_key_new(secret, PF_KEY_SECRET_MIN - 1, errstr, sizeof(errstr)));
        assert_null(strstr(errstr, "kkkk"));
        assert_null(pf_key_new(secret, PF_KEY_SECRET_MAX + 1, errstr, sizeof(errstr)));
        assert_null(pf_key_new(NULL, 32, errstr, sizeof(errstr)));
        key = pf_key_new(secret, PF_KEY_SECRET_MIN, errstr, sizeof(errstr));
        assert_non_null(key);
        pf_key_destroy(key);
        key = pf_key_new(secret, PF_KEY_SECRET_MAX, errstr, sizeof(errstr));
        assert_non_null(key);
        pf_key_destroy(key);
        pf_key_destroy(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_traveller_known_layout),
                cmocka_unit_test(test_traveller_same_person),
                cmocka_unit_test(test_traveller_different),
                cmocka_unit_test(test_traveller_ignores_document),
                cmocka_unit_test(test_traveller_errors),
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_digest),
                cmocka_unit_test(test_secret_file),
                cmocka_unit_test(test_new_limits),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
