/**
 * @file fuzz_normalize.c
 * @brief libFuzzer target: arbitrary bytes through pf_norm_name(), pf_norm_name_passport() (the
 *        screening romanisation: ICAO Cyrillic, ELOT Greek and Arabic tables before ICU) and
 *        pf_norm_docnum().
 *
 * Checks, beyond memory safety: a PF_OK name is non-empty A-Z tokens with single spaces and is a
 * fixed point (normalising it again gives it back), for both name forms; both accept and reject
 * the same UTF-8; a PF_OK document number is A-Z0-9; every
 * error leaves "" behind; a tiny output buffer either agrees with the large one or reports
 * PF_ERR_TOO_LARGE; the return codes are the documented ones; the ASCII fast path agrees with
 * ICU (ASCII input behind a leading NBSP, which forces the ICU path, gives the same result).
 *
 * Random bytes are rarely valid UTF-8, and ICU is not instrumented, so libFuzzer cannot steer
 * into ICU's paths by itself. Each input is therefore also read as a list of code points (three
 * bytes each, any plane, surrogates skipped) and fed as valid UTF-8 to pf_norm_name().
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iworkers fuzz/fuzz_normalize.c \
 *        workers/normalize.c workers/err.c -licui18n -licuuc -licudata
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workers/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pf_norm_t *fuzz_norm;

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__);          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

static bool fuzz_is_canonical_name(const char *s, size_t len) {
        if (len == 0 || strlen(s) != len || s[0] == ' ' || s[len - 1] == ' ')
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == ' ' ? s[i + 1] == ' ' : (s[i] < 'A' || s[i] > 'Z'))
                        return false;
        }
        return true;
}

static bool fuzz_is_canonical_docnum(const char *s, size_t len) {
        if (len == 0 || strlen(s) != len)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
                        return false;
        }
        return true;
}

/** @returns pf_norm_name()'s result with the large buffer. */
static pf_err_t fuzz_name(const char *in, size_t len) {
        char big[256], tiny[4], again[256];
        size_t big_len = 1, tiny_len = 1, again_len;
        pf_err_t big_err, tiny_err;

        big_err = pf_norm_name(fuzz_norm, in, len, big, sizeof(big), &big_len);
        FUZZ_CHECK(big_err == PF_OK || big_err == PF_ERR_BAD_UTF8 || big_err == PF_ERR_TOO_LARGE ||
                   big_err == PF_ERR_MISSING_FIELD);
        if (big_err != PF_OK) {
                FUZZ_CHECK(big[0] == '\0' && big_len == 0);
        } else {
                FUZZ_CHECK(fuzz_is_canonical_name(big, big_len));
                FUZZ_CHECK(pf_norm_name(fuzz_norm, big, big_len, again, sizeof(again),
                                        &again_len) == PF_OK);
                FUZZ_CHECK(again_len == big_len && memcmp(again, big, big_len) == 0);
        }

        tiny_err = pf_norm_name(fuzz_norm, in, len, tiny, sizeof(tiny), &tiny_len);
        if (tiny_err == PF_OK) {
                FUZZ_CHECK(fuzz_is_canonical_name(tiny, tiny_len) && tiny_len < sizeof(tiny));
                FUZZ_CHECK(big_err == PF_OK && strcmp(tiny, big) == 0);
        } else {
                FUZZ_CHECK(tiny[0] == '\0' && tiny_len == 0);
                if (tiny_err == PF_ERR_TOO_LARGE)
                        FUZZ_CHECK(big_err == PF_ERR_TOO_LARGE ||
                                   (big_err == PF_OK && big_len >= sizeof(tiny)));
                else
                        FUZZ_CHECK(tiny_err == big_err);
        }
        return big_err;
}

/** pf_norm_name_passport(): the same contract as pf_norm_name(). */
static void fuzz_passport(const char *in, size_t len, pf_err_t plain_err) {
        char big[PF_NORM_NAME_OUT_SIZE], tiny[4], again[PF_NORM_NAME_OUT_SIZE];
        size_t big_len = 1, tiny_len = 1, again_len;
        pf_err_t big_err, tiny_err;

        big_err = pf_norm_name_passport(fuzz_norm, in, len, big, sizeof(big), &big_len);
        FUZZ_CHECK(big_err == PF_OK || big_err == PF_ERR_BAD_UTF8 || big_err == PF_ERR_TOO_LARGE ||
                   big_err == PF_ERR_MISSING_FIELD);
        /* the same bytes are valid UTF-8 for both, or for neither */
        FUZZ_CHECK((big_err == PF_ERR_BAD_UTF8) == (plain_err == PF_ERR_BAD_UTF8));
        if (big_err != PF_OK) {
                FUZZ_CHECK(big[0] == '\0' && big_len == 0);
        } else {
                FUZZ_CHECK(fuzz_is_canonical_name(big, big_len));
                /* a fixed point, as far as the output is itself an acceptable input (a
                 * Cyrillic letter of 2 bytes may give 4: SHCH) */
                if (big_len <= PF_NORM_NAME_IN_MAX) {
                        FUZZ_CHECK(pf_norm_name_passport(fuzz_norm, big, big_len, again,
                                                         sizeof(again), &again_len) == PF_OK);
                        FUZZ_CHECK(again_len == big_len && memcmp(again, big, big_len) == 0);
                }
        }
        tiny_err = pf_norm_name_passport(fuzz_norm, in, len, tiny, sizeof(tiny), &tiny_len);
        if (tiny_err == PF_OK) {
                FUZZ_CHECK(fuzz_is_canonical_name(tiny, tiny_len) && tiny_len < sizeof(tiny));
                FUZZ_CHECK(big_err == PF_OK && strcmp(tiny, big) == 0);
        } else {
                FUZZ_CHECK(tiny[0] == '\0' && tiny_len == 0);
                if (tiny_err == PF_ERR_TOO_LARGE)
                        FUZZ_CHECK(big_err == PF_ERR_TOO_LARGE ||
                                   (big_err == PF_OK && big_len >= sizeof(tiny)));
                else
                        FUZZ_CHECK(tiny_err == big_err);
        }
}

/** ASCII input must give the same through the fast path and through ICU. */
static void fuzz_fast_path_agrees(const char *in, size_t len) {
        char forced[PF_NORM_NAME_IN_MAX];
        char fast[256], slow[256];
        size_t fast_len, slow_len;
        pf_err_t fast_err, slow_err;

        if (len + 2 > sizeof(forced))
                return;
        for (size_t i = 0; i < len; i++) {
                if ((unsigned char)in[i] >= 0x80)
                        return;
        }
        forced[0] = '\xC2'; /* U+00A0 NO-BREAK SPACE: a separator */
        forced[1] = '\xA0';
        memcpy(forced + 2, in, len);
        fast_err = pf_norm_name(fuzz_norm, in, len, fast, sizeof(fast), &fast_len);
        slow_err = pf_norm_name(fuzz_norm, forced, len + 2, slow, sizeof(slow), &slow_len);
        FUZZ_CHECK(fast_err == slow_err);
        FUZZ_CHECK(fast_len == slow_len && strcmp(fast, slow) == 0);
}

static void fuzz_docnum(const char *in, size_t len) {
        char out[PF_NORM_DOCNUM_IN_MAX + 1];
        size_t out_len = 1;
        pf_err_t err = pf_norm_docnum(in, len, out, sizeof(out), &out_len);

        FUZZ_CHECK(err == PF_OK || err == PF_ERR_BAD_UTF8 || err == PF_ERR_TOO_LARGE ||
                   err == PF_ERR_MISSING_FIELD || err == PF_ERR_INVALID_VALUE);
        if (err == PF_OK)
                FUZZ_CHECK(fuzz_is_canonical_docnum(out, out_len) && out_len <= len);
        else
                FUZZ_CHECK(out[0] == '\0' && out_len == 0);
        if (len > PF_NORM_DOCNUM_IN_MAX)
                FUZZ_CHECK(err == PF_ERR_TOO_LARGE);
}

/** @brief Encodes data[] three bytes per code point as valid UTF-8, at most @p cap bytes. */
static size_t fuzz_code_points(const uint8_t *data, size_t size, char *out, size_t cap) {
        size_t len = 0;

        for (size_t i = 0; i + 3 <= size; i += 3) {
                uint32_t cp = ((uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2]) %
                              0x110000;

                if (cp >= 0xD800 && cp <= 0xDFFF)
                        continue;
                if (len + 4 > cap)
                        break;
                if (cp < 0x80) {
                        out[len++] = (char)cp;
                } else if (cp < 0x800) {
                        out[len++] = (char)(0xC0 | cp >> 6);
                        out[len++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                        out[len++] = (char)(0xE0 | cp >> 12);
                        out[len++] = (char)(0x80 | (cp >> 6 & 0x3F));
                        out[len++] = (char)(0x80 | (cp & 0x3F));
                } else {
                        out[len++] = (char)(0xF0 | cp >> 18);
                        out[len++] = (char)(0x80 | (cp >> 12 & 0x3F));
                        out[len++] = (char)(0x80 | (cp >> 6 & 0x3F));
                        out[len++] = (char)(0x80 | (cp & 0x3F));
                }
        }
        return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char utf8[PF_NORM_NAME_IN_MAX];
        size_t utf8_len;
        char *in;

        if (fuzz_norm == NULL) {
                char errstr[256];

                fuzz_norm = pf_norm_new(errstr, sizeof(errstr));
                if (fuzz_norm == NULL) {
                        fprintf(stderr, "pf_norm_new: %s\n", errstr);
                        abort();
                }
        }
        /* An exact-size heap copy, so that ASan sees any read past the end. */
        in = malloc(size > 0 ? size : 1);
        if (in == NULL)
                return 0;
        if (size > 0)
                memcpy(in, data, size);
        fuzz_passport(in, size, fuzz_name(in, size));
        fuzz_fast_path_agrees(in, size);
        fuzz_docnum(in, size);
        free(in);

        utf8_len = fuzz_code_points(data, size, utf8, sizeof(utf8));
        in = malloc(utf8_len > 0 ? utf8_len : 1);
        if (in == NULL)
                return 0;
        memcpy(in, utf8, utf8_len);
        {
                pf_err_t err = fuzz_name(in, utf8_len);

                FUZZ_CHECK(err != PF_ERR_BAD_UTF8); /* valid by construction */
                fuzz_passport(in, utf8_len, err);
        }
        free(in);
        return 0;
}
