/**
 * @file topics.c
 * @brief `paxflow topics create`: creates every topic of a deployment, idempotently.
 */
#include "topics.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

#include "kafka.h"
#include "log.h"

int pf_topics_create(const pf_conf_t *conf) {
        char errstr[512];
        int status = 1;
        rd_kafka_t *rk = NULL;
        rd_kafka_NewTopic_t *topics[PF_TOPIC__COUNT] = {0};
        rd_kafka_queue_t *queue = NULL;
        rd_kafka_event_t *ev = NULL;
        rd_kafka_AdminOptions_t *opts = NULL;
        int partitions = (int)pf_conf_int(conf, "partitions");
        int rf = (int)pf_conf_int(conf, "replication.factor");

        rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, sizeof(errstr));
        if (!kconf)
                goto done;
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kconf, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(kconf);
                goto done;
        }
        for (int t = 0; t < PF_TOPIC__COUNT; t++) {
                char name[256];
                pf_topic_name(conf, (pf_topic_t)t, name, sizeof(name));
                /* Global tables (watchlist, rules) are small and read in full by every worker. */
                int parts = (t == PF_TOPIC_WATCHLIST || t == PF_TOPIC_RULES) ? 1 : partitions;
                topics[t] = rd_kafka_NewTopic_new(name, parts, rf, errstr, sizeof(errstr));
                if (!topics[t])
                        goto done;
                if (pf_topic_compacted((pf_topic_t)t))
                        rd_kafka_NewTopic_set_config(topics[t], "cleanup.policy", "compact");
        }
        queue = rd_kafka_queue_new(rk);
        opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, errstr, sizeof(errstr));
        rd_kafka_AdminOptions_set_request_timeout(opts, 60000, errstr, sizeof(errstr));
        rd_kafka_CreateTopics(rk, topics, PF_TOPIC__COUNT, opts, queue);
        ev = rd_kafka_queue_poll(queue, 90 * 1000);
        if (!ev) {
                snprintf(errstr, sizeof(errstr), "no answer from the broker within 90 s");
                goto done;
        }
        if (rd_kafka_event_error(ev)) {
                snprintf(errstr, sizeof(errstr), "%s", rd_kafka_event_error_string(ev));
                goto done;
        }
        size_t n;
        const rd_kafka_topic_result_t **res =
                rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        status = 0;
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[i]);
                const char *name = rd_kafka_topic_result_name(res[i]);
                if (!err)
                        printf("created  %s\n", name);
                else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                        printf("exists   %s\n", name);
                else {
                        printf("FAILED   %s: %s\n", name,
                               rd_kafka_topic_result_error_string(res[i]));
                        status = 1;
                }
        }
        errstr[0] = '\0';
done:
        if (status && errstr[0])
                pf_log_error("topics", "create failed: %s", errstr);
        if (ev)
                rd_kafka_event_destroy(ev);
        if (opts)
                rd_kafka_AdminOptions_destroy(opts);
        if (queue)
                rd_kafka_queue_destroy(queue);
        for (int t = 0; t < PF_TOPIC__COUNT; t++)
                if (topics[t])
                        rd_kafka_NewTopic_destroy(topics[t]);
        if (rk)
                rd_kafka_destroy(rk);
        return status;
}
