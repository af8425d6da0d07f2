/**
 * @file latency.c
 * @brief End-to-end latency at a fixed input rate: a pacing producer and a read_committed
 *        measuring consumer in one light process (bench/e2e.sh runs it against each system).
 *
 * Latency of an event = (the moment its result is returned by a read_committed consumer of the
 * system's output topic) - (the broker's LogAppendTime of the input record). Both clocks are this
 * host's wall clock (the broker runs here), so no producer-side delay (linger, queueing) is in the
 * figure, and no clock skew either. The append time comes from each delivery report (the broker
 * returns LogAppendTime in the produce response), so the input topics are not read back.
 *
 * Results are matched to inputs by event id, never by order: the event id is the first field of
 * PassengerEvent (v1, v2) and of ScoredResult (v1), so the id of every output - paxflow's and the
 * Kafka Streams peer's ScoredResults, the copy's unchanged input bytes - is read from its first
 * Avro field (and its schema id is checked).
 *
 * Phases:
 *   prime    one event every 200 ms until the first result comes back (the system has joined its
 *            group and is processing; JVM start-up and group joins stay outside the figures);
 *   warm-up  --warmup-s at --rate (sent and awaited, not measured);
 *   measure  --duration-s at --rate: the measured events;
 *   drain    until every sent event has its result, or nothing new arrived for --drain-idle-s,
 *            or --drain-s passed: results still missing then are reported as missing.
 * Sends are spread evenly: event k of the paced phases is due at t0 + k / rate; the pacer wakes at
 * most every 1 ms and sends what is due (so at 10,000 events/s about 10 per wake).
 *
 * --sent-at live (default) stamps each event's sent_at (its event time) with the wall clock at
 * the send, as a live source would; --sent-at file keeps the generator's sent_at. The field is
 * re-encoded in place (Avro long after event_id, source and push_kind); nothing else changes.
 *
 * --setup creates <prefix>.events.api and <prefix>.events.pnr with
 * message.timestamp.type=LogAppendTime (or sets it on existing ones) and exits.
 *
 * Usage:
 *   bench_latency --setup --brokers B --prefix P [--partitions 6]
 *   bench_latency --brokers B --prefix P --events FILE --out-topic T --rate R
 *                 [--warmup-s 5] [--duration-s 20] [--drain-s 60] [--drain-idle-s 10]
 *                 [--sent-at live|file] [--fetch-wait-ms 5] [--linger-ms 1]
 *                 [--prime-timeout-s 180] [--label NAME] [--json FILE] [--raw FILE]
 * --raw writes one line per measured event: its index in the measurement, input topic (0 api,
 * 1 pnr), latency ms, and append -> output record ms (empty when no result).
 * Exit status: 0 (also with missing results: the JSON says so), 1 on an error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "codec.h"
#include "evfile.h"
#include "schemas.h"

#define PRIME_EVERY_MS 200
#define WAKE_MIN_US    1000

static void die(const char *what, const char *why) {
        fprintf(stderr, "bench_latency: %s: %s\n", what, why);
        exit(1);
}

static int64_t mono_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_until_mono_us(int64_t t) {
        struct timespec ts = {(time_t)(t / 1000000), (long)(t % 1000000) * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
        char err[512];
        if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
                die(k, err);
}

/* ---- Avro bits: the first fields of PassengerEvent and ScoredResult ---- */

/** Reads a zigzag varint long at @p p (at most @p n bytes). @returns bytes used, 0 if bad. */
static size_t varint_read(const uint8_t *p, size_t n, int64_t *v) {
        uint64_t u = 0;
        for (size_t i = 0; i < n && i < 10; i++) {
                u |= (uint64_t)(p[i] & 0x7f) << (7 * i);
                if (!(p[i] & 0x80)) {
                        *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
                        return i + 1;
                }
        }
        return 0;
}

static size_t varint_write(uint8_t out[10], int64_t v) {
        uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        size_t n = 0;
        while (u >= 0x80) {
                out[n++] = (uint8_t)(u | 0x80);
                u >>= 7;
        }
        out[n++] = (uint8_t)u;
        return n;
}

/**
 * Finds the event id (the first field: an Avro string after the 5-byte wire header) of a message
 * whose schema id is one of @p ids. @returns 0, or -1 when it is not such a message.
 */
static int first_string(const uint8_t *v, size_t len, const int32_t *ids, int nids, const char **s,
                        size_t *slen, size_t *end) {
        if (len < 6 || v[0] != 0)
                return -1;
        int32_t id = (int32_t)((uint32_t)v[1] << 24 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 8 |
                               (uint32_t)v[4]);
        int ok = 0;
        for (int i = 0; i < nids; i++)
                ok |= id == ids[i];
        if (!ok)
                return -1;
        int64_t n;
        size_t used = varint_read(v + 5, len - 5, &n);
        if (!used || n <= 0 || (uint64_t)n > len - 5 - used || n >= PF_EVENT_ID_MAX)
                return -1;
        *s = (const char *)v + 5 + used;
        *slen = (size_t)n;
        *end = 5 + used + (size_t)n;
        return 0;
}

/* ---- The events ---- */

typedef struct ev_s {
        const uint8_t *key, *val;
        uint32_t key_len, val_len;
        uint32_t sent_at_off; /* offset of sent_at's varint in val */
        uint8_t sent_at_len;
        uint8_t topic; /* 0 api, 1 pnr */
        uint8_t id_len;
        const char *id;
} ev_t;

static ev_t *evs;
static size_t nev;
static pf_evfile_t *evfile; /* mapped for the whole run: evs point into it */
/* Per event: broker append time (ms, -1 = no delivery report yet, -2 = failed), result
 * visible (wall us, 0 = none), output record timestamp (ms) and its type, times seen. */
static int64_t *append_ms, *visible_us, *out_ts;
static uint8_t *out_ts_type, *seen;
static atomic_ulong matched, duplicates, unknown;
static unsigned long delivered, failed;

/* Open-addressing hash of event id -> index + 1. */
static uint32_t *slots;
static size_t slot_mask;

static uint64_t hash_id(const char *s, size_t n) {
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
        return h;
}

static long lookup(const char *s, size_t n) {
        for (size_t i = hash_id(s, n) & slot_mask;; i = (i + 1) & slot_mask) {
                if (!slots[i])
                        return -1;
                const ev_t *e = &evs[slots[i] - 1];
                if (e->id_len == n && memcmp(e->id, s, n) == 0)
                        return (long)slots[i] - 1;
        }
}

static int insert(size_t idx) {
        const ev_t *e = &evs[idx];
        for (size_t i = hash_id(e->id, e->id_len) & slot_mask;; i = (i + 1) & slot_mask) {
                if (!slots[i]) {
                        slots[i] = (uint32_t)idx + 1;
                        return 0;
                }
                const ev_t *o = &evs[slots[i] - 1];
                if (o->id_len == e->id_len && memcmp(o->id, e->id, e->id_len) == 0)
                        return -1;
        }
}

/** Loads up to @p want valid events (the generator's bad payloads are skipped: no result). */
static void load(const char *path, size_t want, unsigned long *skipped) {
        char errstr[512];
        pf_evfile_t *f = evfile = pf_evfile_open(path, errstr, sizeof(errstr));
        if (!f)
                die("event file", errstr);
        pf_schemas_t *schemas = pf_schemas_new(errstr, sizeof(errstr));
        if (!schemas)
                die("schemas", errstr);
        pf_codec_t *codec = pf_codec_new(schemas, NULL, errstr, sizeof(errstr));
        if (!codec)
                die("codec", errstr);
        static pf_event_t ev;
        static const int32_t ev_ids[] = {1, 2};
        evs = calloc(want, sizeof(*evs));
        if (!evs)
                die("load", "out of memory");
        uint8_t topic;
        const void *key, *val;
        size_t key_len, val_len;
        int rc;
        *skipped = 0;
        while (nev < want &&
               (rc = pf_evfile_next(f, &topic, &key, &key_len, &val, &val_len)) == 1) {
                const char *id;
                size_t id_len, at;
                /* Only what paxflow accepts: a result is due for every event sent. A full decode
                 * costs ~7 us: the first 2000 events and every 50th are decoded and compared
                 * with the quick parse below (the latency file has no bad payloads; one that
                 * slipped through would show as a missing result, not pass unseen). */
                int check = nev < 2000 || nev % 50 == 0;
                if (topic > 1 || first_string(val, val_len, ev_ids, 2, &id, &id_len, &at) ||
                    (check && pf_codec_decode_event(codec, val, val_len, &ev, errstr,
                                                    sizeof(errstr)) != PF_OK)) {
                        (*skipped)++;
                        continue;
                }
                /* source and push_kind (enums < 64: one byte each), then sent_at. */
                const uint8_t *v = val;
                int64_t e1, e2, sent_at;
                size_t u1 = varint_read(v + at, val_len - at, &e1);
                size_t u2 = u1 ? varint_read(v + at + u1, val_len - at - u1, &e2) : 0;
                size_t off = at + u1 + u2;
                size_t u3 = u2 ? varint_read(v + off, val_len - off, &sent_at) : 0;
                if (!u3 || (check && (sent_at != ev.sent_at || id_len != strlen(ev.event_id) ||
                                      memcmp(id, ev.event_id, id_len) != 0)))
                        die("event file", "an event's first fields are not event_id, source, "
                                          "push_kind, sent_at (schema changed?)");
                evs[nev++] = (ev_t){key,
                                    val,
                                    (uint32_t)key_len,
                                    (uint32_t)val_len,
                                    (uint32_t)off,
                                    (uint8_t)u3,
                                    topic,
                                    (uint8_t)id_len,
                                    id};
        }
        if (rc < 0)
                die("event file", "damaged");
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
        /* The mapping stays open for the run (evs point into it). */
}

/* ---- Producer ---- */

static rd_kafka_t *producer;
static rd_kafka_topic_t *in_topic[2];
static int wrong_ts_type;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        (void)rk;
        (void)opaque;
        size_t idx = (size_t)(uintptr_t)m->_private;
        if (m->err) {
                append_ms[idx] = -2;
                failed++;
                return;
        }
        rd_kafka_timestamp_type_t tt;
        int64_t ts = rd_kafka_message_timestamp(m, &tt);
        if (tt != RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
                wrong_ts_type = 1;
        append_ms[idx] = ts;
        delivered++;
}

static void send_event(size_t idx, int live) {
        const ev_t *e = &evs[idx];
        uint8_t buf[1 << 16];
        const uint8_t *val = e->val;
        size_t len = e->val_len;
        if (live) {
                uint8_t vi[10];
                size_t n = varint_write(vi, wall_us() / 1000);
                size_t tail = e->val_len - e->sent_at_off - e->sent_at_len;
                if (e->sent_at_off + n + tail > sizeof(buf))
                        die("send", "event larger than 64 KiB");
                memcpy(buf, e->val, e->sent_at_off);
                memcpy(buf + e->sent_at_off, vi, n);
                memcpy(buf + e->sent_at_off + n, e->val + e->sent_at_off + e->sent_at_len, tail);
                val = buf;
                len = e->sent_at_off + n + tail;
        }
        for (;;) {
                rd_kafka_resp_err_t err = rd_kafka_producev(
                        producer, RD_KAFKA_V_RKT(in_topic[e->topic]),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_VALUE((void *)(uintptr_t)val, len),
                        RD_KAFKA_V_KEY(e->key, e->key_len),
                        RD_KAFKA_V_OPAQUE((void *)(uintptr_t)idx), RD_KAFKA_V_END);
                if (!err)
                        return;
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        die("produce", rd_kafka_err2str(err));
                rd_kafka_poll(producer, 1);
        }
}

/* ---- Measuring consumer (its own thread) ---- */

static rd_kafka_t *consumer;
static atomic_int consumer_stop;

static void *consume_main(void *arg) {
        (void)arg;
        static const int32_t out_ids[] = {1, 2, 10}; /* the copy's outputs are PassengerEvents */
        while (!atomic_load(&consumer_stop)) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 50);
                if (!m)
                        continue;
                int64_t now = wall_us();
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                fprintf(stderr, "bench_latency: consume: %s\n",
                                        rd_kafka_message_errstr(m));
                        rd_kafka_message_destroy(m);
                        continue;
                }
                const char *id;
                size_t id_len, end;
                long idx = first_string(m->payload, m->len, out_ids, 3, &id, &id_len, &end)
                                   ? -1
                                   : lookup(id, id_len);
                if (idx < 0) {
                        atomic_fetch_add(&unknown, 1);
                } else if (seen[idx]++) {
                        atomic_fetch_add(&duplicates, 1);
                } else {
                        rd_kafka_timestamp_type_t tt;
                        visible_us[idx] = now;
                        out_ts[idx] = rd_kafka_message_timestamp(m, &tt);
                        out_ts_type[idx] = (uint8_t)tt;
                        atomic_fetch_add(&matched, 1);
                }
                rd_kafka_message_destroy(m);
        }
        return NULL;
}

/** Waits for @p topic to exist, then assigns all its partitions from the beginning. */
static void consumer_assign(const char *topic, int timeout_s) {
        int64_t until = mono_us() + (int64_t)timeout_s * 1000000;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(consumer, topic, NULL);
        for (;;) {
                const rd_kafka_metadata_t *md = NULL;
                rd_kafka_resp_err_t err = rd_kafka_metadata(consumer, 0, rkt, &md, 5000);
                if (!err && md->topic_cnt == 1 && !md->topics[0].err &&
                    md->topics[0].partition_cnt > 0) {
                        rd_kafka_topic_partition_list_t *l =
                                rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
                        for (int i = 0; i < md->topics[0].partition_cnt; i++)
                                rd_kafka_topic_partition_list_add(l, topic,
                                                                  md->topics[0].partitions[i].id)
                                        ->offset = RD_KAFKA_OFFSET_BEGINNING;
                        rd_kafka_metadata_destroy(md);
                        err = rd_kafka_assign(consumer, l);
                        rd_kafka_topic_partition_list_destroy(l);
                        if (err)
                                die("assign", rd_kafka_err2str(err));
                        rd_kafka_topic_destroy(rkt);
                        return;
                }
                if (md)
                        rd_kafka_metadata_destroy(md);
                if (mono_us() > until)
                        die(topic, "output topic does not exist");
                sleep_until_mono_us(mono_us() + 200000);
        }
}

/* ---- Setup: input topics with LogAppendTime ---- */

static void setup(const char *brokers, const char *prefix, int partitions) {
        char errstr[512], names[2][512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", brokers);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk)
                die("admin", errstr);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_NewTopic_t *nt[2];
        for (int i = 0; i < 2; i++) {
                snprintf(names[i], sizeof(names[i]), "%s.events.%s", prefix, i ? "pnr" : "api");
                nt[i] = rd_kafka_NewTopic_new(names[i], partitions, 1, errstr, sizeof(errstr));
                if (!nt[i])
                        die("NewTopic", errstr);
                rd_kafka_NewTopic_set_config(nt[i], "message.timestamp.type", "LogAppendTime");
        }
        rd_kafka_CreateTopics(rk, nt, 2, NULL, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 60000);
        if (!ev)
                die("CreateTopics", "timed out");
        size_t n = 0;
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        const rd_kafka_topic_result_t **tr =
                res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        int exists = 0;
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
                if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                        exists = 1;
                else if (e)
                        die("CreateTopics", rd_kafka_topic_result_error_string(tr[i]));
        }
        rd_kafka_event_destroy(ev);
        if (exists) {
                /* Existing input topics (librdkafka 2.0 has no incremental alter): this replaces
                 * their dynamic configs with this one; paxflow sets none on input topics. */
                rd_kafka_ConfigResource_t *cr[2];
                for (int i = 0; i < 2; i++) {
                        cr[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, names[i]);
                        rd_kafka_ConfigResource_set_config(cr[i], "message.timestamp.type",
                                                           "LogAppendTime");
                }
                rd_kafka_AlterConfigs(rk, cr, 2, NULL, q);
                ev = rd_kafka_queue_poll(q, 60000);
                if (!ev || rd_kafka_event_error(ev))
                        die("AlterConfigs", ev ? rd_kafka_event_error_string(ev) : "timed out");
                const rd_kafka_AlterConfigs_result_t *ar = rd_kafka_event_AlterConfigs_result(ev);
                const rd_kafka_ConfigResource_t **rr =
                        rd_kafka_AlterConfigs_result_resources(ar, &n);
                for (size_t i = 0; i < n; i++)
                        if (rd_kafka_ConfigResource_error(rr[i]))
                                die("AlterConfigs", rd_kafka_ConfigResource_error_string(rr[i]));
                rd_kafka_event_destroy(ev);
                for (int i = 0; i < 2; i++)
                        rd_kafka_ConfigResource_destroy(cr[i]);
        }
        for (int i = 0; i < 2; i++)
                rd_kafka_NewTopic_destroy(nt[i]);
        rd_kafka_queue_destroy(q);
        rd_kafka_destroy(rk);
        printf("input topics %s, %s: message.timestamp.type=LogAppendTime\n", names[0], names[1]);
}

/* ---- Statistics ---- */

static double cpu_s(void) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

/** Nearest-rank percentile of a sorted array. */
static double pct(const double *s, size_t n, double p) {
        if (!n)
                return NAN;
        size_t r = (size_t)ceil(p / 100.0 * (double)n);
        return s[r ? r - 1 : 0];
}

static void jnum(FILE *f, const char *k, double v, const char *sep) {
        if (isnan(v))
                fprintf(f, "\"%s\": null%s", k, sep);
        else
                fprintf(f, "\"%s\": %.1f%s", k, v, sep);
}

int main(int argc, char **argv) {
        const char *brokers = "127.0.0.1:19092", *prefix = NULL, *events = NULL, *out_topic = NULL,
                   *json = NULL, *label = "", *sent_at_mode = "live", *raw = NULL;
        double rate = 0, warmup_s = 5, duration_s = 20, drain_s = 60, drain_idle_s = 10;
        int fetch_wait_ms = 5, linger_ms = 1, prime_timeout_s = 180, partitions = 6, do_setup = 0;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--setup")) {
                        do_setup = 1;
                        continue;
                }
                if (i + 1 >= argc)
                        die("option needs a value", a);
                const char *v = argv[++i];
                if (!strcmp(a, "--brokers"))
                        brokers = v;
                else if (!strcmp(a, "--prefix"))
                        prefix = v;
                else if (!strcmp(a, "--partitions"))
                        partitions = atoi(v);
                else if (!strcmp(a, "--events"))
                        events = v;
                else if (!strcmp(a, "--out-topic"))
                        out_topic = v;
                else if (!strcmp(a, "--rate"))
                        rate = atof(v);
                else if (!strcmp(a, "--warmup-s"))
                        warmup_s = atof(v);
                else if (!strcmp(a, "--duration-s"))
                        duration_s = atof(v);
                else if (!strcmp(a, "--drain-s"))
                        drain_s = atof(v);
                else if (!strcmp(a, "--drain-idle-s"))
                        drain_idle_s = atof(v);
                else if (!strcmp(a, "--sent-at"))
                        sent_at_mode = v;
                else if (!strcmp(a, "--fetch-wait-ms"))
                        fetch_wait_ms = atoi(v);
                else if (!strcmp(a, "--linger-ms"))
                        linger_ms = atoi(v);
                else if (!strcmp(a, "--prime-timeout-s"))
                        prime_timeout_s = atoi(v);
                else if (!strcmp(a, "--label"))
                        label = v;
                else if (!strcmp(a, "--json"))
                        json = v;
                else if (!strcmp(a, "--raw"))
                        raw = v;
                else
                        die("unknown option", a);
        }
        if (!prefix)
                die("usage", "see the comment at the top of bench/latency/latency.c");
        if (do_setup) {
                setup(brokers, prefix, partitions);
                return 0;
        }
        int live = strcmp(sent_at_mode, "live") == 0;
        if (!events || !out_topic || rate <= 0 || duration_s <= 0 || warmup_s < 0 ||
            (!live && strcmp(sent_at_mode, "file")))
                die("usage", "--events, --out-topic and --rate are required; --sent-at live|file");

        size_t n_warm = (size_t)llround(rate * warmup_s),
               n_meas = (size_t)llround(rate * duration_s);
        size_t n_prime_max = (size_t)prime_timeout_s * 1000 / PRIME_EVERY_MS + 1;
        unsigned long skipped;
        load(events, n_prime_max + n_warm + n_meas, &skipped);
        append_ms = malloc(nev * sizeof(*append_ms));
        visible_us = calloc(nev, sizeof(*visible_us));
        out_ts = calloc(nev, sizeof(*out_ts));
        out_ts_type = calloc(nev, 1);
        seen = calloc(nev, 1);
        size_t cap = 1;
        while (cap < nev * 2)
                cap <<= 1;
        slots = calloc(cap, sizeof(*slots));
        slot_mask = cap - 1;
        if (!append_ms || !visible_us || !out_ts || !out_ts_type || !seen || !slots)
                die("load", "out of memory");
        for (size_t i = 0; i < nev; i++) {
                append_ms[i] = -1;
                if (insert(i))
                        die("event file", "two events share an event id: cannot match by id");
        }

        char errstr[512], buf[64], name[512];
        rd_kafka_conf_t *pc = rd_kafka_conf_new();
        set(pc, "bootstrap.servers", brokers);
        set(pc, "enable.idempotence", "true"); /* keeps each partition in send order */
        snprintf(buf, sizeof(buf), "%d", linger_ms);
        set(pc, "linger.ms", buf);
        set(pc, "partitioner", "murmur2_random"); /* as paxflow gen and Java clients */
        rd_kafka_conf_set_dr_msg_cb(pc, dr_cb);
        if (!(producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, errstr, sizeof(errstr))))
                die("producer", errstr);
        for (int i = 0; i < 2; i++) {
                snprintf(name, sizeof(name), "%s.events.%s", prefix, i ? "pnr" : "api");
                in_topic[i] = rd_kafka_topic_new(producer, name, NULL);
        }

        rd_kafka_conf_t *cc = rd_kafka_conf_new();
        set(cc, "bootstrap.servers", brokers);
        snprintf(name, sizeof(name), "%s-latency-probe", prefix);
        set(cc, "group.id", name); /* never joined or committed: partitions are assigned */
        set(cc, "enable.auto.commit", "false");
        set(cc, "isolation.level", "read_committed");
        snprintf(buf, sizeof(buf), "%d", fetch_wait_ms);
        set(cc, "fetch.wait.max.ms", buf);
        set(cc, "fetch.error.backoff.ms", "10");
        if (!(consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, errstr, sizeof(errstr))))
                die("consumer", errstr);
        consumer_assign(out_topic, prime_timeout_s);
        pthread_t th;
        if (pthread_create(&th, NULL, consume_main, NULL))
                die("thread", "cannot start the consumer");

        /* Prime: one event at a time until a result comes back. */
        int64_t t_start = mono_us();
        double cpu0 = cpu_s();
        size_t next = 0;
        while (atomic_load(&matched) == 0) {
                if (next >= n_prime_max || next >= nev ||
                    mono_us() - t_start > (int64_t)prime_timeout_s * 1000000)
                        die("prime", "no result within the prime timeout: is the system running?");
                send_event(next++, live);
                int64_t until = mono_us() + PRIME_EVERY_MS * 1000;
                while (mono_us() < until && atomic_load(&matched) == 0) {
                        rd_kafka_poll(producer, 0);
                        sleep_until_mono_us(mono_us() + 5000);
                }
        }
        size_t n_prime = next;
        double prime_s = (double)(mono_us() - t_start) / 1e6;
        if (nev < n_prime + n_warm + n_meas)
                die("event file", "too few events for the rate and duration: generate more hours");

        /* Warm-up and measurement: event k due at t0 + k / rate. */
        size_t first = n_prime, total = n_warm + n_meas, meas0 = n_prime + n_warm;
        int64_t *lag_us = malloc(total * sizeof(*lag_us));
        if (!lag_us)
                die("pace", "out of memory");
        int64_t t0 = mono_us() + 1000, last_wake = 0, t_meas0 = 0, t_last = 0;
        for (size_t k = 0; k < total;) {
                int64_t due = t0 + (int64_t)((double)k * 1e6 / rate);
                int64_t wake = due > last_wake + WAKE_MIN_US ? due : last_wake + WAKE_MIN_US;
                sleep_until_mono_us(wake);
                int64_t now = last_wake = mono_us();
                while (k < total && (due = t0 + (int64_t)((double)k * 1e6 / rate)) <= now) {
                        if (first + k == meas0)
                                t_meas0 = now;
                        send_event(first + k, live);
                        lag_us[k] = now - due;
                        t_last = now;
                        k++;
                }
                rd_kafka_poll(producer, 0);
        }
        size_t sent = n_prime + total;
        double meas_span_s = (double)(t_last - t_meas0) / 1e6;
        if (rd_kafka_flush(producer, 60000))
                die("flush", "events not delivered within 60 s");
        if (wrong_ts_type)
                die("input", "delivery reports carry no LogAppendTime: run --setup on the prefix "
                             "first (message.timestamp.type=LogAppendTime on the input topics)");

        /* Drain. */
        int64_t drain0 = mono_us(), last_progress = drain0;
        unsigned long last_matched = atomic_load(&matched);
        while (atomic_load(&matched) < delivered) {
                int64_t now = mono_us();
                unsigned long m = atomic_load(&matched);
                if (m != last_matched) {
                        last_matched = m;
                        last_progress = now;
                }
                if (now - drain0 > (int64_t)(drain_s * 1e6) ||
                    now - last_progress > (int64_t)(drain_idle_s * 1e6))
                        break;
                sleep_until_mono_us(now + 20000);
        }
        double drain_wait_s = (double)(mono_us() - drain0) / 1e6;
        /* A moment more for duplicates (an exactly-once failure) to show up. */
        sleep_until_mono_us(mono_us() + 300000);
        atomic_store(&consumer_stop, 1);
        pthread_join(th, NULL);

        /* Figures: measured events only. */
        double *lat = malloc(n_meas * sizeof(double)), *to_out = malloc(n_meas * sizeof(double)),
               *commit = malloc(n_meas * sizeof(double));
        if (!lat || !to_out || !commit)
                die("stats", "out of memory");
        size_t got = 0, n_split = 0, missing = 0, undelivered = 0, inherited = 0;
        double sum = 0;
        for (size_t i = meas0; i < meas0 + n_meas; i++) {
                if (append_ms[i] < 0) {
                        undelivered++;
                        continue;
                }
                if (!visible_us[i]) {
                        missing++;
                        continue;
                }
                double l = (double)visible_us[i] / 1000.0 - (double)append_ms[i];
                lat[got++] = l;
                sum += l;
                if (out_ts[i] == append_ms[i])
                        inherited++;
                if (out_ts_type[i] == RD_KAFKA_TIMESTAMP_CREATE_TIME) {
                        to_out[n_split] = (double)(out_ts[i] - append_ms[i]);
                        commit[n_split++] = (double)visible_us[i] / 1000.0 - (double)out_ts[i];
                }
        }
        /* An output that keeps its input's timestamp (Kafka Streams forwards the record time)
         * says nothing about when it was produced: no split then. (A fast copy produces many
         * outputs within the input's millisecond, so "equal" alone is not the test.) */
        int split = n_split > 0 && (double)inherited < 0.99 * (double)got;
        size_t missing_before = 0;
        for (size_t i = 0; i < meas0; i++)
                if (append_ms[i] >= 0 && !visible_us[i])
                        missing_before++;
        /* Per second of the measurement (by send time). */
        size_t nsec = (size_t)ceil(duration_s);
        qsort(lat, got, sizeof(double), cmp_d);
        double p50 = pct(lat, got, 50), p90 = pct(lat, got, 90), p99 = pct(lat, got, 99),
               p999 = pct(lat, got, 99.9), pmax = got ? lat[got - 1] : NAN,
               mean = got ? sum / (double)got : NAN;
        qsort(to_out, n_split, sizeof(double), cmp_d);
        qsort(commit, n_split, sizeof(double), cmp_d);
        int64_t lag_max = 0;
        size_t late5 = 0;
        for (size_t k = 0; k < total; k++) {
                if (lag_us[k] > lag_max)
                        lag_max = lag_us[k];
                late5 += lag_us[k] > 5000;
        }
        double achieved = meas_span_s > 0 ? (double)(n_meas - 1) / meas_span_s : 0;

        double tool_cpu = cpu_s() - cpu0;
        double tool_wall = (double)(mono_us() - t_start) / 1e6;
        printf("latency %s: %s, rate %.0f/s (achieved %.0f/s), sent_at %s\n", label, out_topic,
               rate, achieved, sent_at_mode);
        printf("  events         prime %zu, warm-up %zu, measured %zu (file: %zu valid loaded, %lu "
               "bad skipped)\n",
               n_prime, n_warm, n_meas, nev, skipped);
        printf("  measured       %zu results of %zu sent: %zu missing, %zu not delivered\n", got,
               n_meas, missing, undelivered);
        printf("  latency ms     p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n",
               p50, p90, p99, p999, pmax, mean);
        if (split)
                printf("  split ms       append->output record p50 %.1f p99 %.1f; output record->"
                       "visible p50 %.1f p99 %.1f\n",
                       pct(to_out, n_split, 50), pct(to_out, n_split, 99), pct(commit, n_split, 50),
                       pct(commit, n_split, 99));
        printf("  other          prime %.1f s, drain %.1f s, duplicates %lu, unknown ids %lu, "
               "missing before measurement %zu, pacer max lag %.1f ms (%zu sends > 5 ms late)\n",
               prime_s, drain_wait_s, atomic_load(&duplicates), atomic_load(&unknown),
               missing_before, (double)lag_max / 1000.0, late5);
        printf("  this tool      %.1f CPU s over %.1f s since the prime (%.0f%% of a core; loading "
               "the "
               "file before it not included)\n",
               tool_cpu, tool_wall, 100 * tool_cpu / tool_wall);

        if (json) {
                FILE *f = fopen(json, "w");
                if (!f)
                        die(json, strerror(errno));
                fprintf(f, "{\"label\": \"%s\", \"out_topic\": \"%s\", \"sent_at\": \"%s\", ",
                        label, out_topic, sent_at_mode);
                fprintf(f,
                        "\"rate\": %.0f, \"rate_achieved\": %.0f, \"warmup_s\": %.1f, "
                        "\"duration_s\": %.1f, ",
                        rate, achieved, warmup_s, duration_s);
                fprintf(f,
                        "\"prime_events\": %zu, \"warmup_events\": %zu, \"measured_sent\": %zu, "
                        "\"measured_received\": %zu, \"missing\": %zu, \"undelivered\": %zu, "
                        "\"missing_before\": %zu, \"duplicates\": %lu, \"unknown\": %lu, "
                        "\"sent_total\": %zu, ",
                        n_prime, n_warm, n_meas, got, missing, undelivered, missing_before,
                        atomic_load(&duplicates), atomic_load(&unknown), sent);
                jnum(f, "p50_ms", p50, ", ");
                jnum(f, "p90_ms", p90, ", ");
                jnum(f, "p99_ms", p99, ", ");
                jnum(f, "p999_ms", p999, ", ");
                jnum(f, "max_ms", pmax, ", ");
                jnum(f, "mean_ms", mean, ", ");
                jnum(f, "to_output_p50_ms", split ? pct(to_out, n_split, 50) : NAN, ", ");
                jnum(f, "to_output_p99_ms", split ? pct(to_out, n_split, 99) : NAN, ", ");
                jnum(f, "output_to_visible_p50_ms", split ? pct(commit, n_split, 50) : NAN, ", ");
                jnum(f, "output_to_visible_p99_ms", split ? pct(commit, n_split, 99) : NAN, ", ");
                fprintf(f,
                        "\"pacer_max_lag_ms\": %.1f, \"pacer_sends_late_5ms\": %zu, "
                        "\"prime_s\": %.1f, \"drain_s\": %.1f, \"fetch_wait_max_ms\": %d, "
                        "\"linger_ms\": %d, \"tool_cpu_s\": %.1f, \"tool_wall_s\": %.1f, ",
                        (double)lag_max / 1000.0, late5, prime_s, drain_wait_s, fetch_wait_ms,
                        linger_ms, tool_cpu, tool_wall);
                /* Per second of sending: [second, results, p50, p99, max]; and the median of the
                 * per-second p99s, a figure that one stall of the shared machine does not move. */
                fprintf(f, "\"per_second\": [");
                double *b = malloc(n_meas * sizeof(double)),
                       *sec_p99 = calloc(nsec, sizeof(double));
                size_t n_sec_p99 = 0;
                for (size_t s = 0; s < nsec && b && sec_p99; s++) {
                        size_t nb = 0;
                        size_t lo = meas0 + (size_t)llround((double)s * rate),
                               hi = meas0 + (size_t)llround((double)(s + 1) * rate);
                        if (hi > meas0 + n_meas)
                                hi = meas0 + n_meas;
                        for (size_t i = lo; i < hi; i++)
                                if (append_ms[i] >= 0 && visible_us[i])
                                        b[nb++] = (double)visible_us[i] / 1000.0 -
                                                  (double)append_ms[i];
                        qsort(b, nb, sizeof(double), cmp_d);
                        fprintf(f, "%s[%zu, %zu, ", s ? ", " : "", s, nb);
                        if (nb) {
                                fprintf(f, "%.1f, %.1f, %.1f]", pct(b, nb, 50), pct(b, nb, 99),
                                        b[nb - 1]);
                                sec_p99[n_sec_p99++] = pct(b, nb, 99);
                        } else {
                                fprintf(f, "null, null, null]");
                        }
                }
                fprintf(f, "], ");
                if (sec_p99)
                        qsort(sec_p99, n_sec_p99, sizeof(double), cmp_d);
                jnum(f, "p99_median_second_ms", sec_p99 ? pct(sec_p99, n_sec_p99, 50) : NAN, "}\n");
                free(b);
                free(sec_p99);
                if (fclose(f))
                        die(json, strerror(errno));
        }
        if (raw) {
                FILE *f = fopen(raw, "w");
                if (!f)
                        die(raw, strerror(errno));
                for (size_t i = meas0; i < meas0 + n_meas; i++) {
                        if (append_ms[i] >= 0 && visible_us[i])
                                fprintf(f, "%zu %d %.1f %lld\n", i - meas0, evs[i].topic,
                                        (double)visible_us[i] / 1000.0 - (double)append_ms[i],
                                        (long long)(out_ts[i] - append_ms[i]));
                        else
                                fprintf(f, "%zu %d\n", i - meas0, evs[i].topic);
                }
                if (fclose(f))
                        die(raw, strerror(errno));
        }
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        for (int i = 0; i < 2; i++)
                rd_kafka_topic_destroy(in_topic[i]);
        rd_kafka_destroy(producer);
        free(lat);
        free(to_out);
        free(commit);
        free(lag_us);
        free(slots);
        free(seen);
        free(out_ts_type);
        free(out_ts);
        free(visible_us);
        free(append_ms);
        free(evs);
        pf_evfile_close(evfile);
        return 0;
}
