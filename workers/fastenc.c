/**
 * @file fastenc.c
 * @brief The hand-written ScoredResult encoder (see fastenc.h).
 *
 * Avro binary as avro-c 1.11's writer produces it: ints and longs as zig-zag varints, enums as
 * their index, strings as a length and the bytes up to the NUL, doubles as 8 little-endian bytes,
 * a non-empty array as one block (count, items) then a zero count, an empty one as the zero count.
 */
#include "fastenc.h"

#include <string.h>

#include "codec.h"

/* Generated like fastdec.c's forms (Apache Avro Python 1.12.2, logical types' primitives made
 * bare); CRC-64-AVRO 0x5d89b44d102a7fb7. test_fastenc.c checks the shipped schema still has it. */
const char pf_fastenc_canonical_result[] =
        "{\"name\":\"org.paxflow.ScoredResult\",\"type\":\"record\",\"fields\":[{\"name\":\"event"
        "_id\",\"type\":\"string\"},{\"name\":\"traveller_ref\",\"type\":\"string\"},{\"name\":\""
        "source\",\"type\":{\"name\":\"org.paxflow.ResultSource\",\"type\":\"enum\",\"symbols\":["
        "\"API\",\"PNR\"]}},{\"name\":\"flight\",\"type\":{\"name\":\"org.paxflow.FlightRef\",\"t"
        "ype\":\"record\",\"fields\":[{\"name\":\"carrier\",\"type\":\"string\"},{\"name\":\"numb"
        "er\",\"type\":\"string\"},{\"name\":\"origin_airport\",\"type\":\"string\"},{\"name\":\""
        "destination_airport\",\"type\":\"string\"},{\"name\":\"scheduled_departure\",\"type\":\""
        "long\"}]}},{\"name\":\"score\",\"type\":\"int\"},{\"name\":\"band\",\"type\":{\"name\":"
        "\"org.paxflow.Band\",\"type\":\"enum\",\"symbols\":[\"NONE\",\"LOW\",\"MEDIUM\",\"HIGH\""
        ",\"CRITICAL\"]}},{\"name\":\"hits\",\"type\":{\"type\":\"array\",\"items\":{\"name\":\"o"
        "rg.paxflow.Hit\",\"type\":\"record\",\"fields\":[{\"name\":\"rule_id\",\"type\":\"string"
        "\"},{\"name\":\"rule_version\",\"type\":\"int\"},{\"name\":\"category\",\"type\":\"strin"
        "g\"},{\"name\":\"weight\",\"type\":\"int\"},{\"name\":\"reason\",\"type\":\"string\"}]}}"
        "},{\"name\":\"watchlist_matches\",\"type\":{\"type\":\"array\",\"items\":{\"name\":\"org"
        ".paxflow.WatchlistMatch\",\"type\":\"record\",\"fields\":[{\"name\":\"entry_id\",\"type"
        "\":\"string\"},{\"name\":\"list\",\"type\":\"string\"},{\"name\":\"kind\",\"type\":{\"na"
        "me\":\"org.paxflow.MatchKind\",\"type\":\"enum\",\"symbols\":[\"DOCUMENT\",\"NAME_DOB\","
        "\"NAME\"]}},{\"name\":\"confidence\",\"type\":\"double\"}]}}},{\"name\":\"ruleset_versio"
        "n\",\"type\":\"string\"},{\"name\":\"event_time\",\"type\":\"long\"},{\"name\":\"process"
        "ing_time\",\"type\":\"long\"}]}";

typedef struct fe_s {
        uint8_t *p, *end;
        int full; /* something did not fit */
} fe_t;

static inline void fe_long(fe_t *w, int64_t v) {
        uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        if ((size_t)(w->end - w->p) < 10) {
                /* near the end: only as many bytes as the varint takes */
                size_t need = 1;
                for (uint64_t t = z >> 7; t; t >>= 7)
                        need++;
                if ((size_t)(w->end - w->p) < need) {
                        w->full = 1;
                        return;
                }
        }
        while (z >= 0x80) {
                *w->p++ = (uint8_t)(z | 0x80);
                z >>= 7;
        }
        *w->p++ = (uint8_t)z;
}

/** A string field: the bytes before the NUL, at most the field's size. */
static inline void fe_str(fe_t *w, const char *s, size_t field_size) {
        const char *nul = memchr(s, '\0', field_size);
        size_t n = nul ? (size_t)(nul - s) : field_size;
        fe_long(w, (int64_t)n);
        if (w->full || (size_t)(w->end - w->p) < n) {
                w->full = 1;
                return;
        }
        memcpy(w->p, s, n);
        w->p += n;
}

#define FE_STR(w, field) fe_str((w), (field), sizeof(field))

static inline void fe_double(fe_t *w, double d) {
        uint64_t u;
        memcpy(&u, &d, sizeof(u));
        if ((size_t)(w->end - w->p) < 8) {
                w->full = 1;
                return;
        }
        for (int i = 0; i < 8; i++)
                *w->p++ = (uint8_t)(u >> (8 * i));
}

pf_err_t pf_fastenc_result(const pf_result_t *res, int32_t schema_id, uint8_t *out, size_t cap,
                           size_t *out_len) {
        if (res->hit_count > PF_RESULT_MAX_HITS || res->match_count > PF_RESULT_MAX_MATCHES)
                return PF_ERR_INVALID_VALUE;
        if (cap < PF_WIRE_HEADER)
                return PF_ERR_TOO_LARGE;
        pf_wire_header(out, schema_id);
        fe_t w = {out + PF_WIRE_HEADER, out + cap, 0};
        FE_STR(&w, res->event_id);
        FE_STR(&w, res->traveller_ref);
        fe_long(&w, (int)res->source);
        FE_STR(&w, res->flight.carrier);
        FE_STR(&w, res->flight.number);
        FE_STR(&w, res->flight.origin_airport);
        FE_STR(&w, res->flight.destination_airport);
        fe_long(&w, res->flight.scheduled_departure);
        fe_long(&w, res->score);
        fe_long(&w, (int)res->band);
        if (res->hit_count) {
                fe_long(&w, res->hit_count);
                for (uint32_t i = 0; i < res->hit_count; i++) {
                        const pf_hit_t *h = &res->hits[i];
                        FE_STR(&w, h->rule_id);
                        fe_long(&w, h->rule_version);
                        FE_STR(&w, h->category);
                        fe_long(&w, h->weight);
                        FE_STR(&w, h->reason);
                }
        }
        fe_long(&w, 0);
        if (res->match_count) {
                fe_long(&w, res->match_count);
                for (uint32_t i = 0; i < res->match_count; i++) {
                        const pf_match_t *m = &res->matches[i];
                        FE_STR(&w, m->entry_id);
                        FE_STR(&w, m->list);
                        fe_long(&w, (int)m->kind);
                        fe_double(&w, m->confidence);
                }
        }
        fe_long(&w, 0);
        FE_STR(&w, res->ruleset_version);
        fe_long(&w, res->event_time);
        fe_long(&w, res->processing_time);
        if (w.full)
                return PF_ERR_TOO_LARGE;
        *out_len = (size_t)(w.p - out);
        return PF_OK;
}
