/**
 * @file fuzz_avro_check.c
 * @brief libFuzzer target for pf_avro_check(), with avro-c as a differential oracle.
 *
 * Every input is checked against a fixed PassengerEvent-like writer schema. When pf_avro_check()
 * accepts it, avro-c must then decode exactly those bytes (no error, nothing left over) without
 * ASan/UBSan findings, and avro-c's canonical re-encoding of the value must pass the check too.
 * Any disagreement aborts, so libFuzzer saves the input.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Iworkers fuzz/fuzz_avro_check.c \
 *        workers/avro_check.c workers/err.c -lavro
 * Run:   ./fuzz_avro_check -max_total_time=180 fuzz/corpus/avro_check
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "avro_check.h"

static const char pf_fuzz_schema_json[] =
        "{\"type\":\"record\",\"name\":\"PassengerEvent\",\"namespace\":\"paxflow\",\"fields\":["
        "{\"name\":\"eventId\",\"type\":\"string\"},"
        "{\"name\":\"ts\",\"type\":\"long\"},"
        "{\"name\":\"seq\",\"type\":\"int\"},"
        "{\"name\":\"checkedIn\",\"type\":\"boolean\"},"
        "{\"name\":\"score\",\"type\":[\"null\",\"double\"]},"
        "{\"name\":\"ratio\",\"type\":\"float\"},"
        "{\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"Status\","
        "\"symbols\":[\"BOOKED\",\"CHECKED_IN\",\"BOARDED\",\"NO_SHOW\"]}},"
        "{\"name\":\"passenger\",\"type\":{\"type\":\"record\",\"name\":\"Passenger\",\"fields\":["
        "{\"name\":\"surname\",\"type\":\"string\"},"
        "{\"name\":\"given\",\"type\":[\"null\",\"string\"]},"
        "{\"name\":\"dob\",\"type\":[\"null\",\"int\"]},"
        "{\"name\":\"docHash\",\"type\":{\"type\":\"fixed\",\"name\":\"Hash\",\"size\":8}}]}},"
        "{\"name\":\"legs\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\","
        "\"name\":\"Leg\",\"fields\":[{\"name\":\"from\",\"type\":\"string\"},"
        "{\"name\":\"to\",\"type\":\"string\"},{\"name\":\"dep\",\"type\":\"long\"},"
        "{\"name\":\"cabin\",\"type\":[\"null\",\"Status\",\"string\"]}]}}},"
        "{\"name\":\"ssr\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
        "{\"name\":\"counters\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"
        "{\"name\":\"extra\",\"type\":{\"type\":\"map\",\"values\":"
        "{\"type\":\"array\",\"items\":[\"null\",\"bytes\",\"Hash\"]}}},"
        "{\"name\":\"previous\",\"type\":[\"null\",\"PassengerEvent\"]}]}";

/* Tighter than production (65536 items) so that accepted inputs stay cheap for avro-c. */
static const pf_avro_limits_t pf_fuzz_limits = {32, 1024};

static avro_schema_t pf_fuzz_schema;
static avro_value_iface_t *pf_fuzz_iface;

static void pf_fuzz_die(const char *what, const char *detail) {
        fprintf(stderr, "fuzz_avro_check: %s: %s\n", what, detail);
        abort();
}

static void pf_fuzz_init(void) {
        if (avro_schema_from_json_length(pf_fuzz_schema_json, sizeof(pf_fuzz_schema_json) - 1,
                                         &pf_fuzz_schema) != 0)
                pf_fuzz_die("schema", avro_strerror());
        pf_fuzz_iface = avro_generic_class_from_schema(pf_fuzz_schema);
        if (pf_fuzz_iface == NULL)
                pf_fuzz_die("generic class", avro_strerror());
}

/** @brief Re-encodes `val` canonically with avro-c; the result must pass the check as well. */
static void pf_fuzz_roundtrip(avro_value_t *val) {
        char errstr[256];
        avro_writer_t writer = NULL;
        char *out = NULL;
        size_t size = 0;
        pf_err_t err;

        if (avro_value_sizeof(val, &size) != 0)
                pf_fuzz_die("avro_value_sizeof", avro_strerror());
        out = malloc(size ? size : 1);
        writer = avro_writer_memory(out, (int64_t)size);
        if (out == NULL || writer == NULL)
                pf_fuzz_die("re-encode", "out of memory");
        if (avro_value_write(writer, val) != 0)
                pf_fuzz_die("avro_value_write", avro_strerror());
        err = pf_avro_check(pf_fuzz_schema, out, (size_t)avro_writer_tell(writer), &pf_fuzz_limits,
                            errstr, sizeof(errstr));
        if (err != PF_OK)
                pf_fuzz_die("avro-c's own re-encoding rejected", errstr);
        avro_writer_free(writer);
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char errstr[256];
        avro_reader_t reader = NULL;
        avro_value_t val;
        char extra;

        if (pf_fuzz_schema == NULL)
                pf_fuzz_init();
        if (pf_avro_check(pf_fuzz_schema, data, size, &pf_fuzz_limits, errstr, sizeof(errstr)) !=
            PF_OK)
                return 0;

        /* Accepted: avro-c must now decode exactly these bytes, safely. */
        reader = avro_reader_memory((const char *)data, (int64_t)size);
        if (reader == NULL || avro_generic_value_new(pf_fuzz_iface, &val) != 0)
                pf_fuzz_die("setup", "out of memory");
        if (avro_value_read(reader, &val) != 0)
                pf_fuzz_die("accepted input rejected by avro_value_read", avro_strerror());
        if (avro_read(reader, &extra, 1) == 0)
                pf_fuzz_die("accepted input", "avro-c left bytes unread");
        pf_fuzz_roundtrip(&val);
        avro_value_decref(&val);
        avro_reader_free(reader);
        return 0;
}
