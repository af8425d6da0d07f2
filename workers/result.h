/**
 * @file result.h
 * @brief A ScoredResult and a dead letter as C structs (see schemas/scored_result.v1.avsc and
 *        schemas/dead_letter.v1.avsc). A result carries no personal data by construction.
 */
#ifndef PF_RESULT_H
#define PF_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"

#define PF_RESULT_MAX_HITS    32
#define PF_RESULT_MAX_MATCHES 8
#define PF_REASON_MAX         256

typedef enum {
        PF_BAND_NONE = 0,
        PF_BAND_LOW,
        PF_BAND_MEDIUM,
        PF_BAND_HIGH,
        PF_BAND_CRITICAL,
        PF_BAND__COUNT
} pf_band_t;

typedef enum { PF_MATCH_DOCUMENT = 0, PF_MATCH_NAME_DOB, PF_MATCH_NAME } pf_match_kind_t;

typedef struct pf_hit_s {
        char rule_id[16];
        int32_t rule_version;
        char category[24];
        int32_t weight; /**< 0-100 */
        char reason[PF_REASON_MAX];
} pf_hit_t;

typedef struct pf_match_s {
        char entry_id[64];
        char list[32];
        pf_match_kind_t kind;
        double confidence;
} pf_match_t;

typedef struct pf_result_s {
        char event_id[PF_EVENT_ID_MAX];
        char traveller_ref[33];
        pf_source_t source;
        struct {
                char carrier[4];
                char number[8];
                char origin_airport[4];
                char destination_airport[4];
                int64_t scheduled_departure;
        } flight;
        int32_t score;
        pf_band_t band;
        uint32_t hit_count;
        pf_hit_t hits[PF_RESULT_MAX_HITS];
        uint32_t match_count;
        pf_match_t matches[PF_RESULT_MAX_MATCHES];
        char ruleset_version[32];
        int64_t event_time;
        int64_t processing_time;
} pf_result_t;

/** A message that could not be processed, with its coordinates. Pointers are borrowed. */
typedef struct pf_dead_letter_s {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key;
        size_t key_len;
        const void *value;
        size_t value_len;
        pf_err_t code;
        const char *reason;
        const char *stage;
        int64_t failed_at;
} pf_dead_letter_t;

/** @returns the band's symbol name ("NONE".."CRITICAL"). */
const char *pf_band_name(pf_band_t band);

/** @brief Parses a band name (case-insensitive). @returns 0 on success, -1 if unknown. */
int pf_band_parse(const char *name, pf_band_t *band);

#endif /* PF_RESULT_H */
