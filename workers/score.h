/**
 * @file score.h
 * @brief Combining rule hits into a score 0-100 and a band.
 *
 * Formula: score = round(100 * (1 - prod_i (1 - w_i / 100))), over the hits' weights w_i in 0..100.
 * Independent evidence accumulates (two 50s give 75) and the score never exceeds 100; one hit of
 * weight w alone scores w. A weight of 100 always gives 100.
 */
#ifndef PF_SCORE_H
#define PF_SCORE_H

#include <stddef.h>

#include "config.h"
#include "result.h"

typedef struct pf_bands_s {
        int32_t min_score[PF_BAND__COUNT]; /**< lowest score of each band; [NONE] is 0 */
} pf_bands_t;

/** @brief Default thresholds: LOW >= 1, MEDIUM >= 30, HIGH >= 60, CRITICAL >= 85. */
void pf_bands_defaults(pf_bands_t *bands);

/**
 * @brief Thresholds from the band.*.min settings.
 * @returns 0, or -1 with errstr when they do not rise strictly from LOW to CRITICAL.
 */
int pf_bands_from_conf(const pf_conf_t *conf, pf_bands_t *bands, char *errstr, size_t errstr_size);

/** @brief Sets res->score and res->band from res->hits. */
void pf_score_apply(const pf_bands_t *bands, pf_result_t *res);

#endif /* PF_SCORE_H */
