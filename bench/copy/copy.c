/**
 * @file copy.c
 * @brief The benchmark's upper bound: a plain librdkafka consume-transform-produce copy with
 * exactly-once (transactions + send_offsets_to_transaction, read_committed).
 *
 * Reads <prefix>.events.api and <prefix>.events.pnr, writes every value (and key) unchanged to
 * <prefix>.copy-out, commits one transaction every --commit-ms (100 ms, like paxflow), and exits
 * once every assigned partition reached its end and nothing arrived for --idle-ms. It prints
 * events/s measured the same way as `paxflow run` (first input message to last message handled),
 * CPU seconds (getrusage) and peak RSS.
 *
 * Build: gcc -O2 -o copy bench/copy/copy.c -lrdkafka
 * Usage: copy --brokers HOST:PORT --prefix P [--group G] [--txn-id T] [--idle-ms 3000]
 *             [--commit-ms 100] [--partitions 6]
 */
#define _POSIX_C_SOURCE 200809L

#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_PARTS 1024

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) {
        (void)sig;
        stop_flag = 1;
}

static double mono_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why) {
        fprintf(stderr, "copy: %s: %s\n", what, why);
        exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
        char err[512];
        if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
                die(k, err);
}

/* Partitions assigned to us and whether each reached its end (partition EOF). */
static struct {
        char topic[256];
        int32_t partition;
        int eof;
} parts[MAX_PARTS];
static int part_count;

static void parts_reset(const rd_kafka_topic_partition_list_t *l) {
        part_count = 0;
        for (int i = 0; l && i < l->cnt && part_count < MAX_PARTS; i++) {
                snprintf(parts[part_count].topic, sizeof(parts[0].topic), "%s", l->elems[i].topic);
                parts[part_count].partition = l->elems[i].partition;
                parts[part_count].eof = 0;
                part_count++;
        }
}

static void parts_mark(const char *topic, int32_t partition, int eof) {
        for (int i = 0; i < part_count; i++)
                if (parts[i].partition == partition && strcmp(parts[i].topic, topic) == 0)
                        parts[i].eof = eof;
}

static int parts_all_eof(void) {
        if (part_count == 0)
                return 0;
        for (int i = 0; i < part_count; i++)
                if (!parts[i].eof)
                        return 0;
        return 1;
}

static rd_kafka_t *producer_g;
static int in_txn;

static void txn_check(rd_kafka_error_t *e, const char *what) {
        if (!e)
                return;
        fprintf(stderr, "copy: %s: %s%s\n", what, rd_kafka_error_string(e),
                rd_kafka_error_txn_requires_abort(e) ? " (abortable)" : "");
        /* A benchmark tool: any transactional failure is fatal (no retry logic). */
        rd_kafka_error_destroy(e);
        exit(1);
}

/* Commits the open transaction with the consumer's positions, then opens the next one. */
static void commit_txn(rd_kafka_t *consumer, int reopen) {
        if (in_txn) {
                rd_kafka_topic_partition_list_t *pos = NULL;
                rd_kafka_resp_err_t err = rd_kafka_assignment(consumer, &pos);
                if (err)
                        die("assignment", rd_kafka_err2str(err));
                rd_kafka_position(consumer, pos);
                /* Only partitions with a known position. */
                rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(pos->cnt);
                for (int i = 0; i < pos->cnt; i++)
                        if (pos->elems[i].offset >= 0)
                                rd_kafka_topic_partition_list_add(offs, pos->elems[i].topic,
                                                                  pos->elems[i].partition)
                                        ->offset = pos->elems[i].offset;
                if (offs->cnt > 0) {
                        rd_kafka_consumer_group_metadata_t *md =
                                rd_kafka_consumer_group_metadata(consumer);
                        txn_check(rd_kafka_send_offsets_to_transaction(producer_g, offs, md, -1),
                                  "send_offsets_to_transaction");
                        rd_kafka_consumer_group_metadata_destroy(md);
                }
                rd_kafka_topic_partition_list_destroy(offs);
                rd_kafka_topic_partition_list_destroy(pos);
                txn_check(rd_kafka_commit_transaction(producer_g, -1), "commit_transaction");
                in_txn = 0;
        }
        if (reopen) {
                txn_check(rd_kafka_begin_transaction(producer_g), "begin_transaction");
                in_txn = 1;
        }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts_list, void *opaque) {
        (void)opaque;
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                parts_reset(parts_list);
                rd_kafka_assign(rk, parts_list);
        } else {
                /* Eager revoke: commit what was processed so far, then drop the assignment. */
                if (in_txn)
                        commit_txn(rk, 1);
                parts_reset(NULL);
                rd_kafka_assign(rk, NULL);
        }
}

/* Creates the output topic (the broker does not auto-create); an existing topic is fine. */
static void create_topic(rd_kafka_t *rk, const char *name, int partitions) {
        char err[512];
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, 1, err, sizeof(err));
        if (!nt)
                die("NewTopic", err);
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
        if (!ev)
                die("CreateTopics", "timed out");
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n) : NULL;
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
                if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                        die("CreateTopics", rd_kafka_topic_result_error_string(tr[i]));
        }
        rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
        rd_kafka_NewTopic_destroy(nt);
}

int main(int argc, char **argv) {
        const char *brokers = "127.0.0.1:19092", *prefix = NULL, *group = NULL, *txn_id = NULL;
        long idle_ms = 3000, commit_ms = 100, partitions = 6;
        for (int i = 1; i + 1 < argc; i += 2) {
                if (!strcmp(argv[i], "--brokers"))
                        brokers = argv[i + 1];
                else if (!strcmp(argv[i], "--prefix"))
                        prefix = argv[i + 1];
                else if (!strcmp(argv[i], "--group"))
                        group = argv[i + 1];
                else if (!strcmp(argv[i], "--txn-id"))
                        txn_id = argv[i + 1];
                else if (!strcmp(argv[i], "--idle-ms"))
                        idle_ms = atol(argv[i + 1]);
                else if (!strcmp(argv[i], "--partitions"))
                        partitions = atol(argv[i + 1]);
                else if (!strcmp(argv[i], "--commit-ms"))
                        commit_ms = atol(argv[i + 1]);
                else
                        die("unknown option", argv[i]);
        }
        if (!prefix)
                die("usage", "copy --brokers B --prefix P [--group G] [--txn-id T] [--idle-ms N] "
                             "[--commit-ms N]");
        char group_buf[512], txn_buf[512], in_api[512], in_pnr[512], out_topic[512];
        snprintf(group_buf, sizeof(group_buf), "%s-copy", prefix);
        snprintf(txn_buf, sizeof(txn_buf), "%s-copy-0", prefix);
        snprintf(in_api, sizeof(in_api), "%s.events.api", prefix);
        snprintf(in_pnr, sizeof(in_pnr), "%s.events.pnr", prefix);
        snprintf(out_topic, sizeof(out_topic), "%s.copy-out", prefix);
        if (!group)
                group = group_buf;
        if (!txn_id)
                txn_id = txn_buf;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);

        char errstr[512];
        rd_kafka_conf_t *pc = rd_kafka_conf_new();
        set(pc, "bootstrap.servers", brokers);
        set(pc, "transactional.id", txn_id);
        set(pc, "linger.ms", "5");
        producer_g = rd_kafka_new(RD_KAFKA_PRODUCER, pc, errstr, sizeof(errstr));
        if (!producer_g)
                die("producer", errstr);
        create_topic(producer_g, out_topic, (int)partitions);
        rd_kafka_topic_t *out = rd_kafka_topic_new(producer_g, out_topic, NULL);

        rd_kafka_conf_t *cc = rd_kafka_conf_new();
        set(cc, "bootstrap.servers", brokers);
        set(cc, "group.id", group);
        set(cc, "isolation.level", "read_committed");
        set(cc, "enable.auto.commit", "false");
        set(cc, "auto.offset.reset", "earliest");
        set(cc, "enable.partition.eof", "true");
        rd_kafka_conf_set_rebalance_cb(cc, rebalance_cb);
        rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, errstr, sizeof(errstr));
        if (!consumer)
                die("consumer", errstr);
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(2);
        rd_kafka_topic_partition_list_add(subs, in_api, RD_KAFKA_PARTITION_UA);
        rd_kafka_topic_partition_list_add(subs, in_pnr, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, subs);
        rd_kafka_topic_partition_list_destroy(subs);
        if (err)
                die("subscribe", rd_kafka_err2str(err));

        txn_check(rd_kafka_init_transactions(producer_g, 30000), "init_transactions");
        commit_txn(consumer, 1);

        unsigned long long events = 0, commits = 0, pending = 0;
        double t0 = mono_s(), last_commit = t0, last_msg = t0, first_msg = 0;
        while (!stop_flag) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
                rd_kafka_poll(producer_g, 0);
                double now = mono_s();
                if (m) {
                        const char *tn = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
                        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                                parts_mark(tn, m->partition, 1);
                        } else if (m->err) {
                                fprintf(stderr, "copy: consume: %s\n", rd_kafka_message_errstr(m));
                        } else {
                                parts_mark(tn, m->partition, 0);
                                for (;;) {
                                        if (rd_kafka_produce(out, RD_KAFKA_PARTITION_UA,
                                                             RD_KAFKA_MSG_F_COPY, m->payload,
                                                             m->len, m->key, m->key_len,
                                                             NULL) == 0)
                                                break;
                                        if (rd_kafka_last_error() !=
                                            RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                                die("produce",
                                                    rd_kafka_err2str(rd_kafka_last_error()));
                                        rd_kafka_poll(producer_g, 10);
                                }
                                events++;
                                pending++;
                                last_msg = now;
                                if (first_msg == 0)
                                        first_msg = now;
                        }
                        rd_kafka_message_destroy(m);
                }
                /* Like paxflow: a transaction only when something was copied since the last. */
                if ((now - last_commit) * 1000 >= (double)commit_ms) {
                        if (pending > 0) {
                                commit_txn(consumer, 1);
                                commits++;
                                pending = 0;
                        }
                        last_commit = now;
                }
                if (idle_ms > 0 && events > 0 && (now - last_msg) * 1000 >= (double)idle_ms &&
                    parts_all_eof())
                        break;
        }
        commit_txn(consumer, 0);
        commits++;
        double secs = first_msg > 0 ? last_msg - first_msg : 0;
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        rd_kafka_topic_destroy(out);
        rd_kafka_flush(producer_g, 10000);
        rd_kafka_destroy(producer_g);

        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        printf("copy summary\n");
        printf("  events         %10llu\n", events);
        printf("  commits        %10llu\n", commits);
        printf("  elapsed        %10.2f s\n", secs);
        printf("  events/s       %10.0f  (first to last message)\n",
               secs > 0 ? (double)events / secs : 0.0);
        printf("  cpu            %10.2f s\n", cpu);
        printf("  peak rss       %10ld KiB\n", ru.ru_maxrss);
        return 0;
}
