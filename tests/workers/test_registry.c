/**
 * @file test_registry.c
 * @brief Schema-registry client and its codec integration, with a scripted transport instead of
 *        the network: cache, negative cache, response parsing, size limit, url building, error
 *        classification, retries within the time budget, and decoding through the registry.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codec.h"
#include "registry.h"

/* ------------------------------------------------------------------ scripted transport */

#define FAKE_MAX_CALLS 16

/** One scripted answer: a transport error, or an HTTP status and body. */
typedef struct fake_answer_s {
        pf_err_t err; /* PF_OK: an HTTP response */
        long status;
        const char *body;
} fake_answer_t;

typedef struct fake_http_s {
        fake_answer_t answers[FAKE_MAX_CALLS];
        size_t answer_count; /* the last answer repeats once the script runs out */
        size_t calls;
        char last_url[512];
        char last_user[64];
        char last_password[64];
        long last_timeout_ms;
        size_t last_max_body;
} fake_http_t;

static pf_err_t fake_http(void *opaque, const pf_registry_http_req_t *req, long *status,
                          char **body, size_t *body_len, char *errstr, size_t errstr_size) {
        fake_http_t *fake = opaque;
        size_t i = fake->calls < fake->answer_count ? fake->calls : fake->answer_count - 1;
        const fake_answer_t *answer = &fake->answers[i];
        fake->calls++;
        snprintf(fake->last_url, sizeof(fake->last_url), "%s", req->url);
        snprintf(fake->last_user, sizeof(fake->last_user), "%s", req->user ? req->user : "");
        snprintf(fake->last_password, sizeof(fake->last_password), "%s",
                 req->password ? req->password : "");
        fake->last_timeout_ms = req->timeout_ms;
        fake->last_max_body = req->max_body;
        *body = NULL;
        *body_len = 0;
        if (answer->err) {
                snprintf(errstr, errstr_size, "scripted transport error");
                return answer->err;
        }
        size_t n = strlen(answer->body);
        if (n > req->max_body) {
                snprintf(errstr, errstr_size, "response larger than %zu bytes", req->max_body);
                return PF_ERR_TOO_LARGE;
        }
        *status = answer->status;
        *body = malloc(n + 1);
        memcpy(*body, answer->body, n + 1);
        *body_len = n;
        return PF_OK;
}

static void fake_script(fake_http_t *fake, const fake_answer_t *answers, size_t n) {
        memset(fake, 0, sizeof(*fake));
        memcpy(fake->answers, answers, n * sizeof(*answers));
        fake->answer_count = n;
}

static pf_registry_t *fake_registry(fake_http_t *fake, const char *url, long negative_ttl_ms,
                                    size_t max_entries) {
        char errstr[256];
        pf_registry_conf_t conf = {.url = url,
                                   .timeout_ms = 2000,
                                   .negative_ttl_ms = negative_ttl_ms,
                                   .max_entries = max_entries,
                                   .http = fake_http,
                                   .http_opaque = fake};
        pf_registry_t *reg = pf_registry_new(&conf, errstr, sizeof(errstr));
        if (!reg)
                fail_msg("pf_registry_new: %s", errstr);
        return reg;
}

#define SCHEMA_OK "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}"

/* ------------------------------------------------------------------ parsing */

static void test_parse_response(void **state) {
        (void)state;
        static const struct {
                const char *title;
                const char *body;
                pf_err_t want;
                const char *schema;
        } cases[] = {
                {"good", SCHEMA_OK, PF_OK, "{\"type\":\"string\"}"},
                {"good with extras",
                 "{\"schema\":\"\\\"long\\\"\",\"schemaType\":\"AVRO\",\"references\":[],\"x\":1}",
                 PF_OK, "\"long\""},
                {"schemaType null", "{\"schema\":\"\\\"int\\\"\",\"schemaType\":null}", PF_OK,
                 "\"int\""},
                {"protobuf",
                 "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}",
                 PF_ERR_WRONG_SCHEMA, NULL},
                {"json schema", "{\"schema\":\"{}\",\"schemaType\":\"JSON\"}", PF_ERR_WRONG_SCHEMA,
                 NULL},
                {"schemaType not a string", "{\"schema\":\"\\\"int\\\"\",\"schemaType\":7}",
                 PF_ERR_WRONG_SCHEMA, NULL},
                {"missing schema", "{\"id\":42}", PF_ERR_CONFIG, NULL},
                {"schema not a string", "{\"schema\":{\"type\":\"string\"}}", PF_ERR_CONFIG, NULL},
                {"schema empty", "{\"schema\":\"\"}", PF_ERR_CONFIG, NULL},
                {"not JSON", "<html>502 Bad Gateway</html>", PF_ERR_CONFIG, NULL},
                {"empty body", "", PF_ERR_CONFIG, NULL},
                {"array", "[\"schema\"]", PF_ERR_CONFIG, NULL},
                {"truncated JSON", "{\"schema\":\"abc", PF_ERR_CONFIG, NULL},
                {"duplicate key", "{\"schema\":\"\\\"a\\\"\",\"schema\":\"\\\"b\\\"\"}",
                 PF_ERR_CONFIG, NULL},
                {"embedded NUL", "{\"schema\":\"a\\u0000b\"}", PF_ERR_CONFIG, NULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char errstr[256] = "";
                char *schema = (char *)"sentinel";
                pf_err_t err = pf_registry_parse_response(cases[i].body, strlen(cases[i].body),
                                                          &schema, errstr, sizeof(errstr));
                if (err != cases[i].want)
                        fail_msg("%s: got %s, want %s (%s)", cases[i].title, pf_err_name(err),
                                 pf_err_name(cases[i].want), errstr);
                if (cases[i].schema) {
                        assert_non_null(schema);
                        assert_string_equal(schema, cases[i].schema);
                } else {
                        assert_null(schema);
                        assert_true(errstr[0] != '\0');
                }
                free(schema);
        }
}

/** The body is not NUL-terminated: only @p len bytes may be read. */
static void test_parse_response_length_bounded(void **state) {
        (void)state;
        char errstr[256];
        char *schema = NULL;
        const char *body = SCHEMA_OK "garbage after the object";
        assert_int_equal(pf_registry_parse_response(body, strlen(SCHEMA_OK), &schema, errstr,
                                                    sizeof(errstr)),
                         PF_OK);
        free(schema);
        char *copy = malloc(strlen(SCHEMA_OK));
        memcpy(copy, SCHEMA_OK, strlen(SCHEMA_OK)); /* no NUL: ASan catches an over-read */
        assert_int_equal(pf_registry_parse_response(copy, strlen(SCHEMA_OK), &schema, errstr,
                                                    sizeof(errstr)),
                         PF_OK);
        free(schema);
        free(copy);
        assert_int_equal(pf_registry_parse_response(NULL, 0, &schema, errstr, sizeof(errstr)),
                         PF_ERR_CONFIG);
}

/** Error messages never quote the body: it may hold a schema or a proxy's page. */
static void test_parse_response_never_quotes(void **state) {
        (void)state;
        char errstr[256];
        char *schema = NULL;
        const char *bodies[] = {"SECRETBODY not json", "{\"nope\":\"SECRETBODY\"}",
                                "{\"schema\":\"x\",\"schemaType\":\"SECRETBODYTYPE\"}"};
        for (size_t i = 0; i < 3; i++) {
                assert_int_not_equal(pf_registry_parse_response(bodies[i], strlen(bodies[i]),
                                                                &schema, errstr, sizeof(errstr)),
                                     PF_OK);
                assert_null(strstr(errstr, "SECRETBODY"));
        }
}

/* ------------------------------------------------------------------ configuration, url */

static void test_new_validates(void **state) {
        (void)state;
        char errstr[256];
        const char *bad[] = {NULL, "", "ftp://x", "127.0.0.1:8081", "http://user:pw@host:8081/"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                pf_registry_conf_t conf = {.url = bad[i]};
                errstr[0] = '\0';
                assert_null(pf_registry_new(&conf, errstr, sizeof(errstr)));
                assert_true(errstr[0] != '\0');
                assert_null(strstr(errstr, "pw"));
        }
        assert_null(pf_registry_new(NULL, errstr, sizeof(errstr)));
        pf_registry_destroy(NULL);
        /* The default transport (libcurl) initialises without touching the network. */
        pf_registry_conf_t conf = {.url = "http://127.0.0.1:1"};
        pf_registry_t *reg = pf_registry_new(&conf, errstr, sizeof(errstr));
        assert_non_null(reg);
        pf_registry_destroy(reg);
}

static void test_url_building(void **state) {
        (void)state;
        static const struct {
                const char *base;
                int32_t id;
                const char *want;
        } cases[] = {
                {"http://127.0.0.1:8080/apis/ccompat/v7", 42,
                 "http://127.0.0.1:8080/apis/ccompat/v7/schemas/ids/42"},
                {"http://127.0.0.1:8080/apis/ccompat/v7/", 7,
                 "http://127.0.0.1:8080/apis/ccompat/v7/schemas/ids/7"},
                {"https://registry.example:8081//", 2147483647,
                 "https://registry.example:8081/schemas/ids/2147483647"},
                {"http://h", 0, "http://h/schemas/ids/0"},
        };
        fake_answer_t ok = {PF_OK, 200, SCHEMA_OK};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                fake_http_t fake;
                fake_script(&fake, &ok, 1);
                pf_registry_t *reg = fake_registry(&fake, cases[i].base, 0, 0);
                const char *schema;
                char errstr[256];
                assert_int_equal(pf_registry_get(reg, cases[i].id, &schema, errstr, sizeof(errstr)),
                                 PF_OK);
                assert_string_equal(fake.last_url, cases[i].want);
                assert_int_equal(fake.last_max_body, 1u << 20);
                assert_true(fake.last_timeout_ms > 0 && fake.last_timeout_ms <= 2000);
                pf_registry_destroy(reg);
        }
}

static void test_basic_auth_passed(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t ok = {PF_OK, 200, SCHEMA_OK};
        fake_script(&fake, &ok, 1);
        char errstr[256];
        pf_registry_conf_t conf = {.url = "http://h",
                                   .user = "svc",
                                   .password = "s3cret",
                                   .http = fake_http,
                                   .http_opaque = &fake};
        pf_registry_t *reg = pf_registry_new(&conf, errstr, sizeof(errstr));
        assert_non_null(reg);
        const char *schema;
        assert_int_equal(pf_registry_get(reg, 1, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_string_equal(fake.last_user, "svc");
        assert_string_equal(fake.last_password, "s3cret");
        pf_registry_destroy(reg);
}

/* ------------------------------------------------------------------ classification, retries */

static void test_classification(void **state) {
        (void)state;
        static const struct {
                const char *title;
                fake_answer_t answer;
                pf_err_t want;
                size_t want_calls; /* with the default 2 retries */
        } cases[] = {
                {"200", {PF_OK, 200, SCHEMA_OK}, PF_OK, 1},
                {"404",
                 {PF_OK, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}"},
                 PF_ERR_UNKNOWN_SCHEMA,
                 1},
                {"500", {PF_OK, 500, "{}"}, PF_ERR_UNAVAILABLE, 3},
                {"503", {PF_OK, 503, "<html>down</html>"}, PF_ERR_UNAVAILABLE, 3},
                {"408", {PF_OK, 408, ""}, PF_ERR_UNAVAILABLE, 3},
                {"429", {PF_OK, 429, ""}, PF_ERR_UNAVAILABLE, 3},
                {"connection refused", {PF_ERR_UNAVAILABLE, 0, NULL}, PF_ERR_UNAVAILABLE, 3},
                {"401", {PF_OK, 401, "{}"}, PF_ERR_CONFIG, 1},
                {"403", {PF_OK, 403, "{}"}, PF_ERR_CONFIG, 1},
                {"400", {PF_OK, 400, "{}"}, PF_ERR_CONFIG, 1},
                {"301", {PF_OK, 301, ""}, PF_ERR_CONFIG, 1},
                {"200 not JSON", {PF_OK, 200, "<html>hello</html>"}, PF_ERR_CONFIG, 1},
                {"200 without schema", {PF_OK, 200, "{\"subject\":\"x\"}"}, PF_ERR_CONFIG, 1},
                {"200 protobuf",
                 {PF_OK, 200, "{\"schema\":\"syntax\",\"schemaType\":\"PROTOBUF\"}"},
                 PF_ERR_WRONG_SCHEMA,
                 1},
                {"out of memory", {PF_ERR_NOMEM, 0, NULL}, PF_ERR_NOMEM, 1},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                fake_http_t fake;
                fake_script(&fake, &cases[i].answer, 1);
                pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
                const char *schema = "sentinel";
                char errstr[256] = "";
                pf_err_t err = pf_registry_get(reg, 5, &schema, errstr, sizeof(errstr));
                if (err != cases[i].want || fake.calls != cases[i].want_calls)
                        fail_msg("%s: got %s after %zu calls, want %s after %zu (%s)",
                                 cases[i].title, pf_err_name(err), fake.calls,
                                 pf_err_name(cases[i].want), cases[i].want_calls, errstr);
                if (err) {
                        assert_null(schema);
                        /* The reason names the url and the status, never the body. */
                        assert_non_null(strstr(errstr, "http://h/schemas/ids/5"));
                        assert_null(strstr(errstr, "down"));
                        assert_null(strstr(errstr, "hello"));
                }
                pf_registry_destroy(reg);
        }
}

/** A transient outage heals within the call's retries. */
static void test_retry_then_success(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t script[] = {
                {PF_ERR_UNAVAILABLE, 0, NULL}, {PF_OK, 503, ""}, {PF_OK, 200, SCHEMA_OK}};
        fake_script(&fake, script, 3);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, 9, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 3);
        assert_string_equal(schema, "{\"type\":\"string\"}");
        pf_registry_destroy(reg);
}

/** Retries stay within timeout_ms: no retry when the budget is too small for a backoff. */
static void test_retry_budget(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t down = {PF_ERR_UNAVAILABLE, 0, NULL};
        fake_script(&fake, &down, 1);
        char errstr[256];
        pf_registry_conf_t conf = {.url = "http://h",
                                   .timeout_ms = 40,
                                   .retries = 5,
                                   .http = fake_http,
                                   .http_opaque = &fake};
        pf_registry_t *reg = pf_registry_new(&conf, errstr, sizeof(errstr));
        const char *schema;
        assert_int_equal(pf_registry_get(reg, 9, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNAVAILABLE);
        assert_int_equal(fake.calls, 1);
        assert_true(fake.last_timeout_ms <= 40);
        pf_registry_destroy(reg);

        conf.timeout_ms = 5000;
        conf.retries = -1; /* none */
        fake_script(&fake, &down, 1);
        reg = pf_registry_new(&conf, errstr, sizeof(errstr));
        assert_int_equal(pf_registry_get(reg, 9, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNAVAILABLE);
        assert_int_equal(fake.calls, 1);
        pf_registry_destroy(reg);
}

/** A body over max_response_bytes is refused, not truncated into a schema. */
static void test_huge_response(void **state) {
        (void)state;
        size_t n = (1u << 20) + 100;
        char *huge = malloc(n + 1);
        memcpy(huge, "{\"schema\":\"", 11);
        memset(huge + 11, 'x', n - 13);
        memcpy(huge + n - 2, "\"}", 3);
        fake_http_t fake;
        fake_answer_t answer = {PF_OK, 200, huge};
        fake_script(&fake, &answer, 1);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, 3, &schema, errstr, sizeof(errstr)), PF_ERR_CONFIG);
        assert_non_null(strstr(errstr, "larger than 1048576 bytes"));
        assert_int_equal(fake.calls, 1);
        pf_registry_destroy(reg);
        free(huge);
}

/* ------------------------------------------------------------------ cache */

static void test_cache_positive_forever(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t script[] = {{PF_OK, 200, SCHEMA_OK}, {PF_ERR_UNAVAILABLE, 0, NULL}};
        fake_script(&fake, script, 2);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, 11, &schema, errstr, sizeof(errstr)), PF_OK);
        /* The registry is down from now on: the cached id still resolves, without a call. */
        for (int i = 0; i < 5; i++) {
                assert_int_equal(pf_registry_get(reg, 11, &schema, errstr, sizeof(errstr)), PF_OK);
                assert_string_equal(schema, "{\"type\":\"string\"}");
        }
        assert_int_equal(fake.calls, 1);
        /* Another id is asked, and is retriable. */
        assert_int_equal(pf_registry_get(reg, 12, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNAVAILABLE);
        assert_int_equal(fake.calls, 4);
        /* ...and not cached as a failure. */
        assert_int_equal(pf_registry_get(reg, 12, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNAVAILABLE);
        assert_int_equal(fake.calls, 7);
        pf_registry_destroy(reg);
}

static void test_cache_negative_expires(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t script[] = {{PF_OK, 404, "{\"error_code\":40403}"}, {PF_OK, 200, SCHEMA_OK}};
        fake_script(&fake, script, 2);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 50, 0);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, 21, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNKNOWN_SCHEMA);
        assert_int_equal(pf_registry_get(reg, 21, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNKNOWN_SCHEMA);
        assert_non_null(strstr(errstr, "cached"));
        assert_int_equal(fake.calls, 1);
        /* Registered meanwhile: found once the 404 has expired. */
        struct timespec ts = {0, 80 * 1000000L};
        nanosleep(&ts, NULL);
        assert_int_equal(pf_registry_get(reg, 21, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 2);
        assert_int_equal(pf_registry_get(reg, 21, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 2);
        pf_registry_destroy(reg);
}

static void test_cache_wrong_type_kept(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t answer = {PF_OK, 200, "{\"schema\":\"s\",\"schemaType\":\"JSON\"}"};
        fake_script(&fake, &answer, 1);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
        const char *schema;
        char errstr[256];
        for (int i = 0; i < 3; i++)
                assert_int_equal(pf_registry_get(reg, 4, &schema, errstr, sizeof(errstr)),
                                 PF_ERR_WRONG_SCHEMA);
        assert_int_equal(fake.calls, 1);
        pf_registry_destroy(reg);
}

/** Past max_entries the least recently used id goes; the others stay. */
static void test_cache_lru_eviction(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t ok = {PF_OK, 200, SCHEMA_OK};
        fake_script(&fake, &ok, 1);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 2);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, 1, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_registry_get(reg, 2, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_registry_get(reg, 1, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 2);
        assert_int_equal(pf_registry_get(reg, 3, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 3); /* 2 was evicted, 1 was used more recently */
        assert_int_equal(pf_registry_get(reg, 1, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 3);
        assert_int_equal(pf_registry_get(reg, 2, &schema, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fake.calls, 4);
        pf_registry_destroy(reg);
}

static void test_negative_id(void **state) {
        (void)state;
        fake_http_t fake;
        fake_answer_t ok = {PF_OK, 200, SCHEMA_OK};
        fake_script(&fake, &ok, 1);
        pf_registry_t *reg = fake_registry(&fake, "http://h", 0, 0);
        const char *schema;
        char errstr[256];
        assert_int_equal(pf_registry_get(reg, -1, &schema, errstr, sizeof(errstr)),
                         PF_ERR_UNKNOWN_SCHEMA);
        assert_int_equal(fake.calls, 0);
        pf_registry_destroy(reg);
}

/* ------------------------------------------------------------------ codec integration */

typedef struct codec_fx_s {
        pf_schemas_t *schemas;
        pf_codec_t *codec;
        pf_registry_t *reg;
        fake_http_t fake;
        pf_event_t ev, out;
        uint8_t msg[8192];
        size_t len;
        char errstr[512];
        char body[65536];
} codec_fx_t;

static void codec_sample(pf_event_t *ev) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "ev-reg-1");
        ev->source = PF_SOURCE_API;
        ev->push_kind = PF_PUSH_CHECKIN;
        ev->sent_at = 1764482400000LL;
        snprintf(ev->carrier, sizeof(ev->carrier), "LH");
        snprintf(ev->flight.number, sizeof(ev->flight.number), "400");
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.destination_airport, 4, "JFK");
        ev->flight.scheduled_departure = 1764568800000LL;
        ev->flight.direction = PF_DIR_OUTBOUND;
        snprintf(ev->traveller.surname, PF_NAME_MAX, "Example");
}

static int codec_setup(void **state) {
        codec_fx_t *fx = calloc(1, sizeof(*fx));
        fx->schemas = pf_schemas_new(fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->schemas);
        fx->codec = pf_codec_new(fx->schemas, NULL, fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->codec);
        codec_sample(&fx->ev);
        *state = fx;
        return 0;
}

static int codec_teardown(void **state) {
        codec_fx_t *fx = *state;
        pf_codec_destroy(fx->codec);
        pf_registry_destroy(fx->reg);
        pf_schemas_destroy(fx->schemas);
        free(fx);
        return 0;
}

/** Sets the registry to answer with @p schema_json (a JSON text), encoded as the API does. */
static void codec_registry_answers(codec_fx_t *fx, const char *schema_json) {
        /* {"schema": "<schema_json as a JSON string>"} */
        char *p = fx->body;
        size_t cap = sizeof(fx->body);
        size_t n = (size_t)snprintf(p, cap, "{\"schema\":\"");
        for (const char *s = schema_json; *s && n + 8 < cap; s++) {
                if (*s == '"' || *s == '\\')
                        p[n++] = '\\';
                if (*s == '\n') {
                        p[n++] = '\\';
                        p[n++] = 'n';
                        continue;
                }
                p[n++] = *s;
        }
        snprintf(p + n, cap - n, "\"}");
        fake_answer_t answer = {PF_OK, 200, fx->body};
        fake_script(&fx->fake, &answer, 1);
        if (!fx->reg)
                fx->reg = fake_registry(&fx->fake, "http://h", 0, 0);
        pf_codec_set_registry(fx->codec, fx->reg);
}

/** Encodes the sample with shipped @p version, then frames it with @p id and @p suffix. */
static void codec_frame(codec_fx_t *fx, int version, int32_t id, const uint8_t *suffix,
                        size_t suffix_len) {
        const uint8_t *out;
        size_t len;
        assert_int_equal(pf_codec_encode_event(fx->codec, &fx->ev, version, &out, &len), PF_OK);
        memcpy(fx->msg, out, len);
        pf_wire_header(fx->msg, id);
        if (suffix_len)
                memcpy(fx->msg + len, suffix, suffix_len);
        fx->len = len + suffix_len;
}

/** The shipped v2 schema with one more field at the end; its encoding is v2's plus suffix. */
static char *codec_v2_plus_field(codec_fx_t *fx) {
        int32_t v2 = pf_schemas_id_of(fx->schemas, "PassengerEvent", 2);
        const pf_schema_src_t *src;
        assert_non_null(pf_schemas_get(fx->schemas, v2, &src));
        json_t *root = json_loads(src->json, 0, NULL);
        assert_non_null(root);
        json_array_append_new(json_object_get(root, "fields"),
                              json_pack("{s:s, s:[s,s], s:n}", "name", "registry_note", "type",
                                        "null", "string", "default"));
        char *text = json_dumps(root, JSON_COMPACT);
        json_decref(root);
        return text;
}

static void test_codec_without_registry_unchanged(void **state) {
        codec_fx_t *fx = *state;
        codec_frame(fx, 2, 77, NULL, 0);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_ERR_UNKNOWN_SCHEMA);
        assert_string_equal(fx->errstr, "schema id 77 is not known to this worker");
}

static void test_codec_resolves_through_registry(void **state) {
        codec_fx_t *fx = *state;
        char *schema = codec_v2_plus_field(fx);
        codec_registry_answers(fx, schema);
        /* registry_note = "hi": union branch 1, string of length 2. */
        const uint8_t note[] = {0x02, 0x04, 'h', 'i'};
        codec_frame(fx, 2, 1001, note, sizeof(note));
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_OK);
        assert_string_equal(fx->out.event_id, "ev-reg-1");
        assert_string_equal(fx->out.traveller.surname, "Example");
        assert_int_equal(fx->fake.calls, 1);
        /* Resolved once: later messages need no registry, even when it is down. */
        fake_answer_t down = {PF_ERR_UNAVAILABLE, 0, NULL};
        fake_script(&fx->fake, &down, 1);
        const uint8_t null_note[] = {0x00};
        codec_frame(fx, 2, 1001, null_note, 1);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_OK);
        assert_int_equal(fx->fake.calls, 0);
        /* The same bytes under the shipped v2 id have trailing bytes: the registry's writer was
         * really used above. */
        codec_frame(fx, 2, pf_schemas_id_of(fx->schemas, "PassengerEvent", 2), null_note, 1);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_ERR_TRAILING_BYTES);
        /* A bad body under the registry's id is still checked. */
        codec_frame(fx, 2, 1001, NULL, 0);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_ERR_TRUNCATED);
        free(schema);
}

/** An older writer (shipped v1's text under a registry id) reads with the projection. */
static void test_codec_registry_v1_projection(void **state) {
        codec_fx_t *fx = *state;
        const pf_schema_src_t *src;
        assert_non_null(pf_schemas_get(fx->schemas,
                                       pf_schemas_id_of(fx->schemas, "PassengerEvent", 1), &src));
        codec_registry_answers(fx, src->json);
        codec_frame(fx, 1, 555, NULL, 0);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_OK);
        assert_string_equal(fx->out.event_id, "ev-reg-1");
}

/** Shipped ids win over the registry: it is not even asked. */
static void test_codec_shipped_first(void **state) {
        codec_fx_t *fx = *state;
        codec_registry_answers(fx, "\"string\"");
        codec_frame(fx, 2, pf_schemas_id_of(fx->schemas, "PassengerEvent", 2), NULL, 0);
        assert_int_equal(
                pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out, fx->errstr, 512),
                PF_OK);
        assert_int_equal(fx->fake.calls, 0);
}

static void test_codec_registry_errors(void **state) {
        codec_fx_t *fx = *state;
        static const struct {
                const char *title;
                long status;
                const char *schema; /* NULL: status only */
                pf_err_t want;
        } cases[] = {
                {"unknown", 404, NULL, PF_ERR_UNKNOWN_SCHEMA},
                {"down", 503, NULL, PF_ERR_UNAVAILABLE},
                {"auth", 401, NULL, PF_ERR_CONFIG},
                {"not a record", 200, "\"string\"", PF_ERR_WRONG_SCHEMA},
                {"other record", 200,
                 "{\"type\":\"record\",\"name\":\"ScoredResult\",\"namespace\":\"org.paxflow\","
                 "\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"}]}",
                 PF_ERR_WRONG_SCHEMA},
                {"other namespace", 200,
                 "{\"type\":\"record\",\"name\":\"PassengerEvent\",\"namespace\":\"evil\","
                 "\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"}]}",
                 PF_ERR_WRONG_SCHEMA},
                {"not avro", 200, "{\"type\":\"nonsense\"}", PF_ERR_WRONG_SCHEMA},
                {"missing mandatory reader field", 200,
                 "{\"type\":\"record\",\"name\":\"PassengerEvent\",\"namespace\":\"org.paxflow\","
                 "\"fields\":[{\"name\":\"event_id\",\"type\":\"string\"}]}",
                 PF_ERR_WRONG_SCHEMA},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int32_t id = 2000 + (int32_t)i;
                if (cases[i].schema) {
                        codec_registry_answers(fx, cases[i].schema);
                } else {
                        codec_registry_answers(fx, "\"string\"");
                        fx->fake.answers[0].status = cases[i].status;
                        fx->fake.answers[0].body = "{}";
                }
                codec_frame(fx, 2, id, NULL, 0);
                pf_err_t err = pf_codec_decode_event(fx->codec, fx->msg, fx->len, &fx->out,
                                                     fx->errstr, 512);
                if (err != cases[i].want)
                        fail_msg("%s: got %s, want %s (%s)", cases[i].title, pf_err_name(err),
                                 pf_err_name(cases[i].want), fx->errstr);
                char want_id[32];
                snprintf(want_id, sizeof(want_id), "schema id %d", (int)id);
                assert_non_null(strstr(fx->errstr, want_id));
                assert_null(strstr(fx->errstr, "nonsense"));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_response),
                cmocka_unit_test(test_parse_response_length_bounded),
                cmocka_unit_test(test_parse_response_never_quotes),
                cmocka_unit_test(test_new_validates),
                cmocka_unit_test(test_url_building),
                cmocka_unit_test(test_basic_auth_passed),
                cmocka_unit_test(test_classification),
                cmocka_unit_test(test_retry_then_success),
                cmocka_unit_test(test_retry_budget),
                cmocka_unit_test(test_huge_response),
                cmocka_unit_test(test_cache_positive_forever),
                cmocka_unit_test(test_cache_negative_expires),
                cmocka_unit_test(test_cache_wrong_type_kept),
                cmocka_unit_test(test_cache_lru_eviction),
                cmocka_unit_test(test_negative_id),
                cmocka_unit_test_setup_teardown(test_codec_without_registry_unchanged, codec_setup,
                                                codec_teardown),
                cmocka_unit_test_setup_teardown(test_codec_resolves_through_registry, codec_setup,
                                                codec_teardown),
                cmocka_unit_test_setup_teardown(test_codec_registry_v1_projection, codec_setup,
                                                codec_teardown),
                cmocka_unit_test_setup_teardown(test_codec_shipped_first, codec_setup,
                                                codec_teardown),
                cmocka_unit_test_setup_teardown(test_codec_registry_errors, codec_setup,
                                                codec_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
