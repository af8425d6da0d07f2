/**
 * @file fastenc.h
 * @brief A ScoredResult encoder written for the one shipped ScoredResult schema: pf_result_t
 *        straight to Avro binary, no avro-c value in between.
 *
 * It writes the bytes avro-c's generic writer writes for the same result (checked by
 * tests/workers/test_fastenc.c, byte for byte, and by decoding back). The codec uses it only when
 * the newest shipped ScoredResult has the canonical form it was written for
 * (pf_fastenc_canonical_result); otherwise avro-c encodes, as before.
 */
#ifndef PF_FASTENC_H
#define PF_FASTENC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "result.h"

/** The Parsing Canonical Form of schemas/scored_result.v1.avsc, the layout written here. */
extern const char pf_fastenc_canonical_result[];

/**
 * @brief Writes @p res as a framed ScoredResult of @p schema_id (header included) into out[cap].
 * @returns PF_OK with *out_len; PF_ERR_TOO_LARGE when it does not fit; PF_ERR_INVALID_VALUE when
 * hit_count or match_count exceed their arrays.
 */
pf_err_t pf_fastenc_result(const pf_result_t *res, int32_t schema_id, uint8_t *out, size_t cap,
                           size_t *out_len);

#endif /* PF_FASTENC_H */
