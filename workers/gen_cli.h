/**
 * @file gen_cli.h
 * @brief `paxflow gen` (traffic to Kafka or a file) and `paxflow produce` (a file to Kafka).
 */
#ifndef PF_GEN_CLI_H
#define PF_GEN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "event.h"

/** @returns the exit status of `paxflow gen`. */
int pf_gen_cli_run(const pf_conf_t *conf);

/**
 * Bytes pf_gen_encode_event() needs free: more than any event takes. A string field of N bytes
 * takes at most N + 2 (its length in 2 bytes, a union branch), a number at most 10 (a zig-zag
 * varint) for at least 1 byte of the struct, and 64 more for the header, union branches and
 * array markers: sizeof(pf_event_t) + 2 per string field (under 128) + 9 per number (under 64).
 */
#define PF_GEN_ENCODED_MAX (sizeof(pf_event_t) + 2 * 128 + 9 * 64 + 64)

/**
 * @brief Writes @p ev as a PassengerEvent of schema @p version (1 or 2) in the Confluent wire
 *        format with @p schema_id: the same bytes as pf_codec_encode_event() (a nullable string
 *        is null when empty, legs beyond PF_LEGS_MAX are dropped), without avro-c's generic
 *        values: the generator's hot path. tests/workers/test_gen_cli.c checks it against
 *        pf_codec_encode_event() byte for byte.
 * @returns the length written, or 0 if @p cap < PF_GEN_ENCODED_MAX or @p version is neither 1
 *          nor 2.
 */
size_t pf_gen_encode_event(const pf_event_t *ev, int32_t schema_id, int version, uint8_t *buf,
                           size_t cap);

/** @returns the exit status of `paxflow produce FILE`. */
int pf_produce_cli_run(const pf_conf_t *conf, const char *path);

#endif /* PF_GEN_CLI_H */
