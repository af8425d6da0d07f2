/**
 * @file registry_probe.c
 * @brief Test tool: decodes PassengerEvent messages through a codec with a schema registry, so
 *        that tests/integration/it_registry.sh can drive pf_codec_decode_event() against a real
 *        registry without Kafka.
 *
 *   pf_registry_probe frame VERSION ID SUFFIX_HEX COUNT TAG
 *        prints COUNT lines "TAG-<n> <hex>": a synthetic event (no personal data) encoded with
 *        the shipped schema VERSION, its header id replaced by ID, SUFFIX_HEX ("-" for none)
 *        appended to the Avro body. Appending the encoding of trailing fields makes a valid
 *        message of a registered writer that extends the shipped one with those fields.
 *   pf_registry_probe decode URL|none [TIMEOUT_MS]
 *        reads lines "LABEL HEX" from stdin and prints, flushed, one line per message:
 *        "LABEL OK <event id>" or "LABEL <ERROR_NAME> <reason>". One codec and one registry
 *        serve the whole run, so its caches live as long as the process (a test can stop the
 *        registry between two lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "registry.h"

static void probe_event(pf_event_t *ev, const char *tag, int n) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "%s-%d", tag, n);
        ev->source = PF_SOURCE_API;
        ev->push_kind = PF_PUSH_CHECKIN;
        ev->sent_at = 1796036400000LL + n;
        snprintf(ev->carrier, sizeof(ev->carrier), "LH");
        snprintf(ev->flight.number, sizeof(ev->flight.number), "9%03d", n % 1000);
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.destination_airport, 4, "MAD");
        ev->flight.scheduled_departure = 1796040000000LL;
        ev->flight.scheduled_arrival = 1796049000000LL;
        ev->flight.direction = PF_DIR_OUTBOUND;
        snprintf(ev->traveller.given_names, sizeof(ev->traveller.given_names), "Probe");
        snprintf(ev->traveller.surname, sizeof(ev->traveller.surname), "Synthetic");
}

static int probe_hexval(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/** Decodes @p hex into out[cap]. @returns the byte count, or -1 if it is not even-length hex. */
static long probe_unhex(const char *hex, uint8_t *out, size_t cap) {
        size_t n = strlen(hex);
        if (n % 2 || n / 2 > cap)
                return -1;
        for (size_t i = 0; i < n / 2; i++) {
                int hi = probe_hexval(hex[2 * i]), lo = probe_hexval(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -1;
                out[i] = (uint8_t)(hi << 4 | lo);
        }
        return (long)(n / 2);
}

static int probe_frame(pf_codec_t *codec, int argc, char **argv) {
        if (argc != 7) {
                fprintf(stderr, "usage: %s frame VERSION ID SUFFIX_HEX COUNT TAG\n", argv[0]);
                return 2;
        }
        int version = (int)strtol(argv[2], NULL, 10);
        int32_t id = (int32_t)strtol(argv[3], NULL, 10);
        int count = (int)strtol(argv[5], NULL, 10);
        uint8_t suffix[256];
        long suffix_len = strcmp(argv[4], "-") == 0 ? 0 : probe_unhex(argv[4], suffix, 256);
        if (suffix_len < 0) {
                fprintf(stderr, "SUFFIX_HEX is not hex\n");
                return 2;
        }
        for (int n = 0; n < count; n++) {
                pf_event_t ev;
                const uint8_t *out;
                size_t len;
                probe_event(&ev, argv[6], n);
                if (pf_codec_encode_event(codec, &ev, version, &out, &len) != PF_OK) {
                        fprintf(stderr, "cannot encode version %d\n", version);
                        return 1;
                }
                uint8_t header[PF_WIRE_HEADER];
                pf_wire_header(header, id);
                printf("%s-%d ", argv[6], n);
                for (size_t i = 0; i < len; i++)
                        printf("%02x", i < PF_WIRE_HEADER ? header[i] : out[i]);
                for (long i = 0; i < suffix_len; i++)
                        printf("%02x", suffix[i]);
                printf("\n");
        }
        return 0;
}

static int probe_decode(pf_codec_t *codec, int argc, char **argv) {
        char errstr[512];
        pf_registry_t *reg = NULL;
        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: %s decode URL|none [TIMEOUT_MS]\n", argv[0]);
                return 2;
        }
        if (strcmp(argv[2], "none") != 0) {
                pf_registry_conf_t conf = {.url = argv[2]};
                if (argc == 4)
                        conf.timeout_ms = strtol(argv[3], NULL, 10);
                reg = pf_registry_new(&conf, errstr, sizeof(errstr));
                if (!reg) {
                        fprintf(stderr, "registry: %s\n", errstr);
                        return 1;
                }
                pf_codec_set_registry(codec, reg);
        }
        static char line[1 << 16];
        static uint8_t msg[1 << 15];
        while (fgets(line, sizeof(line), stdin)) {
                line[strcspn(line, "\r\n")] = '\0';
                char *hex = strchr(line, ' ');
                if (!hex)
                        continue;
                *hex++ = '\0';
                long len = probe_unhex(hex, msg, sizeof(msg));
                pf_event_t ev;
                pf_err_t err = len < 0 ? PF_ERR_INVALID_VALUE
                                       : pf_codec_decode_event(codec, msg, (size_t)len, &ev, errstr,
                                                               sizeof(errstr));
                if (err == PF_OK)
                        printf("%s OK %s\n", line, ev.event_id);
                else
                        printf("%s %s %s\n", line, pf_err_name(err), len < 0 ? "not hex" : errstr);
                fflush(stdout);
        }
        pf_codec_set_registry(codec, NULL);
        pf_registry_destroy(reg);
        return 0;
}

int main(int argc, char **argv) {
        char errstr[512];
        if (argc < 2) {
                fprintf(stderr, "usage: %s frame|decode ...\n", argv[0]);
                return 2;
        }
        pf_schemas_t *schemas = pf_schemas_new(errstr, sizeof(errstr));
        pf_codec_t *codec = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
        if (!codec) {
                fprintf(stderr, "%s\n", errstr);
                pf_schemas_destroy(schemas);
                return 1;
        }
        int rc = 2;
        if (strcmp(argv[1], "frame") == 0)
                rc = probe_frame(codec, argc, argv);
        else if (strcmp(argv[1], "decode") == 0)
                rc = probe_decode(codec, argc, argv);
        else
                fprintf(stderr, "unknown mode %s\n", argv[1]);
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
        return rc;
}
