/**
 * @file fastdec.h
 * @brief A PassengerEvent decoder specialised for the two writer schemas paxflow ships (v1, v2):
 *        one bounded pass over the Avro body straight into pf_event_t, no allocation.
 *
 * It replaces, on the hot path, what pf_codec_decode_event() otherwise does in three steps: the
 * bounded pre-check (pf_avro_check()), avro-c's generic decode with schema resolution, and the
 * copy of the avro-c value into pf_event_t. It gives the same result for every input: the same
 * event field by field, or the same error code with the same reason, byte for byte (the dead-letter
 * reasons must not change with the decoder). fuzz/fuzz_fastdec_diff.c checks that against the
 * avro-c path, and tests/workers/test_fastdec.c over every event of a generated file.
 *
 * avro-c stays the authority on schemas: which writer schema a message has is decided once per
 * schema id, by comparing the writer's Parsing Canonical Form (Avro specification, "Parsing
 * Canonical Form for Schemas") with the forms this decoder was written for
 * (pf_fastdec_layout_of()), never by trying to decode. Any other writer (a registry schema with
 * another form, a future version) goes through avro-c as before.
 *
 * The functions keep no state and allocate nothing but pf_avro_canonical_form()'s result: safe
 * from several threads at once.
 */
#ifndef PF_FASTDEC_H
#define PF_FASTDEC_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

#include "avro_check.h"
#include "err.h"
#include "event.h"

/** The writer layouts the decoder knows. */
typedef enum {
        PF_FASTDEC_NONE = 0, /**< not a known layout: decode with avro-c */
        PF_FASTDEC_V1 = 1,   /**< schemas/passenger_event.v1.avsc */
        PF_FASTDEC_V2 = 2,   /**< schemas/passenger_event.v2.avsc */
} pf_fastdec_layout_t;

/**
 * Nesting a decode reaches in pf_avro_check()'s count (booking -> legs -> leg): the fast decoder
 * is only used with limits of at least this depth, so that it never has to report a depth error.
 */
#define PF_FASTDEC_MIN_DEPTH 5

/** The Parsing Canonical Forms the decoder was written for (what pf_avro_canonical_form() gives
 * for schemas/passenger_event.v1.avsc and .v2.avsc). */
extern const char pf_fastdec_canonical_v1[];
extern const char pf_fastdec_canonical_v2[];

/**
 * @brief The Parsing Canonical Form of @p schema: full names, only the attributes that shape the
 * binary encoding (name, type, fields, symbols, items, values, size) in the specification's order,
 * no whitespace, primitives (also those with a logicalType) as bare names.
 * @returns a malloc'ed string the caller frees, or NULL (out of memory, NULL or unsupported
 * schema).
 */
char *pf_avro_canonical_form(avro_schema_t schema);

/** @returns the CRC-64-AVRO (Rabin) fingerprint of @p len bytes, as the specification defines. */
uint64_t pf_avro_fingerprint64(const void *buf, size_t len);

/** @returns the layout whose canonical form @p schema has, or PF_FASTDEC_NONE. */
pf_fastdec_layout_t pf_fastdec_layout_of(avro_schema_t schema);

/**
 * @brief Decodes the Avro body of a PassengerEvent written with @p layout into @p ev, as a reader
 * of version 2 would (what v1 lacks stays empty).
 *
 * Gives what pf_avro_check() on the writer schema, then avro-c's resolution into the newest
 * reader and the codec's extraction give: the first structural error of the body (TRUNCATED,
 * BAD_LENGTH, BAD_VARINT, BAD_ENUM, BAD_UNION, BAD_UTF8, INVALID_VALUE for a boolean,
 * TOO_LARGE for max_items, TRAILING_BYTES) with pf_avro_check()'s reason, else the first value the
 * event cannot hold (INVALID_VALUE: too long or an embedded NUL; TOO_LARGE: more than 16 legs)
 * with the codec's reason. It does not check the mandatory values (the codec does, after).
 * On error @p ev holds a partial event.
 *
 * @param limits  must be non-NULL with max_depth >= PF_FASTDEC_MIN_DEPTH.
 */
pf_err_t pf_fastdec_event(pf_fastdec_layout_t layout, const uint8_t *body, size_t len,
                          const pf_avro_limits_t *limits, pf_event_t *ev, char *errstr,
                          size_t errstr_size);

#endif /* PF_FASTDEC_H */
