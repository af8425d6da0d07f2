/**
 * @file screen.h
 * @brief Screening one traveller against the watchlist: exact documents, fuzzy names + DOB.
 *
 * Documents: the number is normalised with pf_norm_docnum() (case, spaces, dashes, MRZ filler
 * '<' dropped), the issuing country mapped to ISO alpha-3 (pf_country_alpha3()); a hit in the
 * document hash index is a DOCUMENT match with confidence 1.0 (the document itself is listed,
 * whoever carries it).
 *
 * Names: both sides are normalised with pf_norm_name() (ICU "Any-Latin; Latin-ASCII") and cut
 * into tokens; particles (AL, EL, BIN, IBN, BEN, VAN, DER, DE, DI, DA, VON, LA, LE...) are kept
 * for concatenations but neither block nor need a partner. Each token gets a *skeleton*: a
 * consonant key that folds the spellings transliteration produces (KH/H and lone H dropped,
 * SH/SCH/SHCH/CH/ZH/TS/Z/X/C/Q/J-initial -> S, CK/G/K -> K, B/P -> P, D/T -> T, F/V/W/PH -> F,
 * vowels, Y, J and W between letters dropped, doubles collapsed), so that ISO 9 "SERBAKOVA" meets
 * the passport's "SHCHERBAKOVA", Arabic "MHMD" meets "MOHAMMED", "ZHANG" meets "CHANG".
 *
 * Candidates come from the name index (no scan): every name is posted under the skeleton of
 * each token, of each pair of tokens, and of each join of 2-3 adjacent tokens (spacing:
 * ABDUL RAHMAN / ABDULRAHMAN / ABD AL RAHMAN). A query reads the pair postings and the single
 * postings shorter than PF_SCREEN_SINGLE_POSTINGS_MAX, at most PF_SCREEN_CANDIDATES_MAX
 * candidates. Candidates whose full date of birth is more than a year from the traveller's are
 * dropped before their name is read.
 *
 * A candidate name is scored by aligning tokens regardless of order (reordering, given/surname
 * swaps): token similarity is 1 for equal tokens, Jaro-Winkler otherwise, raised to 0.80 +
 * 0.15 * JW when skeletons agree, to 0.90 for one edit in a token of 4+ letters, to 0.85 for an
 * initial against its name; unmatched given-name tokens (missing middle names) cost a little,
 * an unmatched surname a lot. The concatenations of both names are compared too. The name score
 * ns in [0, 1] is combined with the DOB and nationality evidence:
 *
 *     confidence = 1 / (1 + exp(-(30 * (ns - 0.90) + dob + nat)))
 *
 *   dob: full dates equal +2.5; day and month swapped +1.5; same year and month, other day
 *        -0.5; same month and day, year +-1: +0.5; year-only or year-month on one side and the
 *        year (and month if both have it) agree +1.5; year +-1 on a partial date -0.5; any
 *        other difference -4; either side unknown -0.5.
 *   nat: both nationalities known: equal +0.3, different -0.7; otherwise 0.
 *
 * Meaning of the confidence: an estimate of the probability that traveller and entry are the
 * same person, calibrated on tests/data/screen_eval (see scripts/screen_eval.sh). At the
 * default threshold PF_SCREEN_THRESHOLD_DEFAULT (0.85) a match means "likely the same person:
 * an analyst should look"; an identical name and full date of birth give about 0.99; an
 * identical name with no date anywhere about 0.92 (kind NAME); a transliteration variant with
 * the same full DOB about 0.97. DOCUMENT matches are 1.0.
 *
 * Kinds: DOCUMENT (document number + country), NAME_DOB (name, with both dates of birth known),
 * NAME (name, a date of birth unknown on either side).
 *
 * Per-traveller path: no malloc (everything lives in the screener's scratch), except ICU's own
 * allocations when a name is not ASCII. A screener is single-threaded: one per thread.
 */
#ifndef PF_SCREEN_H
#define PF_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "result.h"
#include "watchlist.h"

#define PF_SCREEN_THRESHOLD_DEFAULT   0.85
#define PF_SCREEN_SINGLE_POSTINGS_MAX 4096  /**< longer single-token postings are not read */
#define PF_SCREEN_CANDIDATES_MAX      16384 /**< candidate names scored per traveller, at most */

/* --- Prepared names: shared by the watchlist index and the screener ------------------------ */

#define PF_SNAME_TOKENS_MAX 16  /**< tokens kept per name (more are ignored) */
#define PF_SNAME_BUF        640 /**< bytes for tokens and skeletons */
#define PF_SNAME_KEYS_MAX   64  /**< blocking keys per name */

#define PF_STOK_PARTICLE 0x01 /**< AL, BIN, VAN...: no blocking key, no partner needed */
#define PF_STOK_SURNAME  0x02 /**< came from the surname field */
#define PF_STOK_INITIAL  0x04 /**< a single letter */

/** A token of a prepared name: pointers into the name's buffer or a serialized blob. */
typedef struct pf_stok_s {
        const char *text;
        const char *skel;
        uint8_t len;
        uint8_t skel_len;
        uint8_t flags;
} pf_stok_t;

/** A normalised, tokenised name with skeletons. */
typedef struct pf_sname_s {
        unsigned count;
        pf_stok_t tok[PF_SNAME_TOKENS_MAX];
        char buf[PF_SNAME_BUF];
} pf_sname_t;

/**
 * @brief Writes the skeleton of an upper-case A-Z token (see the file comment).
 * @returns the skeleton length (0 when the token has no consonant), at most @p cap - 1.
 */
size_t pf_screen_skeleton(const char *tok, size_t len, char *out, size_t cap);

/**
 * @brief Builds a prepared name from already-normalised given names and surname (A-Z tokens
 *        separated by single spaces, as pf_norm_name() gives; either may be "").
 * @returns PF_OK, or PF_ERR_MISSING_FIELD when no token remains.
 */
pf_err_t pf_sname_prepare(pf_sname_t *sn, const char *given, const char *surname);

/** @brief Blocking keys of a prepared name (64-bit hashes). @returns the number written. */
size_t pf_sname_keys(const pf_sname_t *sn, uint64_t *keys, size_t max);

/** @brief Serializes @p sn. @returns bytes written, 0 if @p cap is too small. */
size_t pf_sname_serialize(const pf_sname_t *sn, uint8_t *out, size_t cap);

/**
 * @brief Reads a serialized name; the tokens point into @p in (no copy).
 * @returns the byte after the name.
 */
const uint8_t *pf_sname_view(pf_sname_t *sn, const uint8_t *in);

/** @brief Jaro-Winkler similarity (prefix scale 0.1, up to 4, boost above 0.7). */
double pf_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/* --- The screener -------------------------------------------------------------------------- */

/** A traveller to screen. Strings are borrowed UTF-8; NULL or "" means unknown. */
typedef struct pf_screen_subject_s {
        const char *given_names;
        const char *surname;
        const char *date_of_birth; /**< "YYYY-MM-DD", "YYYY-MM", "YYYY" */
        const char *nationality;   /**< alpha-2 or alpha-3 */
        const char *doc_number;
        const char *doc_country; /**< issuing country, alpha-2 or alpha-3 */
} pf_screen_subject_t;

typedef struct pf_screener_s pf_screener_t;

/**
 * @brief Creates a screener over @p wl (borrowed: it must outlive the screener) with its own
 *        name normaliser and scratch buffers.
 * @param threshold matches below it are not reported; in [0, 1].
 * @returns a screener the caller frees with pf_screener_destroy(), or NULL with errstr filled.
 */
pf_screener_t *pf_screener_new(const pf_watchlist_t *wl, double threshold, char *errstr,
                               size_t errstr_size);

/** @brief Frees a screener; NULL is a no-op. */
void pf_screener_destroy(pf_screener_t *scr);

/**
 * @brief Screens one traveller.
 *
 * Fills @p matches with at most @p max matches (one per entry, its best kind), sorted by
 * confidence, highest first (ties by entry_id). An unusable name (no letters, bad UTF-8) or
 * document skips that part of the screening and sets the corresponding flag in @p bad_fields
 * (bit 0: name, bit 1: date_of_birth, bit 2: document, bit 3: nationality), if not NULL.
 *
 * @returns PF_OK (even with bad fields); PF_ERR_INTERNAL on a NULL argument.
 */
pf_err_t pf_screen_subject(pf_screener_t *scr, const pf_screen_subject_t *subj, pf_match_t *matches,
                           size_t max, size_t *count, unsigned *bad_fields);

/**
 * @brief Screens the traveller and document of an event into res->matches / res->match_count
 *        (up to PF_RESULT_MAX_MATCHES).
 * @returns as pf_screen_subject().
 */
pf_err_t pf_screen_event(pf_screener_t *scr, const pf_event_t *ev, pf_result_t *res);

/** @returns "DOCUMENT", "NAME_DOB" or "NAME". */
const char *pf_match_kind_name(pf_match_kind_t kind);

#endif /* PF_SCREEN_H */
