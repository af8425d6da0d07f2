/**
 * @file err.c
 * @brief Names and descriptions of pf_err_t.
 */
#include "err.h"

static const struct {
        const char *name;
        const char *desc;
} pf_err_descs[PF_ERR__COUNT] = {
        [PF_OK] = {"OK", "success"},
        [PF_ERR_NOT_WIRE_FORMAT] =
                {"NOT_WIRE_FORMAT",
                 "payload is not in the Confluent wire format (0x00 + 4-byte schema id)"},
        [PF_ERR_UNKNOWN_SCHEMA] = {"UNKNOWN_SCHEMA", "schema id is not known to this worker"},
        [PF_ERR_WRONG_SCHEMA] = {"WRONG_SCHEMA", "schema id belongs to another record type"},
        [PF_ERR_TRUNCATED] = {"TRUNCATED", "Avro body ends before the record is complete"},
        [PF_ERR_BAD_LENGTH] = {"BAD_LENGTH",
                               "length is negative or larger than the remaining payload"},
        [PF_ERR_BAD_ENUM] = {"BAD_ENUM", "enum symbol index is out of range"},
        [PF_ERR_BAD_UNION] = {"BAD_UNION", "union branch index is out of range"},
        [PF_ERR_BAD_VARINT] = {"BAD_VARINT", "variable-length integer is longer than 10 bytes"},
        [PF_ERR_TRAILING_BYTES] = {"TRAILING_BYTES", "bytes remain after the end of the record"},
        [PF_ERR_TOO_LARGE] = {"TOO_LARGE", "payload or collection exceeds the configured limit"},
        [PF_ERR_MISSING_FIELD] = {"MISSING_FIELD", "a mandatory value is missing or empty"},
        [PF_ERR_INVALID_VALUE] = {"INVALID_VALUE", "a value is outside its allowed domain"},
        [PF_ERR_BAD_UTF8] = {"BAD_UTF8", "a string is not valid UTF-8"},
        [PF_ERR_NOMEM] = {"NOMEM", "out of memory"},
        [PF_ERR_IO] = {"IO", "input/output error"},
        [PF_ERR_KAFKA] = {"KAFKA", "Kafka client error"},
        [PF_ERR_STATE] = {"STATE", "state store error"},
        [PF_ERR_CONFIG] = {"CONFIG", "invalid configuration"},
        [PF_ERR_AVRO] = {"AVRO", "Avro library error"},
        [PF_ERR_INTERNAL] = {"INTERNAL", "internal error"},
        [PF_ERR_UNAVAILABLE] = {"UNAVAILABLE", "a service is unavailable; retriable"},
};

const char *pf_err_name(pf_err_t err) {
        if ((unsigned)err >= PF_ERR__COUNT)
                return "UNKNOWN";
        return pf_err_descs[err].name;
}

const char *pf_err2str(pf_err_t err) {
        if ((unsigned)err >= PF_ERR__COUNT)
                return "unknown error";
        return pf_err_descs[err].desc;
}
