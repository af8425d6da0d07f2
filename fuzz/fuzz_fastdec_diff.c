/**
 * @file fuzz_fastdec_diff.c
 * @brief Differential libFuzzer target: the schema-specialised decoder (fastdec.c) against the
 *        avro-c path (pre-check, resolution, extraction) on the same bytes.
 *
 * Two codecs decode every input, one with the fast decoder, one without
 * (pf_codec_set_fast_decode()). They must agree: the same error code and the same reason, byte for
 * byte, or both PF_OK with the same pf_event_t, byte for byte. Anything else aborts.
 *
 * Input layout: the first byte selects, the rest is the message.
 *   bit 7 set:   the rest is a whole framed message (header included), to reach the header checks;
 *   bit 7 clear: the rest is an Avro body, framed here with schema id 1 (bit 0 set) or 2;
 *   bit 1 set:   codecs with max_items 8, so the item limit is reached too.
 * fuzz/corpus/fastdec_diff holds bodies of `paxflow gen` events in this layout.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static pf_schemas_t *schemas;
static pf_codec_t *fast[2], *slow[2];

static void fuzz_cleanup(void) {
        for (int i = 0; i < 2; i++) {
                pf_codec_destroy(fast[i]);
                pf_codec_destroy(slow[i]);
        }
        pf_schemas_destroy(schemas);
}

static void fuzz_init(void) {
        char errstr[256];
        pf_codec_conf_t small = {.max_items = 8};
        schemas = pf_schemas_new(errstr, sizeof(errstr));
        if (!schemas)
                abort();
        for (int i = 0; i < 2; i++) {
                fast[i] = pf_codec_new(schemas, i ? &small : NULL, errstr, sizeof(errstr));
                slow[i] = pf_codec_new(schemas, i ? &small : NULL, errstr, sizeof(errstr));
                if (!fast[i] || !slow[i])
                        abort();
                pf_codec_set_fast_decode(slow[i], 0);
        }
        atexit(fuzz_cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static pf_event_t a, b;
        char ea[512], eb[512];
        if (!schemas)
                fuzz_init();
        if (size < 1)
                return 0;
        uint8_t sel = data[0];
        int pair = (sel >> 1) & 1;
        size_t len;
        uint8_t *msg;
        if (sel & 0x80) {
                len = size - 1;
                msg = malloc(len ? len : 1);
                if (!msg)
                        abort();
                memcpy(msg, data + 1, len);
        } else {
                len = size - 1 + PF_WIRE_HEADER;
                msg = malloc(len);
                if (!msg)
                        abort();
                pf_wire_header(msg, (sel & 1) ? 1 : 2);
                memcpy(msg + PF_WIRE_HEADER, data + 1, size - 1);
        }
        /* Different garbage in each, so that a field one path forgets to write shows. */
        memset(&a, 0x5a, sizeof(a));
        memset(&b, 0xa5, sizeof(b));
        memset(ea, 'x', sizeof(ea));
        memset(eb, 'y', sizeof(eb));
        pf_err_t fa = pf_codec_decode_event(fast[pair], msg, len, &a, ea, sizeof(ea));
        pf_err_t fb = pf_codec_decode_event(slow[pair], msg, len, &b, eb, sizeof(eb));
        if (fa != fb || strcmp(ea, eb) != 0 || (fa == PF_OK && memcmp(&a, &b, sizeof(a)) != 0)) {
                fprintf(stderr,
                        "fast decoder and avro-c disagree:\n  fast: %s (%s)\n  avro: %s (%s)\n",
                        pf_err_name(fa), ea, pf_err_name(fb), eb);
                abort();
        }
        free(msg);
        return 0;
}
