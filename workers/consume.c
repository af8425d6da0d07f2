/**
 * @file consume.c
 * @brief `paxflow consume`, a read-only tool in the spirit of kcat -C -e.
 */
#define _POSIX_C_SOURCE 200809L
#include "consume.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "kafka.h"
#include "log.h"

static void consume_print(pf_codec_t *codec, const rd_kafka_message_t *msg) {
        char errstr[512];
        char *body = NULL;
        json_t *obj = NULL;
        if (msg->payload &&
            pf_codec_to_json(codec, msg->payload, msg->len, &body, errstr, sizeof(errstr)) == PF_OK)
                obj = json_loads(body, 0, NULL);
        free(body);
        if (!obj) {
                /* Not a shipped schema (e.g. a changelog history): show the bytes. */
                obj = json_object();
                json_object_set_new(obj, "_error",
                                    json_string(msg->payload ? errstr : "null value"));
                if (msg->payload)
                        json_object_set_new(obj, "_value_hex",
                                            pf_codec_json_hex(msg->payload, msg->len));
        }
        json_object_set_new(obj, "_topic", json_string(rd_kafka_topic_name(msg->rkt)));
        json_object_set_new(obj, "_partition", json_integer(msg->partition));
        json_object_set_new(obj, "_offset", json_integer(msg->offset));
        if (msg->key) {
                /* Text keys print as _key; binary ones (traveller keys) as _key_hex. */
                json_t *key = json_stringn((const char *)msg->key, msg->key_len);
                if (key && !memchr(msg->key, '\0', msg->key_len)) {
                        json_object_set_new(obj, "_key", key);
                } else {
                        json_decref(key);
                        json_object_set_new(obj, "_key_hex",
                                            pf_codec_json_hex(msg->key, msg->key_len));
                }
        }
        char *line = json_dumps(obj, JSON_COMPACT);
        if (line) {
                fputs(line, stdout);
                fputc('\n', stdout);
                free(line);
        }
        json_decref(obj);
}

int pf_consume_topic(const pf_conf_t *conf, const char *topic, int64_t timeout_ms,
                     pf_consume_fn *fn, void *opaque) {
        char errstr[512];
        int status = 1;
        rd_kafka_t *rk = NULL;
        rd_kafka_topic_partition_list_t *parts = NULL;
        const rd_kafka_metadata_t *md = NULL;
        int64_t *ends = NULL;

        rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, sizeof(errstr));
        if (!kconf)
                goto done;
        if (pf_kafka_conf_set(kconf, "group.id", "paxflow-consume-tool", errstr, sizeof(errstr)) ||
            pf_kafka_conf_set(kconf, "enable.auto.commit", "false", errstr, sizeof(errstr)) ||
            pf_kafka_conf_set(kconf, "isolation.level", "read_committed", errstr, sizeof(errstr))) {
                rd_kafka_conf_destroy(kconf);
                goto done;
        }
        if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, kconf, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(kconf);
                goto done;
        }
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        rd_kafka_topic_destroy(rkt);
        if (err || md->topic_cnt != 1 || md->topics[0].err) {
                snprintf(errstr, sizeof(errstr), "topic %s: %s", topic,
                         rd_kafka_err2str(err ? err : md->topics[0].err));
                goto done;
        }
        int n = md->topics[0].partition_cnt;
        parts = rd_kafka_topic_partition_list_new(n);
        ends = calloc((size_t)n * 2 + 2, sizeof(*ends)); /* [0,n): high, [n,2n): low */
        int64_t remaining = 0;
        for (int i = 0; i < n; i++) {
                int64_t lo, hi;
                int32_t p = md->topics[0].partitions[i].id;
                if ((err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000))) {
                        snprintf(errstr, sizeof(errstr), "watermarks of %s [%d]: %s", topic, p,
                                 rd_kafka_err2str(err));
                        goto done;
                }
                rd_kafka_topic_partition_list_add(parts, topic, p)->offset =
                        RD_KAFKA_OFFSET_BEGINNING;
                ends[i] = hi;
                ends[n + i] = lo;
                if (hi > lo)
                        remaining++;
        }
        rd_kafka_assign(rk, parts);
        /* The high watermark counts transaction markers and aborted records too, so a partition is
         * done when the position reaches it, not when a message at hi - 1 arrives. */
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        status = 0;
        while (remaining > 0) {
                rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, 200);
                if (msg) {
                        if (!msg->err) {
                                fn(opaque, msg);
                                clock_gettime(CLOCK_MONOTONIC, &start); /* progress */
                        }
                        rd_kafka_message_destroy(msg);
                }
                rd_kafka_position(rk, parts);
                remaining = 0;
                for (int i = 0; i < parts->cnt; i++)
                        if (ends[i] > ends[n + i] && parts->elems[i].offset < ends[i])
                                remaining++;
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (remaining && (now.tv_sec - start.tv_sec) * 1000 > timeout_ms) {
                        pf_log_error("consume",
                                     "%s: %lld partitions not read to their end; nothing "
                                     "arrived for %lld ms",
                                     topic, (long long)remaining, (long long)timeout_ms);
                        status = 1;
                        break;
                }
        }
        errstr[0] = '\0';
done:
        if (status && errstr[0])
                pf_log_error("consume", "%s", errstr);
        free(ends);
        if (parts)
                rd_kafka_topic_partition_list_destroy(parts);
        if (md)
                rd_kafka_metadata_destroy(md);
        if (rk) {
                rd_kafka_consumer_close(rk);
                rd_kafka_destroy(rk);
        }
        return status;
}

static void consume_print_cb(void *opaque, const rd_kafka_message_t *msg) {
        consume_print(opaque, msg);
}

int pf_consume_run(const pf_conf_t *conf) {
        char errstr[512], topic[256];
        pf_schemas_t *schemas = NULL;
        pf_codec_t *codec = NULL;
        int status = 1;

        const char *t = pf_conf_str(conf, "topic");
        if (!t[0]) {
                pf_log_error("consume", "--topic is required");
                return 2;
        }
        /* A role suffix (scored, dlq, events.api...) is completed with the prefix. */
        snprintf(topic, sizeof(topic), "%s", t);
        for (int r = 0; r < PF_TOPIC__COUNT; r++)
                if (strcmp(t, pf_topic_suffix((pf_topic_t)r)) == 0)
                        pf_topic_name(conf, (pf_topic_t)r, topic, sizeof(topic));

        pf_codec_conf_t cc = {.max_message_bytes =
                                      (size_t)pf_conf_int(conf, "max.message.bytes") * 2};
        if (!(schemas = pf_schemas_new(errstr, sizeof(errstr))) ||
            !(codec = pf_codec_new(schemas, &cc, errstr, sizeof(errstr)))) {
                pf_log_error("consume", "%s", errstr);
        } else {
                status = pf_consume_topic(conf, topic, pf_conf_int(conf, "timeout.ms"),
                                          consume_print_cb, codec);
                fflush(stdout);
        }
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
        return status;
}
