/**
 * @file wl_cli.c
 * @brief Publishing watchlist entries and tombstones to the compacted watchlist topic.
 */
#define _POSIX_C_SOURCE 200809L
#include "wl_cli.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "kafka.h"
#include "log.h"
#include "watchlist.h"

/** Encoded entries waiting for the whole file to validate. */
typedef struct pf_wl_batch_s {
        pf_codec_t *codec;
        char **keys;
        uint8_t **values;
        size_t *lens;
        size_t count, cap;
} pf_wl_batch_t;

static int wl_cli_collect(void *opaque, const pf_wl_entry_t *entry) {
        pf_wl_batch_t *b = opaque;
        const uint8_t *out;
        size_t len;
        if (pf_codec_encode_watchlist(b->codec, entry, &out, &len))
                return -1;
        if (b->count == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 1024;
                char **keys = realloc(b->keys, cap * sizeof(*keys));
                if (keys)
                        b->keys = keys;
                uint8_t **values = realloc(b->values, cap * sizeof(*values));
                if (values)
                        b->values = values;
                size_t *lens = realloc(b->lens, cap * sizeof(*lens));
                if (lens)
                        b->lens = lens;
                if (!keys || !values || !lens)
                        return -1;
                b->cap = cap;
        }
        b->keys[b->count] = strdup(entry->entry_id);
        b->values[b->count] = malloc(len);
        if (!b->keys[b->count] || !b->values[b->count]) {
                free(b->keys[b->count]);
                free(b->values[b->count]);
                return -1;
        }
        memcpy(b->values[b->count], out, len);
        b->lens[b->count++] = len;
        return 0;
}

static void wl_cli_error(void *opaque, const char *message) {
        (void)opaque;
        fprintf(stderr, "paxflow watchlist load: %s\n", message);
}

int pf_table_publish(const pf_conf_t *conf, pf_topic_t table, char **keys, uint8_t **values,
                     size_t *lens, size_t n) {
        char errstr[512], topic[256], txn_id[300];
        rd_kafka_t *rk = NULL;
        rd_kafka_error_t *error = NULL;
        int rc = -1;
        pf_topic_name(conf, table, topic, sizeof(topic));
        /* One transaction: a crash or an error half way leaves nothing visible. */
        snprintf(txn_id, sizeof(txn_id), "%s-publish-%ld", topic, (long)getpid());
        rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, sizeof(errstr));
        if (!kconf || pf_kafka_conf_set(kconf, "transactional.id", txn_id, errstr, sizeof(errstr)))
                goto done;
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, kconf, errstr, sizeof(errstr)))) {
                rd_kafka_conf_destroy(kconf);
                goto done;
        }
        kconf = NULL;
        if ((error = rd_kafka_init_transactions(rk, 60000)) ||
            (error = rd_kafka_begin_transaction(rk)))
                goto done;
        for (size_t i = 0; i < n; i++) {
                rd_kafka_resp_err_t err;
                while ((err = rd_kafka_producev(
                                rk, RD_KAFKA_V_TOPIC(topic),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_KEY(keys[i], strlen(keys[i])),
                                RD_KAFKA_V_VALUE(values ? values[i] : NULL, values ? lens[i] : 0),
                                RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 50);
                if (err) {
                        snprintf(errstr, sizeof(errstr), "produce: %s", rd_kafka_err2str(err));
                        rd_kafka_abort_transaction(rk, 30000);
                        goto done;
                }
        }
        if ((error = rd_kafka_commit_transaction(rk, 120000)))
                goto done;
        rc = 0;
done:
        if (error) {
                snprintf(errstr, sizeof(errstr), "%s", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        }
        if (rc)
                pf_log_error("publish", "publishing to %s failed, nothing published: %s", topic,
                             errstr);
        else
                printf("published %zu %s to %s\n", n,
                       !values                       ? "tombstones"
                       : table == PF_TOPIC_WATCHLIST ? "entries"
                                                     : "records",
                       topic);
        if (rk)
                rd_kafka_destroy(rk);
        return rc;
}

static int wl_cli_load(const pf_conf_t *conf, const char *path) {
        char errstr[512];
        int status = 1;
        size_t loaded = 0;
        pf_wl_batch_t b;
        memset(&b, 0, sizeof(b));
        pf_schemas_t *schemas = pf_schemas_new(errstr, sizeof(errstr));
        pf_watchlist_t *wl = pf_watchlist_new(errstr, sizeof(errstr));
        if (schemas)
                b.codec = pf_codec_new(schemas, NULL, errstr, sizeof(errstr));
        if (!schemas || !wl || !b.codec) {
                pf_log_error("watchlist", "%s", errstr);
                goto done;
        }
        pf_err_t err = pf_watchlist_load_file_visit(wl, path, wl_cli_error, NULL, wl_cli_collect,
                                                    &b, &loaded);
        if (err) {
                fprintf(stderr, "paxflow watchlist load: %s: %s; nothing was published\n", path,
                        err == PF_ERR_INVALID_VALUE ? "invalid lines (above)" : pf_err2str(err));
                goto done;
        }
        status = pf_table_publish(conf, PF_TOPIC_WATCHLIST, b.keys, b.values, b.lens, b.count) ? 1
                                                                                               : 0;
done:
        for (size_t i = 0; i < b.count; i++) {
                free(b.keys[i]);
                free(b.values[i]);
        }
        free(b.keys);
        free(b.values);
        free(b.lens);
        pf_codec_destroy(b.codec);
        pf_watchlist_destroy(wl);
        pf_schemas_destroy(schemas);
        return status;
}

int pf_wl_cli_run(const pf_conf_t *conf, int argc, char **args) {
        if (argc == 2 && strcmp(args[0], "load") == 0)
                return wl_cli_load(conf, args[1]);
        if (argc >= 2 && strcmp(args[0], "delete") == 0)
                return pf_table_publish(conf, PF_TOPIC_WATCHLIST, args + 1, NULL, NULL,
                                        (size_t)(argc - 1))
                               ? 1
                               : 0;
        fprintf(stderr, "paxflow watchlist: expected \"load FILE\" or \"delete ENTRY_ID...\" (see "
                        "paxflow watchlist --help)\n");
        return 2;
}
