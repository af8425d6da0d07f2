/**
 * @file test_metrics.c
 * @brief Tests of the metrics registry: registration rules, counter/gauge/histogram arithmetic,
 * golden renderings, the label contract, the librdkafka statistics parser, the HTTP endpoints
 * (plain socket client on an ephemeral loopback port) and, when installed, `promtool check
 * metrics` on the worker's exposition.
 */
#define _POSIX_C_SOURCE 200809L /* popen, nanosleep, mkstemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "../../workers/metrics.h"

static pf_metrics_t *new_registry(void) {
        char errstr[256];
        pf_metrics_t *m = pf_metrics_new(errstr, sizeof(errstr));
        assert_non_null(m);
        return m;
}

static pf_metrics_t *new_worker_registry(void) {
        char errstr[256];
        pf_metrics_t *m = new_registry();
        assert_int_equal(pf_metrics_register_worker(m, errstr, sizeof(errstr)), PF_OK);
        return m;
}

static char *render(pf_metrics_t *m) {
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(pf_metrics_render_alloc(m, PF_METRICS_RENDER_MAX, &out, &len), PF_OK);
        assert_int_equal(strlen(out), len);
        return out;
}

static void assert_contains(const char *hay, const char *needle) {
        if (strstr(hay, needle) == NULL)
                fail_msg("missing from exposition: %s\n--- got:\n%s", needle, hay);
}

/* ------------------------------------------------------------------------------------------- */

static void test_register_rules(void **state) {
        static const struct {
                pf_metric_type_t type;
                const char *name;
                const char *label;
        } bad[] = {
                {PF_METRIC_COUNTER, "paxflow_events", NULL},             /* no _total */
                {PF_METRIC_GAUGE, "paxflow_lag_total", NULL},            /* _total on a gauge */
                {PF_METRIC_COUNTER, "events_total", NULL},               /* no paxflow_ prefix */
                {PF_METRIC_COUNTER, "paxflow_bad-name_total", NULL},     /* '-' */
                {PF_METRIC_HISTOGRAM, "paxflow_x_seconds", "le"},        /* reserved label */
                {PF_METRIC_COUNTER, "paxflow_x_total", "__name"},        /* reserved prefix */
                {PF_METRIC_COUNTER, "paxflow_x_total", "bad-label"},     /* '-' in label name */
                {PF_METRIC_INFO, "paxflow_ruleset", "version"},          /* no _info */
                {PF_METRIC_INFO, "paxflow_x_info", NULL},                /* info without labels */
                {PF_METRIC_COUNTER, "paxflow_events_in_total", "topic"}, /* duplicate */
        };
        static const double unsorted[] = {1, 0.5};
        pf_metrics_t *m = new_worker_registry();
        char errstr[256];
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                const char *labels[1] = {bad[i].label};
                errstr[0] = '\0';
                assert_int_equal(pf_metrics_register(m, bad[i].type, bad[i].name, "h", labels,
                                                     bad[i].label ? 1 : 0, NULL, 0, errstr,
                                                     sizeof(errstr)),
                                 -1);
                assert_true(strlen(errstr) > 0);
        }
        assert_int_equal(pf_metrics_register(m, PF_METRIC_HISTOGRAM, "paxflow_y_seconds", "h", NULL,
                                             0, unsorted, 2, errstr, sizeof(errstr)),
                         -1);
        /* The worker set can only go on an empty registry (its ids are enum values). */
        assert_int_equal(pf_metrics_register_worker(m, errstr, sizeof(errstr)), PF_ERR_INTERNAL);
        assert_int_equal(pf_metrics_register(m, PF_METRIC_GAUGE, "paxflow_extra_bytes", "h", NULL,
                                             0, NULL, 0, errstr, sizeof(errstr)),
                         PF_M__WORKER_COUNT);
        /* Wrong type or unknown id. */
        assert_int_equal(pf_metrics_gauge_set(m, PF_M_EVENTS_IN, (const char *[]){"t"}, 1),
                         PF_ERR_INTERNAL);
        assert_int_equal(pf_metrics_counter_add(m, 999, NULL, 1), PF_ERR_INTERNAL);
        assert_int_equal(pf_metrics_counter_add(m, PF_M_EVENTS_IN, NULL, 1), PF_ERR_INTERNAL);
        pf_metrics_destroy(m);
        pf_metrics_destroy(NULL);
}

/** Golden rendering of a small registry, byte for byte. */
static void test_render_golden(void **state) {
        static const double bounds[] = {0.001, 0.01, 0.1};
        static const char *const lbl[] = {"topic"};
        static const char golden[] =
                "# HELP paxflow_a_total Things \\\\ counted.\\nSecond line.\n"
                "# TYPE paxflow_a_total counter\n"
                "paxflow_a_total{topic=\"pf.events.api\"} 5\n"
                "paxflow_a_total{topic=\"pf.events.pnr\"} 18446744073709551615\n"
                "# HELP paxflow_b_bytes A gauge.\n"
                "# TYPE paxflow_b_bytes gauge\n"
                "paxflow_b_bytes 0.1\n"
                "# HELP paxflow_c_seconds A histogram.\n"
                "# TYPE paxflow_c_seconds histogram\n"
                "paxflow_c_seconds_bucket{le=\"0.001\"} 2\n"
                "paxflow_c_seconds_bucket{le=\"0.01\"} 3\n"
                "paxflow_c_seconds_bucket{le=\"0.1\"} 3\n"
                "paxflow_c_seconds_bucket{le=\"+Inf\"} 4\n"
                "paxflow_c_seconds_sum 5.0055\n"
                "paxflow_c_seconds_count 4\n"
                "# HELP paxflow_d_info Info.\n"
                "# TYPE paxflow_d_info gauge\n"
                "paxflow_d_info{version=\"2024.06.1\"} 1\n"
                "# HELP paxflow_metrics_dropped_updates_total Metric updates dropped: invalid "
                "label value or too many series.\n"
                "# TYPE paxflow_metrics_dropped_updates_total counter\n"
                "paxflow_metrics_dropped_updates_total{reason=\"invalid_label\"} 0\n"
                "paxflow_metrics_dropped_updates_total{reason=\"series_limit\"} 0\n";
        pf_metrics_t *m = new_registry();
        pf_metrics_series_t *s;
        char errstr[256], small[64];
        size_t len;
        int a, b, c, d;
        char *out;

        (void)state;
        a = pf_metrics_register(m, PF_METRIC_COUNTER, "paxflow_a_total",
                                "Things \\ counted.\nSecond line.", lbl, 1, NULL, 0, errstr,
                                sizeof(errstr));
        b = pf_metrics_register(m, PF_METRIC_GAUGE, "paxflow_b_bytes", "A gauge.", NULL, 0, NULL, 0,
                                errstr, sizeof(errstr));
        c = pf_metrics_register(m, PF_METRIC_HISTOGRAM, "paxflow_c_seconds", "A histogram.", NULL,
                                0, bounds, 3, errstr, sizeof(errstr));
        d = pf_metrics_register(m, PF_METRIC_INFO, "paxflow_d_info", "Info.",
                                (const char *[]){"version"}, 1, NULL, 0, errstr, sizeof(errstr));
        assert_true(a >= 0 && b >= 0 && c >= 0 && d >= 0);

        assert_int_equal(pf_metrics_counter_add(m, a, (const char *[]){"pf.events.api"}, 2), PF_OK);
        s = pf_metrics_series(m, a, (const char *[]){"pf.events.api"});
        pf_metrics_series_inc(s, 3);
        pf_metrics_series_inc(pf_metrics_series(m, a, (const char *[]){"pf.events.pnr"}),
                              UINT64_MAX);
        assert_int_equal(pf_metrics_gauge_set(m, b, NULL, 1.5), PF_OK);
        assert_int_equal(pf_metrics_gauge_add(m, b, NULL, -1.4), PF_OK); /* 0.1 after rounding */
        pf_metrics_series_set(pf_metrics_series(m, b, NULL), 0.1);
        assert_int_equal(pf_metrics_histogram_observe(m, c, NULL, 0.0005), PF_OK);
        assert_int_equal(pf_metrics_histogram_observe(m, c, NULL, 0.001), PF_OK); /* le inclusive */
        assert_int_equal(pf_metrics_histogram_observe(m, c, NULL, 0.004), PF_OK);
        assert_int_equal(pf_metrics_histogram_observe(m, c, NULL, 5), PF_OK);
        assert_int_equal(pf_metrics_info_set(m, d, (const char *[]){"2024.05.0"}), PF_OK);
        assert_int_equal(pf_metrics_info_set(m, d, (const char *[]){"2024.06.1"}), PF_OK);

        out = render(m);
        assert_string_equal(out, golden);
        free(out);

        /* Into a caller buffer: exact fit, and too small (reports the size needed). */
        {
                char *big = malloc(sizeof(golden));
                assert_int_equal(pf_metrics_render(m, big, sizeof(golden), &len), PF_OK);
                assert_int_equal(len, sizeof(golden) - 1);
                assert_string_equal(big, golden);
                assert_int_equal(pf_metrics_render(m, big, sizeof(golden) - 1, &len),
                                 PF_ERR_TOO_LARGE);
                assert_int_equal(len, sizeof(golden) - 1);
                free(big);
        }
        assert_int_equal(pf_metrics_render(m, small, sizeof(small), &len), PF_ERR_TOO_LARGE);
        assert_int_equal(pf_metrics_render_alloc(m, 100, &out, &len), PF_ERR_TOO_LARGE);
        assert_null(out);
        pf_metrics_destroy(m);
}

/** Label values outside [A-Za-z0-9._-] or too long are rejected, counted, never rendered. */
static void test_label_contract(void **state) {
        static const char *const bad[] = {
                "",
                "two words",
                "quote\"",
                "back\\slash",
                "new\nline",
                "brace}",
                "comma,",
                "caf\xc3\xa9",
                "SMITH/JOHN",
                "a@example.com",
                "0123456789012345678901234567890123456789012345678901234567890123", /* 64 */
        };
        pf_metrics_t *m = new_worker_registry();
        char max63[64];
        size_t i;
        char *out;

        (void)state;
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(pf_metrics_counter_add(m, PF_M_DEAD_LETTERS, &bad[i], 1),
                                 PF_ERR_INVALID_VALUE);
                assert_null(pf_metrics_series(m, PF_M_RULE_HITS, &bad[i]));
        }
        assert_int_equal(pf_metrics_info_set(m, PF_M_RULESET_INFO, &bad[1]), PF_ERR_INVALID_VALUE);
        memset(max63, 'x', 63);
        max63[63] = '\0';
        assert_int_equal(pf_metrics_counter_add(m, PF_M_DEAD_LETTERS, (const char *[]){max63}, 1),
                         PF_OK);
        assert_int_equal(pf_metrics_counter_add(m, PF_M_DEAD_LETTERS,
                                                (const char *[]){"NOT_WIRE_FORMAT"}, 1),
                         PF_OK);
        out = render(m);
        assert_contains(out, "paxflow_dead_letters_total{code=\"NOT_WIRE_FORMAT\"} 1\n");
        assert_null(strstr(out, "SMITH"));
        assert_null(strstr(out, "example.com"));
        assert_contains(out,
                        "paxflow_metrics_dropped_updates_total{reason=\"invalid_label\"} 23\n");
        free(out);
        pf_metrics_destroy(m);
}

/** At most PF_METRICS_SERIES_MAX series per metric; lookups of existing ones keep working. */
static void test_series_limit(void **state) {
        pf_metrics_t *m = new_worker_registry();
        char part[16];
        int i;
        char *out;

        (void)state;
        for (i = 0; i < PF_METRICS_SERIES_MAX; i++) {
                snprintf(part, sizeof(part), "%d", i);
                assert_int_equal(pf_metrics_gauge_set(m, PF_M_STATE_BYTES, (const char *[]){part},
                                                      (double)i),
                                 PF_OK);
        }
        assert_int_equal(pf_metrics_gauge_set(m, PF_M_STATE_BYTES, (const char *[]){"overflow"}, 1),
                         PF_ERR_TOO_LARGE);
        for (i = 0; i < PF_METRICS_SERIES_MAX; i++) { /* every one found again, none created */
                snprintf(part, sizeof(part), "%d", i);
                assert_int_equal(
                        pf_metrics_gauge_add(m, PF_M_STATE_BYTES, (const char *[]){part}, 1),
                        PF_OK);
        }
        assert_int_equal(pf_metrics_gauge_clear(m, PF_M_STATE_BYTES, (const char *[]){"7"}), PF_OK);
        out = render(m);
        assert_contains(out, "paxflow_state_bytes{partition=\"1023\"} 1024\n");
        assert_null(strstr(out, "paxflow_state_bytes{partition=\"7\"}"));
        assert_null(strstr(out, "overflow"));
        assert_contains(out, "paxflow_metrics_dropped_updates_total{reason=\"series_limit\"} 1\n");
        free(out);
        pf_metrics_destroy(m);
}

/* A consumer's statistics, modelled on librdkafka's STATISTICS.md (fields trimmed). */
static const char stats_consumer[] =
        "{\"name\":\"rdkafka#consumer-1\",\"client_id\":\"paxflow\",\"type\":\"consumer\","
        "\"ts\":5016483227792,\"time\":1718000000,\"age\":5016483,\"replyq\":0,"
        "\"msg_cnt\":0,\"msg_size\":0,\"msg_max\":100000,\"msg_size_max\":1073741824,"
        "\"simple_cnt\":0,\"metadata_cache_cnt\":2,"
        "\"brokers\":{\"localhost:19092/1\":{\"name\":\"localhost:19092/1\",\"nodeid\":1,"
        "\"nodename\":\"localhost:19092\",\"source\":\"configured\",\"state\":\"UP\","
        "\"stateage\":9057234,\"outbuf_cnt\":0,\"rtt\":{\"min\":0,\"max\":0,\"avg\":0,\"cnt\":0},"
        "\"toppars\":{\"pf.events.api-0\":{\"topic\":\"pf.events.api\",\"partition\":0}}}},"
        "\"topics\":{"
        " \"pf.events.api\":{\"topic\":\"pf.events.api\",\"age\":9060,\"metadata_age\":9060,"
        "  \"batchsize\":{\"min\":0,\"max\":0,\"avg\":0},\"batchcnt\":{\"min\":0,\"max\":0},"
        "  \"partitions\":{"
        "   \"0\":{\"partition\":0,\"broker\":1,\"leader\":1,\"desired\":true,\"unknown\":false,"
        "    \"msgq_cnt\":0,\"fetchq_cnt\":12,\"fetchq_size\":4096,\"fetch_state\":\"active\","
        "    \"query_offset\":-1001,\"next_offset\":1200,\"app_offset\":1190,"
        "    \"stored_offset\":-1001,\"committed_offset\":1100,\"eof_offset\":-1001,"
        "    \"lo_offset\":0,\"hi_offset\":1342,\"ls_offset\":1342,\"consumer_lag\":242,"
        "    \"consumer_lag_stored\":-1,\"txmsgs\":0,\"rxmsgs\":1200,\"rxbytes\":812345},"
        "   \"1\":{\"partition\":1,\"broker\":1,\"leader\":1,\"desired\":true,"
        "    \"fetch_state\":\"active\",\"hi_offset\":77,\"ls_offset\":77,\"committed_offset\":77,"
        "    \"consumer_lag\":0,\"consumer_lag_stored\":-1},"
        "   \"2\":{\"partition\":2,\"broker\":-1,\"leader\":1,\"desired\":false,"
        "    \"fetch_state\":\"none\",\"consumer_lag\":-1},"
        "   \"-1\":{\"partition\":-1,\"broker\":-1,\"leader\":-1,\"desired\":false,"
        "    \"unknown\":false,\"msgq_cnt\":0,\"consumer_lag\":-1}}},"
        " \"pf.by-traveller\":{\"topic\":\"pf.by-traveller\",\"partitions\":{"
        "   \"11\":{\"partition\":11,\"consumer_lag\":1234567890123}}}},"
        "\"cgrp\":{\"state\":\"up\",\"stateage\":8997,\"join_state\":\"steady\","
        "\"rebalance_age\":8993,\"rebalance_cnt\":1,\"rebalance_reason\":\"\","
        "\"assignment_size\":3},"
        "\"tx\":0,\"tx_bytes\":0,\"rx\":12,\"rx_bytes\":812345,\"txmsgs\":0,\"rxmsgs\":1277}";

static void test_rdkafka_stats(void **state) {
        static const char revoked[] =
                "{\"type\":\"consumer\",\"topics\":{\"pf.events.api\":{\"partitions\":{"
                "\"0\":{\"partition\":0,\"consumer_lag\":3}}}}}";
        pf_metrics_t *m = new_worker_registry();
        char *out;

        (void)state;
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(m, stats_consumer), PF_OK);
        out = render(m);
        assert_contains(out, "paxflow_consumer_lag{topic=\"pf.events.api\",partition=\"0\"} 242\n");
        assert_contains(out, "paxflow_consumer_lag{topic=\"pf.events.api\",partition=\"1\"} 0\n");
        assert_contains(out, "paxflow_consumer_lag{topic=\"pf.by-traveller\",partition=\"11\"} "
                             "1234567890123\n");
        assert_null(strstr(out, "partition=\"2\""));  /* unassigned: lag -1 */
        assert_null(strstr(out, "partition=\"-1\"")); /* internal UA partition */
        free(out);

        /* Partition 1 and the by-traveller partition were revoked: their series disappear. */
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(m, revoked), PF_OK);
        out = render(m);
        assert_contains(out, "paxflow_consumer_lag{topic=\"pf.events.api\",partition=\"0\"} 3\n");
        assert_null(strstr(out, "partition=\"1\""));
        assert_null(strstr(out, "partition=\"11\""));
        free(out);
        /* ...and come back when reported again. */
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(m, stats_consumer), PF_OK);
        out = render(m);
        assert_contains(out, "paxflow_consumer_lag{topic=\"pf.events.api\",partition=\"1\"} 0\n");
        free(out);

        /* A producer's statistics are ignored; malformed documents change nothing. */
        assert_int_equal(
                pf_metrics_update_from_rdkafka_stats(m, "{\"type\":\"producer\",\"topics\":{}}"),
                PF_OK);
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(m, "{\"type\":\"consumer\""),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(m, "[]"), PF_ERR_INVALID_VALUE);
        assert_int_equal(pf_metrics_update_from_rdkafka_stats(
                                 m, "{\"type\":\"consumer\",\"topics\":{\"bad topic\":{"
                                    "\"partitions\":{\"x\":{\"consumer_lag\":1},"
                                    "\"0\":{\"consumer_lag\":\"7\"},"
                                    "\"1\":{\"consumer_lag\":5}}}}}"),
                         PF_OK);
        out = render(m);
        assert_null(strstr(out, "bad topic"));
        free(out);
        pf_metrics_destroy(m);
}

/* ------------------------------------------------------------------------------------------- */

/** Sends one HTTP/1.0 request to 127.0.0.1:port; @returns the status, fills body. */
static int http_request(int port, const char *method, const char *path, char *body, size_t size) {
        struct sockaddr_in sin;
        char req[256], resp[65536];
        size_t got = 0;
        ssize_t n;
        int fd, status = -1, reqlen;
        char *sep;

        fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)port);
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
        reqlen = snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n", method,
                          path);
        assert_int_equal(write(fd, req, (size_t)reqlen), reqlen);
        while (got < sizeof(resp) - 1 && (n = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
                got += (size_t)n;
        resp[got] = '\0';
        close(fd);
        if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
                fail_msg("bad response: %s", resp);
        sep = strstr(resp, "\r\n\r\n");
        snprintf(body, size, "%s", sep ? sep + 4 : "");
        if (strcmp(path, "/metrics") == 0 && status == 200)
                assert_non_null(strstr(resp, "Content-Type: text/plain; version=0.0.4"));
        return status;
}

static void sleep_ms(long ms) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

static void test_http(void **state) {
        pf_metrics_t *m = new_worker_registry();
        char errstr[256], body[65536];
        int port;

        (void)state;
        /* Port 0 disables; bad addresses are configuration errors. */
        assert_int_equal(pf_metrics_serve(m, "127.0.0.1", 0, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_metrics_port(m), 0);
        assert_int_equal(pf_metrics_serve(m, "localhost", 9464, errstr, sizeof(errstr)),
                         PF_ERR_CONFIG);
        assert_int_equal(pf_metrics_serve(m, "127.0.0.1", 70000, errstr, sizeof(errstr)),
                         PF_ERR_CONFIG);

        assert_int_equal(
                pf_metrics_serve(m, "127.0.0.1", PF_METRICS_PORT_ANY, errstr, sizeof(errstr)),
                PF_OK);
        port = pf_metrics_port(m);
        assert_true(port > 0);
        assert_int_equal(
                pf_metrics_serve(m, "127.0.0.1", PF_METRICS_PORT_ANY, errstr, sizeof(errstr)),
                PF_ERR_INTERNAL);

        pf_metrics_counter_add(m, PF_M_EVENTS_IN, (const char *[]){"pf.events.api"}, 42);
        assert_int_equal(http_request(port, "GET", "/metrics", body, sizeof(body)), 200);
        assert_contains(body, "paxflow_events_in_total{topic=\"pf.events.api\"} 42\n");

        /* Liveness: fresh, then stale, then fresh again. */
        pf_metrics_heartbeat(m);
        assert_int_equal(http_request(port, "GET", "/livez", body, sizeof(body)), 200);
        assert_string_equal(body, "ok\n");
        pf_metrics_set_liveness_timeout_ms(m, 50);
        sleep_ms(120);
        assert_int_equal(http_request(port, "GET", "/livez", body, sizeof(body)), 503);
        assert_contains(body, "no heartbeat");
        pf_metrics_set_liveness_timeout_ms(m, 60000); /* a loaded CI host must not flake */
        pf_metrics_heartbeat(m);
        assert_int_equal(http_request(port, "GET", "/livez", body, sizeof(body)), 200);

        /* Readiness: starting, a reason the worker sets, ready. */
        assert_int_equal(http_request(port, "GET", "/readyz", body, sizeof(body)), 503);
        assert_string_equal(body, "starting\n");
        pf_metrics_set_ready(m, 0, "restoring 3 partitions");
        assert_int_equal(http_request(port, "GET", "/readyz", body, sizeof(body)), 503);
        assert_string_equal(body, "restoring 3 partitions\n");
        pf_metrics_set_ready(m, 0, "bad\r\nheader");
        assert_int_equal(http_request(port, "GET", "/readyz", body, sizeof(body)), 503);
        assert_string_equal(body, "bad??header\n");
        pf_metrics_set_ready(m, 1, NULL);
        assert_int_equal(http_request(port, "GET", "/readyz", body, sizeof(body)), 200);
        assert_string_equal(body, "ok\n");

        assert_int_equal(http_request(port, "GET", "/nope", body, sizeof(body)), 404);
        assert_int_equal(http_request(port, "GET", "/metrics/x", body, sizeof(body)), 404);
        assert_int_equal(http_request(port, "POST", "/metrics", body, sizeof(body)), 405);
        assert_int_equal(http_request(port, "DELETE", "/readyz", body, sizeof(body)), 405);
        assert_int_equal(http_request(port, "HEAD", "/livez", body, sizeof(body)), 200);
        assert_string_equal(body, "");

        pf_metrics_stop(m);
        assert_int_equal(pf_metrics_port(m), 0);
        pf_metrics_stop(m);
        /* Restartable; destroy stops a running server. */
        assert_int_equal(
                pf_metrics_serve(m, "127.0.0.1", PF_METRICS_PORT_ANY, errstr, sizeof(errstr)),
                PF_OK);
        pf_metrics_destroy(m);
}

/* ------------------------------------------------------------------------------------------- */

/** Fills every worker metric, so the lint sees each kind of sample. */
static void fill_worker_metrics(pf_metrics_t *m) {
        static const char *const bands[] = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
        size_t i;

        pf_metrics_counter_add(m, PF_M_EVENTS_IN, (const char *[]){"paxflow.events.api"}, 10);
        pf_metrics_counter_add(m, PF_M_EVENTS_IN, (const char *[]){"paxflow.events.pnr"}, 7);
        pf_metrics_counter_add(m, PF_M_EVENTS_OUT, (const char *[]){"paxflow.scored"}, 17);
        pf_metrics_counter_add(m, PF_M_DEAD_LETTERS, (const char *[]){"TRUNCATED"}, 2);
        pf_metrics_histogram_observe(m, PF_M_STAGE_DURATION, (const char *[]){"stage1"}, 0.0002);
        pf_metrics_histogram_observe(m, PF_M_STAGE_DURATION, (const char *[]){"stage2"}, 0.003);
        pf_metrics_histogram_observe(m, PF_M_EVENT_LATENCY, NULL, 0.25);
        pf_metrics_update_from_rdkafka_stats(m, stats_consumer);
        pf_metrics_counter_add(m, PF_M_TRANSACTIONS, (const char *[]){"committed"}, 9);
        pf_metrics_counter_add(m, PF_M_TRANSACTIONS, (const char *[]){"aborted"}, 1);
        pf_metrics_counter_add(m, PF_M_REBALANCES, NULL, 1);
        pf_metrics_gauge_set(m, PF_M_STATE_BYTES, (const char *[]){"3"}, 1048576);
        pf_metrics_gauge_set(m, PF_M_STATE_KEYS, (const char *[]){"3"}, 1200);
        pf_metrics_counter_add(m, PF_M_RESTORE_RECORDS, NULL, 5000);
        pf_metrics_gauge_set(m, PF_M_RESTORING_PARTITIONS, NULL, 0);
        pf_metrics_gauge_set(m, PF_M_WATCHLIST_ENTRIES, NULL, 2500);
        pf_metrics_gauge_set(m, PF_M_WATCHLIST_LAST_UPDATE, NULL, 1718000000.25);
        pf_metrics_counter_add(m, PF_M_RULE_HITS, (const char *[]){"R13"}, 4);
        for (i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
                pf_metrics_counter_add(m, PF_M_RESULTS, &bands[i], i + 1);
        pf_metrics_info_set(m, PF_M_RULESET_INFO, (const char *[]){"2024.06.1"});
}

/** Pipes the worker's exposition through `promtool check metrics`; skipped without promtool. */
static void test_promtool(void **state) {
        char out_path[] = "/tmp/pf_promtool_XXXXXX", cmd[256], lint[4096];
        pf_metrics_t *m;
        FILE *pipe, *fp;
        size_t n;
        char *text;
        int fd, rc;

        (void)state;
        if (system("command -v promtool >/dev/null 2>&1") != 0) {
                print_message("promtool not installed: skipped\n");
                skip();
        }
        m = new_worker_registry();
        fill_worker_metrics(m);
        text = render(m);
        fd = mkstemp(out_path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(cmd, sizeof(cmd), "promtool check metrics >%s 2>&1", out_path);
        pipe = popen(cmd, "w");
        assert_non_null(pipe);
        fputs(text, pipe);
        rc = pclose(pipe);
        fp = fopen(out_path, "r");
        assert_non_null(fp);
        n = fread(lint, 1, sizeof(lint) - 1, fp);
        lint[n] = '\0';
        fclose(fp);
        unlink(out_path);
        if (rc != 0 || n != 0)
                fail_msg("promtool check metrics (rc %d):\n%s", rc, lint);
        free(text);
        pf_metrics_destroy(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_register_rules), cmocka_unit_test(test_render_golden),
                cmocka_unit_test(test_label_contract), cmocka_unit_test(test_series_limit),
                cmocka_unit_test(test_rdkafka_stats),  cmocka_unit_test(test_http),
                cmocka_unit_test(test_promtool),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
