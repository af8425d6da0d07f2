/**
 * @file score.c
 * @brief Noisy-OR combination of hit weights, and bands.
 */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <strings.h>

#include "config.h"

static const char *pf_band_names[PF_BAND__COUNT] = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

const char *pf_band_name(pf_band_t band) {
        return (unsigned)band < PF_BAND__COUNT ? pf_band_names[band] : "?";
}

int pf_band_parse(const char *name, pf_band_t *band) {
        for (int i = 0; i < PF_BAND__COUNT; i++) {
                if (strcasecmp(name, pf_band_names[i]) == 0) {
                        *band = (pf_band_t)i;
                        return 0;
                }
        }
        return -1;
}

void pf_bands_defaults(pf_bands_t *bands) {
        bands->min_score[PF_BAND_NONE] = 0;
        bands->min_score[PF_BAND_LOW] = 1;
        bands->min_score[PF_BAND_MEDIUM] = 30;
        bands->min_score[PF_BAND_HIGH] = 60;
        bands->min_score[PF_BAND_CRITICAL] = 85;
}

int pf_bands_from_conf(const pf_conf_t *conf, pf_bands_t *bands, char *errstr, size_t errstr_size) {
        static const char *const names[PF_BAND__COUNT] = {NULL, "band.low.min", "band.medium.min",
                                                          "band.high.min", "band.critical.min"};
        pf_bands_defaults(bands);
        for (int b = PF_BAND_LOW; b < PF_BAND__COUNT; b++) {
                bands->min_score[b] = (int32_t)pf_conf_int(conf, names[b]);
                if (b > PF_BAND_LOW && bands->min_score[b] <= bands->min_score[b - 1]) {
                        snprintf(errstr, errstr_size,
                                 "%s: %d is not above %s (%d): the band thresholds must rise from "
                                 "LOW to CRITICAL",
                                 names[b], (int)bands->min_score[b], names[b - 1],
                                 (int)bands->min_score[b - 1]);
                        return -1;
                }
        }
        return 0;
}

void pf_score_apply(const pf_bands_t *bands, pf_result_t *res) {
        double keep = 1.0;
        for (uint32_t i = 0; i < res->hit_count; i++) {
                int32_t w = res->hits[i].weight;
                w = w < 0 ? 0 : w > 100 ? 100 : w;
                keep *= 1.0 - w / 100.0;
        }
        res->score = (int32_t)lround(100.0 * (1.0 - keep));
        res->band = PF_BAND_NONE;
        for (int b = PF_BAND__COUNT - 1; b > PF_BAND_NONE; b--) {
                if (res->score >= bands->min_score[b]) {
                        res->band = (pf_band_t)b;
                        break;
                }
        }
}
