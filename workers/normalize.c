/**
 * @file normalize.c
 * @brief Canonical ASCII forms of names (ICU transliteration) and document numbers.
 *
 * Both functions write through a bounded sink that reserves room for the NUL, emits a single space
 * between tokens only when a letter follows, and so never produces leading, trailing or double
 * spaces. The per-call path uses stack buffers only: the UTF-16 text lives in one array of
 * PF_NORM_NAME_IN_MAX * PF_NORM_NAME_EXPANSION units that ICU transliterates in place.
 */
#include "normalize.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

/** The ICU transform. Any-Latin romanises every script it knows; Latin-ASCII folds diacritics. */
#define PF_NORM_TRANSFORM_ID "Any-Latin; Latin-ASCII"

/** UTF-16 units of the in-place transliteration buffer. */
#define PF_NORM_UCHAR_CAP (PF_NORM_NAME_IN_MAX * PF_NORM_NAME_EXPANSION)

struct pf_norm_s {
        UTransliterator *trans;
};

/** Bounded output: `len < size` always holds, leaving room for the NUL. */
typedef struct pf_norm_sink_s {
        char *out;
        size_t size;
        size_t len;
        bool sep_pending; /* a separator was seen since the last letter */
        bool overflow;
} pf_norm_sink_t;

static void pf_norm_sink_init(pf_norm_sink_t *sink, char *out, size_t size) {
        sink->out = out;
        sink->size = size;
        sink->len = 0;
        sink->sep_pending = false;
        sink->overflow = false;
}

static void pf_norm_sink_byte(pf_norm_sink_t *sink, char c) {
        if (sink->overflow || sink->len + 1 >= sink->size) {
                sink->overflow = true;
                return;
        }
        sink->out[sink->len++] = c;
}

/** Emits an upper-case letter, preceded by one space if a separator came after a letter. */
static void pf_norm_sink_letter(pf_norm_sink_t *sink, char upper) {
        if (sink->sep_pending && sink->len > 0)
                pf_norm_sink_byte(sink, ' ');
        sink->sep_pending = false;
        pf_norm_sink_byte(sink, upper);
}

static void pf_norm_sink_separator(pf_norm_sink_t *sink) {
        sink->sep_pending = true;
}

/**
 * @brief NUL-terminates the sink and turns its state into the result code.
 * On error `out` is left as "" so no partial personal data survives in it.
 */
static pf_err_t pf_norm_sink_finish(pf_norm_sink_t *sink, size_t *out_len) {
        pf_err_t err = PF_OK;

        if (sink->overflow)
                err = PF_ERR_TOO_LARGE;
        else if (sink->len == 0)
                err = PF_ERR_MISSING_FIELD;
        if (err != PF_OK)
                sink->len = 0;
        if (sink->size > 0)
                sink->out[sink->len] = '\0';
        *out_len = sink->len;
        return err;
}

/** @brief Empties the output and returns @p err (an input error wins over the sink's state). */
static pf_err_t pf_norm_sink_fail(pf_norm_sink_t *sink, size_t *out_len, pf_err_t err) {
        sink->len = 0;
        sink->overflow = false;
        pf_norm_sink_finish(sink, out_len);
        return err;
}

/** @returns the upper-case form of an ASCII letter, or 0 for any other code point. */
static char pf_norm_ascii_upper(UChar32 c) {
        if (c >= 'A' && c <= 'Z')
                return (char)c;
        if (c >= 'a' && c <= 'z')
                return (char)(c - 'a' + 'A');
        return 0;
}

static bool pf_norm_is_ascii(const char *in, size_t in_len) {
        for (size_t i = 0; i < in_len; i++) {
                if ((unsigned char)in[i] >= 0x80)
                        return false;
        }
        return true;
}

pf_norm_t *pf_norm_new(char *errstr, size_t errstr_size) {
        UChar id[sizeof(PF_NORM_TRANSFORM_ID)];
        UErrorCode status = U_ZERO_ERROR;
        UParseError parse_err;
        pf_norm_t *norm = NULL;

        norm = calloc(1, sizeof(*norm));
        if (norm == NULL) {
                if (errstr != NULL && errstr_size > 0)
                        snprintf(errstr, errstr_size, "out of memory allocating a name normaliser");
                goto err;
        }
        /* The id is invariant ASCII, which u_charsToUChars() converts exactly. */
        u_charsToUChars(PF_NORM_TRANSFORM_ID, id, (int32_t)sizeof(PF_NORM_TRANSFORM_ID));
        norm->trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, &parse_err, &status);
        if (U_FAILURE(status) || norm->trans == NULL) {
                if (errstr != NULL && errstr_size > 0)
                        snprintf(errstr, errstr_size,
                                 "ICU transliterator \"%s\" failed to open: %s",
                                 PF_NORM_TRANSFORM_ID, u_errorName(status));
                goto err;
        }
        return norm;

err:
        pf_norm_destroy(norm);
        return NULL;
}

void pf_norm_destroy(pf_norm_t *norm) {
        if (norm == NULL)
                return;
        if (norm->trans != NULL)
                utrans_close(norm->trans);
        free(norm);
}

/** ASCII fast path: no ICU, no allocation; gives what the ICU path would give for ASCII. */
static void pf_norm_name_ascii(const char *in, size_t in_len, pf_norm_sink_t *sink) {
        for (size_t i = 0; i < in_len; i++) {
                char upper = pf_norm_ascii_upper((unsigned char)in[i]);

                if (upper != 0)
                        pf_norm_sink_letter(sink, upper);
                else
                        pf_norm_sink_separator(sink);
        }
}

/**
 * @brief Decodes strict UTF-8 into UTF-16. C0 controls and DEL become spaces, so that no NUL or
 * control reaches the transliterator (they would be separators anyway).
 * The caller guarantees in_len <= PF_NORM_NAME_IN_MAX <= cap: UTF-16 never needs more units
 * than UTF-8 has bytes.
 */
static pf_err_t pf_norm_utf8_to_utf16(const char *in, size_t in_len, UChar *buf, int32_t cap,
                                      int32_t *buf_len) {
        const uint8_t *s = (const uint8_t *)in;
        int32_t len = (int32_t)in_len;
        int32_t i = 0;
        int32_t n = 0;

        while (i < len) {
                UChar32 c;

                U8_NEXT(s, i, len, c); /* c < 0: overlong, surrogate, > U+10FFFF, truncated */
                if (c < 0)
                        return PF_ERR_BAD_UTF8;
                if (c < 0x20 || c == 0x7F)
                        c = ' ';
                if (n > cap - U16_MAX_LENGTH)
                        return PF_ERR_TOO_LARGE; /* unreachable while cap >= in_len */
                U16_APPEND_UNSAFE(buf, n, c);
        }
        *buf_len = n;
        return PF_OK;
}

/**
 * @brief Maps transliterated text to A-Z tokens. ASCII letters are kept; non-ASCII letters and
 * combining marks (no ASCII form) vanish without splitting the word; the rest separates.
 */
static void pf_norm_emit_utf16(const UChar *buf, int32_t len, pf_norm_sink_t *sink) {
        int32_t i = 0;

        while (i < len) {
                UChar32 c;
                char upper;

                U16_NEXT(buf, i, len, c);
                upper = pf_norm_ascii_upper(c);
                if (upper != 0) {
                        pf_norm_sink_letter(sink, upper);
                } else if (c >= 0x80 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0) {
                        continue;
                } else {
                        pf_norm_sink_separator(sink);
                }
        }
}

/** Slow path: strict UTF-8 check, ICU transliteration in a stack buffer, then emission. */
static pf_err_t pf_norm_name_icu(pf_norm_t *norm, const char *in, size_t in_len,
                                 pf_norm_sink_t *sink) {
        UChar buf[PF_NORM_UCHAR_CAP];
        UErrorCode status = U_ZERO_ERROR;
        int32_t len = 0;
        int32_t limit;
        pf_err_t err;

        err = pf_norm_utf8_to_utf16(in, in_len, buf, PF_NORM_UCHAR_CAP, &len);
        if (err != PF_OK)
                return err;
        limit = len;
        utrans_transUChars(norm->trans, buf, &len, PF_NORM_UCHAR_CAP, 0, &limit, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR || len > PF_NORM_UCHAR_CAP)
                return PF_ERR_TOO_LARGE;
        if (U_FAILURE(status))
                return PF_ERR_INTERNAL;
        pf_norm_emit_utf16(buf, len, sink);
        return PF_OK;
}

pf_err_t pf_norm_name(pf_norm_t *norm, const char *in, size_t in_len, char *out, size_t out_size,
                      size_t *out_len) {
        pf_norm_sink_t sink;
        pf_err_t err = PF_OK;

        if (out != NULL && out_size > 0)
                out[0] = '\0';
        if (out_len != NULL)
                *out_len = 0;
        if (norm == NULL || out == NULL || out_len == NULL || (in == NULL && in_len > 0))
                return PF_ERR_INTERNAL;
        if (in_len > PF_NORM_NAME_IN_MAX)
                return PF_ERR_TOO_LARGE;

        pf_norm_sink_init(&sink, out, out_size);
        if (pf_norm_is_ascii(in, in_len))
                pf_norm_name_ascii(in, in_len, &sink);
        else
                err = pf_norm_name_icu(norm, in, in_len, &sink);
        if (err != PF_OK)
                return pf_norm_sink_fail(&sink, out_len, err);
        return pf_norm_sink_finish(&sink, out_len);
}

pf_err_t pf_norm_docnum(const char *in, size_t in_len, char *out, size_t out_size,
                        size_t *out_len) {
        const uint8_t *s = (const uint8_t *)in;
        pf_norm_sink_t sink;
        bool foreign_alnum = false;
        int32_t i = 0;

        if (out != NULL && out_size > 0)
                out[0] = '\0';
        if (out_len != NULL)
                *out_len = 0;
        if (out == NULL || out_len == NULL || (in == NULL && in_len > 0))
                return PF_ERR_INTERNAL;
        if (in_len > PF_NORM_DOCNUM_IN_MAX)
                return PF_ERR_TOO_LARGE;

        pf_norm_sink_init(&sink, out, out_size);
        while (i < (int32_t)in_len) {
                UChar32 c;
                char upper;

                U8_NEXT(s, i, (int32_t)in_len, c);
                if (c < 0)
                        return pf_norm_sink_fail(&sink, out_len, PF_ERR_BAD_UTF8);
                upper = pf_norm_ascii_upper(c);
                if (upper != 0 || (c >= '0' && c <= '9'))
                        pf_norm_sink_byte(&sink, upper != 0 ? upper : (char)c);
                else if (c >= 0x80 && u_isalnum(c))
                        foreign_alnum = true;
        }
        if (foreign_alnum)
                return pf_norm_sink_fail(&sink, out_len, PF_ERR_INVALID_VALUE);
        return pf_norm_sink_finish(&sink, out_len);
}
