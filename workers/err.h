/**
 * @file err.h
 * @brief paxflow's one error enum, shared by every module.
 *
 * Errors are values. Codes that describe bad input are also the `error_code` field of a dead
 * letter, so their names are part of the public contract: add new ones at the end, never renumber.
 */
#ifndef PF_ERR_H
#define PF_ERR_H

typedef enum pf_err_e {
        PF_OK = 0,
        /* Bad input: each of these sends the message to the dead-letter topic. */
        PF_ERR_NOT_WIRE_FORMAT, /**< no 0x00 magic byte or shorter than the 5-byte header */
        PF_ERR_UNKNOWN_SCHEMA,  /**< schema id not known to this worker */
        PF_ERR_WRONG_SCHEMA,    /**< schema id known, but for another record type */
        PF_ERR_TRUNCATED,       /**< the Avro body ends before the record does */
        PF_ERR_BAD_LENGTH, /**< a string/bytes/block length is negative or exceeds the payload */
        PF_ERR_BAD_ENUM,   /**< enum symbol index out of range */
        PF_ERR_BAD_UNION,  /**< union branch index out of range */
        PF_ERR_BAD_VARINT, /**< a zig-zag varint longer than 10 bytes */
        PF_ERR_TRAILING_BYTES, /**< bytes left over after the record */
        PF_ERR_TOO_LARGE,      /**< payload or a collection exceeds a configured limit */
        PF_ERR_MISSING_FIELD,  /**< a mandatory value is empty or null */
        PF_ERR_INVALID_VALUE,  /**< a value is out of its domain (bad date, bad code...) */
        PF_ERR_BAD_UTF8,       /**< a string is not valid UTF-8 */
        /* Operational errors. */
        PF_ERR_NOMEM,
        PF_ERR_IO,
        PF_ERR_KAFKA,
        PF_ERR_STATE,
        PF_ERR_CONFIG,
        PF_ERR_AVRO,
        PF_ERR_INTERNAL,
        PF_ERR_UNAVAILABLE, /**< a service (the schema registry) did not answer: retriable, not the
                               message's fault, so never a dead letter */
        PF_ERR__COUNT
} pf_err_t;

/** @returns a static, upper-case code name such as "TRUNCATED" (never NULL). */
const char *pf_err_name(pf_err_t err);

/** @returns a static human-readable description (never NULL). */
const char *pf_err2str(pf_err_t err);

#endif /* PF_ERR_H */
