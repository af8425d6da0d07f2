/**
 * @file worker.c
 * @brief The consume-transform-produce loop of `paxflow run`.
 *
 * One consumer in the group reads the event topics (stage 1) and the repartition topic (stage 2);
 * one producer writes every output. Delivery is at-least-once and loses nothing: an input offset is
 * stored only after its outputs were handed to the producer, and offsets are committed only after
 * the producer has flushed every output. A crash therefore re-processes, never skips.
 */
#define _POSIX_C_SOURCE 200809L
#include "worker.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"
#include "log.h"
#include "pipeline.h"

static volatile sig_atomic_t pf_worker_stop_flag;

static void worker_on_signal(int sig) {
        (void)sig;
        pf_worker_stop_flag = 1;
}

typedef struct pf_worker_s {
        const pf_conf_t *conf;
        pf_worker_stats_t *stats;
        rd_kafka_t *consumer;
        rd_kafka_t *producer;
        rd_kafka_topic_t *out[PF_TOPIC__COUNT];
        char names[PF_TOPIC__COUNT][256];
        pf_pipeline_t *pipe;
        pf_key_t *key;
        pf_schemas_t *schemas;
        pf_band_t alert_band;
        uint64_t stored_since_commit;
        uint64_t delivery_failures;
        int fatal;
} pf_worker_t;

static int64_t worker_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double worker_mono_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** Delivery reports: a failed output must stop offsets from being committed. */
static void worker_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
        (void)rk;
        pf_worker_t *w = opaque;
        if (!msg->err)
                return;
        w->delivery_failures++;
        pf_log_error("worker", "delivery to %s failed: %s", rd_kafka_topic_name(msg->rkt),
                     rd_kafka_err2str(msg->err));
}

/** Produces with back-pressure: waits for queue room rather than dropping. */
static int worker_produce(pf_worker_t *w, pf_topic_t topic, const void *key, size_t key_len,
                          const void *value, size_t len) {
        for (;;) {
                if (rd_kafka_produce(w->out[topic], RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                     (void *)(uintptr_t)value, len, key, key_len, NULL) == 0)
                        return 0;
                rd_kafka_resp_err_t err = rd_kafka_last_error();
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        pf_log_error("worker", "produce to %s failed: %s", w->names[topic],
                                     rd_kafka_err2str(err));
                        return -1;
                }
                rd_kafka_poll(w->producer, 50);
        }
}

/** Sends a bad message to the dead-letter topic with its coordinates and reason. */
static int worker_dead_letter(pf_worker_t *w, const rd_kafka_message_t *msg, pf_err_t code,
                              const char *reason, const char *stage) {
        pf_dead_letter_t dl = {
                .topic = rd_kafka_topic_name(msg->rkt),
                .partition = msg->partition,
                .offset = msg->offset,
                .key = msg->key,
                .key_len = msg->key_len,
                .value = msg->payload,
                .value_len = msg->len,
                .code = code,
                .reason = reason,
                .stage = stage,
                .failed_at = worker_now_ms(),
        };
        const uint8_t *out;
        size_t out_len;
        if (pf_pipeline_dead_letter(w->pipe, &dl, &out, &out_len)) {
                pf_log_error("worker", "cannot encode a dead letter for %s [%d] @%lld", dl.topic,
                             (int)dl.partition, (long long)dl.offset);
                return -1;
        }
        w->stats->dead_letters++;
        w->stats->dlq_by_code[code < PF_ERR__COUNT ? code : PF_ERR_INTERNAL]++;
        pf_log_warn("worker", "dead letter: %s [%d] @%lld %s: %s", dl.topic, (int)dl.partition,
                    (long long)dl.offset, pf_err_name(code), reason);
        return worker_produce(w, PF_TOPIC_DLQ, msg->key, msg->key_len, out, out_len);
}

static int worker_stage1(pf_worker_t *w, const rd_kafka_message_t *msg) {
        char key_hex[PF_KEY_HEX_SIZE], errstr[512];
        w->stats->events_in++;
        if (strcmp(rd_kafka_topic_name(msg->rkt), w->names[PF_TOPIC_EVENTS_API]) == 0)
                w->stats->events_api++;
        else
                w->stats->events_pnr++;
        pf_err_t err =
                pf_stage1_process(w->pipe, msg->payload, msg->len, key_hex, errstr, sizeof(errstr));
        if (err)
                return worker_dead_letter(w, msg, err, errstr, "stage1");
        w->stats->repartitioned++;
        return worker_produce(w, PF_TOPIC_BY_TRAVELLER, key_hex, PF_KEY_BYTES * 2, msg->payload,
                              msg->len);
}

static int worker_stage2(pf_worker_t *w, const rd_kafka_message_t *msg) {
        char errstr[512];
        const uint8_t *out;
        size_t out_len;
        pf_band_t band;
        w->stats->stage2_in++;
        pf_err_t err = pf_stage2_process(w->pipe, msg->partition, msg->key, msg->key_len,
                                         msg->payload, msg->len, worker_now_ms(), &out, &out_len,
                                         &band, errstr, sizeof(errstr));
        if (err == PF_ERR_STATE) {
                /* Not the message's fault: stop before committing, so nothing is lost. */
                pf_log_error("worker", "state store failed on partition %d: %s",
                             (int)msg->partition, errstr);
                return -1;
        }
        if (err)
                return worker_dead_letter(w, msg, err, errstr, "stage2");
        if (worker_produce(w, PF_TOPIC_SCORED, msg->key, msg->key_len, out, out_len))
                return -1;
        w->stats->results_out++;
        w->stats->results_by_band[band]++;
        if (band >= w->alert_band && band != PF_BAND_NONE) {
                w->stats->alerts++;
                w->stats->alerts_by_band[band]++;
                return worker_produce(w, PF_TOPIC_ALERTS, msg->key, msg->key_len, out, out_len);
        }
        return 0;
}

/**
 * Flushes every output, then commits the stored offsets. Offsets are never committed past an
 * output that was not delivered. @returns 0 or -1 (fatal).
 */
static int worker_commit(pf_worker_t *w) {
        if (!w->stored_since_commit)
                return 0;
        rd_kafka_resp_err_t err = rd_kafka_flush(w->producer, 60 * 1000);
        if (err || w->delivery_failures) {
                pf_log_error("worker",
                             "outputs not delivered (%s, %llu failures): not committing offsets",
                             rd_kafka_err2str(err), (unsigned long long)w->delivery_failures);
                return -1;
        }
        err = rd_kafka_commit(w->consumer, NULL, 0);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                pf_log_error("worker", "offset commit failed: %s", rd_kafka_err2str(err));
                return -1;
        }
        w->stored_since_commit = 0;
        w->stats->commits++;
        return 0;
}

static void worker_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t *parts, void *opaque) {
        pf_worker_t *w = opaque;
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                pf_log_info("worker", "assigned %d partitions", parts->cnt);
                rd_kafka_assign(rk, parts);
                return;
        }
        pf_log_info("worker", "revoking %d partitions", parts->cnt);
        if (worker_commit(w))
                w->fatal = 1;
        for (int i = 0; i < parts->cnt; i++)
                if (strcmp(parts->elems[i].topic, w->names[PF_TOPIC_BY_TRAVELLER]) == 0)
                        pf_pipeline_release(w->pipe, parts->elems[i].partition);
        rd_kafka_assign(rk, NULL);
}

/**
 * @returns 1 when every assigned partition has been consumed to its high watermark. A partition
 * this worker has not read from yet counts from its committed offset.
 */
static int worker_caught_up(pf_worker_t *w) {
        rd_kafka_topic_partition_list_t *parts = NULL, *committed = NULL;
        int caught_up = 1;
        if (rd_kafka_assignment(w->consumer, &parts))
                return 0;
        if (parts->cnt == 0)
                caught_up = 0; /* not yet part of the group */
        rd_kafka_position(w->consumer, parts);
        committed = rd_kafka_topic_partition_list_copy(parts);
        if (rd_kafka_committed(w->consumer, committed, 5000))
                caught_up = 0;
        for (int i = 0; caught_up && i < parts->cnt; i++) {
                int64_t lo, hi;
                rd_kafka_topic_partition_t *p = &parts->elems[i];
                int64_t at = p->offset >= 0 ? p->offset : committed->elems[i].offset;
                if (rd_kafka_query_watermark_offsets(w->consumer, p->topic, p->partition, &lo, &hi,
                                                     5000))
                        caught_up = 0;
                else if (at >= 0 ? at < hi : hi > lo)
                        caught_up = 0;
        }
        rd_kafka_topic_partition_list_destroy(committed);
        rd_kafka_topic_partition_list_destroy(parts);
        return caught_up;
}

static int worker_handle(pf_worker_t *w, rd_kafka_message_t *msg) {
        if (msg->err) {
                if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
                        return 0;
                pf_log_warn("worker", "consumer: %s", rd_kafka_message_errstr(msg));
                return msg->err == RD_KAFKA_RESP_ERR__FATAL ? -1 : 0;
        }
        const char *topic = rd_kafka_topic_name(msg->rkt);
        int rc = strcmp(topic, w->names[PF_TOPIC_BY_TRAVELLER]) == 0 ? worker_stage2(w, msg)
                                                                     : worker_stage1(w, msg);
        if (rc)
                return -1;
        if (rd_kafka_offset_store(msg->rkt, msg->partition, msg->offset) == 0)
                w->stored_since_commit++;
        return 0;
}

static int worker_setup(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                pf_topic_name(conf, (pf_topic_t)t, w->names[t], sizeof(w->names[t]));
        pf_band_parse(pf_conf_str(conf, "alert.band"), &w->alert_band);
        if (!pf_conf_str(conf, "secret.file")[0]) {
                snprintf(errstr, errstr_size,
                         "secret.file is required: the pseudonymisation secret (16-64 bytes)");
                return -1;
        }
        if (!(w->key = pf_key_new_from_file(pf_conf_str(conf, "secret.file"), errstr, errstr_size)))
                return -1;
        if (!(w->schemas = pf_schemas_new(errstr, errstr_size)))
                return -1;
        pf_pipeline_conf_t pconf;
        pf_pipeline_conf_defaults(&pconf);
        pconf.schemas = w->schemas;
        pconf.key = w->key;
        pconf.state_dir = pf_conf_str(conf, "state.dir");
        pconf.store.block_cache_bytes = (size_t)pf_conf_int(conf, "store.cache.mb") << 20;
        pconf.codec.max_message_bytes = (size_t)pf_conf_int(conf, "max.message.bytes");
        pconf.retention_ms = pf_conf_int(conf, "history.retention.days") * 24 * 3600 * 1000;
        if (!(w->pipe = pf_pipeline_new(&pconf, errstr, errstr_size)))
                return -1;

        char kerr[256];
        rd_kafka_conf_t *pconfk = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!pconfk)
                return -1;
        rd_kafka_conf_set_opaque(pconfk, w);
        rd_kafka_conf_set_dr_msg_cb(pconfk, worker_dr_cb);
        if (pf_kafka_conf_set(pconfk, "enable.idempotence", "true", errstr, errstr_size) ||
            pf_kafka_conf_set(pconfk, "linger.ms", "5", errstr, errstr_size) ||
            pf_kafka_conf_set(pconfk, "partitioner", "murmur2_random", errstr, errstr_size)) {
                rd_kafka_conf_destroy(pconfk);
                return -1;
        }
        if (!(w->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconfk, kerr, sizeof(kerr)))) {
                rd_kafka_conf_destroy(pconfk);
                snprintf(errstr, errstr_size, "producer: %s", kerr);
                return -1;
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                w->out[t] = rd_kafka_topic_new(w->producer, w->names[t], NULL);

        rd_kafka_conf_t *cconf = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!cconf)
                return -1;
        rd_kafka_conf_set_opaque(cconf, w);
        rd_kafka_conf_set_rebalance_cb(cconf, worker_rebalance_cb);
        if (pf_kafka_conf_set(cconf, "group.id", pf_conf_str(conf, "group.id"), errstr,
                              errstr_size) ||
            pf_kafka_conf_set(cconf, "enable.auto.commit", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "enable.auto.offset.store", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "auto.offset.reset", "earliest", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "isolation.level", "read_committed", errstr, errstr_size)) {
                rd_kafka_conf_destroy(cconf);
                return -1;
        }
        if (!(w->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, kerr, sizeof(kerr)))) {
                rd_kafka_conf_destroy(cconf);
                snprintf(errstr, errstr_size, "consumer: %s", kerr);
                return -1;
        }
        rd_kafka_poll_set_consumer(w->consumer);
        rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(3);
        rd_kafka_topic_partition_list_add(subs, w->names[PF_TOPIC_EVENTS_API],
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_topic_partition_list_add(subs, w->names[PF_TOPIC_EVENTS_PNR],
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_topic_partition_list_add(subs, w->names[PF_TOPIC_BY_TRAVELLER],
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(w->consumer, subs);
        rd_kafka_topic_partition_list_destroy(subs);
        if (err) {
                snprintf(errstr, errstr_size, "subscribe: %s", rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

static void worker_teardown(pf_worker_t *w) {
        if (w->consumer) {
                rd_kafka_consumer_close(w->consumer);
                rd_kafka_destroy(w->consumer);
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                if (w->out[t])
                        rd_kafka_topic_destroy(w->out[t]);
        if (w->producer) {
                rd_kafka_flush(w->producer, 30 * 1000);
                rd_kafka_destroy(w->producer);
        }
        pf_pipeline_destroy(w->pipe);
        pf_schemas_destroy(w->schemas);
        pf_key_destroy(w->key);
}

int pf_worker_run(const pf_conf_t *conf, pf_worker_stats_t *stats) {
        pf_worker_t w = {.conf = conf, .stats = stats};
        char errstr[512];
        int status = 0;
        memset(stats, 0, sizeof(*stats));
        pf_worker_stop_flag = 0;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = worker_on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        if (worker_setup(&w, errstr, sizeof(errstr))) {
                pf_log_error("worker", "%s", errstr);
                status = 1;
                goto done;
        }
        pf_log_info("worker", "running: group %s, inputs %s %s, repartition %s",
                    pf_conf_str(conf, "group.id"), w.names[PF_TOPIC_EVENTS_API],
                    w.names[PF_TOPIC_EVENTS_PNR], w.names[PF_TOPIC_BY_TRAVELLER]);

        int64_t commit_ms = pf_conf_int(conf, "commit.interval.ms");
        int64_t idle_exit_ms = pf_conf_int(conf, "idle.exit.ms");
        double t0 = worker_mono_s(), last_commit = t0, last_msg = t0, first_msg = 0, last_out = t0;
        while (!pf_worker_stop_flag && !w.fatal) {
                rd_kafka_message_t *msg = rd_kafka_consumer_poll(w.consumer, 100);
                rd_kafka_poll(w.producer, 0);
                double now = worker_mono_s();
                if (msg) {
                        int rc = worker_handle(&w, msg);
                        if (!msg->err) {
                                last_msg = now;
                                last_out = now;
                                if (first_msg == 0)
                                        first_msg = now;
                        }
                        rd_kafka_message_destroy(msg);
                        if (rc) {
                                w.fatal = 1;
                                break;
                        }
                }
                if ((now - last_commit) * 1000 >= (double)commit_ms) {
                        if (worker_commit(&w)) {
                                w.fatal = 1;
                                break;
                        }
                        last_commit = now;
                }
                if (idle_exit_ms > 0 && (now - last_msg) * 1000 >= (double)idle_exit_ms) {
                        if (worker_commit(&w)) {
                                w.fatal = 1;
                                break;
                        }
                        if (worker_caught_up(&w)) {
                                pf_log_info("worker", "all input consumed; idle exit");
                                break;
                        }
                        last_msg = worker_mono_s();
                }
        }
        if (w.fatal) {
                /* Offsets stay where the last good commit left them: a restart re-processes. */
                pf_log_error("worker", "stopping after a fatal error; uncommitted input will be "
                                       "re-processed on restart");
                status = 1;
        } else if (worker_commit(&w)) {
                status = 1;
        }
        stats->seconds = first_msg > 0 ? last_out - first_msg : 0;
        pf_log_info("worker", "shutting down: %llu events in, %llu results out",
                    (unsigned long long)stats->events_in, (unsigned long long)stats->results_out);
done:
        worker_teardown(&w);
        return status;
}

void pf_worker_print_summary(const pf_worker_stats_t *s) {
        printf("paxflow run summary\n");
        printf("  events in      %10llu  (api %llu, pnr %llu)\n", (unsigned long long)s->events_in,
               (unsigned long long)s->events_api, (unsigned long long)s->events_pnr);
        printf("  results out    %10llu  (", (unsigned long long)s->results_out);
        for (int b = 0; b < PF_BAND__COUNT; b++)
                printf("%s%s %llu", b ? ", " : "", pf_band_name((pf_band_t)b),
                       (unsigned long long)s->results_by_band[b]);
        printf(")\n  alerts         %10llu  (", (unsigned long long)s->alerts);
        int first = 1;
        for (int b = PF_BAND_LOW; b < PF_BAND__COUNT; b++) {
                printf("%s%s %llu", first ? "" : ", ", pf_band_name((pf_band_t)b),
                       (unsigned long long)s->alerts_by_band[b]);
                first = 0;
        }
        printf(")\n  dead letters   %10llu", (unsigned long long)s->dead_letters);
        first = 1;
        for (int e = 0; e < PF_ERR__COUNT; e++) {
                if (!s->dlq_by_code[e])
                        continue;
                printf("%s%s %llu", first ? "  (" : ", ", pf_err_name((pf_err_t)e),
                       (unsigned long long)s->dlq_by_code[e]);
                first = 0;
        }
        printf("%s\n", first ? "" : ")");
        printf("  elapsed        %10.1f s\n", s->seconds);
        printf("  events/s       %10.0f  (stage 1 input, first to last message)\n",
               s->seconds > 0 ? (double)s->events_in / s->seconds : 0.0);
}
