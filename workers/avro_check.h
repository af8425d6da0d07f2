/**
 * @file avro_check.h
 * @brief Pre-flight validation of untrusted Avro binary data against its writer schema.
 *
 * avro-c 1.11.1 trusts lengths and indexes it reads from the wire: it allocates whatever a string
 * or bytes length says before checking that the payload holds that many bytes, stores out-of-range
 * enum symbols and loops for as long as a block count says. So every payload is walked once here,
 * with a bounded cursor, before a single byte reaches avro-c's reader.
 *
 * pf_avro_check() allocates nothing, keeps no state between calls and only reads `schema`, so it
 * may be called from several threads at once on the same schema.
 */
#ifndef PF_AVRO_CHECK_H
#define PF_AVRO_CHECK_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/** Nesting levels pf_avro_check() never exceeds, whatever max_depth says (bounds the C stack). */
#define PF_AVRO_CHECK_DEPTH_HARD_MAX 256

/** Size of the field path kept for error messages; longer paths end in "...". */
#define PF_AVRO_CHECK_PATH_MAX 256

/**
 * @brief Limits applied to one datum.
 */
typedef struct pf_avro_limits_s {
        size_t max_depth; /**< nesting limit of records/arrays/maps/unions, e.g. 32;
                           *   clamped to PF_AVRO_CHECK_DEPTH_HARD_MAX */
        size_t max_items; /**< max total array/map items in one datum, e.g. 65536 */
} pf_avro_limits_t;

/**
 * @brief Checks that buf[0..len) is exactly one well-formed Avro binary datum of `schema`.
 *
 * `schema` is the WRITER schema (the one the producer registered). The walk follows it type by
 * type, never reads outside buf[0..len) and never allocates. Beyond the Avro specification it
 * requires: strings are valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF);
 * booleans are 0 or 1; an int varint is at most 5 bytes and fits int32; the 10th byte of a long
 * carries no bits past 64; the byte size given for a negative-count array/map block equals the
 * bytes its items actually use.
 *
 * @param schema      writer schema (borrowed; not modified).
 * @param buf         the Avro body (no wire-format header); may be NULL when len is 0.
 * @param len         number of bytes in buf.
 * @param limits      nesting and item limits; NULL means {32, 65536}.
 * @param errstr      on error receives "<field path>: <reason>", naming fields and offsets only,
 *                    never the bytes or values of the datum (it is personal data). On success it
 *                    receives "". May be NULL.
 * @param errstr_size size of errstr.
 *
 * @returns PF_OK, or
 *          PF_ERR_TRUNCATED      the payload ends inside a value;
 *          PF_ERR_BAD_LENGTH     a string/bytes/block length is negative or exceeds the payload
 *                                (so a payload cut inside a string reports this, not TRUNCATED),
 *                                or a block byte size disagrees with its items;
 *          PF_ERR_BAD_ENUM       enum index outside [0, symbol count);
 *          PF_ERR_BAD_UNION      union index outside [0, branch count);
 *          PF_ERR_BAD_VARINT     varint longer than 10 bytes (5 for int) or overflowing its type;
 *          PF_ERR_TRAILING_BYTES bytes left after the datum;
 *          PF_ERR_TOO_LARGE      max_depth or max_items exceeded;
 *          PF_ERR_BAD_UTF8       a string (or map key) is not valid UTF-8;
 *          PF_ERR_INVALID_VALUE  a boolean byte other than 0 or 1;
 *          PF_ERR_INTERNAL       NULL/unsupported schema, or NULL buf with len > 0.
 */
pf_err_t pf_avro_check(avro_schema_t schema, const void *buf, size_t len,
                       const pf_avro_limits_t *limits, char *errstr, size_t errstr_size);

#endif /* PF_AVRO_CHECK_H */
