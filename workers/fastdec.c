/**
 * @file fastdec.c
 * @brief The schema-specialised PassengerEvent decoder (see fastdec.h) and the Parsing Canonical
 *        Form that decides when it applies.
 *
 * The walk is pf_avro_check()'s walk for the two known layouts, written out field by field, with
 * the copy into pf_event_t folded in. What pf_avro_check() reports it reports the same way (code,
 * field path, offsets, wording), and it reports first: a structural error anywhere in the body wins
 * over a value the event cannot hold. Those (too long, embedded NUL, more than 16 legs) are
 * therefore only remembered during the walk and reported once the whole body has proved sound,
 * with the reason the avro-c path's extraction gives. Error text names fields and offsets, never
 * a value.
 */
#include "fastdec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define FD_LIKELY(x)   __builtin_expect(!!(x), 1)
#define FD_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define FD_COLD        __attribute__((cold, noinline))
#define FD_INLINE      inline __attribute__((always_inline))
#else
#define FD_LIKELY(x)   (x)
#define FD_UNLIKELY(x) (x)
#define FD_COLD
#define FD_INLINE inline
#endif

/* ------------------------------------------------------------------ the known layouts */

/*
 * Generated from schemas/passenger_event.v1.avsc and .v2.avsc with the Apache Avro Python library
 * 1.12.2 (avro.schema.parse(...).canonical_form), then with its one known deviation from the
 * specification undone: it keeps {"type":"long"} for a primitive with a logicalType, where the
 * specification ([PRIMITIVES], [STRIP]) and the Java implementation write "long". CRC-64-AVRO
 * fingerprints (pf_avro_fingerprint64): v1 0x04adab1d2d184c59, v2 0xcca1cc013920699f.
 * tests/workers/test_fastdec.c checks that the shipped schemas still have these forms.
 */
const char pf_fastdec_canonical_v1[] =
        "{\"name\":\"org.paxflow.PassengerEvent\",\"type\":\"record\",\"fields\":[{\"name\":\"eve"
        "nt_id\",\"type\":\"string\"},{\"name\":\"source\",\"type\":{\"name\":\"org.paxflow.Sourc"
        "e\",\"type\":\"enum\",\"symbols\":[\"API\",\"PNR\"]}},{\"name\":\"push_kind\",\"type\":{"
        "\"name\":\"org.paxflow.PushKind\",\"type\":\"enum\",\"symbols\":[\"T72H\",\"T48H\",\"T24"
        "H\",\"DEPARTURE\",\"CHECKIN\",\"ADHOC\"]}},{\"name\":\"sent_at\",\"type\":\"long\"},{\"n"
        "ame\":\"carrier\",\"type\":\"string\"},{\"name\":\"flight\",\"type\":{\"name\":\"org.pax"
        "flow.Flight\",\"type\":\"record\",\"fields\":[{\"name\":\"number\",\"type\":\"string\"},"
        "{\"name\":\"origin_airport\",\"type\":\"string\"},{\"name\":\"origin_country\",\"type\":"
        "\"string\"},{\"name\":\"destination_airport\",\"type\":\"string\"},{\"name\":\"destinati"
        "on_country\",\"type\":\"string\"},{\"name\":\"scheduled_departure\",\"type\":\"long\"},{"
        "\"name\":\"scheduled_arrival\",\"type\":\"long\"},{\"name\":\"direction\",\"type\":{\"na"
        "me\":\"org.paxflow.Direction\",\"type\":\"enum\",\"symbols\":[\"INBOUND\",\"OUTBOUND\"]}"
        "}]}},{\"name\":\"traveller\",\"type\":{\"name\":\"org.paxflow.Traveller\",\"type\":\"rec"
        "ord\",\"fields\":[{\"name\":\"given_names\",\"type\":\"string\"},{\"name\":\"surname\","
        "\"type\":\"string\"},{\"name\":\"date_of_birth\",\"type\":[\"null\",\"string\"]},{\"name"
        "\":\"gender\",\"type\":{\"name\":\"org.paxflow.Gender\",\"type\":\"enum\",\"symbols\":["
        "\"M\",\"F\",\"X\",\"U\"]}},{\"name\":\"nationality\",\"type\":[\"null\",\"string\"]}]}},"
        "{\"name\":\"document\",\"type\":[\"null\",{\"name\":\"org.paxflow.Document\",\"type\":\""
        "record\",\"fields\":[{\"name\":\"type\",\"type\":{\"name\":\"org.paxflow.DocumentType\","
        "\"type\":\"enum\",\"symbols\":[\"PASSPORT\",\"ID_CARD\",\"VISA\",\"RESIDENCE_PERMIT\",\""
        "OTHER\"]}},{\"name\":\"number\",\"type\":\"string\"},{\"name\":\"issuing_country\",\"typ"
        "e\":\"string\"},{\"name\":\"issue_date\",\"type\":[\"null\",\"int\"]},{\"name\":\"expiry"
        "_date\",\"type\":[\"null\",\"int\"]}]}]},{\"name\":\"booking\",\"type\":[\"null\",{\"nam"
        "e\":\"org.paxflow.Booking\",\"type\":\"record\",\"fields\":[{\"name\":\"record_locator\""
        ",\"type\":\"string\"},{\"name\":\"booked_at\",\"type\":\"long\"},{\"name\":\"payment_typ"
        "e\",\"type\":{\"name\":\"org.paxflow.PaymentType\",\"type\":\"enum\",\"symbols\":[\"CASH"
        "\",\"CARD\",\"INVOICE\",\"MILES\",\"OTHER\",\"UNKNOWN\"]}},{\"name\":\"card_holder_is_tr"
        "aveller\",\"type\":[\"null\",\"boolean\"]},{\"name\":\"agency_id\",\"type\":[\"null\",\""
        "string\"]},{\"name\":\"agency_country\",\"type\":[\"null\",\"string\"]},{\"name\":\"trip"
        "_type\",\"type\":{\"name\":\"org.paxflow.TripType\",\"type\":\"enum\",\"symbols\":[\"ONE"
        "_WAY\",\"RETURN\",\"MULTI_CITY\"]}},{\"name\":\"legs\",\"type\":{\"type\":\"array\",\"it"
        "ems\":{\"name\":\"org.paxflow.Leg\",\"type\":\"record\",\"fields\":[{\"name\":\"carrier"
        "\",\"type\":\"string\"},{\"name\":\"flight_number\",\"type\":\"string\"},{\"name\":\"ori"
        "gin_airport\",\"type\":\"string\"},{\"name\":\"origin_country\",\"type\":\"string\"},{\""
        "name\":\"destination_airport\",\"type\":\"string\"},{\"name\":\"destination_country\",\""
        "type\":\"string\"},{\"name\":\"departure\",\"type\":\"long\"},{\"name\":\"arrival\",\"ty"
        "pe\":\"long\"}]}}},{\"name\":\"co_traveller_count\",\"type\":\"int\"},{\"name\":\"bag_co"
        "unt\",\"type\":\"int\"},{\"name\":\"bag_weight_kg\",\"type\":\"int\"},{\"name\":\"contac"
        "t_phone\",\"type\":[\"null\",\"string\"]},{\"name\":\"contact_email\",\"type\":[\"null\""
        ",\"string\"]}]}]}]}";

const char pf_fastdec_canonical_v2[] =
        "{\"name\":\"org.paxflow.PassengerEvent\",\"type\":\"record\",\"fields\":[{\"name\":\"eve"
        "nt_id\",\"type\":\"string\"},{\"name\":\"source\",\"type\":{\"name\":\"org.paxflow.Sourc"
        "e\",\"type\":\"enum\",\"symbols\":[\"API\",\"PNR\"]}},{\"name\":\"push_kind\",\"type\":{"
        "\"name\":\"org.paxflow.PushKind\",\"type\":\"enum\",\"symbols\":[\"T72H\",\"T48H\",\"T24"
        "H\",\"DEPARTURE\",\"CHECKIN\",\"ADHOC\"]}},{\"name\":\"sent_at\",\"type\":\"long\"},{\"n"
        "ame\":\"carrier\",\"type\":\"string\"},{\"name\":\"flight\",\"type\":{\"name\":\"org.pax"
        "flow.Flight\",\"type\":\"record\",\"fields\":[{\"name\":\"number\",\"type\":\"string\"},"
        "{\"name\":\"origin_airport\",\"type\":\"string\"},{\"name\":\"origin_country\",\"type\":"
        "\"string\"},{\"name\":\"destination_airport\",\"type\":\"string\"},{\"name\":\"destinati"
        "on_country\",\"type\":\"string\"},{\"name\":\"scheduled_departure\",\"type\":\"long\"},{"
        "\"name\":\"scheduled_arrival\",\"type\":\"long\"},{\"name\":\"direction\",\"type\":{\"na"
        "me\":\"org.paxflow.Direction\",\"type\":\"enum\",\"symbols\":[\"INBOUND\",\"OUTBOUND\"]}"
        "}]}},{\"name\":\"traveller\",\"type\":{\"name\":\"org.paxflow.Traveller\",\"type\":\"rec"
        "ord\",\"fields\":[{\"name\":\"given_names\",\"type\":\"string\"},{\"name\":\"surname\","
        "\"type\":\"string\"},{\"name\":\"date_of_birth\",\"type\":[\"null\",\"string\"]},{\"name"
        "\":\"gender\",\"type\":{\"name\":\"org.paxflow.Gender\",\"type\":\"enum\",\"symbols\":["
        "\"M\",\"F\",\"X\",\"U\"]}},{\"name\":\"nationality\",\"type\":[\"null\",\"string\"]},{\""
        "name\":\"residence\",\"type\":[\"null\",\"string\"]}]}},{\"name\":\"document\",\"type\":"
        "[\"null\",{\"name\":\"org.paxflow.Document\",\"type\":\"record\",\"fields\":[{\"name\":"
        "\"type\",\"type\":{\"name\":\"org.paxflow.DocumentType\",\"type\":\"enum\",\"symbols\":["
        "\"PASSPORT\",\"ID_CARD\",\"VISA\",\"RESIDENCE_PERMIT\",\"OTHER\"]}},{\"name\":\"number\""
        ",\"type\":\"string\"},{\"name\":\"issuing_country\",\"type\":\"string\"},{\"name\":\"iss"
        "ue_date\",\"type\":[\"null\",\"int\"]},{\"name\":\"expiry_date\",\"type\":[\"null\",\"in"
        "t\"]}]}]},{\"name\":\"booking\",\"type\":[\"null\",{\"name\":\"org.paxflow.Booking\",\"t"
        "ype\":\"record\",\"fields\":[{\"name\":\"record_locator\",\"type\":\"string\"},{\"name\""
        ":\"booked_at\",\"type\":\"long\"},{\"name\":\"payment_type\",\"type\":{\"name\":\"org.pa"
        "xflow.PaymentType\",\"type\":\"enum\",\"symbols\":[\"CASH\",\"CARD\",\"INVOICE\",\"MILES"
        "\",\"OTHER\",\"UNKNOWN\"]}},{\"name\":\"card_holder_is_traveller\",\"type\":[\"null\",\""
        "boolean\"]},{\"name\":\"agency_id\",\"type\":[\"null\",\"string\"]},{\"name\":\"agency_c"
        "ountry\",\"type\":[\"null\",\"string\"]},{\"name\":\"trip_type\",\"type\":{\"name\":\"or"
        "g.paxflow.TripType\",\"type\":\"enum\",\"symbols\":[\"ONE_WAY\",\"RETURN\",\"MULTI_CITY"
        "\"]}},{\"name\":\"legs\",\"type\":{\"type\":\"array\",\"items\":{\"name\":\"org.paxflow."
        "Leg\",\"type\":\"record\",\"fields\":[{\"name\":\"carrier\",\"type\":\"string\"},{\"name"
        "\":\"flight_number\",\"type\":\"string\"},{\"name\":\"origin_airport\",\"type\":\"string"
        "\"},{\"name\":\"origin_country\",\"type\":\"string\"},{\"name\":\"destination_airport\","
        "\"type\":\"string\"},{\"name\":\"destination_country\",\"type\":\"string\"},{\"name\":\""
        "departure\",\"type\":\"long\"},{\"name\":\"arrival\",\"type\":\"long\"}]}}},{\"name\":\""
        "co_traveller_count\",\"type\":\"int\"},{\"name\":\"bag_count\",\"type\":\"int\"},{\"name"
        "\":\"bag_weight_kg\",\"type\":\"int\"},{\"name\":\"contact_phone\",\"type\":[\"null\",\""
        "string\"]},{\"name\":\"contact_email\",\"type\":[\"null\",\"string\"]},{\"name\":\"frequ"
        "ent_flyer_id\",\"type\":[\"null\",\"string\"]}]}]}]}";

/* ------------------------------------------------------------------ Parsing Canonical Form */

typedef struct pcf_s {
        char *s;
        size_t n, cap;
        int failed;
        const char **seen; /* full names of the named types already written (borrowed) */
        char **owned;      /* the same names, allocated */
        size_t nseen, seen_cap;
} pcf_t;

static void pcf_put(pcf_t *b, const char *p, size_t n) {
        if (b->failed)
                return;
        if (b->n + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 1024;
                while (cap < b->n + n + 1)
                        cap *= 2;
                char *s = realloc(b->s, cap);
                if (!s) {
                        b->failed = 1;
                        return;
                }
                b->s = s;
                b->cap = cap;
        }
        memcpy(b->s + b->n, p, n);
        b->n += n;
        b->s[b->n] = '\0';
}

static void pcf_lit(pcf_t *b, const char *s) {
        pcf_put(b, s, strlen(s));
}

/** A JSON string: names and symbols are identifiers, but escape what JSON needs anyway. */
static void pcf_str(pcf_t *b, const char *s) {
        pcf_put(b, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                char esc[8];
                if (*p == '"' || *p == '\\') {
                        esc[0] = '\\';
                        esc[1] = (char)*p;
                        pcf_put(b, esc, 2);
                } else if (*p < 0x20) {
                        snprintf(esc, sizeof(esc), "\\u%04x", *p);
                        pcf_put(b, esc, 6);
                } else {
                        pcf_put(b, (const char *)p, 1);
                }
        }
        pcf_put(b, "\"", 1);
}

/** @returns 1 when @p full was written before, else remembers it and returns 0 (-1: no memory). */
static int pcf_seen(pcf_t *b, const char *full) {
        for (size_t i = 0; i < b->nseen; i++)
                if (strcmp(b->seen[i], full) == 0)
                        return 1;
        if (b->nseen == b->seen_cap) {
                size_t cap = b->seen_cap ? b->seen_cap * 2 : 16;
                const char **seen = realloc(b->seen, cap * sizeof(*seen));
                if (seen)
                        b->seen = seen;
                char **owned = seen ? realloc(b->owned, cap * sizeof(*owned)) : NULL;
                if (owned)
                        b->owned = owned;
                if (!seen || !owned)
                        return -1;
                b->seen_cap = cap;
        }
        size_t len = strlen(full) + 1;
        char *copy = malloc(len);
        if (!copy)
                return -1;
        memcpy(copy, full, len);
        b->owned[b->nseen] = copy;
        b->seen[b->nseen++] = copy;
        return 0;
}

static void pcf_value(pcf_t *b, avro_schema_t s, int depth);

/** A named type: its full name when already written, else its definition. */
static void pcf_named(pcf_t *b, avro_schema_t s, int depth) {
        const char *name = avro_schema_name(s), *space = avro_schema_namespace(s);
        char full[512];
        int w = space && space[0] ? snprintf(full, sizeof(full), "%s.%s", space, name ? name : "")
                                  : snprintf(full, sizeof(full), "%s", name ? name : "");
        if (w < 0 || (size_t)w >= sizeof(full)) {
                b->failed = 1;
                return;
        }
        int seen = pcf_seen(b, full);
        if (seen < 0) {
                b->failed = 1;
                return;
        }
        if (seen) {
                pcf_str(b, full);
                return;
        }
        pcf_lit(b, "{\"name\":");
        pcf_str(b, full);
        if (is_avro_record(s)) {
                pcf_lit(b, ",\"type\":\"record\",\"fields\":[");
                size_t n = avro_schema_record_size(s);
                for (size_t i = 0; i < n && !b->failed; i++) {
                        avro_schema_t f = avro_schema_record_field_get_by_index(s, (int)i);
                        if (!f) {
                                b->failed = 1;
                                break;
                        }
                        pcf_lit(b, i ? ",{\"name\":" : "{\"name\":");
                        pcf_str(b, avro_schema_record_field_name(s, (int)i));
                        pcf_lit(b, ",\"type\":");
                        pcf_value(b, f, depth + 1);
                        pcf_lit(b, "}");
                }
                pcf_lit(b, "]}");
        } else if (is_avro_enum(s)) {
                pcf_lit(b, ",\"type\":\"enum\",\"symbols\":[");
                int n = avro_schema_enum_number_of_symbols(s);
                for (int i = 0; i < n; i++) {
                        if (i)
                                pcf_lit(b, ",");
                        pcf_str(b, avro_schema_enum_get(s, i));
                }
                pcf_lit(b, "]}");
        } else {
                char size[32];
                snprintf(size, sizeof(size), "%" PRId64, avro_schema_fixed_size(s));
                pcf_lit(b, ",\"type\":\"fixed\",\"size\":");
                pcf_lit(b, size);
                pcf_lit(b, "}");
        }
}

static void pcf_value(pcf_t *b, avro_schema_t s, int depth) {
        /* A reference to a named type: the type, which then is already written. */
        for (int hops = 0; s && is_avro_link(s) && hops < 8; hops++)
                s = avro_schema_link_target(s);
        if (!s || is_avro_link(s) || depth > 256) {
                b->failed = 1;
                return;
        }
        switch (avro_typeof(s)) {
        case AVRO_NULL:
                pcf_lit(b, "\"null\"");
                return;
        case AVRO_BOOLEAN:
                pcf_lit(b, "\"boolean\"");
                return;
        case AVRO_INT32:
                pcf_lit(b, "\"int\"");
                return;
        case AVRO_INT64:
                pcf_lit(b, "\"long\"");
                return;
        case AVRO_FLOAT:
                pcf_lit(b, "\"float\"");
                return;
        case AVRO_DOUBLE:
                pcf_lit(b, "\"double\"");
                return;
        case AVRO_BYTES:
                pcf_lit(b, "\"bytes\"");
                return;
        case AVRO_STRING:
                pcf_lit(b, "\"string\"");
                return;
        case AVRO_RECORD:
        case AVRO_ENUM:
        case AVRO_FIXED:
                pcf_named(b, s, depth);
                return;
        case AVRO_ARRAY:
                pcf_lit(b, "{\"type\":\"array\",\"items\":");
                pcf_value(b, avro_schema_array_items(s), depth + 1);
                pcf_lit(b, "}");
                return;
        case AVRO_MAP:
                pcf_lit(b, "{\"type\":\"map\",\"values\":");
                pcf_value(b, avro_schema_map_values(s), depth + 1);
                pcf_lit(b, "}");
                return;
        case AVRO_UNION: {
                size_t n = avro_schema_union_size(s);
                pcf_lit(b, "[");
                for (size_t i = 0; i < n && !b->failed; i++) {
                        if (i)
                                pcf_lit(b, ",");
                        pcf_value(b, avro_schema_union_branch(s, (int)i), depth + 1);
                }
                pcf_lit(b, "]");
                return;
        }
        default:
                b->failed = 1;
                return;
        }
}

char *pf_avro_canonical_form(avro_schema_t schema) {
        pcf_t b;
        memset(&b, 0, sizeof(b));
        if (!schema || !is_avro_schema(schema))
                return NULL;
        pcf_value(&b, schema, 0);
        for (size_t i = 0; i < b.nseen; i++)
                free(b.owned[i]);
        free(b.owned);
        free(b.seen);
        if (b.failed || !b.s) {
                free(b.s);
                return NULL;
        }
        return b.s;
}

uint64_t pf_avro_fingerprint64(const void *buf, size_t len) {
        static const uint64_t empty = 0xc15d213aa4d7a795ULL;
        const uint8_t *p = buf;
        uint64_t fp = empty;
        for (size_t i = 0; i < len; i++) {
                uint64_t t = (fp ^ p[i]) & 0xff;
                for (int j = 0; j < 8; j++)
                        t = (t >> 1) ^ (empty & (0 - (t & 1)));
                fp = (fp >> 8) ^ t;
        }
        return fp;
}

pf_fastdec_layout_t pf_fastdec_layout_of(avro_schema_t schema) {
        char *form = pf_avro_canonical_form(schema);
        pf_fastdec_layout_t layout = PF_FASTDEC_NONE;
        if (form && strcmp(form, pf_fastdec_canonical_v1) == 0)
                layout = PF_FASTDEC_V1;
        else if (form && strcmp(form, pf_fastdec_canonical_v2) == 0)
                layout = PF_FASTDEC_V2;
        free(form);
        return layout;
}

/* ------------------------------------------------------------------ the decoder */

/** What a value the event cannot hold was, reported once the body has proved sound. */
enum { FD_SEM_NONE, FD_SEM_TOO_LONG, FD_SEM_NUL, FD_SEM_LEGS };

#define FD_NO_LEG SIZE_MAX

typedef struct fd_s {
        const uint8_t *buf;
        size_t len;
        size_t off; /* invariant: off <= len */
        size_t max_items;
        size_t items; /* array items seen so far (pf_avro_check()'s count) */
        size_t leg;   /* index of the leg being read, FD_NO_LEG outside booking.legs */
        int sem;      /* FD_SEM_*: the first value the event cannot hold */
        const char *sem_field;
        size_t sem_n, sem_cap;
        char *errstr;
        size_t errstr_size;
} fd_t;

/**
 * Reports a structural error as pf_avro_check() does: "<path>: <reason>". @p path is the field's
 * full path, or inside a leg the leg's field name.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
FD_COLD static pf_err_t
fd_fail(const fd_t *c, pf_err_t err, const char *path, const char *fmt, ...) {
        char where[PF_AVRO_CHECK_PATH_MAX];
        va_list ap;
        if (c->errstr == NULL || c->errstr_size == 0)
                return err;
        if (c->leg != FD_NO_LEG)
                snprintf(where, sizeof(where), "booking.legs[%zu].%s", c->leg, path);
        else
                snprintf(where, sizeof(where), "%s", path);
        int n = snprintf(c->errstr, c->errstr_size, "%s: ", where);
        if (n < 0 || (size_t)n >= c->errstr_size)
                return err;
        va_start(ap, fmt);
        vsnprintf(c->errstr + n, c->errstr_size - (size_t)n, fmt, ap);
        va_end(ap);
        return err;
}

/** The slow end of fd_varint(): several bytes, the end of the payload, or too long. */
FD_COLD static pf_err_t fd_varint_slow(fd_t *c, size_t max_bytes, const char *what,
                                       const char *path, uint64_t *out) {
        size_t start = c->off;
        uint64_t value = 0;
        for (size_t i = 0; i < max_bytes; i++) {
                if (c->off >= c->len)
                        return fd_fail(c, PF_ERR_TRUNCATED, path,
                                       "%s varint starting at offset %zu is cut off at offset %zu",
                                       what, start, c->off);
                uint8_t b = c->buf[c->off++];
                value |= (uint64_t)(b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                        if (i == 9 && b > 0x01)
                                break;
                        if (max_bytes == 5 && i == 4 && b > 0x0f)
                                break;
                        *out = value;
                        return PF_OK;
                }
        }
        return fd_fail(c, PF_ERR_BAD_VARINT, path,
                       "%s varint at offset %zu is longer than %zu bytes or overflows", what, start,
                       max_bytes);
}

/** An unsigned varint of at most @p max_bytes bytes (10: long, 5: int), as pf_avro_check(). */
static FD_INLINE pf_err_t fd_varint(fd_t *c, size_t max_bytes, const char *what, const char *path,
                                    uint64_t *out) {
        if (FD_LIKELY(c->len - c->off >= 10)) {
                /* Ten bytes are there: no bound to check on the way. The last byte a type allows
                 * (the 5th of an int, the 10th of a long) may overflow: fd_varint_slow() judges. */
                const uint8_t *p = c->buf + c->off;
                uint64_t b = p[0];
                if (FD_LIKELY(b < 0x80)) {
                        c->off += 1;
                        *out = b;
                        return PF_OK;
                }
                uint64_t value = b & 0x7f;
                for (size_t i = 1; i < max_bytes - 1; i++) {
                        b = p[i];
                        value |= (b & 0x7f) << (7 * i);
                        if (b < 0x80) {
                                c->off += i + 1;
                                *out = value;
                                return PF_OK;
                        }
                }
        }
        return fd_varint_slow(c, max_bytes, what, path, out);
}

static FD_INLINE int64_t fd_zigzag(uint64_t raw) {
        return (raw & 1) ? -(int64_t)(raw >> 1) - 1 : (int64_t)(raw >> 1);
}

static FD_INLINE pf_err_t fd_long(fd_t *c, const char *what, const char *path, int64_t *out) {
        uint64_t raw = 0;
        pf_err_t err = fd_varint(c, 10, what, path, &raw);
        *out = fd_zigzag(raw);
        return err;
}

/** @returns the offset of the first invalid UTF-8 sequence in s[0..n) (n: none), as
 * pf_avro_check(); when valid, *nul tells whether the string holds a NUL byte. */
static FD_INLINE size_t fd_utf8(const uint8_t *s, size_t n, int *nul) {
        static const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        size_t i = 0;
        int zero = 0;
        while (i < n) {
                if (n - i >= 8) {
                        /* Eight bytes at once: all ASCII and none of them NUL? */
                        uint64_t w;
                        memcpy(&w, s + i, sizeof(w));
                        if (FD_LIKELY(((w & highs) | ((w - ones) & ~w & highs)) == 0)) {
                                i += 8;
                                continue;
                        }
                }
                uint8_t c = s[i];
                uint8_t lo = 0x80, hi = 0xbf;
                size_t need;
                if (FD_LIKELY(c < 0x80)) {
                        zero |= c == 0;
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        need = 1;
                else if (c >= 0xe0 && c <= 0xef)
                        need = 2;
                else if (c >= 0xf0 && c <= 0xf4)
                        need = 3;
                else
                        return i;
                if (c == 0xe0)
                        lo = 0xa0;
                else if (c == 0xed)
                        hi = 0x9f;
                else if (c == 0xf0)
                        lo = 0x90;
                else if (c == 0xf4)
                        hi = 0x8f;
                if (need > n - i - 1)
                        return i;
                if (s[i + 1] < lo || s[i + 1] > hi)
                        return i;
                for (size_t k = 2; k <= need; k++)
                        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                                return i;
                i += need + 1;
        }
        *nul = zero;
        return n;
}

/** Remembers the first value the event cannot hold. */
static FD_INLINE void fd_sem(fd_t *c, int kind, const char *field, size_t n, size_t cap) {
        if (c->sem == FD_SEM_NONE) {
                c->sem = kind;
                c->sem_field = field;
                c->sem_n = n;
                c->sem_cap = cap;
        }
}

/** A string into dst[cap]: checked as pf_avro_check() does, copied as the codec's dec_str(). */
static FD_INLINE pf_err_t fd_string(fd_t *c, const char *path, char *dst, size_t cap) {
        int64_t n;
        pf_err_t err = fd_long(c, "string length", path, &n);
        if (FD_UNLIKELY(err))
                return err;
        size_t left = c->len - c->off;
        if (FD_UNLIKELY(n < 0))
                return fd_fail(c, PF_ERR_BAD_LENGTH, path,
                               "string length %" PRId64 " is negative at offset %zu", n, c->off);
        if (FD_UNLIKELY((uint64_t)n > left))
                return fd_fail(c, PF_ERR_BAD_LENGTH, path,
                               "string length %" PRId64 " exceeds the %zu bytes left at offset %zu",
                               n, left, c->off);
        const uint8_t *s = c->buf + c->off;
        int nul = 0;
        size_t bad = fd_utf8(s, (size_t)n, &nul);
        if (FD_UNLIKELY(bad != (size_t)n))
                return fd_fail(c, PF_ERR_BAD_UTF8, path,
                               "string of %" PRId64 " bytes at offset %zu is not valid UTF-8 "
                               "(first bad byte at offset %zu)",
                               n, c->off, c->off + bad);
        c->off += (size_t)n;
        if (FD_UNLIKELY(c->sem != FD_SEM_NONE))
                return PF_OK; /* the event is lost already: only the structure matters now */
        if (FD_UNLIKELY((size_t)n >= cap))
                fd_sem(c, FD_SEM_TOO_LONG, path, (size_t)n, cap);
        else if (FD_UNLIKELY(nul))
                fd_sem(c, FD_SEM_NUL, path, 0, 0);
        else {
                memcpy(dst, s, (size_t)n);
                dst[n] = '\0';
        }
        return PF_OK;
}

/** A union index of a two-branch ["null", X] union: *branch is 0 or 1. */
static FD_INLINE pf_err_t fd_union2(fd_t *c, const char *path, int *branch) {
        size_t start = c->off;
        int64_t index;
        pf_err_t err = fd_long(c, "union index", path, &index);
        if (FD_UNLIKELY(err))
                return err;
        if (FD_UNLIKELY(index < 0 || index >= 2))
                return fd_fail(c, PF_ERR_BAD_UNION, path,
                               "union index %" PRId64 " at offset %zu is outside [0, %zu)", index,
                               start, (size_t)2);
        *branch = (int)index;
        return PF_OK;
}

/** ["null", "string"]: null leaves dst as it is (the cleared event's ""). */
static FD_INLINE pf_err_t fd_opt_string(fd_t *c, const char *path, char *dst, size_t cap) {
        int branch = 0;
        pf_err_t err = fd_union2(c, path, &branch);
        if (FD_UNLIKELY(err) || branch == 0)
                return err;
        return fd_string(c, path, dst, cap);
}

static FD_INLINE pf_err_t fd_enum(fd_t *c, const char *path, int64_t count, int *out) {
        size_t start = c->off;
        int64_t index;
        pf_err_t err = fd_long(c, "enum index", path, &index);
        if (FD_UNLIKELY(err))
                return err;
        if (FD_UNLIKELY(index < 0 || index >= count))
                return fd_fail(c, PF_ERR_BAD_ENUM, path,
                               "enum index %" PRId64 " at offset %zu is outside [0, %" PRId64 ")",
                               index, start, count);
        *out = (int)index;
        return PF_OK;
}

static FD_INLINE pf_err_t fd_int(fd_t *c, const char *path, int32_t *out) {
        uint64_t raw = 0;
        pf_err_t err = fd_varint(c, 5, "int", path, &raw);
        /* five bytes with a last one <= 0x0f: raw fits 32 bits, and so does its zig-zag */
        *out = (int32_t)((uint32_t)(raw >> 1) ^ (uint32_t)(0 - (raw & 1)));
        return err;
}

/** ["null", "int"]: null leaves *out as it is (the cleared event's PF_DATE_NONE). */
static FD_INLINE pf_err_t fd_opt_int(fd_t *c, const char *path, int32_t *out) {
        int branch = 0;
        pf_err_t err = fd_union2(c, path, &branch);
        if (FD_UNLIKELY(err) || branch == 0)
                return err;
        return fd_int(c, path, out);
}

/** ["null", "boolean"]: 1, 0, or -1 for null. */
static FD_INLINE pf_err_t fd_opt_bool(fd_t *c, const char *path, int8_t *out) {
        int branch = 0;
        pf_err_t err = fd_union2(c, path, &branch);
        if (FD_UNLIKELY(err))
                return err;
        if (branch == 0) {
                *out = -1;
                return PF_OK;
        }
        if (FD_UNLIKELY(c->off >= c->len))
                return fd_fail(c, PF_ERR_TRUNCATED, path,
                               "boolean needs 1 byte but none is left at offset %zu", c->off);
        if (FD_UNLIKELY(c->buf[c->off] > 1))
                return fd_fail(c, PF_ERR_INVALID_VALUE, path,
                               "boolean byte at offset %zu is neither 0 nor 1", c->off);
        *out = (int8_t)c->buf[c->off++];
        return PF_OK;
}

#define FD(call)                                                                                   \
        do {                                                                                       \
                pf_err_t fd_err_ = (call);                                                         \
                if (FD_UNLIKELY(fd_err_))                                                          \
                        return fd_err_;                                                            \
        } while (0)

#define FD_STR(c, path, dst)     fd_string((c), (path), (dst), sizeof(dst))
#define FD_OPT_STR(c, path, dst) fd_opt_string((c), (path), (dst), sizeof(dst))

static pf_err_t fd_leg(fd_t *c, pf_leg_t *leg) {
        FD(FD_STR(c, "carrier", leg->carrier));
        FD(FD_STR(c, "flight_number", leg->flight_number));
        FD(FD_STR(c, "origin_airport", leg->origin_airport));
        FD(FD_STR(c, "origin_country", leg->origin_country));
        FD(FD_STR(c, "destination_airport", leg->destination_airport));
        FD(FD_STR(c, "destination_country", leg->destination_country));
        FD(fd_long(c, "long", "departure", &leg->departure));
        FD(fd_long(c, "long", "arrival", &leg->arrival));
        return PF_OK;
}

/** booking.legs: blocks of Leg records until a zero count, as pf_avro_check()'s collection. */
static pf_err_t fd_legs(fd_t *c, pf_event_t *ev) {
        static const char path[] = "booking.legs";
        int sem_before = c->sem;
        size_t index = 0;
        for (;;) {
                size_t start = c->off, block_end = SIZE_MAX;
                int64_t raw, size;
                FD(fd_long(c, "block count", path, &raw));
                uint64_t count = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
                if (FD_UNLIKELY(count > c->max_items - c->items))
                        return fd_fail(c, PF_ERR_TOO_LARGE, path,
                                       "array block at offset %zu has %" PRIu64
                                       " items; the datum may hold %zu in all, %zu are used",
                                       start, count, c->max_items, c->items);
                if (raw < 0) {
                        FD(fd_long(c, "block size", path, &size));
                        size_t left = c->len - c->off;
                        if (size < 0 || (uint64_t)size > left)
                                return fd_fail(c, PF_ERR_BAD_LENGTH, path,
                                               "array block size %" PRId64
                                               " at offset %zu is negative or exceeds the "
                                               "%zu bytes left",
                                               size, start, left);
                        block_end = c->off + (size_t)size;
                }
                if (count == 0)
                        break;
                c->items += (size_t)count;
                size_t block_start = c->off;
                for (uint64_t i = 0; i < count; i++, index++) {
                        pf_leg_t spare; /* legs past the 16th are walked, not kept */
                        c->leg = index;
                        FD(fd_leg(c, index < PF_LEGS_MAX ? &ev->booking.legs[index] : &spare));
                }
                c->leg = FD_NO_LEG;
                if (block_end != SIZE_MAX && c->off != block_end)
                        return fd_fail(c, PF_ERR_BAD_LENGTH, path,
                                       "array block at offset %zu declares %zu bytes but its items "
                                       "use %zu",
                                       block_start, block_end - block_start, c->off - block_start);
        }
        /* The avro-c path counts the legs before it looks at any: too many wins over a bad leg. */
        if (index > PF_LEGS_MAX) {
                if (sem_before == FD_SEM_NONE) {
                        c->sem = FD_SEM_NONE;
                        fd_sem(c, FD_SEM_LEGS, path, index, 0);
                }
        } else {
                ev->booking.leg_count = (uint32_t)index;
        }
        return PF_OK;
}

static pf_err_t fd_booking(fd_t *c, pf_event_t *ev, int v2) {
        int e = 0;
        FD(FD_STR(c, "booking.record_locator", ev->booking.record_locator));
        FD(fd_long(c, "long", "booking.booked_at", &ev->booking.booked_at));
        FD(fd_enum(c, "booking.payment_type", 6, &e));
        ev->booking.payment_type = (pf_payment_t)e;
        FD(fd_opt_bool(c, "booking.card_holder_is_traveller",
                       &ev->booking.card_holder_is_traveller));
        FD(FD_OPT_STR(c, "booking.agency_id", ev->booking.agency_id));
        FD(FD_OPT_STR(c, "booking.agency_country", ev->booking.agency_country));
        FD(fd_enum(c, "booking.trip_type", 3, &e));
        ev->booking.trip_type = (pf_trip_type_t)e;
        FD(fd_legs(c, ev));
        FD(fd_int(c, "booking.co_traveller_count", &ev->booking.co_traveller_count));
        FD(fd_int(c, "booking.bag_count", &ev->booking.bag_count));
        FD(fd_int(c, "booking.bag_weight_kg", &ev->booking.bag_weight_kg));
        FD(FD_OPT_STR(c, "booking.contact_phone", ev->booking.contact_phone));
        FD(FD_OPT_STR(c, "booking.contact_email", ev->booking.contact_email));
        if (v2)
                FD(FD_OPT_STR(c, "booking.frequent_flyer_id", ev->booking.frequent_flyer_id));
        return PF_OK;
}

/** Reports the value the event cannot hold with the avro-c path's reason (the field's name only,
 * as its extraction names it). */
FD_COLD static pf_err_t fd_sem_report(const fd_t *c) {
        const char *name = strrchr(c->sem_field, '.');
        name = name ? name + 1 : c->sem_field;
        if (c->errstr == NULL || c->errstr_size == 0)
                return c->sem == FD_SEM_LEGS ? PF_ERR_TOO_LARGE : PF_ERR_INVALID_VALUE;
        switch (c->sem) {
        case FD_SEM_TOO_LONG:
                snprintf(c->errstr, c->errstr_size, "%s: %zu bytes, longer than the %zu allowed",
                         name, c->sem_n, c->sem_cap - 1);
                return PF_ERR_INVALID_VALUE;
        case FD_SEM_NUL:
                snprintf(c->errstr, c->errstr_size, "%s: embedded NUL byte", name);
                return PF_ERR_INVALID_VALUE;
        default:
                snprintf(c->errstr, c->errstr_size, "%s: more than 16 legs", c->sem_field);
                return PF_ERR_TOO_LARGE;
        }
}

pf_err_t pf_fastdec_event(pf_fastdec_layout_t layout, const uint8_t *body, size_t len,
                          const pf_avro_limits_t *limits, pf_event_t *ev, char *errstr,
                          size_t errstr_size) {
        fd_t c;
        int e = 0, branch = 0, v2 = layout == PF_FASTDEC_V2;
        c.buf = body;
        c.len = body ? len : 0;
        c.off = 0;
        c.max_items = limits->max_items;
        c.items = 0;
        c.leg = FD_NO_LEG;
        c.sem = FD_SEM_NONE;
        c.sem_field = NULL;
        c.sem_n = c.sem_cap = 0;
        c.errstr = errstr;
        c.errstr_size = errstr_size;
        if (errstr && errstr_size)
                errstr[0] = '\0';
        pf_event_clear(ev);

        FD(FD_STR(&c, "event_id", ev->event_id));
        FD(fd_enum(&c, "source", 2, &e));
        ev->source = (pf_source_t)e;
        FD(fd_enum(&c, "push_kind", 6, &e));
        ev->push_kind = (pf_push_kind_t)e;
        FD(fd_long(&c, "long", "sent_at", &ev->sent_at));
        FD(FD_STR(&c, "carrier", ev->carrier));

        FD(FD_STR(&c, "flight.number", ev->flight.number));
        FD(FD_STR(&c, "flight.origin_airport", ev->flight.origin_airport));
        FD(FD_STR(&c, "flight.origin_country", ev->flight.origin_country));
        FD(FD_STR(&c, "flight.destination_airport", ev->flight.destination_airport));
        FD(FD_STR(&c, "flight.destination_country", ev->flight.destination_country));
        FD(fd_long(&c, "long", "flight.scheduled_departure", &ev->flight.scheduled_departure));
        FD(fd_long(&c, "long", "flight.scheduled_arrival", &ev->flight.scheduled_arrival));
        FD(fd_enum(&c, "flight.direction", 2, &e));
        ev->flight.direction = (pf_direction_t)e;

        FD(FD_STR(&c, "traveller.given_names", ev->traveller.given_names));
        FD(FD_STR(&c, "traveller.surname", ev->traveller.surname));
        FD(FD_OPT_STR(&c, "traveller.date_of_birth", ev->traveller.date_of_birth));
        FD(fd_enum(&c, "traveller.gender", 4, &e));
        ev->traveller.gender = (pf_gender_t)e;
        FD(FD_OPT_STR(&c, "traveller.nationality", ev->traveller.nationality));
        if (v2)
                FD(FD_OPT_STR(&c, "traveller.residence", ev->traveller.residence));

        FD(fd_union2(&c, "document", &branch));
        ev->has_document = branch == 1;
        if (branch) {
                FD(fd_enum(&c, "document.type", 5, &e));
                ev->document.type = (pf_doc_type_t)e;
                FD(FD_STR(&c, "document.number", ev->document.number));
                FD(FD_STR(&c, "document.issuing_country", ev->document.issuing_country));
                FD(fd_opt_int(&c, "document.issue_date", &ev->document.issue_date));
                FD(fd_opt_int(&c, "document.expiry_date", &ev->document.expiry_date));
        }

        FD(fd_union2(&c, "booking", &branch));
        ev->has_booking = branch == 1;
        if (branch)
                FD(fd_booking(&c, ev, v2));

        if (c.off != c.len) {
                if (errstr && errstr_size)
                        snprintf(errstr, errstr_size,
                                 "(root): %zu trailing byte(s) after the datum ended at offset %zu",
                                 c.len - c.off, c.off);
                return PF_ERR_TRAILING_BYTES;
        }
        if (FD_UNLIKELY(c.sem != FD_SEM_NONE))
                return fd_sem_report(&c);
        return PF_OK;
}
