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

/* --- Passport-style romanisation for screening ----------------------------------------------- */

/** Letters kept per input code point by the passport tables, at most ("SHCH"). */
#define PF_NORM_PP_MAX 4

/** Apostrophes and modifier marks: dropped inside a word without splitting it (MRZ practice). */
static bool pf_norm_is_apostrophe(UChar32 c) {
        switch (c) {
        case 0x0027: /* ' */
        case 0x0060: /* ` */
        case 0x00B4: /* acute accent */
        case 0x02B9: /* modifier prime (ISO 9 soft sign) */
        case 0x02BA: /* modifier double prime (hard sign) */
        case 0x02BB: /* turned comma (okina) */
        case 0x02BC: /* modifier apostrophe */
        case 0x02BE: /* right half ring (hamza) */
        case 0x02BF: /* left half ring (ayin) */
        case 0x2018:
        case 0x2019:
                return true;
        default:
                return false;
        }
}

/* Cyrillic, ICAO Doc 9303 Part 3 (2015) table; index = code point - 0x400 (upper case). */
static const char *const pf_norm_cyr[0x30] = {
        "E", "E", "D", "G", "IE", "DZ", "I",  "I",  "J",  "LJ",   "NJ", "C", "K", "I", "U",  "DZ",
        "A", "B", "V", "G", "D",  "E",  "ZH", "Z",  "I",  "I",    "K",  "L", "M", "N", "O",  "P",
        "R", "S", "T", "U", "F",  "KH", "TS", "CH", "SH", "SHCH", "IE", "Y", "",  "E", "IU", "IA",
};

/** @returns the ICAO romanisation of a Cyrillic letter, NULL if @p c is not one. */
static const char *pf_norm_cyrillic(UChar32 c, bool ukrainian) {
        if (c >= 0x430 && c <= 0x44F)
                c -= 0x20;
        else if (c >= 0x450 && c <= 0x45F)
                c -= 0x50;
        else if (c == 0x491)
                c = 0x490;
        if (c == 0x490)
                return "G"; /* Ukrainian GHE WITH UPTURN */
        if (c < 0x400 || c > 0x42F)
                return NULL;
        if (ukrainian && c == 0x413)
                return "H"; /* Ukrainian and Belarusian Г */
        if (ukrainian && c == 0x418)
                return "Y"; /* Ukrainian И */
        return pf_norm_cyr[c - 0x400];
}

/** Ukrainian or Belarusian letters (Є І Ї Ґ Ў) anywhere in the name switch Г to H, И to Y. */
static bool pf_norm_is_ukrainian_marker(UChar32 c) {
        return c == 0x404 || c == 0x454 || c == 0x406 || c == 0x456 || c == 0x407 || c == 0x457 ||
               c == 0x490 || c == 0x491 || c == 0x40E || c == 0x45E;
}

/**
 * @brief Maps a Greek letter (monotonic or with tonos/dialytika) to its upper-case base letter.
 * @returns the base (U+0391..U+03A9), or 0 when @p c is not a Greek letter; *diaeresis says
 *          whether it carried a dialytika (which breaks a diphthong).
 */
static UChar32 pf_norm_greek_base(UChar32 c, bool *diaeresis) {
        *diaeresis = false;
        switch (c) {
        case 0x386:
        case 0x3AC:
                return 0x391; /* Ά ά */
        case 0x388:
        case 0x3AD:
                return 0x395; /* Έ έ */
        case 0x389:
        case 0x3AE:
                return 0x397; /* Ή ή */
        case 0x38A:
        case 0x3AF:
                return 0x399; /* Ί ί */
        case 0x38C:
        case 0x3CC:
                return 0x39F; /* Ό ό */
        case 0x38E:
        case 0x3CD:
                return 0x3A5; /* Ύ ύ */
        case 0x38F:
        case 0x3CE:
                return 0x3A9; /* Ώ ώ */
        case 0x390:
        case 0x3AA:
        case 0x3CA:
                *diaeresis = true;
                return 0x399; /* ΐ Ϊ ϊ */
        case 0x3B0:
        case 0x3AB:
        case 0x3CB:
                *diaeresis = true;
                return 0x3A5; /* ΰ Ϋ ϋ */
        case 0x3C2:
                return 0x3A3; /* final sigma */
        default:
                break;
        }
        if (c >= 0x3B1 && c <= 0x3C9)
                c -= 0x20;
        if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
                return c;
        return 0;
}

/** ELOT 743 single letters, index = base - 0x391 (Α..Ω). */
static const char *const pf_norm_elot[0x19] = {
        "A", "V", "G", "D", "E", "Z", "I", "TH", "I", "K",  "L",  "M", "N",
        "X", "O", "P", "R", "",  "S", "T", "Y",  "F", "CH", "PS", "O",
};

/** Greek letters before which αυ/ευ/ηυ read AV/EV/IV: vowels and voiced consonants. */
static bool pf_norm_greek_voiced(UChar32 base) {
        switch (base) {
        case 0x391:
        case 0x395:
        case 0x397:
        case 0x399:
        case 0x39F:
        case 0x3A5:
        case 0x3A9:
        case 0x392:
        case 0x393:
        case 0x394:
        case 0x396:
        case 0x39B:
        case 0x39C:
        case 0x39D:
        case 0x3A1:
                return true;
        default:
                return false;
        }
}

/**
 * @brief Romanises the Greek letter at cps[i] (ELOT 743 as on Greek passports: ΜΠ MP, ΝΤ NT,
 *        ΓΚ GK, ΓΓ NG, ΑΥ/ΕΥ/ΗΥ AV/EV/IV or AF/EF/IF, ΟΥ OU, Η I, Υ Y, Β V, Χ CH).
 * @returns the code points consumed (1 or 2); the letters go to @p out (NUL-terminated).
 */
static size_t pf_norm_greek(const UChar32 *cps, size_t n, size_t i, char out[PF_NORM_PP_MAX + 1]) {
        bool dia, dia2 = false;
        UChar32 b = pf_norm_greek_base(cps[i], &dia), b2 = 0;

        out[0] = '\0';
        if (i + 1 < n)
                b2 = pf_norm_greek_base(cps[i + 1], &dia2);
        if (b2 == 0x3A5 && !dia2 && (b == 0x391 || b == 0x395 || b == 0x397)) {
                UChar32 b3 = 0;
                bool dia3;

                if (i + 2 < n)
                        b3 = pf_norm_greek_base(cps[i + 2], &dia3);
                snprintf(out, PF_NORM_PP_MAX + 1, "%s%s",
                         b == 0x391   ? "A"
                         : b == 0x395 ? "E"
                                      : "I",
                         b3 != 0 && pf_norm_greek_voiced(b3) ? "V" : "F");
                return 2;
        }
        if (b == 0x39F && b2 == 0x3A5 && !dia2) {
                snprintf(out, PF_NORM_PP_MAX + 1, "OU");
                return 2;
        }
        if (b == 0x393 && (b2 == 0x393 || b2 == 0x39E || b2 == 0x3A7)) {
                snprintf(out, PF_NORM_PP_MAX + 1, "N%s", pf_norm_elot[b2 - 0x391]);
                if (b2 == 0x393)
                        snprintf(out, PF_NORM_PP_MAX + 1, "NG");
                return 2;
        }
        snprintf(out, PF_NORM_PP_MAX + 1, "%s", pf_norm_elot[b - 0x391]);
        return 1;
}

static bool pf_norm_arabic_long_vowel(UChar32 c) {
        return c == 0x627 || c == 0x649 || c == 0x64A || c == 0x6CC || c == 0x648;
}

/**
 * @brief Romanises the Arabic-script letter at cps[i] the way Latin spellings on documents
 *        usually go (consonants, long vowels as A/I/U, W/Y as consonants next to a vowel
 *        letter; initial ayin A, ta marbuta and alef maqsura A; short-vowel marks when written).
 * @param word_start cps[i] begins a word.
 * @returns true if @p c is handled (out may be ""), false to leave it to ICU.
 */
static bool pf_norm_arabic(const UChar32 *cps, size_t n, size_t i, bool word_start,
                           char out[PF_NORM_PP_MAX + 1]) {
        UChar32 c = cps[i], next = i + 1 < n ? cps[i + 1] : 0;
        const char *s = NULL;

        switch (c) {
        case 0x621:
                s = "";
                break; /* hamza */
        case 0x622:
        case 0x623:
        case 0x627:
        case 0x671:
        case 0x649:
        case 0x629:
        case 0x670:
                s = "A";
                break; /* alef forms, ta marbuta, alef maqsura */
        case 0x625:
                s = "I";
                break; /* alef with hamza below */
        case 0x624:
                s = "U";
                break;
        case 0x626:
                s = "I";
                break;
        case 0x628:
                s = "B";
                break;
        case 0x62A:
        case 0x637:
                s = "T";
                break;
        case 0x62B:
                s = "TH";
                break;
        case 0x62C:
                s = "J";
                break;
        case 0x62D:
        case 0x647:
        case 0x6BE:
        case 0x6C1:
                s = "H";
                break;
        case 0x62E:
                s = "KH";
                break;
        case 0x62F:
        case 0x636:
        case 0x688:
                s = "D";
                break;
        case 0x630:
                s = "DH";
                break;
        case 0x631:
        case 0x691:
                s = "R";
                break;
        case 0x632:
        case 0x638:
                s = "Z";
                break;
        case 0x633:
        case 0x635:
                s = "S";
                break;
        case 0x634:
                s = "SH";
                break;
        case 0x639:
                s = word_start ? "A" : "";
                break; /* ayin */
        case 0x63A:
                s = "GH";
                break;
        case 0x640:
                s = "";
                break; /* tatweel */
        case 0x641:
                s = "F";
                break;
        case 0x642:
                s = "Q";
                break;
        case 0x643:
        case 0x6A9:
                s = "K";
                break;
        case 0x644:
                s = "L";
                break;
        case 0x645:
                s = "M";
                break;
        case 0x646:
        case 0x6BA:
                s = "N";
                break;
        case 0x648: /* waw: a consonant first or before a vowel letter, else the vowel U */
                s = word_start || pf_norm_arabic_long_vowel(next) ? "W" : "U";
                break;
        case 0x64A:
        case 0x6CC: /* yeh */
                s = word_start || pf_norm_arabic_long_vowel(next) ? "Y" : "I";
                break;
        case 0x64E:
                s = "A";
                break; /* fatha */
        case 0x64F:
                s = "U";
                break; /* damma */
        case 0x650:
                s = "I";
                break; /* kasra */
        case 0x64B:
        case 0x64C:
        case 0x64D:
        case 0x651:
        case 0x652:
                s = "";
                break;
        case 0x67E:
                s = "P";
                break;
        case 0x686:
                s = "CH";
                break;
        case 0x698:
                s = "ZH";
                break;
        case 0x6AF:
                s = "G";
                break;
        case 0x679:
                s = "T";
                break;
        case 0x6C0:
        case 0x6D2:
        case 0x6D3:
                s = "E";
                break;
        default:
                break;
        }
        if (s == NULL)
                return false;
        snprintf(out, PF_NORM_PP_MAX + 1, "%s", s);
        return true;
}

bool pf_norm_has_arabic(const char *in, size_t in_len) {
        /* in valid UTF-8, U+0600-U+06FF are the only sequences led by 0xD8-0xDB */
        for (size_t i = 0; i < in_len; i++) {
                unsigned char c = (unsigned char)in[i];

                if (c >= 0xD8 && c <= 0xDB)
                        return true;
        }
        return false;
}

/** @returns true for the code points pf_norm_arabic() handles. */
static bool pf_norm_is_arabic(UChar32 c) {
        return c >= 0x600 && c <= 0x6FF;
}

/** Appends ASCII letters to a UTF-16 buffer; false when it is full. */
static bool pf_norm_put_ascii(UChar *buf, int32_t cap, int32_t *n, const char *s) {
        for (; *s != '\0'; s++) {
                if (*n >= cap)
                        return false;
                buf[(*n)++] = (UChar)(unsigned char)*s;
        }
        return true;
}

/** Emission for the passport form: as pf_norm_emit_utf16(), apostrophes join. */
static void pf_norm_emit_passport(const UChar *buf, int32_t len, pf_norm_sink_t *sink) {
        int32_t i = 0;

        while (i < len) {
                UChar32 c;
                char upper;

                U16_NEXT(buf, i, len, c);
                upper = pf_norm_ascii_upper(c);
                if (upper != 0)
                        pf_norm_sink_letter(sink, upper);
                else if (pf_norm_is_apostrophe(c))
                        continue;
                else if (c >= 0x80 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0)
                        continue;
                else
                        pf_norm_sink_separator(sink);
        }
}

/**
 * @brief Rewrites the code points into a UTF-16 buffer: Cyrillic, Greek and Arabic-script
 *        letters become ASCII by the tables above, the rest is copied for ICU.
 * @param needs_icu set when something non-ASCII is left.
 */
static pf_err_t pf_norm_passport_tables(const UChar32 *cps, size_t n, UChar *buf, int32_t cap,
                                        int32_t *buf_len, bool *needs_icu) {
        bool ukrainian = false, word_start = true;
        int32_t len = 0;

        *needs_icu = false;
        for (size_t i = 0; i < n; i++)
                ukrainian = ukrainian || pf_norm_is_ukrainian_marker(cps[i]);
        for (size_t i = 0; i < n;) {
                UChar32 c = cps[i];
                char tmp[PF_NORM_PP_MAX + 1];
                const char *s = NULL;
                size_t step = 1;
                bool dia;

                if ((s = pf_norm_cyrillic(c, ukrainian)) != NULL) {
                        /* s set */
                } else if (pf_norm_greek_base(c, &dia) != 0) {
                        step = pf_norm_greek(cps, n, i, tmp);
                        s = tmp;
                } else if (pf_norm_is_arabic(c) && word_start && c == 0x627 && i + 3 < n &&
                           cps[i + 1] == 0x644 && cps[i + 2] != 0x644 &&
                           pf_norm_is_arabic(cps[i + 2]) && pf_norm_is_arabic(cps[i + 3])) {
                        /* the article: AL, then the noun as a word of its own */
                        if (!pf_norm_put_ascii(buf, cap, &len, "AL "))
                                return PF_ERR_TOO_LARGE;
                        i += 2;
                        word_start = true;
                        continue;
                } else if (pf_norm_is_arabic(c) && pf_norm_arabic(cps, n, i, word_start, tmp)) {
                        s = tmp;
                }
                if (s != NULL) {
                        if (!pf_norm_put_ascii(buf, cap, &len, s))
                                return PF_ERR_TOO_LARGE;
                        word_start = false;
                } else {
                        if (len > cap - U16_MAX_LENGTH)
                                return PF_ERR_TOO_LARGE;
                        if (c < 0x20 || c == 0x7F)
                                c = ' ';
                        U16_APPEND_UNSAFE(buf, len, c);
                        if (c >= 0x80)
                                *needs_icu = true;
                        word_start = !(pf_norm_ascii_upper(c) != 0 || pf_norm_is_apostrophe(c) ||
                                       (c >= 0x80 &&
                                        (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0));
                }
                i += step;
        }
        *buf_len = len;
        return PF_OK;
}

pf_err_t pf_norm_name_passport(pf_norm_t *norm, const char *in, size_t in_len, char *out,
                               size_t out_size, size_t *out_len) {
        UChar32 cps[PF_NORM_NAME_IN_MAX];
        UChar buf[PF_NORM_UCHAR_CAP];
        const uint8_t *s = (const uint8_t *)in;
        pf_norm_sink_t sink;
        int32_t i = 0, len = 0;
        size_t n = 0;
        bool needs_icu = false;
        pf_err_t err;

        if (out != NULL && out_size > 0)
                out[0] = '\0';
        if (out_len != NULL)
                *out_len = 0;
        if (norm == NULL || out == NULL || out_len == NULL || (in == NULL && in_len > 0))
                return PF_ERR_INTERNAL;
        if (in_len > PF_NORM_NAME_IN_MAX)
                return PF_ERR_TOO_LARGE;
        pf_norm_sink_init(&sink, out, out_size);
        if (pf_norm_is_ascii(in, in_len)) {
                for (size_t k = 0; k < in_len; k++) {
                        char upper = pf_norm_ascii_upper((unsigned char)in[k]);

                        if (upper != 0)
                                pf_norm_sink_letter(&sink, upper);
                        else if (!pf_norm_is_apostrophe((unsigned char)in[k]))
                                pf_norm_sink_separator(&sink);
                }
                return pf_norm_sink_finish(&sink, out_len);
        }
        while (i < (int32_t)in_len) {
                UChar32 c;

                U8_NEXT(s, i, (int32_t)in_len, c);
                if (c < 0)
                        return pf_norm_sink_fail(&sink, out_len, PF_ERR_BAD_UTF8);
                cps[n++] = c; /* n <= in_len <= PF_NORM_NAME_IN_MAX */
        }
        err = pf_norm_passport_tables(cps, n, buf, PF_NORM_UCHAR_CAP, &len, &needs_icu);
        if (err == PF_OK && needs_icu) {
                UErrorCode status = U_ZERO_ERROR;
                int32_t limit = len;

                utrans_transUChars(norm->trans, buf, &len, PF_NORM_UCHAR_CAP, 0, &limit, &status);
                if (status == U_BUFFER_OVERFLOW_ERROR || len > PF_NORM_UCHAR_CAP)
                        err = PF_ERR_TOO_LARGE;
                else if (U_FAILURE(status))
                        err = PF_ERR_INTERNAL;
        }
        if (err != PF_OK)
                return pf_norm_sink_fail(&sink, out_len, err);
        pf_norm_emit_passport(buf, len, &sink);
        return pf_norm_sink_finish(&sink, out_len);
}
