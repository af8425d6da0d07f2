/**
 * @file gen_cli.c
 * @brief Wires the generator to the codec and to Kafka or an event file; builds the planted bad
 *        payloads, since only this layer knows the wire format.
 */
#define _POSIX_C_SOURCE 200809L
#include "gen_cli.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "evfile.h"
#include "gen.h"
#include "kafka.h"
#include "log.h"

typedef struct pf_gen_out_s {
        pf_codec_t *codec;
        pf_evfile_t *file;
        rd_kafka_t *rk;
        rd_kafka_topic_t *topics[2];
        FILE *truth;
        FILE *watchlist;
        uint64_t failures;
        int32_t schema_id[2];                /* PassengerEvent versions 1 and 2 */
        uint8_t scratch[PF_GEN_ENCODED_MAX]; /* an encoded event, a bad payload */
} pf_gen_out_t;

static void gen_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
        (void)rk;
        if (msg->err) {
                ((pf_gen_out_t *)opaque)->failures++;
                pf_log_error("gen", "delivery failed: %s", rd_kafka_err2str(msg->err));
        }
}

static int gen_emit(pf_gen_out_t *out, pf_gen_topic_t topic, const char *key, const void *value,
                    size_t len) {
        size_t key_len = strlen(key);
        if (out->file)
                return pf_evfile_write(out->file, (uint8_t)topic, key, key_len, value, len);
        for (;;) {
                if (rd_kafka_produce(out->topics[topic], RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                     (void *)(uintptr_t)value, len, key, key_len, NULL) == 0)
                        return 0;
                if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        return -1;
                rd_kafka_poll(out->rk, 50);
        }
}

/* ------------------------------------------------------------------ PassengerEvent writer */

/*
 * A writer specialised to PassengerEvent versions 1 and 2: the generator's hot path. avro-c's
 * generic values cost ~3 us per event (field lookups by name, unions, a value tree), four times
 * the whole budget of a 1,000,000 events/s generator. This writes the same bytes directly; avro-c
 * stays the authority: tests/workers/test_gen_cli.c compares every event of generated runs, and
 * hand-made edge cases, byte for byte with pf_codec_encode_event().
 *
 * Strings are the struct's NUL-terminated fields, read up to their field size; a nullable string
 * is null when empty (as pf_codec_encode_event() writes it), a plain string is written as it is.
 */

/* Writers without bounds checks: pf_gen_encode_event() checks once that PF_GEN_ENCODED_MAX bytes
 * are free, more than any event can take (see gen_cli.h). */

static inline uint8_t *gw_long(uint8_t *p, int64_t v) {
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        while (u > 0x7f) {
                *p++ = (uint8_t)(u | 0x80);
                u >>= 7;
        }
        *p++ = (uint8_t)u;
        return p;
}

/** Length of a NUL-terminated string in a field of @p size bytes (a full field has no NUL). */
static inline size_t gw_len(const char *s, size_t size) {
        size_t n = 0;
        if (size > 16)
                return strnlen(s, size);
        while (n < size && s[n] != '\0')
                n++;
        return n;
}

static inline uint8_t *gw_bytes(uint8_t *p, const char *s, size_t n) {
        if (n < 64) /* the length is one byte */
                *p++ = (uint8_t)(n << 1);
        else
                p = gw_long(p, (int64_t)n);
        memcpy(p, s, n);
        return p + n;
}

/** A ["null", "string"] field: null when empty (as pf_codec_encode_event() writes it). */
static inline uint8_t *gw_opt_bytes(uint8_t *p, const char *s, size_t n) {
        if (n == 0) {
                *p++ = 0;
                return p;
        }
        *p++ = 2; /* branch 1 */
        return gw_bytes(p, s, n);
}

/** A plain string field, and a nullable one. */
#define GW_STR(p, field)     ((p) = gw_bytes((p), (field), gw_len((field), sizeof(field))))
#define GW_OPT_STR(p, field) ((p) = gw_opt_bytes((p), (field), gw_len((field), sizeof(field))))

/** A ["null", "int"] date: null when PF_DATE_NONE. */
static inline uint8_t *gw_opt_date(uint8_t *p, int32_t d) {
        if (d == PF_DATE_NONE) {
                *p++ = 0;
                return p;
        }
        *p++ = 2;
        return gw_long(p, d);
}

size_t pf_gen_encode_event(const pf_event_t *ev, int32_t schema_id, int version, uint8_t *buf,
                           size_t cap) {
        uint8_t *p = buf + PF_WIRE_HEADER;
        if (cap < PF_GEN_ENCODED_MAX || (version != 1 && version != 2))
                return 0;
        pf_wire_header(buf, schema_id);
        GW_STR(p, ev->event_id);
        p = gw_long(p, ev->source);
        p = gw_long(p, ev->push_kind);
        p = gw_long(p, ev->sent_at);
        GW_STR(p, ev->carrier);
        GW_STR(p, ev->flight.number);
        GW_STR(p, ev->flight.origin_airport);
        GW_STR(p, ev->flight.origin_country);
        GW_STR(p, ev->flight.destination_airport);
        GW_STR(p, ev->flight.destination_country);
        p = gw_long(p, ev->flight.scheduled_departure);
        p = gw_long(p, ev->flight.scheduled_arrival);
        p = gw_long(p, ev->flight.direction);
        GW_STR(p, ev->traveller.given_names);
        GW_STR(p, ev->traveller.surname);
        GW_OPT_STR(p, ev->traveller.date_of_birth);
        p = gw_long(p, ev->traveller.gender);
        GW_OPT_STR(p, ev->traveller.nationality);
        if (version >= 2)
                GW_OPT_STR(p, ev->traveller.residence);
        if (!ev->has_document) {
                *p++ = 0;
        } else {
                *p++ = 2;
                p = gw_long(p, ev->document.type);
                GW_STR(p, ev->document.number);
                GW_STR(p, ev->document.issuing_country);
                p = gw_opt_date(p, ev->document.issue_date);
                p = gw_opt_date(p, ev->document.expiry_date);
        }
        if (!ev->has_booking) {
                *p++ = 0;
                return (size_t)(p - buf);
        }
        const uint32_t legs =
                ev->booking.leg_count < PF_LEGS_MAX ? ev->booking.leg_count : PF_LEGS_MAX;
        *p++ = 2;
        GW_STR(p, ev->booking.record_locator);
        p = gw_long(p, ev->booking.booked_at);
        p = gw_long(p, ev->booking.payment_type);
        if (ev->booking.card_holder_is_traveller < 0) {
                *p++ = 0;
        } else {
                *p++ = 2;
                *p++ = ev->booking.card_holder_is_traveller ? 1 : 0;
        }
        GW_OPT_STR(p, ev->booking.agency_id);
        GW_OPT_STR(p, ev->booking.agency_country);
        p = gw_long(p, ev->booking.trip_type);
        if (legs > 0) { /* one block of `legs` items, then the end marker */
                p = gw_long(p, legs);
                for (uint32_t i = 0; i < legs; i++) {
                        const pf_leg_t *l = &ev->booking.legs[i];
                        GW_STR(p, l->carrier);
                        GW_STR(p, l->flight_number);
                        GW_STR(p, l->origin_airport);
                        GW_STR(p, l->origin_country);
                        GW_STR(p, l->destination_airport);
                        GW_STR(p, l->destination_country);
                        p = gw_long(p, l->departure);
                        p = gw_long(p, l->arrival);
                }
        }
        *p++ = 0;
        p = gw_long(p, ev->booking.co_traveller_count);
        p = gw_long(p, ev->booking.bag_count);
        p = gw_long(p, ev->booking.bag_weight_kg);
        GW_OPT_STR(p, ev->booking.contact_phone);
        GW_OPT_STR(p, ev->booking.contact_email);
        if (version >= 2)
                GW_OPT_STR(p, ev->booking.frequent_flyer_id);
        return (size_t)(p - buf);
}

static int gen_on_event(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                        int schema_version) {
        pf_gen_out_t *out = opaque;
        size_t len = pf_gen_encode_event(ev, out->schema_id[schema_version == 1 ? 0 : 1],
                                         schema_version, out->scratch, sizeof(out->scratch));
        if (len == 0)
                return -1;
        return gen_emit(out, topic, key, out->scratch, len);
}

/* A minimal Avro writer for the payloads that the real encoder refuses to produce. */

static size_t gen_zz(uint8_t *p, int64_t v) {
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        size_t n = 0;
        while (u > 0x7f) {
                p[n++] = (uint8_t)(u | 0x80);
                u >>= 7;
        }
        p[n++] = (uint8_t)u;
        return n;
}

static size_t gen_str(uint8_t *p, const char *s) {
        size_t len = strlen(s), n = gen_zz(p, (int64_t)len);
        memcpy(p + n, s, len);
        return n + len;
}

/** Writes a v2 PassengerEvent prefix up to traveller.date_of_birth's union index. */
static size_t gen_prefix_to_dob(uint8_t *p, const pf_event_t *ev) {
        size_t n = 0;
        pf_wire_header(p, 2);
        n = PF_WIRE_HEADER;
        n += gen_str(p + n, ev->event_id);
        n += gen_zz(p + n, ev->source);
        n += gen_zz(p + n, ev->push_kind);
        n += gen_zz(p + n, ev->sent_at);
        n += gen_str(p + n, ev->carrier);
        n += gen_str(p + n, ev->flight.number);
        n += gen_str(p + n, ev->flight.origin_airport);
        n += gen_str(p + n, ev->flight.origin_country);
        n += gen_str(p + n, ev->flight.destination_airport);
        n += gen_str(p + n, ev->flight.destination_country);
        n += gen_zz(p + n, ev->flight.scheduled_departure);
        n += gen_zz(p + n, ev->flight.scheduled_arrival);
        n += gen_zz(p + n, ev->flight.direction);
        n += gen_str(p + n, ev->traveller.given_names);
        n += gen_str(p + n, ev->traveller.surname);
        return n;
}

static int gen_on_bad(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                      pf_gen_bad_t kind) {
        pf_gen_out_t *out = opaque;
        uint8_t *p = out->scratch;
        const uint8_t *enc;
        size_t n = 0, len;
        switch (kind) {
        case PF_GEN_BAD_NOT_WIRE_FORMAT:
                n = (size_t)snprintf((char *)p, sizeof(out->scratch),
                                     "{\"event_id\":\"%s\",\"note\":\"JSON instead of Avro\"}",
                                     ev->event_id);
                break;
        case PF_GEN_BAD_UNKNOWN_SCHEMA:
        case PF_GEN_BAD_TRUNCATED:
        case PF_GEN_BAD_MISSING_FIELD:
                if (pf_codec_encode_event(out->codec, ev, 2, &enc, &len) ||
                    len > sizeof(out->scratch))
                        return -1;
                memcpy(p, enc, len);
                n = len;
                if (kind == PF_GEN_BAD_UNKNOWN_SCHEMA)
                        pf_wire_header(p, 9999);
                else if (kind == PF_GEN_BAD_TRUNCATED)
                        n = len / 2;
                break;
        case PF_GEN_BAD_LENGTH:
                pf_wire_header(p, 2);
                n = PF_WIRE_HEADER + gen_zz(p + PF_WIRE_HEADER, 2000000);
                n += (size_t)snprintf((char *)p + n, sizeof(out->scratch) - n, "%s", ev->event_id);
                break;
        case PF_GEN_BAD_ENUM:
                pf_wire_header(p, 2);
                n = PF_WIRE_HEADER + gen_str(p + PF_WIRE_HEADER, ev->event_id);
                n += gen_zz(p + n, 9); /* Source has 2 symbols */
                break;
        case PF_GEN_BAD_UNION:
                n = gen_prefix_to_dob(p, ev);
                n += gen_zz(p + n, 7); /* date_of_birth is a union of 2 */
                n += gen_str(p + n, "1980-01-01");
                break;
        default:
                return -1;
        }
        if (out->truth) {
                fprintf(out->truth,
                        "{\"pattern\":\"BAD_PAYLOAD_VALUE\",\"event_id\":\"%s\",\"expect\":\"%s\","
                        "\"value_hex\":\"",
                        ev->event_id, pf_gen_bad_name(kind));
                for (size_t i = 0; i < n; i++)
                        fprintf(out->truth, "%02x", p[i]);
                fprintf(out->truth, "\"}\n");
        }
        return gen_emit(out, topic, key, p, n);
}

static int gen_on_truth(void *opaque, const char *json_line) {
        pf_gen_out_t *out = opaque;
        if (out->truth)
                fprintf(out->truth, "%s\n", json_line);
        return 0;
}

static int gen_on_watchlist(void *opaque, const char *json_line) {
        pf_gen_out_t *out = opaque;
        if (out->watchlist)
                fprintf(out->watchlist, "%s\n", json_line);
        return 0;
}

/** Creates the producer for gen and produce: idempotent, batched, every topic role it writes. */
static int gen_producer_new(const pf_conf_t *conf, pf_gen_out_t *out, char *errstr,
                            size_t errstr_size) {
        char name[256];
        rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!kconf)
                return -1;
        rd_kafka_conf_set_opaque(kconf, out);
        rd_kafka_conf_set_dr_msg_cb(kconf, gen_dr_cb);
        if (pf_kafka_conf_set(kconf, "enable.idempotence", "true", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "linger.ms", "20", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "partitioner", "murmur2_random", errstr, errstr_size)) {
                rd_kafka_conf_destroy(kconf);
                return -1;
        }
        if (!(out->rk = rd_kafka_new(RD_KAFKA_PRODUCER, kconf, errstr, errstr_size))) {
                rd_kafka_conf_destroy(kconf);
                return -1;
        }
        pf_topic_name(conf, PF_TOPIC_EVENTS_API, name, sizeof(name));
        out->topics[PF_GEN_TOPIC_API] = rd_kafka_topic_new(out->rk, name, NULL);
        pf_topic_name(conf, PF_TOPIC_EVENTS_PNR, name, sizeof(name));
        out->topics[PF_GEN_TOPIC_PNR] = rd_kafka_topic_new(out->rk, name, NULL);
        return 0;
}

/**
 * @returns the sum of the high watermarks of both event topics, waiting (up to 30 s) until every
 *          partition has a leader, or -1. Produced counts are checked against its change.
 */
static int64_t gen_watermarks(pf_gen_out_t *out) {
        int64_t total = 0;
        for (int t = 0; t < 2; t++) {
                const rd_kafka_metadata_t *md = NULL;
                int ready = 0;
                for (int tries = 0; !ready && tries < 60; tries++) {
                        if (md)
                                rd_kafka_metadata_destroy(md);
                        md = NULL;
                        if (rd_kafka_metadata(out->rk, 0, out->topics[t], &md, 5000) ||
                            md->topic_cnt != 1 || md->topics[0].err) {
                                rd_kafka_poll(out->rk, 500);
                                continue;
                        }
                        ready = md->topics[0].partition_cnt > 0;
                        for (int i = 0; i < md->topics[0].partition_cnt; i++)
                                if (md->topics[0].partitions[i].leader < 0)
                                        ready = 0;
                        if (!ready)
                                rd_kafka_poll(out->rk, 500);
                }
                if (!ready) {
                        pf_log_error("gen", "%s: no metadata with a leader for every partition",
                                     rd_kafka_topic_name(out->topics[t]));
                        if (md)
                                rd_kafka_metadata_destroy(md);
                        return -1;
                }
                for (int i = 0; i < md->topics[0].partition_cnt; i++) {
                        int64_t lo, hi;
                        /* A new topic's partitions answer "not leader" for a moment after the
                         * metadata names a leader; producing then has been seen to lose the
                         * first batch, so wait until each one really serves requests. */
                        rd_kafka_resp_err_t err;
                        int tries = 0;
                        while ((err = rd_kafka_query_watermark_offsets(
                                        out->rk, md->topics[0].topic,
                                        md->topics[0].partitions[i].id, &lo, &hi, 10000)) &&
                               ++tries < 60)
                                rd_kafka_poll(out->rk, 500);
                        if (err) {
                                pf_log_error(
                                        "gen", "watermarks of %s [%d]: %s", md->topics[0].topic,
                                        (int)md->topics[0].partitions[i].id, rd_kafka_err2str(err));
                                rd_kafka_metadata_destroy(md);
                                return -1;
                        }
                        total += hi;
                }
                rd_kafka_metadata_destroy(md);
        }
        return total;
}

/** Flushes and destroys the producer. @returns 0 when every message was delivered. */
static int gen_producer_close(pf_gen_out_t *out) {
        int rc = 0;
        if (!out->rk)
                return 0;
        if (rd_kafka_flush(out->rk, 120 * 1000) || out->failures) {
                pf_log_error(
                        "gen", "%llu messages not delivered",
                        (unsigned long long)(out->failures + (uint64_t)rd_kafka_outq_len(out->rk)));
                rc = -1;
        }
        for (int i = 0; i < 2; i++)
                if (out->topics[i])
                        rd_kafka_topic_destroy(out->topics[i]);
        rd_kafka_destroy(out->rk);
        out->rk = NULL;
        return rc;
}

int pf_gen_cli_run(const pf_conf_t *conf) {
        char errstr[512];
        int status = 1;
        pf_gen_out_t out;
        pf_schemas_t *schemas = NULL;
        pf_gen_conf_t gconf;
        pf_gen_stats_t stats;
        const char *truth_path = pf_conf_str(conf, "truth");
        const char *wl_path = pf_conf_str(conf, "watchlist.out");
        memset(&out, 0, sizeof(out));
        errstr[0] = '\0';

        pf_gen_conf_defaults(&gconf);
        gconf.seed = (uint64_t)pf_conf_int(conf, "seed");
        gconf.hours = (int)pf_conf_int(conf, "hours");
        gconf.flights_per_hour = (int)pf_conf_int(conf, "flights.per.hour");
        gconf.pax_per_flight = (int)pf_conf_int(conf, "pax.per.flight");
        gconf.history_days = (int)pf_conf_int(conf, "history.days");
        gconf.repeat_share = pf_conf_double(conf, "repeat.share");
        gconf.frequent_travellers = (int)pf_conf_int(conf, "frequent.travellers");
        gconf.bad_payloads = (int)pf_conf_int(conf, "bad.payloads");
        gconf.v1_share = pf_conf_double(conf, "v1.share");

        if (!(schemas = pf_schemas_new(errstr, sizeof(errstr))) ||
            !(out.codec = pf_codec_new(schemas, NULL, errstr, sizeof(errstr))))
                goto done;
        out.schema_id[0] = pf_schemas_id_of(schemas, "PassengerEvent", 1);
        out.schema_id[1] = pf_schemas_id_of(schemas, "PassengerEvent", 2);
        if (out.schema_id[0] < 0 || out.schema_id[1] < 0) {
                snprintf(errstr, sizeof(errstr), "PassengerEvent versions 1 and 2 not shipped");
                goto done;
        }
        const char *path = pf_conf_str(conf, "out");
        if (path[0]) {
                if (!(out.file = pf_evfile_create(path, errstr, sizeof(errstr))))
                        goto done;
        } else if (gen_producer_new(conf, &out, errstr, sizeof(errstr))) {
                goto done;
        }
        if (truth_path[0] && !(out.truth = fopen(truth_path, "w"))) {
                snprintf(errstr, sizeof(errstr), "%s: %s", truth_path, strerror(errno));
                goto done;
        }
        if (wl_path[0] && !(out.watchlist = fopen(wl_path, "w"))) {
                snprintf(errstr, sizeof(errstr), "%s: %s", wl_path, strerror(errno));
                goto done;
        }
        int64_t before = 0;
        if (out.rk && (before = gen_watermarks(&out)) < 0) {
                snprintf(errstr, sizeof(errstr),
                         "event topics not ready (missing, or partitions without a leader): run "
                         "paxflow topics create first");
                goto done;
        }
        /* Truth lines and the watchlist cost time (labels cover every trip): only when wanted. */
        pf_gen_sink_t sink = {&out, gen_on_event, gen_on_bad, out.truth ? gen_on_truth : NULL,
                              out.watchlist ? gen_on_watchlist : NULL};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (pf_gen_run(&gconf, &sink, &stats, errstr, sizeof(errstr)))
                goto done;
        if (out.rk) {
                /* Trust but verify: the broker must now hold every message it acknowledged. */
                if (rd_kafka_flush(out.rk, 120 * 1000) == 0 && !out.failures) {
                        int64_t after = gen_watermarks(&out);
                        int64_t sent = (int64_t)(stats.events + stats.bad);
                        if (after - before != sent) {
                                snprintf(errstr, sizeof(errstr),
                                         "the event topics grew by %lld messages, %lld were "
                                         "acknowledged: messages were lost or added",
                                         (long long)(after - before), (long long)sent);
                                goto done;
                        }
                }
        }
        if (gen_producer_close(&out))
                goto done;
        if (out.file && pf_evfile_close(out.file)) {
                out.file = NULL;
                snprintf(errstr, sizeof(errstr), "%s: %s", path, strerror(errno));
                goto done;
        }
        out.file = NULL;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("generated %llu events (api %llu, pnr %llu, bad %llu) for %llu travellers, "
               "%llu trips, %llu planted frequent travellers in %.2f s (%.0f events/s) to %s\n",
               (unsigned long long)stats.events, (unsigned long long)stats.api,
               (unsigned long long)stats.pnr, (unsigned long long)stats.bad,
               (unsigned long long)stats.travellers, (unsigned long long)stats.trips,
               (unsigned long long)stats.frequent, secs, secs > 0 ? (double)stats.events / secs : 0,
               path[0] ? path : pf_conf_str(conf, "brokers"));
        status = 0;
done:
        if (status && errstr[0])
                pf_log_error("gen", "%s", errstr);
        gen_producer_close(&out);
        pf_evfile_close(out.file);
        if (out.truth && fclose(out.truth) && !status) {
                pf_log_error("gen", "%s: %s", truth_path, strerror(errno));
                status = 1;
        }
        if (out.watchlist && fclose(out.watchlist) && !status) {
                pf_log_error("gen", "%s: %s", wl_path, strerror(errno));
                status = 1;
        }
        pf_codec_destroy(out.codec);
        pf_schemas_destroy(schemas);
        return status;
}

int pf_produce_cli_run(const pf_conf_t *conf, const char *path) {
        char errstr[512];
        int status = 1;
        pf_gen_out_t out;
        memset(&out, 0, sizeof(out));
        errstr[0] = '\0';
        pf_evfile_t *in = pf_evfile_open(path, errstr, sizeof(errstr));
        if (!in || gen_producer_new(conf, &out, errstr, sizeof(errstr)))
                goto done;
        uint8_t topic;
        const void *key, *value;
        size_t key_len, value_len;
        uint64_t n = 0;
        int rc;
        while ((rc = pf_evfile_next(in, &topic, &key, &key_len, &value, &value_len)) == 1) {
                if (topic > PF_GEN_TOPIC_PNR) {
                        snprintf(errstr, sizeof(errstr), "%s: record %llu has topic role %u", path,
                                 (unsigned long long)n, topic);
                        goto done;
                }
                for (;;) {
                        if (rd_kafka_produce(out.topics[topic], RD_KAFKA_PARTITION_UA, 0,
                                             (void *)(uintptr_t)value, value_len, key, key_len,
                                             NULL) == 0)
                                break;
                        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                goto done;
                        rd_kafka_poll(out.rk, 50);
                }
                n++;
        }
        if (rc < 0) {
                snprintf(errstr, sizeof(errstr), "%s: damaged after record %llu", path,
                         (unsigned long long)n);
                goto done;
        }
        if (gen_producer_close(&out))
                goto done;
        printf("produced %llu messages from %s\n", (unsigned long long)n, path);
        status = 0;
done:
        if (status && errstr[0])
                pf_log_error("produce", "%s", errstr);
        gen_producer_close(&out);
        pf_evfile_close(in);
        return status;
}
