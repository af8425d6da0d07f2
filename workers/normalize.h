/**
 * @file normalize.h
 * @brief Canonical ASCII forms of personal names and document numbers.
 *
 * A traveller's name reaches paxflow in many spellings: upper or lower case, with or without
 * diacritics, MRZ filler, hyphens, or in a non-Latin script. pf_norm_name() maps all of them to
 * one canonical form (upper-case A-Z tokens separated by single spaces) so that the keys built
 * from it (key.h) are stable across those spellings.
 *
 * Non-ASCII names are transliterated with ICU's "Any-Latin; Latin-ASCII". Note what that gives:
 * Cyrillic follows ISO 9 (Юлия Щербакова -> "ULIA SERBAKOVA", not the passport "YULIIA
 * SHCHERBAKOVA"), Greek ISO 843 (Χρήστος -> "CHRESTOS"), Arabic and Hebrew are consonantal
 * ("MHMD", "DWD KHN"), and Japanese kanji are read as Chinese pinyin. So a name written in its
 * own script does NOT in general normalise to the Latin spelling printed in the MRZ; it only
 * normalises consistently with itself.
 *
 * Everything here is personal data: the functions never log, and on error they leave `out` empty.
 */
#ifndef PF_NORMALIZE_H
#define PF_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/** Longest name accepted by pf_norm_name(), in bytes of UTF-8 (event names are < 128). */
#define PF_NORM_NAME_IN_MAX 256

/**
 * UTF-16 units of transliterated text kept per input byte. The largest expansion of a single code
 * point in ICU 72 is 6 per byte (U+FDFA, 3 bytes -> 18 letters); this leaves headroom.
 */
#define PF_NORM_NAME_EXPANSION 8

/**
 * An `out` buffer of this size never makes pf_norm_name() fail with PF_ERR_TOO_LARGE because of
 * the output: the result is never longer than the transliterated text.
 */
#define PF_NORM_NAME_OUT_SIZE (PF_NORM_NAME_IN_MAX * PF_NORM_NAME_EXPANSION + 1)

/** Longest document number accepted by pf_norm_docnum(), in bytes. */
#define PF_NORM_DOCNUM_IN_MAX 256

/** Name normaliser: holds an ICU transliterator. */
typedef struct pf_norm_s pf_norm_t;

/**
 * @brief Creates a name normaliser (opens the ICU transliterator; costs a few milliseconds).
 *
 * Not thread-safe: create one per thread. The first non-ASCII name of each script is slower
 * (ICU builds that script's transliterator lazily).
 *
 * @returns a normaliser the caller frees with pf_norm_destroy(), or NULL with a reason in errstr.
 */
pf_norm_t *pf_norm_new(char *errstr, size_t errstr_size);

/** @brief Frees a normaliser; NULL is a no-op. */
void pf_norm_destroy(pf_norm_t *norm);

/**
 * @brief Normalises a personal name to upper-case ASCII tokens separated by one space.
 *
 * - All-ASCII input takes a fast path with no ICU call and no allocation.
 * - Other input is checked as strict UTF-8 (no overlongs, surrogates or code points above
 *   U+10FFFF), then transliterated with ICU "Any-Latin; Latin-ASCII": Latin diacritics fold
 *   (MÜLLER -> MULLER, ÅSE -> ASE, Ł -> L, ß -> SS, Æ -> AE, Þ -> TH), other scripts are
 *   romanised (see the file comment). Our code allocates nothing; ICU's transliteration
 *   allocates internally.
 * - A-Z are kept (a-z upper-cased). Hyphens, apostrophes, dots, commas, MRZ filler '<', digits,
 *   spaces, symbols and every other non-letter separate tokens; runs of separators collapse.
 *   Letters and combining marks that remain non-ASCII after transliteration (the Arabic ʿ and ʾ
 *   ICU emits for ayin and hamza, letters of scripts ICU cannot romanise) are dropped without
 *   splitting the word: "سعيد" -> "SYD", not "S YD".
 *
 * Not thread-safe on the same @p norm.
 *
 * @param norm     normaliser (required, even for ASCII input).
 * @param in       name bytes, need not be NUL-terminated; may be NULL when in_len is 0.
 * @param in_len   bytes in @p in; at most PF_NORM_NAME_IN_MAX.
 * @param out      receives the NUL-terminated result; "" on any error (when out_size > 0).
 * @param out_size size of @p out; PF_NORM_NAME_OUT_SIZE always suffices.
 * @param out_len  receives strlen(out) (0 on error).
 *
 * @returns PF_OK;
 *          PF_ERR_BAD_UTF8      @p in is not valid UTF-8;
 *          PF_ERR_TOO_LARGE     in_len > PF_NORM_NAME_IN_MAX, or the result does not fit @p out;
 *          PF_ERR_MISSING_FIELD nothing letter-like remains;
 *          PF_ERR_INTERNAL      a NULL argument, or an ICU failure.
 */
pf_err_t pf_norm_name(pf_norm_t *norm, const char *in, size_t in_len, char *out, size_t out_size,
                      size_t *out_len);

/**
 * @brief Normalises a personal name the way a passport prints it, for watchlist screening.
 *
 * Same contract, output form and errors as pf_norm_name(), but the romanisation aims at the
 * spelling in the document's MRZ rather than at ISO:
 * - Cyrillic follows ICAO Doc 9303 (Юлия Щербакова -> "IULIIA SHCHERBAKOVA"; Ь dropped;
 *   with a Ukrainian or Belarusian letter in the name, Г is H and И is Y);
 * - Greek follows ELOT 743 as on Greek passports (Χρήστος -> "CHRISTOS", Βασίλειος ->
 *   "VASILEIOS", Ευάγγελος -> "EVANGELOS", Μπακογιάννης -> "MPAKOGIANNIS");
 * - Arabic script keeps consonants and long vowels (محمد -> "MHMD", سعيد -> "SID"); the article
 *   becomes a word of its own ("الحسن" -> "AL HSN"), an initial ayin reads A ("عمر" -> "AMR");
 * - apostrophes and modifier primes join (O'BRIEN -> "OBRIEN", as in the MRZ);
 * - everything else goes through ICU as in pf_norm_name().
 *
 * It is NOT the form traveller keys are built from (key.h uses pf_norm_name()); the watchlist
 * index and the screener use it on both sides, so that a list written in Cyrillic, Greek or
 * Arabic script meets the Latin name of the passport.
 */
pf_err_t pf_norm_name_passport(pf_norm_t *norm, const char *in, size_t in_len, char *out,
                               size_t out_size, size_t *out_len);

/**
 * @brief Whether @p in (valid UTF-8) holds Arabic-script letters (U+0600-U+06FF), which
 *        pf_norm_name_passport() writes as consonants and long vowels only (محمد -> "MHMD"):
 *        the screener then lets a Latin spelling add short vowels (pf_abjad_fits()).
 */
bool pf_norm_has_arabic(const char *in, size_t in_len);

/**
 * @brief Normalises a document number: keeps ASCII letters (upper-cased) and digits only.
 *
 * Spaces, dashes, dots, MRZ filler '<' and all other ASCII punctuation are dropped, as are
 * non-ASCII spaces and punctuation (NBSP, U+2010 hyphen...). A non-ASCII letter or digit makes the
 * whole number invalid rather than being dropped: dropping the Cyrillic "АБ" of "АБ123" would make
 * it collide with "123". Allocates nothing; thread-safe.
 *
 * @param in       bytes, need not be NUL-terminated; may be NULL when in_len is 0.
 * @param in_len   bytes in @p in; at most PF_NORM_DOCNUM_IN_MAX.
 * @param out      receives the NUL-terminated result; "" on any error (when out_size > 0).
 * @param out_size size of @p out; in_len + 1 always suffices.
 * @param out_len  receives strlen(out) (0 on error).
 *
 * @returns PF_OK;
 *          PF_ERR_BAD_UTF8      @p in is not valid UTF-8;
 *          PF_ERR_INVALID_VALUE @p in holds a non-ASCII letter or digit;
 *          PF_ERR_TOO_LARGE     in_len > PF_NORM_DOCNUM_IN_MAX, or the result does not fit @p out;
 *          PF_ERR_MISSING_FIELD no letter or digit remains;
 *          PF_ERR_INTERNAL      a NULL argument.
 */
pf_err_t pf_norm_docnum(const char *in, size_t in_len, char *out, size_t out_size, size_t *out_len);

#endif /* PF_NORMALIZE_H */
