/**
 * @file screen.h
 * @brief Screening one traveller against the watchlist: exact documents, fuzzy names + DOB.
 *
 * Documents: the number is normalised with pf_norm_docnum() (case, spaces, dashes, MRZ filler
 * '<' dropped), the issuing country mapped to ISO alpha-3 (pf_country_alpha3()); a hit in the
 * document hash index is a DOCUMENT match with confidence 1.0 (the document itself is listed,
 * whoever carries it).
 *
 * Names: both sides are romanised as a passport prints them (pf_norm_name_passport(): ICAO
 * 9303 for Cyrillic, ELOT 743 for Greek, consonants and long vowels for Arabic script, ICU for
 * the rest) and cut into tokens; particles (AL, EL, BIN, IBN, BEN, VAN, DER, DE, DI, DA, VON,
 * LA...) are kept in joins but neither block nor need a partner. Each token gets a *skeleton*:
 * a consonant key that folds the spellings transliteration produces (KH and lone H dropped;
 * SH/SCH/SHCH/CH/ZH/TS/TZ/CZ/DZ/DJ/Z, C before E/I/Y, J, X at the start or before I/U, QI -> S;
 * G/K/CK/GH/Q/QU -> K; B/P -> P; D/T/TH/DH -> T; F/V/PH and W at the start -> F; word-initial
 * MP/NT/GK (Greek passports) -> P/T/K, GK inside a word -> NK; pinyin C- in a short syllable
 * (CAI, CAO) -> S; vowels, Y and W elsewhere dropped; doubles collapsed), so that ISO 9
 * "SERBAKOVA" meets "SHCHERBAKOVA", Arabic "MHMD" meets "MOHAMMED", pinyin "ZHANG" and "CAI"
 * meet Wade-Giles "CHANG" and "TS'AI". Each field also gets the *joins* of 2-3 adjacent tokens
 * (spacing: ABDUL RAHMAN / ABDULRAHMAN / ABD AL RAHMAN, HSIAO-MING / XIAOMING).
 *
 * Candidates come from the name index (no scan), by blocking keys made for the three ways a
 * candidate can reach the threshold (screen.c has the details):
 *  - a near-identical name, whatever the dates: the set of token skeletons, for every
 *    combination of the given names' variants (all, one given name left out, joined) with the
 *    surname's (as tokens, joined): AICHA / ALHASSAN meets AICHA MOHAMED / AL HASSAN;
 *  - a good name and agreeing dates: pairs of units, posted by entries with a date of birth;
 *  - a weaker name (a typo, an initial, one name alone) and the same full date, or the same
 *    year when the list has only a year: keys tagged with that date.
 * Every posting carries the entry's date packed, so that candidates born years apart are
 * dropped without their entry being read. Long postings of the weak kinds are skipped
 * (PF_SCREEN_*_POSTINGS_MAX); at most PF_SCREEN_CANDIDATES_MAX names are scored.
 *
 * A candidate name is scored by aligning its units (tokens and joins) with the traveller's,
 * regardless of order (reordering, given/surname swaps), best pair first. Unit similarity: 1
 * for equal text; Jaro-Winkler otherwise, raised to 0.80 + 0.15 * JW when the skeletons are
 * equal (a spelling variant), to 0.72 + 0.15 * JW when they differ by one consonant (deleted,
 * or swapped for a close one: K/S, S/T, P/F), to 0.90 for one edit in tokens of 4+ letters;
 * 0.85 for an initial against a name with that letter. A name listed in Arabic script is
 * romanised without short vowels (HSN): against a Latin spelling whose vowels fit it (HASAN,
 * HASSAN; pf_abjad_fits() in screen.c) a token with equal skeletons scores 0.97
 * (PF_SCREEN_ABJAD_SAME), one consonant apart 0.88; a spelling with a long vowel the script
 * does not write (HUSSEIN against HSN) is another name: Jaro-Winkler alone, and "alike, not
 * the same" for the date cap below. Pairs below 0.80 are not aligned. The
 * name score ns is the average similarity of the aligned pairs weighted by length, minus
 * penalties for tokens left without a partner (a given name 0.02-0.03, a surname 0.10-0.12,
 * 0.08 more when both names keep one: a conflict, not a missing middle name) and 0.08 when one
 * token alone carries the match. It is combined with the dates and nationalities:
 *
 *     confidence = 1 / (1 + exp(-(35 * (ns - 0.90) + dob + nat)))
 *
 *   dob (PF_DOB_*): full dates equal +5; day and month swapped +2.5; same day and month, year
 *        +-1: +1; same year and month, other day -0.75; a year or year-month on one side that
 *        agrees +2; the same year with different months -1.5; a partial date a year off -1;
 *        either side unknown 0; any other difference: no match. When two given names only look
 *        alike (their skeletons differ: VLADISLAV/VLADIMIR, KHALIL/KHALID, however close their
 *        letters), or no unit of the
 *        two names agrees beyond spelling, the date adds at most +1.5 (PF_DOB_SIBLING_CAP):
 *        twins and siblings share surname and birthday.
 *        The masculine and feminine forms of a name (DANIEL/DANIELA, EVGENII/EVGENIIA,
 *        SOROKIN/SOROKINA, OLEG/OLGA, MARIO/MARIA), which the skeleton cannot tell apart, are
 *        different names: they are not aligned (pf_gendered_pair() in screen.c).
 *   nat: both nationalities known: equal +0.3, different -2.5; otherwise 0.
 *
 * The weights were chosen on two evaluation sets made with other seeds of
 * scripts/make_screen_eval.py (7 and 8) and checked on the committed one and on seeds 9-12,
 * within what they mean as log likelihood ratios (a shared full date of birth is rare among
 * people with similar names; a nationality differs for few people who are the same) and the
 * order the unit tests pin (tests/workers/test_screen.c).
 *
 * Meaning of the confidence:
 *  - NAME_DOB (both dates known): an estimate of the probability that traveller and entry are
 *    the same person. On tests/data/screen_eval (scripts/screen_eval.sh prints the table),
 *    matches at or above the default threshold PF_SCREEN_THRESHOLD_DEFAULT (0.85) were right
 *    99.9 % of the time (1,335 of 1,337), and at least 96 % in every band above it. An
 *    identical name and full date of birth give 0.99+.
 *  - NAME (a date unknown on either side): the strength of the name evidence alone, the
 *    missing date counting as neutral; an identical name scores about 0.97. It is NOT a
 *    probability of identity: without a date a namesake cannot be told apart from the listed
 *    person. On the evaluation set 111 of 116 NAME matches at the default threshold were the
 *    listed person, besides 27 of its 30 namesakes of undated entries (unscored: no data
 *    tells them apart). An analyst must check the date.
 *  - DOCUMENT: 1.0.
 * At the default threshold a match means "an analyst should look".
 *
 * Kinds: DOCUMENT (document number + country), NAME_DOB (name, with both dates of birth known),
 * NAME (name, a date of birth unknown on either side).
 *
 * Per-traveller path: no malloc (everything lives in the screener's scratch), except ICU's own
 * allocations when a name is not in Latin, Cyrillic, Greek or Arabic script. A screener is
 * single-threaded: one per thread.
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
#define PF_SCREEN_PAIR_POSTINGS_MAX   2048 /**< longer whole-name/pair postings are not read */
#define PF_SCREEN_EDIT_POSTINGS_MAX   256  /**< longer typo/initial postings are not read */
#define PF_SCREEN_SINGLE_POSTINGS_MAX 64   /**< longer one-unit (same date) postings: not read */
#define PF_SCREEN_CANDIDATES_MAX      2048 /**< candidate names scored per traveller, at most */

/* The confidence model (see the file comment): log-odds = SLOPE * (ns - PIVOT) + dob + nat. */
#define PF_SCREEN_SLOPE         35.0
#define PF_SCREEN_PIVOT         0.90
#define PF_SCREEN_NAT_SAME      0.3     /**< both nationalities known and equal */
#define PF_SCREEN_NAT_OTHER     (-2.5)  /**< both known and different */
#define PF_DOB_EXACT            5.0     /**< full dates equal */
#define PF_DOB_SWAPPED          2.5     /**< full dates, day and month swapped */
#define PF_DOB_SAME_MONTH       (-0.75) /**< full dates, same year and month, other day */
#define PF_DOB_YEAR_OFF         1.0     /**< full dates, same day and month, year +-1 */
#define PF_DOB_PARTIAL          2.0     /**< a year or year-month date agrees */
#define PF_DOB_PARTIAL_MONTH    (-1.5)  /**< same year, months known and different */
#define PF_DOB_PARTIAL_YEAR_OFF (-1.0)  /**< a partial date a year off */
#define PF_DOB_UNKNOWN          0.0     /**< a date unknown on either side */
#define PF_DOB_MISMATCH         (-8.0)  /**< any other difference: not reported */
#define PF_DOB_SIBLING_CAP      1.5     /**< most a date adds when given names only look alike */

/* --- Prepared names: shared by the watchlist index and the screener ------------------------ */

#define PF_SNAME_TOKENS_MAX 16 /**< tokens kept per name (more are ignored) */
#define PF_SNAME_JOINS_MAX  24 /**< joins of adjacent tokens kept per name */
#define PF_SNAME_UNITS_MAX  (PF_SNAME_TOKENS_MAX + PF_SNAME_JOINS_MAX)
#define PF_SNAME_BUF        1024 /**< bytes for tokens, joins and skeletons */
#define PF_SNAME_KEYS_MAX   160  /**< blocking keys per name */
#define PF_SNAME_JOIN_LEN   48   /**< longest join (letters) */

#define PF_STOK_PARTICLE 0x01 /**< AL, BIN, VAN...: no blocking key, no partner needed */
#define PF_STOK_SURNAME  0x02 /**< came from the surname field */
#define PF_STOK_INITIAL  0x04 /**< a single letter */
#define PF_STOK_JOIN     0x08 /**< a join of adjacent tokens of one field (first..last) */
#define PF_STOK_ABJAD    0x10 /**< from Arabic script: consonants and long vowels only */

/**
 * A unit of a prepared name: a token, or a join of 2-3 adjacent tokens of one field (spacing:
 * ABDUL RAHMAN / ABDULRAHMAN). Pointers into the name's buffer or a serialized blob; text and
 * skeleton are NUL-terminated only in a pf_sname_t built by pf_sname_prepare().
 */
typedef struct pf_stok_s {
        const char *text;
        const char *skel;
        uint8_t len;
        uint8_t skel_len;
        uint8_t flags;
        uint8_t first; /**< first token covered (the token itself for a token) */
        uint8_t last;  /**< last token covered */
        uint64_t sig;  /**< letter counts (pf_screen.c): a cheap bound on Jaro-Winkler */
} pf_stok_t;

/**
 * A normalised, tokenised name with skeletons: tok[0..count) are the tokens in order (given
 * names, then surname), tok[count..count+joins) the joins.
 */
typedef struct pf_sname_s {
        unsigned count;
        unsigned joins;
        pf_stok_t tok[PF_SNAME_UNITS_MAX];
        char buf[PF_SNAME_BUF];
} pf_sname_t;

/**
 * @brief Writes the skeleton of an upper-case A-Z token (see the file comment).
 * @returns the skeleton length (0 when the token has no consonant), at most @p cap - 1.
 */
size_t pf_screen_skeleton(const char *tok, size_t len, char *out, size_t cap);

/**
 * @brief Builds a prepared name from already-normalised given names and surname (A-Z tokens
 *        separated by single spaces, as pf_norm_name_passport() gives; either may be "").
 * @returns PF_OK, or PF_ERR_MISSING_FIELD when no token remains.
 */
pf_err_t pf_sname_prepare(pf_sname_t *sn, const char *given, const char *surname);

/**
 * @brief pf_sname_prepare(), marking the tokens of a field written in Arabic script
 *        (pf_norm_has_arabic() of the field before normalisation) with PF_STOK_ABJAD.
 */
pf_err_t pf_sname_prepare_abjad(pf_sname_t *sn, const char *given, const char *surname,
                                bool given_abjad, bool surname_abjad);

/**
 * @brief Blocking keys of a prepared name, as the index posts it (64-bit hashes). @p dob is the
 *        entry's date of birth as pf_wl_dob_pack() packs it (0 unknown): pair keys and the
 *        date-tagged kinds (typos, one unit, initials) are posted only with a date.
 * @returns the number written.
 */
size_t pf_sname_keys(const pf_sname_t *sn, uint32_t dob, uint64_t *keys, size_t max);

/** @brief Serializes @p sn. @returns bytes written, 0 if @p cap is too small. */
size_t pf_sname_serialize(const pf_sname_t *sn, uint8_t *out, size_t cap);

/**
 * @brief Reads a serialized name; the units point into @p in (no copy).
 * @returns the byte after the name.
 */
const uint8_t *pf_sname_view(pf_sname_t *sn, const uint8_t *in);

/** @brief Jaro-Winkler similarity (prefix scale 0.1, up to 4, boost above 0.7). */
double pf_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

/**
 * @brief The name score ns in [0, 1] of a traveller's name @p t against a listed name @p w
 *        (see the file comment), before dates of birth and nationality are considered.
 */
double pf_screen_name_score(const pf_sname_t *t, const pf_sname_t *w);

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

/** Counters of a screener since it was created (for benchmarks and metrics). */
typedef struct pf_screen_stats_s {
        uint64_t subjects;      /**< pf_screen_subject() calls */
        uint64_t keys;          /**< blocking keys looked up */
        uint64_t skipped;       /**< posting lists skipped as too long */
        uint64_t postings;      /**< posting entries read */
        uint64_t candidates;    /**< distinct candidate names */
        uint64_t scored;        /**< candidate names whose name was scored */
        uint64_t by_kind[6][2]; /**< per key kind (full, pair, mono, initial, typo, single):
                                     postings read, new candidates */
} pf_screen_stats_t;

/** @brief Copies the screener's counters. */
void pf_screener_stats(const pf_screener_t *scr, pf_screen_stats_t *stats);

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
