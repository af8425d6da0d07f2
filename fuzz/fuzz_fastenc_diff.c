/**
 * @file fuzz_fastenc_diff.c
 * @brief Differential libFuzzer target: the hand-written ScoredResult encoder (fastenc.c) against
 *        avro-c's generic writer. The input bytes become a pf_result_t (strings NUL-terminated,
 *        counts and enums brought into range); both encoders must write the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static pf_schemas_t *schemas;
static pf_codec_t *fast, *slow;

static void fuzz_cleanup(void) {
        pf_codec_destroy(fast);
        pf_codec_destroy(slow);
        pf_schemas_destroy(schemas);
}

#define TERM(s) ((s)[sizeof(s) - 1] = '\0')

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static pf_result_t r;
        static uint8_t a[1 << 17];
        if (!schemas) {
                char errstr[256];
                schemas = pf_schemas_new(errstr, sizeof(errstr));
                fast = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
                slow = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
                if (!fast || !slow)
                        abort();
                pf_codec_set_fast_encode(slow, 0);
                atexit(fuzz_cleanup);
        }
        memset(&r, 0, sizeof(r));
        memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
        TERM(r.event_id);
        TERM(r.traveller_ref);
        TERM(r.flight.carrier);
        TERM(r.flight.number);
        TERM(r.flight.origin_airport);
        TERM(r.flight.destination_airport);
        TERM(r.ruleset_version);
        r.source = (pf_source_t)((unsigned)r.source % 2);
        r.band = (pf_band_t)((unsigned)r.band % PF_BAND__COUNT);
        r.hit_count %= PF_RESULT_MAX_HITS + 1;
        r.match_count %= PF_RESULT_MAX_MATCHES + 1;
        for (uint32_t i = 0; i < PF_RESULT_MAX_HITS; i++) {
                TERM(r.hits[i].rule_id);
                TERM(r.hits[i].category);
                TERM(r.hits[i].reason);
        }
        for (uint32_t i = 0; i < PF_RESULT_MAX_MATCHES; i++) {
                TERM(r.matches[i].entry_id);
                TERM(r.matches[i].list);
                r.matches[i].kind = (pf_match_kind_t)((unsigned)r.matches[i].kind % 3);
        }
        const uint8_t *out;
        size_t la, lb;
        if (pf_codec_encode_result(fast, &r, &out, &la) != PF_OK || la > sizeof(a))
                abort();
        memcpy(a, out, la);
        if (pf_codec_encode_result(slow, &r, &out, &lb) != PF_OK)
                abort();
        if (la != lb || memcmp(a, out, la) != 0) {
                fprintf(stderr, "fastenc and avro-c wrote different bytes (%zu vs %zu)\n", la, lb);
                abort();
        }
        return 0;
}
