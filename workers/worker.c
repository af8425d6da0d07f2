/**
 * @file worker.c
 * @brief The consume-transform-produce loop of `paxflow run`.
 *
 * One consumer in the group reads the event topics (stage 1) and the repartition topic (stage 2);
 * one producer writes every output.
 *
 * exactly_once_v2 (default): everything between two commits -- stage 1 and 2 outputs, dead
 * letters, the state changelog and the consumed offsets -- is one Kafka transaction (KIP-447: the
 * offsets go with the consumer-group metadata). Stage 2's state changes wait in the pipeline's
 * overlay and reach RocksDB only after the commit succeeds, with the changelog offset they match;
 * an abort rewinds the consumer to its committed offsets and drops the overlay.
 *
 * at_least_once: outputs are flushed before offsets are committed; a crash re-processes.
 *
 * Rebalancing: the eager protocol with static membership optional (see README "Rebalancing" for
 * why not cooperative-sticky with librdkafka 2.0.2). A newly assigned repartition partition is
 * paused while a separate, group-less consumer restores its store from the changelog, from the
 * offset stored with the store's last batch; the group consumer keeps polling all the while, so a
 * restore can never exceed max.poll.interval.ms.
 */
#define _POSIX_C_SOURCE 200809L
#include "worker.h"

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "kafka.h"
#include "log.h"
#include "metrics.h"
#include "order.h"
#include "flags.h"
#include "pipeline.h"
#include "registry.h"
#include "rules_cli.h"

static volatile sig_atomic_t pf_worker_stop_flag;

static void worker_on_signal(int sig) {
        (void)sig;
        pf_worker_stop_flag = 1;
}

/* Shutdown watchdog. librdkafka 2.0.2 was seen (once, in it_kill, after a broker restart) to
 * block for good in the unassign that rd_kafka_consumer_close() runs through the rebalance
 * callback. By then every output and offset is committed and the stores are closed (RocksDB's
 * write-ahead log is on), so the process may leave without finishing the close. */
#define PF_WORKER_SHUTDOWN_S 30
/** Least time between two commits made early to publish flags progress (worker_progress_pending).
 */
#define PF_WORKER_EAGER_COMMIT_MS 5
static volatile sig_atomic_t pf_worker_exit_status;

static void worker_on_shutdown_timeout(int sig) {
        static const char msg[] =
                "{\"level\":\"warn\",\"comp\":\"worker\",\"msg\":\"shutdown did not "
                "finish within 30 s (Kafka client close); exiting: what was committed stays, "
                "what was not is processed again after a restart\"}\n";
        (void)sig;
        ssize_t n = write(2, msg, sizeof(msg) - 1);
        (void)n;
        _exit(pf_worker_exit_status);
}

#define PF_WORKER_MAX_PARTITIONS 4096
#define PF_RESTORE_CHECKPOINT    20000 /* records between restore checkpoints */

/** Restore state of one repartition partition. */
typedef struct pf_restore_part_s {
        int active;
        uint64_t records;
        int64_t next_offset; /* after the last applied record, -1 if none */
        double t0;
} pf_restore_part_t;

typedef struct pf_worker_s {
        const pf_conf_t *conf;
        pf_worker_stats_t *stats;
        pf_worker_stats_t pending; /* counts of the open transaction */
        rd_kafka_t *consumer;
        rd_kafka_t *producer;
        rd_kafka_t *restorer;
        rd_kafka_topic_t *out[PF_TOPIC__COUNT];
        char names[PF_TOPIC__COUNT][256];
        pf_pipeline_t *pipe;
        pf_key_t *key;
        pf_schemas_t *schemas;
        pf_band_t alert_band;
        int eos;
        int64_t fault_abort_every;
        uint64_t txns;
        uint64_t since_commit; /* input messages handled since the last commit */
        uint64_t delivery_failures;
        int fatal;
        int64_t changelog_next[PF_WORKER_MAX_PARTITIONS];
        pf_restore_part_t restore[PF_WORKER_MAX_PARTITIONS];
        int restoring;
        pf_ruleset_t *ruleset;   /* compiled rules.file, or NULL for the built-in rules */
        pf_registry_t *registry; /* schema.registry.url, or NULL */
        double registry_down;    /* since when the registry has not answered, 0 if it does */
        pf_watchlist_t *wl;      /* the global table, read in full from the watchlist topic */
        rd_kafka_t *wl_consumer; /* group-less, all partitions from the beginning */
        pf_codec_t *wl_codec;
        pf_wl_storage_t *wl_st;
        int wl_parts, wl_eofs, wl_loaded; /* wl_loaded: the watchlist and the rules topic */
        int rules_parts, rules_eofs;
        uint8_t rules_eof[64];
        pf_ruleset_t *rules_live;        /* the last good set from the rules topic, or NULL */
        const pf_rule_caps_t *caps_seen; /* the caps capped_seen counts for */
        struct stat rules_st;            /* rules.file as last loaded (mtime, size) */
        double rules_checked;            /* when rules.file was last looked at */
        uint64_t capped_seen[256];       /* suppressed hits already in the metric, per rule */
        uint8_t wl_eof[64];
        uint64_t wl_records;
        pf_flags_t *flags; /* hit travellers' contacts and bookings, read from the flags topic */
        int flags_parts;   /* of the flags topic: one per repartition partition */
        uint64_t flags_records, flags_bad;
        int64_t flags_sent[PF_WORKER_MAX_PARTITIONS]; /* progress published per partition */
        /* An owned partition's own progress counts in the gate at once (its flags go into the
         * table as they are raised) once the table holds what earlier owners committed: the
         * flags topic partition read to the end it had when the partition was restored. */
        int64_t flags_need[PF_WORKER_MAX_PARTITIONS]; /* that end; -1: not owned */
        int64_t flags_eof[PF_WORKER_MAX_PARTITIONS];  /* where the reader last hit the end */
        uint8_t resynced[PF_WORKER_MAX_PARTITIONS];   /* read again up to the stored position */
        /* After a rewind (abort), rd_kafka_position() (librdkafka 2.0.2) may still report the
         * pre-seek position of a partition until it delivers again; a commit meanwhile would
         * skip what is to be read again. So until then the seek offset stands in for it. */
        uint8_t stale[3][PF_WORKER_MAX_PARTITIONS];
        int64_t seek_pos[3][PF_WORKER_MAX_PARTITIONS];
        double wl_t0;
        uint8_t await_wl[PF_WORKER_MAX_PARTITIONS]; /* restored, waiting for the watchlist */
        pf_metrics_t *metrics;                      /* NULL when metrics.port is 0 */
        pf_metrics_series_t *m_in[3], *m_out[PF_TOPIC__COUNT], *m_stage[2], *m_latency;
        pf_metrics_series_t *m_txn_ok, *m_txn_abort, *m_rebalances, *m_restored, *m_restoring;
        pf_metrics_series_t *m_results[PF_BAND__COUNT];
        double last_state_stats;
        int ordered;                      /* order.mode=event_time */
        int idle_clock;                   /* order.idle=clock */
        pf_order_sources_t *sources;      /* stage 1: watermarks of the owned input partitions */
        pf_order_sources_t *sources_done; /* the same as of the last commit */
        int markers_due;                  /* a source's watermark changed since the last commit */
        pf_order_part_t *order[PF_WORKER_MAX_PARTITIONS]; /* stage 2: per repartition partition */
        uint8_t order_touched[PF_WORKER_MAX_PARTITIONS];  /* its state changed since the commit */
        int release_due;                                  /* pending events may be releasable */
        int flags_held;    /* an event waits for the flags progress of some partition */
        int flags_foreign; /* the lowest progress is another worker's partition (flags gate) */
        int progress_due;  /* a partition's progress may have moved since the last commit */
        int32_t in_parts[PF_ORDER_INPUTS]; /* partition counts of the input topics */
        int32_t rp_parts;                  /* of the repartition topic */
        size_t max_pending;
        uint8_t *envbuf; /* stage 1: envelope + event bytes */
        size_t envcap;
        pf_metrics_series_t *m_pending, *m_late, *m_forced;
        int assigned; /* assigned partitions, all topics */
        int at_eof;   /* of them, how many are at their end */
        uint8_t eof[3][PF_WORKER_MAX_PARTITIONS];
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

static void stats_add(pf_worker_stats_t *to, const pf_worker_stats_t *from) {
        to->events_in += from->events_in;
        to->events_api += from->events_api;
        to->events_pnr += from->events_pnr;
        to->repartitioned += from->repartitioned;
        to->stage2_in += from->stage2_in;
        to->results_out += from->results_out;
        to->alerts += from->alerts;
        to->dead_letters += from->dead_letters;
        to->order_late += from->order_late;
        to->order_forced += from->order_forced;
        to->order_skipped += from->order_skipped;
        for (int b = 0; b < PF_BAND__COUNT; b++) {
                to->results_by_band[b] += from->results_by_band[b];
                to->alerts_by_band[b] += from->alerts_by_band[b];
        }
        for (int e = 0; e < PF_ERR__COUNT; e++)
                to->dlq_by_code[e] += from->dlq_by_code[e];
}

/** Delivery reports: a failed output must stop offsets from being committed. */
static void worker_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
        (void)rk;
        pf_worker_t *w = opaque;
        if (msg->err) {
                w->delivery_failures++;
                pf_log_error("worker", "delivery to %s failed: %s", rd_kafka_topic_name(msg->rkt),
                             rd_kafka_err2str(msg->err));
                return;
        }
        if (msg->rkt == w->out[PF_TOPIC_CHANGELOG] && msg->partition >= 0 &&
            msg->partition < PF_WORKER_MAX_PARTITIONS &&
            msg->offset + 1 > w->changelog_next[msg->partition])
                w->changelog_next[msg->partition] = msg->offset + 1;
}

/** Produces with back-pressure: waits for queue room rather than dropping. */
static int worker_produce_ts(pf_worker_t *w, pf_topic_t topic, int32_t partition, const void *key,
                             size_t key_len, const void *value, size_t len, int64_t timestamp) {
        for (;;) {
                rd_kafka_resp_err_t err = rd_kafka_producev(
                        w->producer, RD_KAFKA_V_RKT(w->out[topic]), RD_KAFKA_V_PARTITION(partition),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_VALUE((void *)(uintptr_t)value, len),
                        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_TIMESTAMP(timestamp),
                        RD_KAFKA_V_END);
                if (!err) {
                        pf_metrics_series_inc(w->m_out[topic], 1);
                        return 0;
                }
                if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        pf_log_error("worker", "produce to %s failed: %s", w->names[topic],
                                     rd_kafka_err2str(err));
                        return -1;
                }
                rd_kafka_poll(w->producer, 50);
        }
}

static int worker_produce(pf_worker_t *w, pf_topic_t topic, int32_t partition, const void *key,
                          size_t key_len, const void *value, size_t len) {
        return worker_produce_ts(w, topic, partition, key, key_len, value, len, 0);
}

/** Where a dead letter came from: its input coordinates, key and original bytes. */
typedef struct pf_worker_origin_s {
        const char *topic;
        int32_t partition;
        int64_t offset;
        const void *key;
        size_t key_len;
        const void *value;
        size_t len;
} pf_worker_origin_t;

/** Sends bad input to the dead-letter topic with its coordinates and reason. */
static int worker_dead_letter_at(pf_worker_t *w, const pf_worker_origin_t *o, pf_err_t code,
                                 const char *reason, const char *stage) {
        pf_dead_letter_t dl = {
                .topic = o->topic,
                .partition = o->partition,
                .offset = o->offset,
                .key = o->key,
                .key_len = o->key_len,
                .value = o->value,
                .value_len = o->len,
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
        w->pending.dead_letters++;
        if (w->metrics) {
                const char *labels[] = {pf_err_name(code)};
                pf_metrics_counter_add(w->metrics, PF_M_DEAD_LETTERS, labels, 1);
        }
        w->pending.dlq_by_code[code < PF_ERR__COUNT ? code : PF_ERR_INTERNAL]++;
        pf_log_warn("worker", "dead letter: %s [%d] @%lld %s: %s", dl.topic, (int)dl.partition,
                    (long long)dl.offset, pf_err_name(code), reason);
        return worker_produce(w, PF_TOPIC_DLQ, RD_KAFKA_PARTITION_UA, o->key, o->key_len, out,
                              out_len);
}

/** @returns where @p msg came from, its bytes as they are. */
static pf_worker_origin_t worker_origin(const rd_kafka_message_t *msg) {
        return (pf_worker_origin_t){rd_kafka_topic_name(msg->rkt),
                                    msg->partition,
                                    msg->offset,
                                    msg->key,
                                    msg->key_len,
                                    msg->payload,
                                    msg->len};
}

static int worker_dead_letter(pf_worker_t *w, const rd_kafka_message_t *msg, pf_err_t code,
                              const char *reason, const char *stage) {
        pf_worker_origin_t o = worker_origin(msg);
        return worker_dead_letter_at(w, &o, code, reason, stage);
}

/**
 * The schema registry did not answer: wait a little and let the caller try again, for up to
 * schema.registry.outage.max.ms. @returns 0 to retry, -1 to stop (nothing is committed, so a
 * restart re-processes the event; it is not dead-lettered, since it is not its fault).
 */
static int worker_registry_wait(pf_worker_t *w, const char *errstr) {
        double now = worker_mono_s();
        if (w->registry_down == 0) {
                w->registry_down = now;
                pf_log_warn("worker", "schema registry unavailable, retrying: %s", errstr);
        }
        double waited = now - w->registry_down;
        if (waited * 1000 > (double)pf_conf_int(w->conf, "schema.registry.outage.max.ms")) {
                pf_log_error("worker", "schema registry unavailable for %.0f s: stopping (%s)",
                             waited, errstr);
                return -1;
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        rd_kafka_poll(w->producer, 0);
        pf_metrics_heartbeat(w->metrics);
        return 0;
}

/** @returns 0 when the registry answered again, 1 to retry, -1 to stop; for any other @p err. */
static int worker_registry_error(pf_worker_t *w, pf_err_t err, const char *errstr) {
        if (err == PF_ERR_UNAVAILABLE)
                return worker_registry_wait(w, errstr) ? -1 : 1;
        if (w->registry_down != 0) {
                pf_log_info("worker", "schema registry answers again after %.1f s",
                            worker_mono_s() - w->registry_down);
                w->registry_down = 0;
        }
        if (err == PF_ERR_CONFIG) { /* e.g. 401/403: an operator's problem, not the event's */
                pf_log_error("worker", "schema registry: %s", errstr);
                return -1;
        }
        return 0;
}

/** @param idx the input topic's index from worker_input_index(): 0 api, 1 pnr. */
static int worker_stage1(pf_worker_t *w, const rd_kafka_message_t *msg, int idx) {
        char key_hex[PF_KEY_HEX_SIZE], errstr[512];
        w->pending.events_in++;
        if (idx == 0)
                w->pending.events_api++;
        else
                w->pending.events_pnr++;
        pf_err_t err;
        int rc;
        do {
                err = pf_stage1_process(w->pipe, msg->payload, msg->len, key_hex, errstr,
                                        sizeof(errstr));
        } while ((rc = worker_registry_error(w, err, errstr)) == 1);
        if (rc < 0)
                return -1;
        if (err)
                return worker_dead_letter(w, msg, err, errstr, "stage1");
        if (msg->len + PF_ORDER_ENV_HEAD_MAX > w->envcap)
                return worker_dead_letter(w, msg, PF_ERR_TOO_LARGE,
                                          "event larger than max.message.bytes", "stage1");
        w->pending.repartitioned++;
        /* The envelope carries the event's order key, so stage 2 can order without decoding. */
        const pf_event_t *ev = pf_pipeline_event(w->pipe);
        size_t head = pf_order_env_write(w->envbuf, ev->sent_at, ev->event_id);
        memcpy(w->envbuf + head, msg->payload, msg->len);
        if (w->ordered && pf_order_source_event(w->sources, idx, msg->partition, ev->sent_at))
                w->markers_due = 1;
        /* The repartitioned event keeps the input's append time, so that stage 2 can measure the
         * latency from the original append to the result. */
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(msg, &tstype);
        return worker_produce_ts(w, PF_TOPIC_BY_TRAVELLER, RD_KAFKA_PARTITION_UA, key_hex,
                                 PF_KEY_BYTES * 2, w->envbuf, head + msg->len, ts > 0 ? ts : 0);
}

/** Applies one event to state and publishes its result (@p o: where it came from). */
static int worker_apply(pf_worker_t *w, const pf_worker_origin_t *o, int64_t ts) {
        char errstr[512];
        const uint8_t *out;
        size_t out_len;
        pf_band_t band;
        pf_err_t err;
        int rc;
        do {
                err = pf_stage2_process(w->pipe, o->partition, o->key, o->key_len, o->value, o->len,
                                        worker_now_ms(), &out, &out_len, &band, errstr,
                                        sizeof(errstr));
        } while ((rc = worker_registry_error(w, err, errstr)) == 1);
        if (rc < 0)
                return -1;
        if (err == PF_ERR_STATE || err == PF_ERR_INTERNAL) {
                /* Not the message's fault: stop before committing, so nothing is lost. */
                pf_log_error("worker", "state of partition %d: %s", (int)o->partition, errstr);
                return -1;
        }
        if (err)
                return worker_dead_letter_at(w, o, err, errstr, "stage2");
        const pf_flags_rec_t *flags;
        size_t nflags;
        pf_pipeline_flags_out(w->pipe, &flags, &nflags);
        for (size_t i = 0; i < nflags; i++) {
                uint8_t fkey[PF_FLAGS_KEY_LEN], fval[PF_FLAGS_VAL_LEN];
                pf_flags_rec_flag(fkey, fval, flags[i].digest, flags[i].flagger, flags[i].kind,
                                  flags[i].time);
                /* the partition's flags topic partition: its progress record follows them there */
                if (worker_produce(w, PF_TOPIC_FLAGS, o->partition, fkey, sizeof(fkey), fval,
                                   sizeof(fval)) ||
                    pf_flags_add(w->flags, flags[i].digest, flags[i].flagger, flags[i].kind,
                                 flags[i].time))
                        return -1;
        }
        if (worker_produce(w, PF_TOPIC_SCORED, RD_KAFKA_PARTITION_UA, o->key, o->key_len, out,
                           out_len))
                return -1;
        w->pending.results_out++;
        w->pending.results_by_band[band]++;
        if (w->metrics) {
                if (ts > 0)
                        pf_metrics_series_observe(w->m_latency,
                                                  (double)(worker_now_ms() - ts) / 1000.0);
                pf_metrics_series_inc(w->m_results[band], 1);
                const pf_result_t *res = pf_pipeline_last_result(w->pipe);
                for (uint32_t i = 0; i < res->hit_count; i++) {
                        const char *labels[] = {res->hits[i].rule_id};
                        pf_metrics_counter_add(w->metrics, PF_M_RULE_HITS, labels, 1);
                }
        }
        if (band >= w->alert_band && band != PF_BAND_NONE) {
                w->pending.alerts++;
                w->pending.alerts_by_band[band]++;
                return worker_produce(w, PF_TOPIC_ALERTS, RD_KAFKA_PARTITION_UA, o->key, o->key_len,
                                      out, out_len);
        }
        return 0;
}

/** @returns the order state of repartition partition @p p, made on first use. */
static pf_order_part_t *worker_order_part(pf_worker_t *w, int32_t p) {
        if (!w->order[p]) {
                w->order[p] = pf_order_part_new(w->in_parts, w->max_pending);
                w->resynced[p] = 1; /* nothing committed to read again */
        }
        return w->order[p];
}

/** After a load, the partition's pending events are all back once the consumer has passed the
 *  position stored at the commit; until then its own progress means nothing. */
static void worker_resync_check(pf_worker_t *w, int32_t p, int64_t position) {
        if (w->resynced[p] || !w->order[p])
                return;
        int64_t stored = pf_order_part_position(w->order[p]);
        if (stored < 0 || position >= stored) {
                w->resynced[p] = 1;
                w->release_due = 1;
        }
}

/** Stage 2: a watermark marker moves the frontier; an event is applied, held or skipped. */
static int worker_stage2(pf_worker_t *w, const rd_kafka_message_t *msg) {
        int64_t time, wm;
        const char *id;
        size_t id_len;
        int input, idle;
        int32_t src;
        pf_worker_origin_t o = worker_origin(msg);
        if (msg->partition >= 0 && msg->partition < PF_WORKER_MAX_PARTITIONS)
                worker_resync_check(w, msg->partition, msg->offset + 1);
        if (msg->key_len == PF_ORDER_MARK_KEY_LEN &&
            memcmp(msg->key, PF_ORDER_MARK_KEY, PF_ORDER_MARK_KEY_LEN) == 0) {
                if (pf_order_mark_read(msg->payload, msg->len, &input, &src, &wm, &idle))
                        return worker_dead_letter(w, msg, PF_ERR_INVALID_VALUE,
                                                  "malformed watermark marker", "stage2");
                if (!w->ordered)
                        return 0;
                pf_order_part_t *part = worker_order_part(w, msg->partition);
                if (!part)
                        return -1;
                if (pf_order_part_mark(part, msg->offset, input, src, wm, idle))
                        w->release_due = w->progress_due = 1;
                w->order_touched[msg->partition] = 1;
                return 0;
        }
        w->pending.stage2_in++;
        const uint8_t *event;
        if (pf_order_env_read(msg->payload, msg->len, &time, &id, &id_len, &event, &o.len))
                return worker_dead_letter(w, msg, PF_ERR_INVALID_VALUE,
                                          "repartitioned message without paxflow's order envelope",
                                          "stage2");
        o.value = event;
        rd_kafka_timestamp_type_t tstype;
        int64_t ts = rd_kafka_message_timestamp(msg, &tstype);
        if (!w->ordered)
                return worker_apply(w, &o, ts);
        if (msg->key_len != PF_KEY_BYTES * 2) /* not a traveller key: the apply dead-letters it */
                return worker_apply(w, &o, ts);
        pf_order_part_t *part = worker_order_part(w, msg->partition);
        if (!part)
                return -1;
        w->order_touched[msg->partition] = 1;
        switch (pf_order_part_offer(part, msg->offset, time, id, id_len, msg->key, o.value, o.len,
                                    ts)) {
        case PF_ORDER_HOLD:
                w->release_due = 1;
                return 0;
        case PF_ORDER_SKIP:
                w->pending.order_skipped++;
                return 0;
        case PF_ORDER_LATE:
                w->pending.order_late++;
                pf_metrics_series_inc(w->m_late, 1);
                return worker_apply(w, &o, ts);
        default:
                pf_log_error("worker", "out of memory holding an event of partition %d",
                             (int)msg->partition);
                return -1;
        }
}

/**
 * @returns the latest event time stage 2 may apply now (flags.h): the lowest progress over every
 * partition, plus flags.delay.ms. A partition's progress is the one read from the flags topic,
 * or for a partition this worker owns and has caught up on, its own current one.
 */
static int64_t worker_flags_gate(pf_worker_t *w) {
        int64_t m = INT64_MAX;
        int32_t parts = pf_flags_parts(w->flags);
        w->flags_foreign = 0;
        for (int32_t p = 0; p < parts && p < PF_WORKER_MAX_PARTITIONS; p++) {
                int64_t e = pf_flags_progress_of(w->flags, p);
                pf_order_part_t *part = w->order[p];
                if (part && !w->restore[p].active && w->flags_need[p] >= 0 &&
                    w->flags_eof[p] >= w->flags_need[p]) {
                        int64_t own = pf_order_part_progress(part);
                        if (w->resynced[p] && own > e)
                                e = own;
                }
                if (e < m) {
                        m = e;
                        w->flags_foreign = part == NULL; /* another worker's partition */
                }
        }
        return pf_flags_gate_at(w->flags, m);
}

/**
 * Applies, in event-time order, the held events the watermarks have passed; stops when the
 * state overlay is nearly full (the loop commits, then comes back).
 */
static int worker_release(pf_worker_t *w) {
        w->release_due = 0;
        /* flags.h: an event waits until every partition has published progress past its time
         * minus flags.delay.ms, so the flags it can see never depend on timing */
        int64_t gate = worker_flags_gate(w);
        w->flags_held = 0;
        for (int32_t p = 0; p < w->rp_parts && p < PF_WORKER_MAX_PARTITIONS; p++) {
                pf_order_part_t *part = w->order[p];
                /* After a load, nothing is released until the partition has read again up to
                 * the position stored at the commit: events held there (by the flags gate) may
                 * lie below the frontier, and releasing the first ones read back would overtake
                 * a smaller key still to come (and the skip rule would then drop it). */
                if (!part || w->restore[p].active || !w->resynced[p])
                        continue;
                while (pf_order_part_ready(part)) {
                        if (pf_order_part_next_time(part) > gate && !pf_order_part_over_cap(part)) {
                                w->flags_held = 1;
                                break;
                        }
                        if (pf_pipeline_dirty(w->pipe) >= PF_PIPELINE_OVERLAY_MAX - 1) {
                                w->release_due = 1;
                                return 0;
                        }
                        int forced = 0;
                        pf_order_rec_t *r = pf_order_part_pop(part, &forced);
                        if (forced) {
                                w->pending.order_forced++;
                                pf_metrics_series_inc(w->m_forced, 1);
                        }
                        pf_worker_origin_t o = {w->names[PF_TOPIC_BY_TRAVELLER],
                                                p,
                                                r->offset,
                                                r->key,
                                                sizeof(r->key),
                                                r->payload,
                                                r->len};
                        int rc = worker_apply(w, &o, r->ts);
                        free(r);
                        w->order_touched[p] = 1;
                        w->progress_due = 1;
                        w->since_commit++;
                        if (rc)
                                return -1;
                }
        }
        /* what this pass applied may have moved this worker's own partitions' progress: go again
         * (next loop turn, so the consumers are polled in between) */
        if (w->flags_held && worker_flags_gate(w) > gate)
                w->release_due = 1;
        return 0;
}

/** Replaces the order state of partition @p p with the committed one in its store. */
static int worker_order_load(pf_worker_t *w, int32_t p) {
        static uint8_t blob[PF_ORDER_BLOB_MAX];
        char errstr[256];
        size_t len;
        int found;
        pf_order_part_t *part = worker_order_part(w, p);
        if (!part)
                return -1;
        w->resynced[p] = 0;
        if (pf_pipeline_order_get(w->pipe, p, blob, sizeof(blob), &len, &found, errstr,
                                  sizeof(errstr))) {
                pf_log_error("worker", "order state of partition %d: %s", (int)p, errstr);
                return -1;
        }
        if (!found) {
                pf_order_part_reset(part);
                w->resynced[p] = 1; /* nothing committed: nothing to read again */
                return 0;
        }
        if (pf_order_part_load(part, blob, len)) {
                pf_log_error("worker", "order state of partition %d is corrupt", (int)p);
                return -1;
        }
        w->resynced[p] = pf_order_part_position(part) < 0;
        return 0;
}

/** Sends each changed source watermark to every repartition partition (inside the txn). */
static int worker_emit_markers(pf_worker_t *w) {
        uint8_t mark[PF_ORDER_MARK_LEN];
        if (!w->markers_due)
                return 0;
        w->markers_due = 0;
        int64_t now = worker_now_ms();
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int32_t s = 0; s < PF_ORDER_INPUT_PARTS; s++) {
                        pf_order_src_t *src = &w->sources->src[i][s];
                        if (!src->dirty)
                                continue;
                        src->dirty = 0;
                        /* order.idle=clock: a source at its end promises the wall clock minus
                         * the lateness (a live source keeps it); end: "idle", +infinity. */
                        if (w->idle_clock)
                                pf_order_mark_write(mark, i, s,
                                                    pf_order_source_promise(w->sources, i, s, now),
                                                    0);
                        else
                                pf_order_mark_write(mark, i, s,
                                                    pf_order_source_watermark(w->sources, i, s),
                                                    src->idle);
                        for (int32_t p = 0; p < w->rp_parts; p++)
                                if (worker_produce(w, PF_TOPIC_BY_TRAVELLER, p, PF_ORDER_MARK_KEY,
                                                   PF_ORDER_MARK_KEY_LEN, mark, sizeof(mark)))
                                        return -1;
                }
        return 0;
}

static int worker_emit_changelog(void *opaque, int32_t partition, const uint8_t *key,
                                 size_t key_len, const uint8_t *value, size_t value_len) {
        pf_worker_t *w = opaque;
        return worker_produce(w, PF_TOPIC_CHANGELOG, partition, key, key_len, value, value_len);
}

/** @returns the topic index (0 api, 1 pnr, 2 by-traveller) of an input topic name, or -1. */
static int worker_input_index(const pf_worker_t *w, const char *topic) {
        if (strcmp(topic, w->names[PF_TOPIC_BY_TRAVELLER]) == 0)
                return 2;
        if (strcmp(topic, w->names[PF_TOPIC_EVENTS_API]) == 0)
                return 0;
        if (strcmp(topic, w->names[PF_TOPIC_EVENTS_PNR]) == 0)
                return 1;
        return -1;
}

/** Seeks every assigned partition back to its committed offset (after an abort). */
static int worker_rewind(pf_worker_t *w) {
        rd_kafka_topic_partition_list_t *parts = NULL;
        if (rd_kafka_assignment(w->consumer, &parts))
                return -1;
        rd_kafka_resp_err_t err = rd_kafka_committed(w->consumer, parts, 30 * 1000);
        if (!err) {
                for (int i = 0; i < parts->cnt; i++) {
                        rd_kafka_topic_partition_t *tp = &parts->elems[i];
                        int idx = worker_input_index(w, tp->topic);
                        if (idx >= 0 && tp->partition >= 0 &&
                            tp->partition < PF_WORKER_MAX_PARTITIONS) {
                                w->stale[idx][tp->partition] = 1;
                                w->seek_pos[idx][tp->partition] =
                                        tp->offset >= 0 ? tp->offset : RD_KAFKA_OFFSET_INVALID;
                        }
                        if (tp->offset < 0)
                                tp->offset = RD_KAFKA_OFFSET_BEGINNING;
                }
                rd_kafka_error_t *error = rd_kafka_seek_partitions(w->consumer, parts, 30 * 1000);
                if (error) {
                        pf_log_error("worker", "rewind: %s", rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        err = RD_KAFKA_RESP_ERR__FAIL;
                }
        }
        rd_kafka_topic_partition_list_destroy(parts);
        memset(w->eof, 0, sizeof(w->eof));
        w->at_eof = 0;
        return err ? -1 : 0;
}

/**
 * Prepares a commit: the watermark markers of stage 1, the offsets to commit (for a repartition
 * partition, its lowest offset still held in event-time order) and the order state of each
 * changed repartition partition on the changelog. @returns the offsets, or NULL on failure.
 */
/**
 * Publishes partition @p p's progress to its flags topic partition, after its flags (flags.h),
 * when it rose. Not while the partition reads again what it held at the last commit (consumer
 * position @p position below the stored one): its pending events are not all back yet.
 */
static int worker_emit_progress(pf_worker_t *w, int32_t p, int64_t position) {
        uint8_t key[PF_FLAGS_PG_KEY_LEN], val[PF_FLAGS_PG_VAL_LEN];
        pf_order_part_t *part = w->order[p];
        worker_resync_check(w, p, position);
        if (w->restore[p].active || !w->resynced[p])
                return 0;
        int64_t progress = pf_order_part_progress(part);
        if (progress <= w->flags_sent[p])
                return 0;
        pf_flags_rec_progress(key, val, p, progress);
        if (worker_produce(w, PF_TOPIC_FLAGS, p, key, sizeof(key), val, sizeof(val)))
                return -1;
        w->flags_sent[p] = progress;
        return 0;
}

/**
 * @returns 1 if an owned partition's progress has risen past what was published. While this
 *          worker is held by another worker's partition (flags_foreign), that worker most
 *          likely waits for this progress too (a replay with several workers: the gate lets
 *          event time advance one flags.delay.ms per exchange), so it is committed at once,
 *          not at the interval.
 */
static int worker_progress_pending(const pf_worker_t *w) {
        for (int32_t p = 0; w->ordered && p < PF_WORKER_MAX_PARTITIONS; p++) {
                if (w->order[p] && !w->restore[p].active && w->resynced[p] &&
                    pf_order_part_progress(w->order[p]) > w->flags_sent[p])
                        return 1;
        }
        return 0;
}

static rd_kafka_topic_partition_list_t *worker_commit_prepare(pf_worker_t *w) {
        static uint8_t blob[PF_ORDER_BLOB_MAX];
        rd_kafka_topic_partition_list_t *parts = NULL, *offsets;
        if (w->ordered && worker_emit_markers(w))
                return NULL;
        if (rd_kafka_assignment(w->consumer, &parts))
                return NULL;
        rd_kafka_position(w->consumer, parts);
        offsets = rd_kafka_topic_partition_list_new(parts->cnt);
        for (int i = 0; i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *tp = &parts->elems[i];
                int64_t off = tp->offset;
                int32_t p = tp->partition;
                int idx = worker_input_index(w, tp->topic);
                if (idx >= 0 && p >= 0 && p < PF_WORKER_MAX_PARTITIONS && w->stale[idx][p])
                        off = w->seek_pos[idx][p];
                if (w->ordered && p >= 0 && p < PF_WORKER_MAX_PARTITIONS && w->order[p] &&
                    strcmp(tp->topic, w->names[PF_TOPIC_BY_TRAVELLER]) == 0) {
                        if (worker_emit_progress(w, p, off)) {
                                rd_kafka_topic_partition_list_destroy(parts);
                                rd_kafka_topic_partition_list_destroy(offsets);
                                return NULL;
                        }
                        off = pf_order_part_commit_offset(w->order[p], off);
                }
                if (off >= 0)
                        rd_kafka_topic_partition_list_add(offsets, tp->topic, p)->offset = off;
        }
        rd_kafka_topic_partition_list_destroy(parts);
        for (int32_t p = 0; w->ordered && p < PF_WORKER_MAX_PARTITIONS; p++) {
                if (!w->order[p] || !w->order_touched[p])
                        continue;
                size_t len = pf_order_part_encode(w->order[p], blob, sizeof(blob));
                if (!len || worker_produce(w, PF_TOPIC_CHANGELOG, p, PF_PIPELINE_ORDER_KEY,
                                           PF_PIPELINE_ORDER_KEY_LEN, blob, len)) {
                        rd_kafka_topic_partition_list_destroy(offsets);
                        return NULL;
                }
        }
        return offsets;
}

/** State and counters after a successful commit. */
static int worker_committed(pf_worker_t *w) {
        static uint8_t blob[PF_ORDER_BLOB_MAX];
        char errstr[512];
        for (int32_t p = 0; w->ordered && p < PF_WORKER_MAX_PARTITIONS; p++) {
                if (!w->order[p] || !w->order_touched[p])
                        continue;
                w->order_touched[p] = 0;
                size_t len = pf_order_part_encode(w->order[p], blob, sizeof(blob));
                if (!len || pf_pipeline_order_put(w->pipe, p, blob, len)) {
                        pf_log_error("worker", "staging the order state of partition %d", (int)p);
                        return -1;
                }
        }
        if (pf_pipeline_apply(w->pipe, w->changelog_next, PF_WORKER_MAX_PARTITIONS, errstr,
                              sizeof(errstr))) {
                pf_log_error("worker", "applying committed state: %s", errstr);
                return -1;
        }
        if (w->sources)
                memcpy(w->sources_done, w->sources, sizeof(*w->sources));
        pf_metrics_series_inc(w->m_txn_ok, 1);
        stats_add(w->stats, &w->pending);
        memset(&w->pending, 0, sizeof(w->pending));
        w->since_commit = 0;
        w->stats->commits++;
        return 0;
}

/**
 * Runs one transactional call, retrying what is retriable. @returns 0 on success, 1 when the
 * transaction must be aborted, -1 on a fatal error (fenced included).
 */
static int worker_txn_result(rd_kafka_error_t *error, const char *what) {
        if (!error)
                return 0;
        int rc = rd_kafka_error_txn_requires_abort(error) ? 1 : -1;
        pf_log(rc > 0 ? PF_LOG_WARN : PF_LOG_ERROR, "worker", "%s: %s%s", what,
               rd_kafka_error_string(error), rc > 0 ? " (aborting the transaction)" : " (fatal)");
        rd_kafka_error_destroy(error);
        return rc;
}

/** Aborts the open transaction and brings consumer positions and state back in line. */
static int worker_abort(pf_worker_t *w) {
        rd_kafka_error_t *error;
        while ((error = rd_kafka_abort_transaction(w->producer, 60 * 1000)) &&
               rd_kafka_error_is_retriable(error)) {
                rd_kafka_error_destroy(error);
        }
        if (worker_txn_result(error, "abort_transaction"))
                return -1;
        pf_pipeline_discard(w->pipe);
        memset(&w->pending, 0, sizeof(w->pending));
        w->since_commit = 0;
        w->stats->aborts++;
        pf_metrics_series_inc(w->m_txn_abort, 1);
        if (worker_rewind(w))
                return -1;
        /* What was held or released since the commit is read again from the committed offsets. */
        for (int32_t p = 0; w->ordered && p < PF_WORKER_MAX_PARTITIONS; p++) {
                if (!w->order[p])
                        continue;
                w->order_touched[p] = 0;
                if (worker_order_load(w, p))
                        return -1;
        }
        w->release_due = 0;
        /* The aborted progress records are gone: publish again from the reloaded state, at the
         * next commit the re-read input brings. Not before: until the consumer has fetched
         * again, its positions are the pre-rewind ones, and a commit would skip the re-read. */
        for (int32_t p = 0; p < PF_WORKER_MAX_PARTITIONS; p++)
                w->flags_sent[p] = PF_FLAGS_NONE;
        w->progress_due = 0;
        /* The aborted markers are gone too: stage 1 goes back to what it had promised as of the
         * commit (a watermark kept from after it would promise events not yet re-published, and
         * an end-of-partition need not be reported again) and derives the rest anew. */
        if (w->sources)
                memcpy(w->sources, w->sources_done, sizeof(*w->sources));
        w->markers_due = 0;
        return worker_txn_result(rd_kafka_begin_transaction(w->producer), "begin_transaction") ? -1
                                                                                               : 0;
}

/** Commits the open transaction: changelog, offsets with group metadata, commit. */
static int worker_commit_eos(pf_worker_t *w) {
        rd_kafka_topic_partition_list_t *offsets = NULL;
        rd_kafka_consumer_group_metadata_t *cgmd = NULL;
        rd_kafka_error_t *error;
        int rc = 0;

        if (!(offsets = worker_commit_prepare(w)) ||
            pf_pipeline_changelog(w->pipe, worker_emit_changelog, w)) {
                rc = 1;
                goto done;
        }
        if (w->fault_abort_every > 0 && ++w->txns % (uint64_t)w->fault_abort_every == 0) {
                pf_log_warn("worker", "fault injection: aborting transaction %llu with %llu inputs",
                            (unsigned long long)w->txns, (unsigned long long)w->since_commit);
                /* As a commit that fails after its outputs were written: they are in the log, and
                 * only the abort marker keeps read_committed readers from them. */
                rd_kafka_flush(w->producer, 30 * 1000);
                rc = 1;
                goto done;
        }
        cgmd = rd_kafka_consumer_group_metadata(w->consumer);
        /* librdkafka 2.0.2 ignores this call's timeout while the coordinator is down (#5456);
         * the retriable loop keeps that visible in the log rather than spinning silently. */
        while ((error = rd_kafka_send_offsets_to_transaction(w->producer, offsets, cgmd, -1)) &&
               rd_kafka_error_is_retriable(error)) {
                pf_log_warn("worker", "send_offsets_to_transaction: %s (retrying)",
                            rd_kafka_error_string(error));
                pf_metrics_heartbeat(w->metrics);
                rd_kafka_error_destroy(error);
        }
        if ((rc = worker_txn_result(error, "send_offsets_to_transaction")))
                goto done;
        while ((error = rd_kafka_commit_transaction(w->producer, -1)) &&
               rd_kafka_error_is_retriable(error)) {
                pf_log_warn("worker", "commit_transaction: %s (retrying)",
                            rd_kafka_error_string(error));
                pf_metrics_heartbeat(w->metrics);
                rd_kafka_error_destroy(error);
        }
        if ((rc = worker_txn_result(error, "commit_transaction")))
                goto done;
        if (worker_committed(w)) {
                rc = -1;
                goto done;
        }
        rc = worker_txn_result(rd_kafka_begin_transaction(w->producer), "begin_transaction") ? -1
                                                                                             : 0;
done:
        if (cgmd)
                rd_kafka_consumer_group_metadata_destroy(cgmd);
        if (offsets)
                rd_kafka_topic_partition_list_destroy(offsets);
        if (rc == 1)
                return worker_abort(w);
        return rc;
}

/** at_least_once: flush every output, then apply state, then commit the stored offsets. */
static int worker_commit_alos(pf_worker_t *w) {
        rd_kafka_topic_partition_list_t *offsets = worker_commit_prepare(w);
        if (!offsets)
                return -1;
        if (pf_pipeline_changelog(w->pipe, worker_emit_changelog, w)) {
                rd_kafka_topic_partition_list_destroy(offsets);
                return -1;
        }
        rd_kafka_resp_err_t err = rd_kafka_flush(w->producer, 60 * 1000);
        if (err || w->delivery_failures) {
                pf_log_error("worker",
                             "outputs not delivered (%s, %llu failures): not committing offsets",
                             rd_kafka_err2str(err), (unsigned long long)w->delivery_failures);
                rd_kafka_topic_partition_list_destroy(offsets);
                return -1;
        }
        if (worker_committed(w)) {
                rd_kafka_topic_partition_list_destroy(offsets);
                return -1;
        }
        err = offsets->cnt ? rd_kafka_commit(w->consumer, offsets, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_topic_partition_list_destroy(offsets);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                pf_log_error("worker", "offset commit failed: %s", rd_kafka_err2str(err));
                return -1;
        }
        return 0;
}

/** @returns 0, or -1 on a fatal error. */
static int worker_commit(pf_worker_t *w) {
        if (w->ordered && w->idle_clock && w->sources &&
            pf_order_sources_refresh(w->sources, worker_now_ms()))
                w->markers_due = 1;
        if (!w->since_commit && !w->markers_due && !w->progress_due)
                return 0;
        w->progress_due = 0;
        return w->eos ? worker_commit_eos(w) : worker_commit_alos(w);
}

/* ------------------------------------------------------------------ restore */

/** Starts restoring every repartition partition of @p parts: pause it, read its changelog. */
static void worker_restore_start(pf_worker_t *w, const rd_kafka_topic_partition_list_t *parts) {
        char errstr[512];
        rd_kafka_topic_partition_list_t *restore = rd_kafka_topic_partition_list_new(parts->cnt);
        rd_kafka_topic_partition_list_t *pause = rd_kafka_topic_partition_list_new(parts->cnt);
        for (int i = 0; i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *p = &parts->elems[i];
                if (strcmp(p->topic, w->names[PF_TOPIC_BY_TRAVELLER]) != 0)
                        continue;
                if (p->partition < 0 || p->partition >= PF_WORKER_MAX_PARTITIONS) {
                        pf_log_error("worker", "partition %d beyond %d", (int)p->partition,
                                     PF_WORKER_MAX_PARTITIONS);
                        w->fatal = 1;
                        continue;
                }
                int64_t from;
                if (pf_pipeline_restore_begin(w->pipe, p->partition, &from, errstr,
                                              sizeof(errstr))) {
                        pf_log_error("worker", "opening the store of partition %d: %s",
                                     (int)p->partition, errstr);
                        w->fatal = 1;
                        continue;
                }
                pf_restore_part_t *r = &w->restore[p->partition];
                memset(r, 0, sizeof(*r));
                r->active = 1;
                r->next_offset = -1;
                r->t0 = worker_mono_s();
                w->restoring++;
                rd_kafka_topic_partition_list_add(restore, w->names[PF_TOPIC_CHANGELOG],
                                                  p->partition)
                        ->offset = from;
                rd_kafka_topic_partition_list_add(pause, p->topic, p->partition);
                pf_log_info("worker", "restoring partition %d from changelog offset %lld",
                            (int)p->partition, (long long)from);
        }
        if (pause->cnt)
                rd_kafka_pause_partitions(w->consumer, pause);
        rd_kafka_assign(w->restorer, restore->cnt ? restore : NULL);
        /* librdkafka keeps a partition's paused flag across unassign/assign: a changelog partition
         * paused when its previous restore finished would otherwise never be read again. */
        if (restore->cnt)
                rd_kafka_resume_partitions(w->restorer, restore);
        rd_kafka_topic_partition_list_destroy(pause);
        rd_kafka_topic_partition_list_destroy(restore);
}

/** Ends the restore of @p partition: checkpoint, resume the repartition partition. */
/**
 * Notes the end of the partition's flags topic partition now: once the table is read that far,
 * it holds every flag earlier owners committed, and the partition's own progress may count in
 * the gate. Without an answer, only the published progress counts (slower, never wrong).
 */
static void worker_flags_need(pf_worker_t *w, int32_t p) {
        int64_t lo = 0, hi = 0;
        w->flags_need[p] = -1;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
                w->wl_consumer, w->names[PF_TOPIC_FLAGS], p, &lo, &hi, 5000);
        if (err) {
                pf_log_warn("worker", "flags topic partition %d: end offset unknown (%s)", (int)p,
                            rd_kafka_err2str(err));
                return;
        }
        /* an empty partition has nothing to wait for */
        w->flags_need[p] = hi;
        if (hi <= lo && w->flags_eof[p] < hi)
                w->flags_eof[p] = hi;
}

static void worker_restore_done(pf_worker_t *w, int32_t partition, int64_t end_offset) {
        char errstr[512];
        pf_restore_part_t *r = &w->restore[partition];
        if (pf_pipeline_restore_flush(w->pipe, partition, end_offset, errstr, sizeof(errstr))) {
                pf_log_error("worker", "restore of partition %d: %s", (int)partition, errstr);
                w->fatal = 1;
                return;
        }
        double secs = worker_mono_s() - r->t0;
        pf_log_info("worker",
                    "restored partition %d: %llu records in %.3f s (%.0f records/s), up to "
                    "changelog offset %lld",
                    (int)partition, (unsigned long long)r->records, secs,
                    secs > 0 ? (double)r->records / secs : 0.0, (long long)end_offset);
        w->stats->restored_records += r->records;
        w->last_state_stats = 0; /* report the restored store's size on the next tick */
        if (w->ordered && worker_order_load(w, partition)) {
                w->fatal = 1;
                return;
        }
        worker_flags_need(w, partition);
        w->release_due = 1;
        r->active = 0;
        w->restoring--;
        rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(one, w->names[PF_TOPIC_CHANGELOG], partition);
        rd_kafka_pause_partitions(w->restorer, one);
        rd_kafka_topic_partition_list_destroy(one);
        if (!w->wl_loaded) {
                /* Screening must not start on a partial watchlist. */
                w->await_wl[partition] = 1;
                return;
        }
        one = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(one, w->names[PF_TOPIC_BY_TRAVELLER], partition);
        rd_kafka_resume_partitions(w->consumer, one);
        rd_kafka_topic_partition_list_destroy(one);
}

/* ------------------------------------------------------------------ watchlist */

/** Applies one watchlist record: an upsert, or a tombstone (null value) that deletes. */
static void worker_wl_apply(pf_worker_t *w, const rd_kafka_message_t *msg) {
        char errstr[256], id[PF_WL_ID_MAX];
        w->wl_records++;
        if (!msg->payload) {
                if (!msg->key || msg->key_len == 0 || msg->key_len >= sizeof(id)) {
                        pf_log_warn("worker",
                                    "watchlist tombstone without a valid key at %s [%d] "
                                    "@%lld: ignored",
                                    rd_kafka_topic_name(msg->rkt), (int)msg->partition,
                                    (long long)msg->offset);
                        return;
                }
                memcpy(id, msg->key, msg->key_len);
                id[msg->key_len] = '\0';
                pf_watchlist_delete(w->wl, id);
                return;
        }
        pf_err_t err = pf_codec_decode_watchlist(w->wl_codec, msg->payload, msg->len, w->wl_st,
                                                 errstr, sizeof(errstr));
        if (!err)
                err = pf_watchlist_upsert(w->wl, &w->wl_st->entry, errstr, sizeof(errstr));
        if (err)
                pf_log_warn("worker", "watchlist record at %s [%d] @%lld ignored: %s: %s",
                            rd_kafka_topic_name(msg->rkt), (int)msg->partition,
                            (long long)msg->offset, pf_err_name(err), errstr);
}

/**
 * Applies one record of the rules topic: a rule set replaces the one in use from the next event
 * on, if it compiles; one that does not is rejected and the last good set stays. A tombstone goes
 * back to the rules the worker started with (rules.file, or the built-in ones).
 */
static void worker_rules_apply(pf_worker_t *w, const rd_kafka_message_t *msg) {
        char errstr[1024], where[320];
        const char *result = "applied";
        pf_ruleset_t *rs = NULL;
        snprintf(where, sizeof(where), "%s[%d]@%lld", rd_kafka_topic_name(msg->rkt),
                 (int)msg->partition, (long long)msg->offset);
        if (msg->payload &&
            !(rs = pf_ruleset_compile(msg->payload, msg->len, where, errstr, sizeof(errstr)))) {
                pf_log_error("worker",
                             "rules: rejected the rule set at %s, still scoring with %s: %s", where,
                             pf_pipeline_ruleset_version(w->pipe), errstr);
                result = "rejected";
        } else if (pf_pipeline_set_ruleset(w->pipe, rs ? rs : w->ruleset)) {
                pf_log_error("worker", "rules: out of memory applying %s", where);
                pf_ruleset_destroy(rs);
                result = "rejected";
        } else {
                pf_ruleset_destroy(w->rules_live);
                w->rules_live = rs;
                w->caps_seen = NULL; /* new caps, perhaps at the old address: count afresh */
                pf_log_info("worker", "rules: %s ruleset %s from %s", rs ? "applied" : "back to",
                            pf_pipeline_ruleset_version(w->pipe), where);
                if (w->metrics) {
                        const char *version[] = {pf_pipeline_ruleset_version(w->pipe)};
                        pf_metrics_info_set(w->metrics, PF_M_RULESET_INFO, version);
                }
        }
        if (w->metrics) {
                const char *labels[] = {result};
                pf_metrics_counter_add(w->metrics, PF_M_RULES_UPDATES, labels, 1);
        }
}

/**
 * Standalone hot reload: when rules.file changes on disk (checked every 2 s), it is compiled and,
 * if it compiles, scores the next events, unless a set from the rules topic is in force (the
 * topic is the deployment's channel; the file is then the fallback a tombstone goes back to).
 */
static void worker_rules_file_check(pf_worker_t *w, double now) {
        char errstr[1024];
        const char *path = pf_conf_str(w->conf, "rules.file");
        struct stat st;
        if (!path[0] || now - w->rules_checked < 2)
                return;
        w->rules_checked = now;
        if (stat(path, &st) || (st.st_mtim.tv_sec == w->rules_st.st_mtim.tv_sec &&
                                st.st_mtim.tv_nsec == w->rules_st.st_mtim.tv_nsec &&
                                st.st_size == w->rules_st.st_size))
                return;
        w->rules_st = st;
        pf_ruleset_t *rs = pf_rules_load_file(path, errstr, sizeof(errstr));
        const char *result = rs ? "applied" : "rejected";
        if (!rs) {
                pf_log_error("worker", "rules: rejected the changed %s, still scoring with %s: %s",
                             path, pf_pipeline_ruleset_version(w->pipe), errstr);
        } else if (!w->rules_live && pf_pipeline_set_ruleset(w->pipe, rs)) {
                pf_log_error("worker", "rules: out of memory applying %s", path);
                pf_ruleset_destroy(rs);
                result = "rejected";
        } else {
                pf_ruleset_destroy(w->ruleset);
                w->ruleset = rs;
                if (!w->rules_live) {
                        w->caps_seen = NULL;
                        pf_log_info("worker", "rules: applied ruleset %s from %s",
                                    pf_ruleset_version(rs), path);
                        if (w->metrics) {
                                const char *version[] = {pf_ruleset_version(rs)};
                                pf_metrics_info_set(w->metrics, PF_M_RULESET_INFO, version);
                        }
                } else {
                        pf_log_info("worker",
                                    "rules: %s changed (ruleset %s); the rules topic's set stays "
                                    "in force",
                                    path, pf_ruleset_version(rs));
                }
        }
        if (w->metrics) {
                const char *labels[] = {result};
                pf_metrics_counter_add(w->metrics, PF_M_RULES_UPDATES, labels, 1);
        }
}

/** Reads what is new on the watchlist topic; the first time every partition is at its end, the
 *  initial load is complete and waiting partitions start. */
/** Applies one record of the flags topic: a flag, or a partition's progress (flags.h). */
static void worker_flags_apply(pf_worker_t *w, const rd_kafka_message_t *msg) {
        pf_flags_rec_t rec;
        w->flags_records++;
        if (pf_flags_rec_parse(msg->key, msg->key_len, msg->payload, msg->len, &rec)) {
                if (w->flags_bad++ == 0)
                        pf_log_warn("worker",
                                    "flags topic %s: a record at partition %d offset %lld is not "
                                    "paxflow's (ignored; others are counted, not logged)",
                                    w->names[PF_TOPIC_FLAGS], (int)msg->partition,
                                    (long long)msg->offset);
                return;
        }
        if (rec.progress) {
                pf_flags_progress(w->flags, rec.partition, rec.time);
                if (w->flags_held)
                        w->release_due = 1;
        } else if (pf_flags_add(w->flags, rec.digest, rec.flagger, rec.kind, rec.time)) {
                pf_log_error("worker", "out of memory in the flags table");
                w->fatal = 1;
        }
}

static void worker_wl_step(pf_worker_t *w) {
        int applied = 0;
        for (int n = 0; n < 2000; n++) {
                rd_kafka_message_t *msg = rd_kafka_consumer_poll(w->wl_consumer, 0);
                if (!msg)
                        break;
                if (!msg->err &&
                    strcmp(rd_kafka_topic_name(msg->rkt), w->names[PF_TOPIC_FLAGS]) == 0) {
                        worker_flags_apply(w, msg);
                        rd_kafka_message_destroy(msg);
                        continue;
                }
                int rules = strcmp(rd_kafka_topic_name(msg->rkt), w->names[PF_TOPIC_RULES]) == 0;
                uint8_t *eof = rules ? w->rules_eof : w->wl_eof;
                if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF &&
                    strcmp(rd_kafka_topic_name(msg->rkt), w->names[PF_TOPIC_FLAGS]) == 0) {
                        /* no initial load: the progress gate covers it; the end reached lets
                         * an owned partition's own progress count (worker_flags_gate) */
                        if (msg->partition >= 0 && msg->partition < PF_WORKER_MAX_PARTITIONS &&
                            msg->offset > w->flags_eof[msg->partition]) {
                                w->flags_eof[msg->partition] = msg->offset;
                                if (w->flags_held)
                                        w->release_due = 1;
                        }
                } else if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        if (msg->partition >= 0 && msg->partition < 64 && !eof[msg->partition]) {
                                eof[msg->partition] = 1;
                                if (rules)
                                        w->rules_eofs++;
                                else
                                        w->wl_eofs++;
                        }
                } else if (msg->err) {
                        pf_log_warn("worker", "watchlist consumer: %s",
                                    rd_kafka_message_errstr(msg));
                } else if (rules) {
                        worker_rules_apply(w, msg);
                } else {
                        worker_wl_apply(w, msg);
                        applied++;
                }
                rd_kafka_message_destroy(msg);
        }
        pf_wl_stats_t st;
        if (w->metrics && applied) {
                pf_watchlist_stats(w->wl, &st);
                pf_metrics_gauge_set(w->metrics, PF_M_WATCHLIST_ENTRIES, NULL, (double)st.entries);
                pf_metrics_gauge_set(w->metrics, PF_M_WATCHLIST_LAST_UPDATE, NULL,
                                     (double)worker_now_ms() / 1000.0);
        }
        if (w->wl_loaded || w->wl_eofs < w->wl_parts || w->rules_eofs < w->rules_parts)
                return;
        w->wl_loaded = 1;
        pf_watchlist_stats(w->wl, &st);
        pf_log_info("worker", "watchlist loaded: %zu entries from %llu records in %.3f s",
                    st.entries, (unsigned long long)w->wl_records, worker_mono_s() - w->wl_t0);
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(8);
        for (int32_t p = 0; p < PF_WORKER_MAX_PARTITIONS; p++) {
                if (!w->await_wl[p])
                        continue;
                w->await_wl[p] = 0;
                rd_kafka_topic_partition_list_add(parts, w->names[PF_TOPIC_BY_TRAVELLER], p);
        }
        if (parts->cnt)
                rd_kafka_resume_partitions(w->consumer, parts);
        rd_kafka_topic_partition_list_destroy(parts);
}

/** Creates the watchlist table's consumer and assigns every partition from the beginning. */
static int worker_wl_setup(pf_worker_t *w, char *errstr, size_t errstr_size) {
        char kerr[256];
        const rd_kafka_metadata_t *md = NULL;
        if (!(w->wl_st = malloc(sizeof(*w->wl_st))) ||
            !(w->wl_codec = pf_codec_new(w->schemas, NULL, errstr, errstr_size)))
                return -1;
        rd_kafka_conf_t *kconf = pf_kafka_conf_new(w->conf, errstr, errstr_size);
        if (!kconf)
                return -1;
        if (pf_kafka_conf_set(kconf, "group.id", "paxflow-watchlist", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "enable.auto.commit", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "enable.partition.eof", "true", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "fetch.wait.max.ms", "100", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "isolation.level", "read_committed", errstr, errstr_size)) {
                rd_kafka_conf_destroy(kconf);
                return -1;
        }
        if (!(w->wl_consumer = rd_kafka_new(RD_KAFKA_CONSUMER, kconf, kerr, sizeof(kerr)))) {
                rd_kafka_conf_destroy(kconf);
                snprintf(errstr, errstr_size, "watchlist consumer: %s", kerr);
                return -1;
        }
        rd_kafka_poll_set_consumer(w->wl_consumer);
        /* One group-less consumer reads both global tables, every partition from the start. */
        static const pf_topic_t tables[3] = {PF_TOPIC_WATCHLIST, PF_TOPIC_RULES, PF_TOPIC_FLAGS};
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(4);
        for (int t = 0; t < 3; t++) {
                int max = tables[t] == PF_TOPIC_FLAGS ? PF_FLAGS_MAX_PARTS : 64;
                const char *name = w->names[tables[t]];
                rd_kafka_topic_t *rkt = rd_kafka_topic_new(w->wl_consumer, name, NULL);
                rd_kafka_resp_err_t err = rd_kafka_metadata(w->wl_consumer, 0, rkt, &md, 30000);
                rd_kafka_topic_destroy(rkt);
                if (err || md->topic_cnt != 1 || md->topics[0].err ||
                    md->topics[0].partition_cnt < 1 || md->topics[0].partition_cnt > max) {
                        snprintf(errstr, errstr_size,
                                 "topic %s: %s (create the topics with paxflow topics create)",
                                 name, rd_kafka_err2str(err ? err : md->topics[0].err));
                        if (md)
                                rd_kafka_metadata_destroy(md);
                        rd_kafka_topic_partition_list_destroy(parts);
                        return -1;
                }
                for (int i = 0; i < md->topics[0].partition_cnt; i++)
                        rd_kafka_topic_partition_list_add(parts, name,
                                                          md->topics[0].partitions[i].id)
                                ->offset = RD_KAFKA_OFFSET_BEGINNING;
                if (tables[t] == PF_TOPIC_FLAGS)
                        w->flags_parts = md->topics[0].partition_cnt;
                else if (tables[t] == PF_TOPIC_WATCHLIST)
                        w->wl_parts = md->topics[0].partition_cnt;
                else
                        w->rules_parts = md->topics[0].partition_cnt;
                rd_kafka_metadata_destroy(md);
                md = NULL;
        }
        rd_kafka_assign(w->wl_consumer, parts);
        rd_kafka_topic_partition_list_destroy(parts);
        w->wl_t0 = worker_mono_s();
        return 0;
}

/** Applies up to a slice of changelog records, so the group consumer is polled in between. */
static void worker_restore_step(pf_worker_t *w) {
        char errstr[512];
        double until = worker_mono_s() + 0.05;
        for (int n = 0; w->restoring && n < 5000 && worker_mono_s() < until; n++) {
                rd_kafka_message_t *msg = rd_kafka_consumer_poll(w->restorer, n ? 0 : 10);
                if (!msg)
                        return;
                int32_t p = msg->partition;
                if (p < 0 || p >= PF_WORKER_MAX_PARTITIONS || !w->restore[p].active) {
                        rd_kafka_message_destroy(msg);
                        continue;
                }
                pf_restore_part_t *r = &w->restore[p];
                if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        worker_restore_done(w, p, msg->offset);
                } else if (msg->err) {
                        pf_log_warn("worker", "restore consumer: %s", rd_kafka_message_errstr(msg));
                } else {
                        pf_err_t err = pf_pipeline_restore_record(w->pipe, p, msg->key,
                                                                  msg->key_len, msg->payload,
                                                                  msg->len, errstr, sizeof(errstr));
                        if (err == PF_ERR_INVALID_VALUE)
                                pf_log_warn("worker", "%s (offset %lld)", errstr,
                                            (long long)msg->offset);
                        else if (err)
                                w->fatal = 1;
                        r->records++;
                        pf_metrics_series_inc(w->m_restored, 1);
                        r->next_offset = msg->offset + 1;
                        if (r->records % PF_RESTORE_CHECKPOINT == 0 &&
                            pf_pipeline_restore_flush(w->pipe, p, r->next_offset, errstr,
                                                      sizeof(errstr)))
                                w->fatal = 1;
                }
                rd_kafka_message_destroy(msg);
        }
}

/** Stops restores of partitions being revoked; what was applied stays with its offset. */
static void worker_restore_stop(pf_worker_t *w) {
        char errstr[512];
        for (int32_t p = 0; p < PF_WORKER_MAX_PARTITIONS && w->restoring; p++) {
                pf_restore_part_t *r = &w->restore[p];
                if (!r->active)
                        continue;
                if (pf_pipeline_restore_flush(w->pipe, p, r->next_offset, errstr, sizeof(errstr)))
                        pf_log_error("worker", "restore checkpoint of partition %d: %s", (int)p,
                                     errstr);
                r->active = 0;
                w->restoring--;
        }
        rd_kafka_assign(w->restorer, NULL);
}

/* ------------------------------------------------------------------ metrics */

/** librdkafka statistics of the group consumer: consumer lag per partition. */
static int worker_stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque) {
        (void)rk;
        (void)json_len;
        pf_worker_t *w = opaque;
        pf_metrics_update_from_rdkafka_stats(w->metrics, json);
        return 0; /* librdkafka frees json */
}

static int worker_metrics_setup(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        if (pf_conf_int(conf, "metrics.port") == 0)
                return 0;
        if (!(w->metrics = pf_metrics_new(errstr, errstr_size)) ||
            pf_metrics_register_worker(w->metrics, errstr, errstr_size))
                return -1;
        for (int i = 0; i < 3; i++) {
                static const pf_topic_t in[3] = {PF_TOPIC_EVENTS_API, PF_TOPIC_EVENTS_PNR,
                                                 PF_TOPIC_BY_TRAVELLER};
                const char *labels[] = {w->names[in[i]]};
                w->m_in[i] = pf_metrics_series(w->metrics, PF_M_EVENTS_IN, labels);
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++) {
                const char *labels[] = {w->names[t]};
                w->m_out[t] = pf_metrics_series(w->metrics, PF_M_EVENTS_OUT, labels);
        }
        const char *s1[] = {"stage1"}, *s2[] = {"stage2"}, *ok[] = {"committed"},
                   *ab[] = {"aborted"};
        w->m_stage[0] = pf_metrics_series(w->metrics, PF_M_STAGE_DURATION, s1);
        w->m_stage[1] = pf_metrics_series(w->metrics, PF_M_STAGE_DURATION, s2);
        w->m_latency = pf_metrics_series(w->metrics, PF_M_EVENT_LATENCY, NULL);
        w->m_txn_ok = pf_metrics_series(w->metrics, PF_M_TRANSACTIONS, ok);
        w->m_txn_abort = pf_metrics_series(w->metrics, PF_M_TRANSACTIONS, ab);
        w->m_rebalances = pf_metrics_series(w->metrics, PF_M_REBALANCES, NULL);
        w->m_restored = pf_metrics_series(w->metrics, PF_M_RESTORE_RECORDS, NULL);
        w->m_restoring = pf_metrics_series(w->metrics, PF_M_RESTORING_PARTITIONS, NULL);
        w->m_pending = pf_metrics_series(w->metrics, PF_M_ORDER_PENDING, NULL);
        w->m_late = pf_metrics_series(w->metrics, PF_M_ORDER_LATE, NULL);
        w->m_forced = pf_metrics_series(w->metrics, PF_M_ORDER_FORCED, NULL);
        for (int b = 0; b < PF_BAND__COUNT; b++) {
                const char *labels[] = {pf_band_name((pf_band_t)b)};
                w->m_results[b] = pf_metrics_series(w->metrics, PF_M_RESULTS, labels);
        }
        const char *version[] = {pf_pipeline_ruleset_version(w->pipe)};
        pf_metrics_info_set(w->metrics, PF_M_RULESET_INFO, version);
        pf_metrics_set_liveness_timeout_ms(w->metrics,
                                           pf_conf_int(conf, "metrics.liveness.timeout.ms"));
        pf_metrics_set_ready(w->metrics, 0, "starting: joining the consumer group");
        return pf_metrics_serve(w->metrics, pf_conf_str(conf, "metrics.bind"),
                                (int)pf_conf_int(conf, "metrics.port"), errstr, errstr_size)
                       ? -1
                       : 0;
}

/** Readiness, heartbeat and (every 10 s) state size per partition. */
static void worker_metrics_tick(pf_worker_t *w, double now) {
        char reason[96];
        if (!w->metrics)
                return;
        pf_metrics_heartbeat(w->metrics);
        pf_metrics_series_set(w->m_restoring, w->restoring);
        size_t pending = 0;
        for (int32_t p = 0; p < w->rp_parts && p < PF_WORKER_MAX_PARTITIONS; p++)
                if (w->order[p])
                        pending += pf_order_part_pending(w->order[p]);
        pf_metrics_series_set(w->m_pending, (double)pending);
        pf_metrics_gauge_set(w->metrics, PF_M_FLAGS_HELD, NULL, w->flags_held);
        pf_metrics_gauge_set(w->metrics, PF_M_FLAGS_ENTRIES, NULL,
                             (double)pf_flags_count(w->flags));
        if (w->assigned == 0) {
                pf_metrics_set_ready(w->metrics, 0, "no partitions assigned yet");
        } else if (w->restoring) {
                snprintf(reason, sizeof(reason), "restoring %d partitions", w->restoring);
                pf_metrics_set_ready(w->metrics, 0, reason);
        } else if (!w->wl_loaded) {
                pf_metrics_set_ready(w->metrics, 0, "loading the watchlist");
        } else {
                pf_metrics_set_ready(w->metrics, 1, "ready");
        }
        if (now - w->last_state_stats < 5)
                return;
        w->last_state_stats = now;
        const pf_ruleset_t *rs;
        const pf_rule_caps_t *caps = pf_pipeline_rule_caps(w->pipe, &rs);
        if (caps != w->caps_seen) { /* a new rule set starts its caps afresh */
                memset(w->capped_seen, 0, sizeof(w->capped_seen));
                w->caps_seen = caps;
        }
        for (uint32_t i = 0; caps && i < pf_ruleset_rule_count(rs) && i < 256; i++) {
                uint64_t s = pf_rule_caps_suppressed(caps, i);
                if (s > w->capped_seen[i]) {
                        const char *labels[] = {pf_ruleset_rule_id(rs, i)};
                        pf_metrics_counter_add(w->metrics, PF_M_RULE_CAPPED, labels,
                                               s - w->capped_seen[i]);
                        w->capped_seen[i] = s;
                }
        }
        for (int32_t p = 0; p < PF_WORKER_MAX_PARTITIONS; p++) {
                pf_store_t *store = pf_pipeline_store(w->pipe, p);
                char part[16];
                snprintf(part, sizeof(part), "%d", (int)p);
                const char *labels[] = {part};
                if (!store)
                        continue;
                uint64_t keys, bytes;
                pf_store_stats(store, &keys, &bytes);
                pf_metrics_gauge_set(w->metrics, PF_M_STATE_KEYS, labels, (double)keys);
                pf_metrics_gauge_set(w->metrics, PF_M_STATE_BYTES, labels, (double)bytes);
        }
}

/* ------------------------------------------------------------------ rebalance */

static void worker_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t *parts, void *opaque) {
        pf_worker_t *w = opaque;
        w->stats->rebalances++;
        pf_metrics_series_inc(w->m_rebalances, 1);
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                pf_log_info("worker", "assigned %d partitions", parts->cnt);
                rd_kafka_assign(rk, parts);
                memset(w->stale, 0, sizeof(w->stale)); /* positions start unknown, not stale */
                w->assigned = parts->cnt;
                w->at_eof = 0;
                memset(w->eof, 0, sizeof(w->eof));
                worker_restore_start(w, parts);
                return;
        }
        pf_log_info("worker", "revoking %d partitions", parts->cnt);
        /* Finish the open transaction while this member still owns the partitions (after a fatal
         * error there is nothing left to finish: the restart re-processes). */
        if (!w->fatal && worker_commit(w))
                w->fatal = 1;
        worker_restore_stop(w);
        memset(w->await_wl, 0, sizeof(w->await_wl));
        for (int i = 0; i < parts->cnt; i++) {
                const rd_kafka_topic_partition_t *tp = &parts->elems[i];
                int idx = worker_input_index(w, tp->topic);
                if (idx == 2) {
                        pf_pipeline_release(w->pipe, tp->partition);
                        if (tp->partition >= 0 && tp->partition < PF_WORKER_MAX_PARTITIONS) {
                                pf_order_part_destroy(w->order[tp->partition]);
                                w->order[tp->partition] = NULL;
                                w->order_touched[tp->partition] = 0;
                                w->flags_sent[tp->partition] = PF_FLAGS_NONE;
                                w->flags_need[tp->partition] = -1;
                                w->resynced[tp->partition] = 0;
                        }
                } else if (idx >= 0 && w->sources) {
                        pf_order_source_forget(w->sources, idx, tp->partition);
                        pf_order_source_forget(w->sources_done, idx, tp->partition);
                }
        }
        rd_kafka_assign(rk, NULL);
        w->assigned = 0;
        w->at_eof = 0;
}

/* ------------------------------------------------------------------ loop */

static int worker_handle(pf_worker_t *w, rd_kafka_message_t *msg) {
        int idx = worker_input_index(w, rd_kafka_topic_name(msg->rkt));
        int in_range = idx >= 0 && msg->partition >= 0 && msg->partition < PF_WORKER_MAX_PARTITIONS;
        if (in_range)
                w->stale[idx][msg->partition] = 0; /* its position is live again */
        if (msg->err) {
                if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                        if (in_range && !w->eof[idx][msg->partition]) {
                                w->eof[idx][msg->partition] = 1;
                                w->at_eof++;
                        }
                        if (in_range && idx == 2) /* its end: the position is the offset */
                                worker_resync_check(w, msg->partition, msg->offset);
                        if (w->ordered && in_range && idx < 2) {
                                /* Read to its end: nothing older can follow from it for now. */
                                if (pf_order_source_eof(w->sources, idx, msg->partition))
                                        w->markers_due = 1;
                        }
                        return 0;
                }
                pf_log_warn("worker", "consumer: %s", rd_kafka_message_errstr(msg));
                return msg->err == RD_KAFKA_RESP_ERR__FATAL ? -1 : 0;
        }
        if (in_range && w->eof[idx][msg->partition]) {
                w->eof[idx][msg->partition] = 0;
                w->at_eof--;
        }
        double t0 = w->metrics ? worker_mono_s() : 0;
        int rc = idx == 2 ? worker_stage2(w, msg) : worker_stage1(w, msg, idx);
        if (rc)
                return -1;
        if (w->metrics && idx >= 0) {
                pf_metrics_series_inc(w->m_in[idx], 1);
                pf_metrics_series_observe(w->m_stage[idx == 2], worker_mono_s() - t0);
        }
        w->since_commit++;
        return 0;
}

static int worker_setup_producer(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        char kerr[256], txn_id[200], host[64] = "worker";
        rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!kconf)
                return -1;
        rd_kafka_conf_set_opaque(kconf, w);
        rd_kafka_conf_set_dr_msg_cb(kconf, worker_dr_cb);
        const char *id = pf_conf_str(conf, "worker.id");
        if (!id[0]) {
                gethostname(host, sizeof(host) - 1);
                id = host;
        }
        snprintf(txn_id, sizeof(txn_id), "%s-%s", pf_conf_str(conf, "group.id"), id);
        if (pf_kafka_conf_set(kconf, "enable.idempotence", "true", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "linger.ms", "5", errstr, errstr_size) ||
            pf_kafka_conf_set(kconf, "partitioner", "murmur2_random", errstr, errstr_size) ||
            (w->eos && pf_kafka_conf_set(kconf, "transactional.id", txn_id, errstr, errstr_size)))
                goto err;
        /* A dead worker's open transaction blocks read_committed readers until it times out:
         * keep that short unless the operator said otherwise (-X transaction.timeout.ms). */
        if (w->eos) {
                char v[32];
                size_t vsz = sizeof(v);
                if (rd_kafka_conf_get(kconf, "transaction.timeout.ms", v, &vsz) ==
                            RD_KAFKA_CONF_OK &&
                    strcmp(v, "60000") == 0 &&
                    pf_kafka_conf_set(kconf, "transaction.timeout.ms", "10000", errstr,
                                      errstr_size))
                        goto err;
        }
        if (!(w->producer = rd_kafka_new(RD_KAFKA_PRODUCER, kconf, kerr, sizeof(kerr)))) {
                snprintf(errstr, errstr_size, "producer: %s", kerr);
                goto err;
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                w->out[t] = rd_kafka_topic_new(w->producer, w->names[t], NULL);
        if (w->eos) {
                rd_kafka_error_t *error = rd_kafka_init_transactions(w->producer, 60 * 1000);
                if (!error)
                        error = rd_kafka_begin_transaction(w->producer);
                if (error) {
                        snprintf(errstr, errstr_size, "transactions (id %s): %s", txn_id,
                                 rd_kafka_error_string(error));
                        rd_kafka_error_destroy(error);
                        return -1;
                }
                pf_log_info("worker", "exactly-once: transactional id %s", txn_id);
        }
        return 0;
err:
        rd_kafka_conf_destroy(kconf);
        return -1;
}

static int worker_setup_consumers(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        char kerr[256];
        rd_kafka_conf_t *cconf = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!cconf)
                return -1;
        rd_kafka_conf_set_opaque(cconf, w);
        rd_kafka_conf_set_rebalance_cb(cconf, worker_rebalance_cb);
        if (w->metrics) {
                /* Consumer lag per partition comes from librdkafka's statistics. */
                rd_kafka_conf_set_stats_cb(cconf, worker_stats_cb);
                if (pf_kafka_conf_set(cconf, "statistics.interval.ms", "5000", errstr,
                                      errstr_size)) {
                        rd_kafka_conf_destroy(cconf);
                        return -1;
                }
        }
        if (pf_kafka_conf_set(cconf, "group.id", pf_conf_str(conf, "group.id"), errstr,
                              errstr_size) ||
            pf_kafka_conf_set(cconf, "enable.auto.commit", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "enable.auto.offset.store", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "auto.offset.reset", "earliest", errstr, errstr_size) ||
            pf_kafka_conf_set(cconf, "enable.partition.eof", "true", errstr, errstr_size) ||
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

        /* The restore consumer reads changelog partitions by assignment, outside the group. */
        rd_kafka_conf_t *rconf = pf_kafka_conf_new(conf, errstr, errstr_size);
        if (!rconf)
                return -1;
        if (pf_kafka_conf_set(rconf, "group.id", "paxflow-restore", errstr, errstr_size) ||
            pf_kafka_conf_set(rconf, "enable.auto.commit", "false", errstr, errstr_size) ||
            pf_kafka_conf_set(rconf, "enable.partition.eof", "true", errstr, errstr_size) ||
            /* An up-to-date store has nothing to restore: learn that in milliseconds, since the
             * repartition partition stays paused until then. */
            pf_kafka_conf_set(rconf, "fetch.wait.max.ms", "20", errstr, errstr_size) ||
            pf_kafka_conf_set(rconf, "isolation.level", "read_committed", errstr, errstr_size) ||
            pf_kafka_conf_set(rconf, "group.instance.id", "", errstr, errstr_size)) {
                rd_kafka_conf_destroy(rconf);
                return -1;
        }
        if (!(w->restorer = rd_kafka_new(RD_KAFKA_CONSUMER, rconf, kerr, sizeof(kerr)))) {
                rd_kafka_conf_destroy(rconf);
                snprintf(errstr, errstr_size, "restore consumer: %s", kerr);
                return -1;
        }
        rd_kafka_poll_set_consumer(w->restorer);

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

/** @returns the partition count of output topic @p t (through the producer), or -1. */
static int32_t worker_partition_count(pf_worker_t *w, pf_topic_t t) {
        const rd_kafka_metadata_t *md = NULL;
        int32_t n = -1;
        if (rd_kafka_metadata(w->producer, 0, w->out[t], &md, 30000) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topic_cnt == 1 && !md->topics[0].err)
                n = md->topics[0].partition_cnt;
        if (md)
                rd_kafka_metadata_destroy(md);
        return n;
}

/** Event-time order: partition counts of the inputs (the sources) and of the repartition topic. */
static int worker_order_setup(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        w->ordered = strcmp(pf_conf_str(conf, "order.mode"), "event_time") == 0;
        w->idle_clock = strcmp(pf_conf_str(conf, "order.idle"), "clock") == 0;
        w->max_pending = (size_t)pf_conf_int(conf, "order.max.pending");
        w->envcap = (size_t)pf_conf_int(conf, "max.message.bytes") + PF_ORDER_ENV_HEAD_MAX;
        if (!(w->envbuf = malloc(w->envcap)) || !(w->sources = malloc(sizeof(*w->sources))) ||
            !(w->sources_done = malloc(sizeof(*w->sources)))) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
        }
        pf_order_sources_init(w->sources, pf_conf_int(conf, "order.lateness.ms"));
        memcpy(w->sources_done, w->sources, sizeof(*w->sources));
        if (!w->ordered)
                return 0;
        w->in_parts[0] = worker_partition_count(w, PF_TOPIC_EVENTS_API);
        w->in_parts[1] = worker_partition_count(w, PF_TOPIC_EVENTS_PNR);
        w->rp_parts = worker_partition_count(w, PF_TOPIC_BY_TRAVELLER);
        if (w->in_parts[0] < 0 || w->in_parts[1] < 0 || w->rp_parts < 1) {
                snprintf(errstr, errstr_size,
                         "the input and repartition topics must exist (create them with paxflow "
                         "topics create)");
                return -1;
        }
        if (w->in_parts[0] > PF_ORDER_INPUT_PARTS || w->in_parts[1] > PF_ORDER_INPUT_PARTS ||
            w->rp_parts > PF_WORKER_MAX_PARTITIONS) {
                snprintf(errstr, errstr_size, "too many partitions for event-time order (%d max)",
                         PF_ORDER_INPUT_PARTS);
                return -1;
        }
        pf_log_info("worker",
                    "event-time order: %d + %d input partitions, %d repartition partitions, "
                    "lateness %lld ms",
                    (int)w->in_parts[0], (int)w->in_parts[1], (int)w->rp_parts,
                    (long long)pf_conf_int(conf, "order.lateness.ms"));
        return 0;
}

static int worker_setup(pf_worker_t *w, char *errstr, size_t errstr_size) {
        const pf_conf_t *conf = w->conf;
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                pf_topic_name(conf, (pf_topic_t)t, w->names[t], sizeof(w->names[t]));
        for (int p = 0; p < PF_WORKER_MAX_PARTITIONS; p++)
                w->changelog_next[p] = -1;
        pf_band_parse(pf_conf_str(conf, "alert.band"), &w->alert_band);
        w->eos = strcmp(pf_conf_str(conf, "processing.guarantee"), "exactly_once_v2") == 0;
        w->fault_abort_every = pf_conf_int(conf, "fault.abort.every");
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
        pconf.hist_cache_bytes = (size_t)pf_conf_int(conf, "history.cache.mb") << 20;
        pconf.codec.max_message_bytes = (size_t)pf_conf_int(conf, "max.message.bytes");
        pconf.retention_ms = pf_conf_int(conf, "history.retention.days") * 24 * 3600 * 1000;
        if (!(w->wl = pf_watchlist_new(errstr, errstr_size)))
                return -1;
        pconf.watchlist = w->wl;
        if (pf_conf_str(conf, "rules.file")[0]) {
                if (!(w->ruleset = pf_rules_load_file(pf_conf_str(conf, "rules.file"), errstr,
                                                      errstr_size)))
                        return -1;
                pconf.ruleset = w->ruleset;
                stat(pf_conf_str(conf, "rules.file"), &w->rules_st);
                pf_log_info("worker", "rules: %s, ruleset %s, %u rules",
                            pf_conf_str(conf, "rules.file"), pf_ruleset_version(w->ruleset),
                            pf_ruleset_rule_count(w->ruleset));
        }
        pconf.screen_threshold = pf_conf_double(conf, "screen.threshold");
        if (!(w->flags = pf_flags_new(pf_conf_int(conf, "flags.delay.ms")))) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
        }
        pconf.flags = w->flags; /* filled from the flags topic, committed records only */
        for (int p = 0; p < PF_WORKER_MAX_PARTITIONS; p++) {
                w->flags_sent[p] = PF_FLAGS_NONE;
                w->flags_need[p] = w->flags_eof[p] = -1;
        }
        if (pf_bands_from_conf(conf, &pconf.bands, errstr, errstr_size))
                return -1;
        if (!(w->pipe = pf_pipeline_new(&pconf, errstr, errstr_size)))
                return -1;
        if (pf_conf_str(conf, "schema.registry.url")[0]) {
                pf_registry_conf_t rconf;
                memset(&rconf, 0, sizeof(rconf));
                rconf.url = pf_conf_str(conf, "schema.registry.url");
                rconf.user = pf_conf_str(conf, "schema.registry.user")[0]
                                     ? pf_conf_str(conf, "schema.registry.user")
                                     : NULL;
                rconf.password = pf_conf_str(conf, "schema.registry.password");
                rconf.timeout_ms = (long)pf_conf_int(conf, "schema.registry.timeout.ms");
                if (!(w->registry = pf_registry_new(&rconf, errstr, errstr_size)))
                        return -1;
                pf_pipeline_set_registry(w->pipe, w->registry);
                pf_log_info("worker", "schema registry: %s", rconf.url);
        }
        if (worker_wl_setup(w, errstr, errstr_size))
                return -1;
        if (worker_metrics_setup(w, errstr, errstr_size))
                return -1;
        if (worker_setup_producer(w, errstr, errstr_size))
                return -1;
        if (worker_order_setup(w, errstr, errstr_size))
                return -1;
        if (w->ordered && w->flags_parts != w->rp_parts) {
                snprintf(errstr, errstr_size,
                         "the flags topic has %d partitions and the repartition topic %d: they "
                         "must be equal (each repartition partition publishes its flags and "
                         "progress to its own); recreate the flags topic",
                         w->flags_parts, (int)w->rp_parts);
                return -1;
        }
        /* arrival order: no gate (no determinism to keep); the flags apply as they come */
        pf_flags_set_parts(w->flags, w->ordered ? w->rp_parts : 0);
        return worker_setup_consumers(w, errstr, errstr_size);
}

static void worker_teardown(pf_worker_t *w) {
        if (w->consumer) {
                rd_kafka_consumer_close(w->consumer);
                rd_kafka_destroy(w->consumer);
        }
        if (w->restorer) {
                rd_kafka_consumer_close(w->restorer);
                rd_kafka_destroy(w->restorer);
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                if (w->out[t])
                        rd_kafka_topic_destroy(w->out[t]);
        if (w->producer) {
                rd_kafka_flush(w->producer, 30 * 1000);
                rd_kafka_destroy(w->producer);
        }
        if (w->wl_consumer) {
                rd_kafka_consumer_close(w->wl_consumer);
                rd_kafka_destroy(w->wl_consumer);
        }
        pf_metrics_destroy(w->metrics); /* stops the HTTP server first */
        for (int p = 0; p < PF_WORKER_MAX_PARTITIONS; p++)
                pf_order_part_destroy(w->order[p]);
        free(w->sources);
        free(w->sources_done);
        free(w->envbuf);
        pf_pipeline_destroy(w->pipe);
        pf_registry_destroy(w->registry);
        pf_ruleset_destroy(w->rules_live);
        pf_ruleset_destroy(w->ruleset);
        pf_watchlist_destroy(w->wl);
        pf_flags_destroy(w->flags);
        pf_codec_destroy(w->wl_codec);
        free(w->wl_st);
        pf_schemas_destroy(w->schemas);
        pf_key_destroy(w->key);
}

/**
 * @returns 1 when every assigned partition's position (or, where nothing was read, its committed
 *          offset) has reached the high watermark. An end-of-partition event alone is not enough:
 *          under read_committed it stops at the last stable offset, and a dead producer's open
 *          transaction can hold that back, with committed records behind it, until it times out.
 */
static int worker_caught_up(pf_worker_t *w) {
        rd_kafka_topic_partition_list_t *parts = NULL, *committed = NULL;
        int caught_up = 1;
        if (rd_kafka_assignment(w->consumer, &parts))
                return 0;
        rd_kafka_position(w->consumer, parts);
        committed = rd_kafka_topic_partition_list_copy(parts);
        if (rd_kafka_committed(w->consumer, committed, 10000))
                caught_up = 0;
        for (int i = 0; caught_up && i < parts->cnt; i++) {
                int64_t lo, hi;
                const rd_kafka_topic_partition_t *p = &parts->elems[i];
                int64_t at = p->offset >= 0 ? p->offset : committed->elems[i].offset;
                if (rd_kafka_query_watermark_offsets(w->consumer, p->topic, p->partition, &lo, &hi,
                                                     10000))
                        caught_up = 0;
                else if (at >= 0 ? at < hi : hi > lo)
                        caught_up = 0;
        }
        rd_kafka_topic_partition_list_destroy(committed);
        rd_kafka_topic_partition_list_destroy(parts);
        return caught_up;
}

/** @returns 1 when there is nothing left to read: every partition at its end, no restore. */
static int worker_idle_done(pf_worker_t *w) {
        if (!(w->assigned > 0 && w->at_eof >= w->assigned && !w->restoring && !w->since_commit &&
              !w->markers_due && !w->progress_due && w->wl_loaded))
                return 0;
        for (int32_t p = 0; p < PF_WORKER_MAX_PARTITIONS; p++)
                if (w->order[p] && pf_order_part_pending(w->order[p]))
                        return 0; /* held for a watermark that another worker will send */
        return worker_caught_up(w);
}

int pf_worker_run(const pf_conf_t *conf, pf_worker_stats_t *stats) {
        pf_worker_t *w = calloc(1, sizeof(*w));
        char errstr[512];
        int status = 0;
        memset(stats, 0, sizeof(*stats));
        if (!w) {
                pf_log_error("worker", "out of memory");
                return 1;
        }
        w->conf = conf;
        w->stats = stats;
        pf_worker_stop_flag = 0;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = worker_on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        if (worker_setup(w, errstr, sizeof(errstr))) {
                pf_log_error("worker", "%s", errstr);
                status = 1;
                goto done;
        }
        pf_log_info("worker", "running (%s): group %s, inputs %s %s, repartition %s",
                    w->eos ? "exactly_once_v2" : "at_least_once", pf_conf_str(conf, "group.id"),
                    w->names[PF_TOPIC_EVENTS_API], w->names[PF_TOPIC_EVENTS_PNR],
                    w->names[PF_TOPIC_BY_TRAVELLER]);

        int64_t commit_ms = pf_conf_int(conf, "commit.interval.ms");
        int64_t idle_exit_ms = pf_conf_int(conf, "idle.exit.ms");
        double t0 = worker_mono_s(), last_commit = t0, last_msg = t0, first_msg = 0, last_out = t0;
        while (!pf_worker_stop_flag && !w->fatal) {
                /* held by the flags gate: the progress that frees it comes on the flags
                 * topic (worker_wl_step), so do not sleep long on the input */
                rd_kafka_message_t *msg =
                        rd_kafka_consumer_poll(w->consumer, w->release_due                      ? 0
                                                            : w->flags_held && w->flags_foreign ? 2
                                                            : w->restoring || !w->wl_loaded     ? 10
                                                                                            : 100);
                rd_kafka_poll(w->producer, 0);
                double now = worker_mono_s();
                if (msg) {
                        int data = !msg->err;
                        int rc = worker_handle(w, msg);
                        rd_kafka_message_destroy(msg);
                        if (data) {
                                last_msg = now;
                                last_out = now;
                                if (first_msg == 0)
                                        first_msg = now;
                        }
                        if (rc) {
                                w->fatal = 1;
                                break;
                        }
                }
                if (w->release_due && worker_release(w)) {
                        w->fatal = 1;
                        break;
                }
                worker_wl_step(w);
                worker_rules_file_check(w, now);
                if (w->restoring)
                        worker_restore_step(w);
                worker_metrics_tick(w, now);
                if ((now - last_commit) * 1000 >= (double)commit_ms ||
                    pf_pipeline_dirty(w->pipe) >= PF_PIPELINE_OVERLAY_MAX - 1 ||
                    (w->flags_held && w->flags_foreign &&
                     (now - last_commit) * 1000 >= PF_WORKER_EAGER_COMMIT_MS &&
                     worker_progress_pending(w))) {
                        if (worker_commit(w)) {
                                w->fatal = 1;
                                break;
                        }
                        last_commit = now;
                }
                if (idle_exit_ms > 0 && (now - last_msg) * 1000 >= (double)idle_exit_ms) {
                        if (worker_idle_done(w)) {
                                pf_log_info("worker", "all input consumed; idle exit");
                                break;
                        }
                        last_msg = worker_mono_s() - (double)idle_exit_ms / 2000.0; /* recheck */
                }
        }
        if (w->fatal) {
                /* Nothing uncommitted survives: a restart re-processes from the last commit. */
                pf_log_error("worker", "stopping after a fatal error; uncommitted input will be "
                                       "re-processed on restart");
                status = 1;
        } else if (worker_commit(w)) {
                status = 1;
        }
        stats->seconds = first_msg > 0 ? last_out - first_msg : 0;
        pf_log_info("worker",
                    "shutting down: %llu events in, %llu results out, %llu commits, %llu aborts",
                    (unsigned long long)stats->events_in, (unsigned long long)stats->results_out,
                    (unsigned long long)stats->commits, (unsigned long long)stats->aborts);
done:
        pf_worker_exit_status = status;
        sa.sa_handler = worker_on_shutdown_timeout;
        sigaction(SIGALRM, &sa, NULL);
        alarm(PF_WORKER_SHUTDOWN_S);
        worker_teardown(w);
        alarm(0);
        free(w);
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
        if (s->order_late || s->order_forced || s->order_skipped)
                printf("  event order    late %llu, forced %llu, read again and skipped %llu\n",
                       (unsigned long long)s->order_late, (unsigned long long)s->order_forced,
                       (unsigned long long)s->order_skipped);
        printf("  elapsed        %10.1f s\n", s->seconds);
        printf("  events/s       %10.0f  (stage 1 input, first to last message)\n",
               s->seconds > 0 ? (double)s->events_in / s->seconds : 0.0);
}
