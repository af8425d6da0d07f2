/**
 * @file test_avro_check.c
 * @brief Unit tests of workers/avro_check.c: a datum encoded by avro-c passes; hand-crafted
 *        malformed bytes fail with the exact pf_err_t, a field path, and no datum bytes in errstr.
 *
 * Mutations are built with a small encoder (tb_*) driven by a table of event specs. The encoder's
 * output for the default spec is first proven byte-identical to avro-c's, so every mutation differs
 * from a real encoding only where its spec says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../workers/avro_check.h"

/* Distinctive string values: none of them may ever appear in an error message. */
#define T_EVENT_ID "EVT-SECRET-7781"
#define T_NAME     "SECRETNAME"
#define T_NICK     "SECRETNICK"
#define T_ORIGIN   "ZRHQ"
#define T_DEST     "JFKQ"

static const char t_event_schema_json[] =
        "{\"type\":\"record\",\"name\":\"PassengerEvent\",\"namespace\":\"paxflow\",\"fields\":["
        "{\"name\":\"eventId\",\"type\":\"string\"},"
        "{\"name\":\"ts\",\"type\":\"long\"},"
        "{\"name\":\"seq\",\"type\":\"int\"},"
        "{\"name\":\"checkedIn\",\"type\":\"boolean\"},"
        "{\"name\":\"score\",\"type\":\"double\"},"
        "{\"name\":\"ratio\",\"type\":\"float\"},"
        "{\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"Status\","
        "\"symbols\":[\"BOOKED\",\"CHECKED_IN\",\"BOARDED\"]}},"
        "{\"name\":\"flight\",\"type\":{\"type\":\"record\",\"name\":\"Flight\",\"fields\":["
        "{\"name\":\"number\",\"type\":\"string\"},"
        "{\"name\":\"origin\",\"type\":\"string\"},"
        "{\"name\":\"dest\",\"type\":\"string\"}]}},"
        "{\"name\":\"nickname\",\"type\":[\"null\",\"string\"]},"
        "{\"name\":\"legs\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\","
        "\"name\":\"Leg\",\"fields\":[{\"name\":\"from\",\"type\":\"string\"},"
        "{\"name\":\"to\",\"type\":\"string\"},{\"name\":\"minutes\",\"type\":\"int\"}]}}},"
        "{\"name\":\"counters\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"
        "{\"name\":\"docHash\",\"type\":{\"type\":\"fixed\",\"name\":\"Hash\",\"size\":4}},"
        "{\"name\":\"photo\",\"type\":\"bytes\"},"
        "{\"name\":\"name\",\"type\":\"string\"}]}";

static const char t_list_schema_json[] = "{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                                         "{\"name\":\"value\",\"type\":\"long\"},"
                                         "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}";

/* A record that contains itself with no bytes in between: only the depth limit stops the walk. */
static const char t_loop_schema_json[] = "{\"type\":\"record\",\"name\":\"Loop\",\"fields\":[{"
                                         "\"name\":\"self\",\"type\":\"Loop\"}]}";

static const pf_avro_limits_t t_limits = {32, 65536};

/*
 * Test encoder.
 */

typedef struct tb_s {
        uint8_t b[4096];
        size_t n;
} tb_t;

static void tb_raw(tb_t *tb, const void *p, size_t n) {
        assert_true(tb->n + n <= sizeof(tb->b));
        memcpy(tb->b + tb->n, p, n);
        tb->n += n;
}

static void tb_byte(tb_t *tb, uint8_t byte) {
        tb_raw(tb, &byte, 1);
}

static void tb_long(tb_t *tb, int64_t v) {
        uint64_t n = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);

        while (n & ~(uint64_t)0x7f) {
                tb_byte(tb, (uint8_t)((n & 0x7f) | 0x80));
                n >>= 7;
        }
        tb_byte(tb, (uint8_t)n);
}

static void tb_str(tb_t *tb, const char *s) {
        tb_long(tb, (int64_t)strlen(s));
        tb_raw(tb, s, strlen(s));
}

/** How to write one string field: normally, with a forged length, or as raw bytes. */
typedef struct t_str_s {
        const char *value; /* NULL: field default */
        int forge_len;     /* write len instead of strlen(value) */
        int64_t len;
} t_str_t;

static void tb_field_str(tb_t *tb, const t_str_t *spec, const char *dflt) {
        const char *s = spec->value ? spec->value : dflt;

        if (spec->forge_len) {
                tb_long(tb, spec->len);
                tb_raw(tb, s, strlen(s));
        } else {
                tb_str(tb, s);
        }
}

/** One event, as the default valid datum plus the deviations a test case asks for. */
typedef struct t_event_s {
        const uint8_t *ts_raw; /* raw bytes for "ts" instead of a varint */
        size_t ts_raw_len;
        const uint8_t *seq_raw; /* raw bytes for "seq" */
        size_t seq_raw_len;
        int bool_set;
        uint8_t checked_in;
        int status_set;
        int64_t status;
        int nick_set;
        int64_t nick_branch; /* 0 null, 1 string, else forged */
        t_str_t origin, nick, name, leg_to, key;
        int legs_neg_block;      /* encode legs as one negative-count block with a byte size */
        int64_t legs_size_delta; /* added to the true byte size */
        int legs_count_set;      /* legs block count forged (items then written: 0) */
        int64_t legs_count;
        size_t trailing;
} t_event_t;

static void tb_leg(tb_t *tb, const t_event_t *ev, const char *from, const char *to, int32_t min) {
        tb_str(tb, from);
        tb_field_str(tb, &ev->leg_to, to);
        tb_long(tb, min);
}

static void tb_legs(tb_t *tb, const t_event_t *ev) {
        tb_t items = {.n = 0};

        if (ev->legs_count_set) {
                tb_long(tb, ev->legs_count);
                return; /* no items follow: the count alone must be rejected */
        }
        tb_leg(&items, ev, T_ORIGIN, "LHRQ", 95);
        tb_leg(&items, ev, "LHRQ", T_DEST, 480);
        if (ev->legs_neg_block) {
                tb_long(tb, -2);
                tb_long(tb, (int64_t)items.n + ev->legs_size_delta);
        } else {
                tb_long(tb, 2);
        }
        tb_raw(tb, items.b, items.n);
        tb_long(tb, 0);
}

static void tb_event(tb_t *tb, const t_event_t *ev) {
        static const uint8_t score[8] = {0, 0, 0, 0, 0, 0, 0xf8, 0x3f}; /* 1.5 */
        static const uint8_t ratio[4] = {0, 0, 0x80, 0x3e};             /* 0.25f */
        static const uint8_t hash[4] = {0xde, 0xad, 0xbe, 0xef};
        static const uint8_t photo[3] = {0x00, 0xff, 0x7f};

        memset(tb, 0, sizeof(*tb));
        tb_str(tb, T_EVENT_ID);
        if (ev->ts_raw)
                tb_raw(tb, ev->ts_raw, ev->ts_raw_len);
        else
                tb_long(tb, INT64_C(1700000000123));
        if (ev->seq_raw)
                tb_raw(tb, ev->seq_raw, ev->seq_raw_len);
        else
                tb_long(tb, -42);
        tb_byte(tb, ev->bool_set ? ev->checked_in : 1);
        tb_raw(tb, score, sizeof(score));
        tb_raw(tb, ratio, sizeof(ratio));
        tb_long(tb, ev->status_set ? ev->status : 1);
        tb_str(tb, "LX18");
        tb_field_str(tb, &ev->origin, T_ORIGIN);
        tb_str(tb, T_DEST);
        tb_long(tb, ev->nick_set ? ev->nick_branch : 1);
        if (!ev->nick_set || ev->nick_branch == 1)
                tb_field_str(tb, &ev->nick, T_NICK);
        tb_legs(tb, ev);
        tb_long(tb, 2);
        tb_field_str(tb, &ev->key, "bags");
        tb_long(tb, 2);
        tb_str(tb, "visits");
        tb_long(tb, INT64_C(-9000000000));
        tb_long(tb, 0);
        tb_raw(tb, hash, sizeof(hash));
        tb_long(tb, (int64_t)sizeof(photo));
        tb_raw(tb, photo, sizeof(photo));
        tb_field_str(tb, &ev->name, T_NAME);
        for (size_t i = 0; i < ev->trailing; i++)
                tb_byte(tb, 0);
}

/*
 * avro-c side.
 */

static avro_schema_t t_schema(const char *json, size_t len) {
        avro_schema_t schema = NULL;

        assert_int_equal(avro_schema_from_json_length(json, len, &schema), 0);
        assert_non_null(schema);
        return schema;
}

static void t_set_str(avro_value_t *rec, const char *field, const char *s) {
        avro_value_t v;

        assert_int_equal(avro_value_get_by_name(rec, field, &v, NULL), 0);
        assert_int_equal(avro_value_set_string(&v, s), 0);
}

static void t_set_long(avro_value_t *rec, const char *field, int64_t n) {
        avro_value_t v;

        assert_int_equal(avro_value_get_by_name(rec, field, &v, NULL), 0);
        assert_int_equal(avro_value_set_long(&v, n), 0);
}

static void t_add_leg(avro_value_t *legs, const char *from, const char *to, int32_t min) {
        avro_value_t leg, v;

        assert_int_equal(avro_value_append(legs, &leg, NULL), 0);
        t_set_str(&leg, "from", from);
        t_set_str(&leg, "to", to);
        assert_int_equal(avro_value_get_by_name(&leg, "minutes", &v, NULL), 0);
        assert_int_equal(avro_value_set_int(&v, min), 0);
}

/** Fills `val` (a PassengerEvent) with the same values tb_event() writes by default. */
static void t_fill_event(avro_value_t *val) {
        uint8_t hash[4] = {0xde, 0xad, 0xbe, 0xef};
        uint8_t photo[3] = {0x00, 0xff, 0x7f};
        avro_value_t v, sub;

        t_set_str(val, "eventId", T_EVENT_ID);
        t_set_long(val, "ts", INT64_C(1700000000123));
        assert_int_equal(avro_value_get_by_name(val, "seq", &v, NULL), 0);
        assert_int_equal(avro_value_set_int(&v, -42), 0);
        assert_int_equal(avro_value_get_by_name(val, "checkedIn", &v, NULL), 0);
        assert_int_equal(avro_value_set_boolean(&v, 1), 0);
        assert_int_equal(avro_value_get_by_name(val, "score", &v, NULL), 0);
        assert_int_equal(avro_value_set_double(&v, 1.5), 0);
        assert_int_equal(avro_value_get_by_name(val, "ratio", &v, NULL), 0);
        assert_int_equal(avro_value_set_float(&v, 0.25f), 0);
        assert_int_equal(avro_value_get_by_name(val, "status", &v, NULL), 0);
        assert_int_equal(avro_value_set_enum(&v, 1), 0);
        assert_int_equal(avro_value_get_by_name(val, "flight", &v, NULL), 0);
        t_set_str(&v, "number", "LX18");
        t_set_str(&v, "origin", T_ORIGIN);
        t_set_str(&v, "dest", T_DEST);
        assert_int_equal(avro_value_get_by_name(val, "nickname", &v, NULL), 0);
        assert_int_equal(avro_value_set_branch(&v, 1, &sub), 0);
        assert_int_equal(avro_value_set_string(&sub, T_NICK), 0);
        assert_int_equal(avro_value_get_by_name(val, "legs", &v, NULL), 0);
        t_add_leg(&v, T_ORIGIN, "LHRQ", 95);
        t_add_leg(&v, "LHRQ", T_DEST, 480);
        assert_int_equal(avro_value_get_by_name(val, "counters", &v, NULL), 0);
        assert_int_equal(avro_value_add(&v, "bags", &sub, NULL, NULL), 0);
        assert_int_equal(avro_value_set_long(&sub, 2), 0);
        assert_int_equal(avro_value_add(&v, "visits", &sub, NULL, NULL), 0);
        assert_int_equal(avro_value_set_long(&sub, INT64_C(-9000000000)), 0);
        assert_int_equal(avro_value_get_by_name(val, "docHash", &v, NULL), 0);
        assert_int_equal(avro_value_set_fixed(&v, hash, sizeof(hash)), 0);
        assert_int_equal(avro_value_get_by_name(val, "photo", &v, NULL), 0);
        assert_int_equal(avro_value_set_bytes(&v, photo, sizeof(photo)), 0);
        t_set_str(val, "name", T_NAME);
}

/** Encodes the default event with avro-c; @returns its length. */
static size_t t_encode_event(avro_schema_t schema, char *out, size_t out_size) {
        avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
        avro_writer_t writer = avro_writer_memory(out, (int64_t)out_size);
        avro_value_t val;
        size_t len;

        assert_non_null(iface);
        assert_non_null(writer);
        assert_int_equal(avro_generic_value_new(iface, &val), 0);
        t_fill_event(&val);
        assert_int_equal(avro_value_write(writer, &val), 0);
        len = (size_t)avro_writer_tell(writer);
        avro_writer_free(writer);
        avro_value_decref(&val);
        avro_value_iface_decref(iface);
        return len;
}

/** Decodes buf with avro-c; @returns avro_value_read()'s result. */
static int t_avro_decode(avro_schema_t schema, const void *buf, size_t len) {
        avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
        avro_reader_t reader = avro_reader_memory(buf, (int64_t)len);
        avro_value_t val;
        int rc;

        assert_non_null(iface);
        assert_non_null(reader);
        assert_int_equal(avro_generic_value_new(iface, &val), 0);
        rc = avro_value_read(reader, &val);
        avro_value_decref(&val);
        avro_reader_free(reader);
        avro_value_iface_decref(iface);
        return rc;
}

/*
 * Assertions on errstr.
 */

static void t_assert_no_pii(const char *errstr) {
        static const char *const secrets[] = {T_EVENT_ID, T_NAME,   T_NICK,    T_ORIGIN,
                                              T_DEST,     "SECRET", "LHRQ",    "LX18",
                                              "bags",     "visits", "\xde\xad"};

        for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
                if (strstr(errstr, secrets[i]) != NULL)
                        fail_msg("errstr leaks datum bytes \"%s\": %s", secrets[i], errstr);
        }
}

/*
 * Table of malformed events.
 */

typedef struct t_case_s {
        const char *title;
        t_event_t ev;
        const pf_avro_limits_t *limits; /* NULL: t_limits */
        pf_err_t want;
        const char *want_path; /* errstr must start with this, followed by ": " */
} t_case_t;

static const uint8_t t_varint11[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0x01};
static const uint8_t t_varint10_overflow[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0x02};
static const uint8_t t_varint10_max[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0x01};
static const uint8_t t_int6[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
static const uint8_t t_int5_overflow[] = {0xff, 0xff, 0xff, 0xff, 0x10};
static const uint8_t t_int5_max[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
static const pf_avro_limits_t t_one_item = {32, 1};

static const t_case_t t_cases[] = {
        {"valid", {0}, NULL, PF_OK, NULL},
        {"valid, negative-count block", {.legs_neg_block = 1}, NULL, PF_OK, NULL},
        {"valid, 10-byte long", {.ts_raw = t_varint10_max, .ts_raw_len = 10}, NULL, PF_OK, NULL},
        {"valid, 5-byte int", {.seq_raw = t_int5_max, .seq_raw_len = 5}, NULL, PF_OK, NULL},
        {"valid, null union branch", {.nick_set = 1, .nick_branch = 0}, NULL, PF_OK, NULL},
        {"valid, 4-byte UTF-8",
         {.name = {.value = "SECRETNAME \xf0\x9f\x9b\xab"}},
         NULL,
         PF_OK,
         NULL},
        {"string length > payload",
         {.origin = {.forge_len = 1, .len = 1000000}},
         NULL,
         PF_ERR_BAD_LENGTH,
         "flight.origin"},
        {"string length INT64_MAX",
         {.name = {.forge_len = 1, .len = INT64_MAX}},
         NULL,
         PF_ERR_BAD_LENGTH,
         "name"},
        {"negative string length",
         {.origin = {.forge_len = 1, .len = -5}},
         NULL,
         PF_ERR_BAD_LENGTH,
         "flight.origin"},
        {"string length > payload in array item",
         {.leg_to = {.forge_len = 1, .len = 4000}},
         NULL,
         PF_ERR_BAD_LENGTH,
         "legs[0].to"},
        {"enum index = symbol count",
         {.status_set = 1, .status = 3},
         NULL,
         PF_ERR_BAD_ENUM,
         "status"},
        {"enum index negative", {.status_set = 1, .status = -1}, NULL, PF_ERR_BAD_ENUM, "status"},
        {"enum index huge",
         {.status_set = 1, .status = INT64_MAX},
         NULL,
         PF_ERR_BAD_ENUM,
         "status"},
        {"union index = branch count",
         {.nick_set = 1, .nick_branch = 2},
         NULL,
         PF_ERR_BAD_UNION,
         "nickname"},
        {"union index negative",
         {.nick_set = 1, .nick_branch = -1},
         NULL,
         PF_ERR_BAD_UNION,
         "nickname"},
        {"union index INT64_MIN",
         {.nick_set = 1, .nick_branch = INT64_MIN},
         NULL,
         PF_ERR_BAD_UNION,
         "nickname"},
        {"11-byte long varint",
         {.ts_raw = t_varint11, .ts_raw_len = 11},
         NULL,
         PF_ERR_BAD_VARINT,
         "ts"},
        {"10-byte long varint overflowing 64 bits",
         {.ts_raw = t_varint10_overflow, .ts_raw_len = 10},
         NULL,
         PF_ERR_BAD_VARINT,
         "ts"},
        {"6-byte int varint",
         {.seq_raw = t_int6, .seq_raw_len = 6},
         NULL,
         PF_ERR_BAD_VARINT,
         "seq"},
        {"5-byte int varint overflowing 32 bits",
         {.seq_raw = t_int5_overflow, .seq_raw_len = 5},
         NULL,
         PF_ERR_BAD_VARINT,
         "seq"},
        {"boolean byte 2",
         {.bool_set = 1, .checked_in = 2},
         NULL,
         PF_ERR_INVALID_VALUE,
         "checkedIn"},
        {"1 trailing byte", {.trailing = 1}, NULL, PF_ERR_TRAILING_BYTES, "(root)"},
        {"7 trailing bytes", {.trailing = 7}, NULL, PF_ERR_TRAILING_BYTES, "(root)"},
        {"array items > max_items", {0}, &t_one_item, PF_ERR_TOO_LARGE, "legs"},
        {"array block count 2^62",
         {.legs_count_set = 1, .legs_count = INT64_C(1) << 62},
         NULL,
         PF_ERR_TOO_LARGE,
         "legs"},
        {"array block count INT64_MIN",
         {.legs_count_set = 1, .legs_count = INT64_MIN},
         NULL,
         PF_ERR_TOO_LARGE,
         "legs"},
        {"array block byte size too small",
         {.legs_neg_block = 1, .legs_size_delta = -1},
         NULL,
         PF_ERR_BAD_LENGTH,
         "legs"},
        {"array block byte size too large",
         {.legs_neg_block = 1, .legs_size_delta = 1},
         NULL,
         PF_ERR_BAD_LENGTH,
         "legs"},
        {"array block byte size beyond payload",
         {.legs_neg_block = 1, .legs_size_delta = 100000},
         NULL,
         PF_ERR_BAD_LENGTH,
         "legs"},
        {"array block byte size negative",
         {.legs_neg_block = 1, .legs_size_delta = -100000},
         NULL,
         PF_ERR_BAD_LENGTH,
         "legs"},
        {"UTF-8: bare continuation byte",
         {.name = {.value = "SECRETNAME\x80"}},
         NULL,
         PF_ERR_BAD_UTF8,
         "name"},
        {"UTF-8: overlong '/'", {.name = {.value = "\xc0\xaf"}}, NULL, PF_ERR_BAD_UTF8, "name"},
        {"UTF-8: overlong 3-byte",
         {.name = {.value = "\xe0\x80\xaf"}},
         NULL,
         PF_ERR_BAD_UTF8,
         "name"},
        {"UTF-8: surrogate", {.name = {.value = "\xed\xa0\x80"}}, NULL, PF_ERR_BAD_UTF8, "name"},
        {"UTF-8: above U+10FFFF",
         {.name = {.value = "\xf4\x90\x80\x80"}},
         NULL,
         PF_ERR_BAD_UTF8,
         "name"},
        {"UTF-8: cut sequence",
         {.nick = {.value = "SECRETNICK\xe2\x82"}},
         NULL,
         PF_ERR_BAD_UTF8,
         "nickname"},
        {"UTF-8: bad map key",
         {.key = {.value = "b\xffgs"}},
         NULL,
         PF_ERR_BAD_UTF8,
         "counters{0}.(key)"},
        {"map key length > payload",
         {.key = {.forge_len = 1, .len = 99999}},
         NULL,
         PF_ERR_BAD_LENGTH,
         "counters{0}.(key)"},
};

static void test_cases(void **state) {
        avro_schema_t schema = t_schema(t_event_schema_json, sizeof(t_event_schema_json) - 1);
        (void)state;

        for (size_t i = 0; i < sizeof(t_cases) / sizeof(t_cases[0]); i++) {
                const t_case_t *tc = &t_cases[i];
                char errstr[512];
                tb_t tb;
                pf_err_t err;

                tb_event(&tb, &tc->ev);
                memset(errstr, 'X', sizeof(errstr));
                err = pf_avro_check(schema, tb.b, tb.n, tc->limits ? tc->limits : &t_limits, errstr,
                                    sizeof(errstr));
                print_message("  %-45s -> %-15s %s\n", tc->title, pf_err_name(err), errstr);
                if (err != tc->want)
                        fail_msg("%s: got %s, want %s (%s)", tc->title, pf_err_name(err),
                                 pf_err_name(tc->want), errstr);
                t_assert_no_pii(errstr);
                if (tc->want == PF_OK) {
                        assert_string_equal(errstr, "");
                        assert_int_equal(t_avro_decode(schema, tb.b, tb.n), 0);
                        continue;
                }
                if (strncmp(errstr, tc->want_path, strlen(tc->want_path)) != 0 ||
                    strncmp(errstr + strlen(tc->want_path), ": ", 2) != 0)
                        fail_msg("%s: errstr \"%s\" does not name \"%s\"", tc->title, errstr,
                                 tc->want_path);
        }
        avro_schema_decref(schema);
}

/*
 * Other tests.
 */

/** avro-c's encoding of the default event passes and equals the test encoder's. */
static void test_valid_avro_c(void **state) {
        avro_schema_t schema = t_schema(t_event_schema_json, sizeof(t_event_schema_json) - 1);
        static const t_event_t dflt = {0};
        char out[4096], errstr[256] = "junk";
        size_t len = t_encode_event(schema, out, sizeof(out));
        tb_t tb;
        (void)state;

        tb_event(&tb, &dflt);
        assert_int_equal(len, tb.n);
        assert_memory_equal(out, tb.b, len);
        assert_int_equal(pf_avro_check(schema, out, len, &t_limits, errstr, sizeof(errstr)), PF_OK);
        assert_string_equal(errstr, "");
        assert_int_equal(pf_avro_check(schema, out, len, NULL, NULL, 0), PF_OK);
        avro_schema_decref(schema);
}

/** Every strict prefix fails (TRUNCATED, or BAD_LENGTH when cut inside a string/block). */
static void test_every_prefix(void **state) {
        avro_schema_t schema = t_schema(t_event_schema_json, sizeof(t_event_schema_json) - 1);
        static const t_event_t variants[] = {{0}, {.legs_neg_block = 1}};
        size_t truncated = 0, bad_length = 0;
        (void)state;

        for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
                tb_t tb;

                tb_event(&tb, &variants[v]);
                for (size_t n = 0; n < tb.n; n++) {
                        char errstr[256];
                        /* Copy into an exact-size heap block so ASan catches any over-read. */
                        uint8_t *copy = test_malloc(n ? n : 1);
                        pf_err_t err;

                        memcpy(copy, tb.b, n);
                        err = pf_avro_check(schema, copy, n, &t_limits, errstr, sizeof(errstr));
                        if (err == PF_ERR_TRUNCATED)
                                truncated++;
                        else if (err == PF_ERR_BAD_LENGTH)
                                bad_length++;
                        else
                                fail_msg("prefix %zu/%zu: got %s (%s)", n, tb.n, pf_err_name(err),
                                         errstr);
                        assert_non_null(strstr(errstr, ": "));
                        t_assert_no_pii(errstr);
                        test_free(copy);
                }
        }
        print_message("  prefixes: %zu TRUNCATED, %zu BAD_LENGTH\n", truncated, bad_length);
        assert_true(truncated > 0 && bad_length > 0);
        avro_schema_decref(schema);
}

/** A prefix cut inside the last string names that field and leaks none of its bytes. */
static void test_truncated_secret(void **state) {
        avro_schema_t schema = t_schema(t_event_schema_json, sizeof(t_event_schema_json) - 1);
        static const t_event_t dflt = {0};
        char errstr[256];
        tb_t tb;
        (void)state;

        tb_event(&tb, &dflt);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n - 4, &t_limits, errstr, sizeof(errstr)),
                         PF_ERR_BAD_LENGTH);
        assert_string_equal(errstr,
                            "name: string length 10 exceeds the 6 bytes left at offset 119");
        avro_schema_decref(schema);
}

/** Flipping any single bit never crashes; whatever passes, avro-c then decodes. */
static void test_bit_flips(void **state) {
        avro_schema_t schema = t_schema(t_event_schema_json, sizeof(t_event_schema_json) - 1);
        static const t_event_t dflt = {0};
        size_t passed = 0;
        tb_t tb;
        (void)state;

        tb_event(&tb, &dflt);
        for (size_t i = 0; i < tb.n; i++) {
                for (int bit = 0; bit < 8; bit++) {
                        char errstr[256];
                        pf_err_t err;

                        tb.b[i] ^= (uint8_t)(1u << bit);
                        err = pf_avro_check(schema, tb.b, tb.n, &t_limits, errstr, sizeof(errstr));
                        if (err == PF_OK) {
                                passed++;
                                assert_int_equal(t_avro_decode(schema, tb.b, tb.n), 0);
                        }
                        t_assert_no_pii(errstr);
                        tb.b[i] ^= (uint8_t)(1u << bit);
                }
        }
        print_message("  bit flips: %zu of %zu still valid\n", passed, tb.n * 8);
        avro_schema_decref(schema);
}

static void tb_list(tb_t *tb, size_t nodes) {
        memset(tb, 0, sizeof(*tb));
        for (size_t i = 0; i < nodes; i++) {
                tb_long(tb, (int64_t)i);
                tb_long(tb, i + 1 < nodes ? 1 : 0); /* branch 1 = Node, 0 = null */
        }
}

/** A linked list nests one record and one union per node: 16 nodes fit 32 levels, 17 do not. */
static void test_depth(void **state) {
        avro_schema_t schema = t_schema(t_list_schema_json, sizeof(t_list_schema_json) - 1);
        const pf_avro_limits_t huge = {SIZE_MAX, SIZE_MAX};
        char errstr[512];
        tb_t tb;
        (void)state;

        tb_list(&tb, 16);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, &t_limits, errstr, sizeof(errstr)),
                         PF_OK);
        assert_int_equal(t_avro_decode(schema, tb.b, tb.n), 0);
        tb_list(&tb, 17);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, &t_limits, errstr, sizeof(errstr)),
                         PF_ERR_TOO_LARGE);
        print_message("  %s\n", errstr);
        assert_non_null(strstr(errstr, "next.next.next"));
        assert_non_null(strstr(errstr, "nesting deeper than 32 levels"));

        /* max_depth far above the hard cap is clamped: 1000 nodes stop at 256 levels. */
        tb_list(&tb, 1000);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, &huge, errstr, sizeof(errstr)),
                         PF_ERR_TOO_LARGE);
        /* The path outgrew its buffer and says so. */
        assert_non_null(strstr(errstr, "...: nesting deeper than 256 levels"));
        avro_schema_decref(schema);

        /* A zero-byte self-recursive record stops on depth, not on a stack overflow. */
        schema = t_schema(t_loop_schema_json, sizeof(t_loop_schema_json) - 1);
        assert_int_equal(pf_avro_check(schema, "", 0, &huge, errstr, sizeof(errstr)),
                         PF_ERR_TOO_LARGE);
        avro_schema_decref(schema);
}

/** max_items counts items across all arrays/maps of the datum, including zero-byte items. */
static void test_items_total(void **state) {
        static const char json[] =
                "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"null\"}},"
                "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"null\"}}]}";
        avro_schema_t schema = t_schema(json, sizeof(json) - 1);
        const pf_avro_limits_t limits = {32, 5};
        char errstr[256];
        tb_t tb = {.n = 0};
        (void)state;

        tb_long(&tb, 3); /* a: 3 nulls, 0 bytes each */
        tb_long(&tb, 0);
        tb_long(&tb, 2); /* m: 2 entries, total 5 */
        tb_str(&tb, "k1");
        tb_str(&tb, "k2");
        tb_long(&tb, 0);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, &limits, errstr, sizeof(errstr)), PF_OK);
        tb.n = 0;
        tb_long(&tb, 3);
        tb_long(&tb, 0);
        tb_long(&tb, 3); /* total 6 */
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, &limits, errstr, sizeof(errstr)),
                         PF_ERR_TOO_LARGE);
        assert_string_equal(errstr, "m: map block at offset 2 has 3 items; the datum may hold 5 "
                                    "in all, 3 are used");
        /* A billion zero-byte items would be a CPU/memory bomb for avro-c; here it is one check. */
        tb.n = 0;
        tb_long(&tb, 1000000000);
        assert_int_equal(pf_avro_check(schema, tb.b, tb.n, NULL, errstr, sizeof(errstr)),
                         PF_ERR_TOO_LARGE);
        avro_schema_decref(schema);
}

/** Non-record roots, every primitive, tiny or absent errstr, bad arguments. */
static void test_edges(void **state) {
        static const char fixed_json[] = "{\"type\":\"fixed\",\"name\":\"F\",\"size\":16}";
        avro_schema_t str = avro_schema_string();
        avro_schema_t fixed = t_schema(fixed_json, sizeof(fixed_json) - 1);
        avro_schema_t flt = avro_schema_float();
        avro_schema_t null = avro_schema_null();
        char errstr[256], tiny[8];
        (void)state;

        assert_int_equal(pf_avro_check(str,
                                       "\x08"
                                       "abcd",
                                       5, NULL, errstr, sizeof(errstr)),
                         PF_OK);
        assert_int_equal(pf_avro_check(str,
                                       "\x0a"
                                       "abcd",
                                       5, NULL, errstr, sizeof(errstr)),
                         PF_ERR_BAD_LENGTH);
        assert_string_equal(errstr, "(root): string length 5 exceeds the 4 bytes left at offset 1");
        memset(tiny, 'X', sizeof(tiny));
        assert_int_equal(pf_avro_check(str,
                                       "\x0a"
                                       "abcd",
                                       5, NULL, tiny, sizeof(tiny)),
                         PF_ERR_BAD_LENGTH);
        assert_string_equal(tiny, "(root):");
        assert_int_equal(pf_avro_check(str,
                                       "\x0a"
                                       "abcd",
                                       5, NULL, tiny, 1),
                         PF_ERR_BAD_LENGTH);
        assert_int_equal(tiny[0], '\0');
        assert_int_equal(pf_avro_check(str,
                                       "\x0a"
                                       "abcd",
                                       5, NULL, NULL, 0),
                         PF_ERR_BAD_LENGTH);
        assert_int_equal(pf_avro_check(fixed, "0123456789abcdef", 16, NULL, errstr, 256), PF_OK);
        assert_int_equal(pf_avro_check(fixed, "0123456789abcde", 15, NULL, errstr, 256),
                         PF_ERR_TRUNCATED);
        assert_int_equal(pf_avro_check(flt, "abc", 3, NULL, errstr, 256), PF_ERR_TRUNCATED);
        assert_int_equal(pf_avro_check(null, NULL, 0, NULL, errstr, 256), PF_OK);
        assert_int_equal(pf_avro_check(null, "x", 1, NULL, errstr, 256), PF_ERR_TRAILING_BYTES);
        assert_int_equal(pf_avro_check(NULL, "x", 1, NULL, errstr, 256), PF_ERR_INTERNAL);
        assert_int_equal(pf_avro_check(str, NULL, 1, NULL, errstr, 256), PF_ERR_INTERNAL);
        assert_int_equal(pf_avro_check(str, NULL, 0, NULL, errstr, 256), PF_ERR_TRUNCATED);
        avro_schema_decref(null);
        avro_schema_decref(flt);
        avro_schema_decref(fixed);
        avro_schema_decref(str);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_avro_c), cmocka_unit_test(test_cases),
                cmocka_unit_test(test_every_prefix), cmocka_unit_test(test_truncated_secret),
                cmocka_unit_test(test_bit_flips),    cmocka_unit_test(test_depth),
                cmocka_unit_test(test_items_total),  cmocka_unit_test(test_edges),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
