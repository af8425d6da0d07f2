/**
 * @file gtas.h
 * @brief A reimplementation of GTAS's default QuickMatch, the baseline paxflow is measured against.
 *
 * Read from GTAS (US-CBP/GTAS, gov.gtas.services.matcher.quickmatch.MatchingContext, accuracy
 * mode "gtasDefault"). For each traveller it scans every watchlist record (no index) and hits
 * when the birth years are both parseable from full "YYYY-MM-DD" dates and at most 3 apart, and
 *   (a) the "metaphones" strings are equal and Jaro-Winkler(full_name) >= 0.95 (DerogHit 0.9), or
 *   (b) Jaro-Winkler(full_name) >= 0.95 and the dates are equal (DerogHit 0.8).
 * full_name is "first middle last" upper-cased; metaphones is the Double Metaphone *primary*
 * code (commons-codec, maximum length 4) of each space-separated token, tokens of one name part
 * joined by a space, parts concatenated. GTAS compares only the primary code (commons-codec's
 * doubleMetaphone(String) returns the primary), so this does too.
 *
 * Differences, all in GTAS's favour: names go through pf_norm_name_passport() first, as
 * paxflow's do (GTAS only upper-cases and strips by a regex, so a name in Cyrillic or Arabic
 * script never meets its Latin form); given_names stands for first + middle; an entry's aliases are
 * separate records; the document check (GTAS's exact clause on document number) is the same as
 * paxflow's.
 */
#ifndef PF_GTAS_H
#define PF_GTAS_H

#include <stddef.h>

#include "err.h"
#include "result.h"
#include "screen.h"
#include "watchlist.h"

typedef struct pf_gtas_s pf_gtas_t;

/**
 * @brief Builds the GTAS matcher's view of @p wl (borrowed; it must outlive the matcher and not
 *        change: the view is a snapshot of the names).
 * @returns a matcher the caller frees with pf_gtas_destroy(), or NULL with errstr filled.
 */
pf_gtas_t *pf_gtas_new(const pf_watchlist_t *wl, char *errstr, size_t errstr_size);

/** @brief Frees the matcher; NULL is a no-op. */
void pf_gtas_destroy(pf_gtas_t *gtas);

/**
 * @brief Matches one traveller as GTAS would; DOCUMENT matches come from the document index.
 *        Same contract as pf_screen_subject().
 */
pf_err_t pf_gtas_subject(pf_gtas_t *gtas, const pf_screen_subject_t *subj, pf_match_t *matches,
                         size_t max, size_t *count);

/**
 * @brief Double Metaphone primary code of an upper-case A-Z word, at most 4 letters.
 * @returns the code length.
 */
size_t pf_double_metaphone(const char *word, size_t len, char out[5]);

#endif /* PF_GTAS_H */
