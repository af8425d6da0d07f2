/**
 * @file avro_check.c
 * @brief Bounded walk of an untrusted Avro binary datum against its writer schema.
 *
 * The walk is recursive; every record, array, map and union adds one level, and every cycle in an
 * Avro schema passes through a named record, so the depth limit also bounds recursive schemas and
 * the C stack. Error messages carry the field path and byte offsets, and deliberately never the
 * bytes or decoded values of the datum: a dead letter's reason must not leak personal data.
 */
#include "avro_check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PF_AVRO_DEFAULT_MAX_DEPTH 32
#define PF_AVRO_DEFAULT_MAX_ITEMS 65536
#define PF_AVRO_LINK_HOPS_MAX     8 /* a link always targets a named type; guard anyway */

#define PF_AVRO_CHECK_SEGS 64

/** Walk state: bounded cursor over the payload, field path, limits, error sink. */
typedef struct pf_avro_check_s {
        const uint8_t *buf;
        size_t len;
        size_t off; /* invariant: off <= len */
        size_t max_depth;
        size_t max_items;
        size_t items; /* array/map items seen so far in this datum */
        char *errstr;
        size_t errstr_size;
        /* The field path, as segments: formatted only when an error is reported, since the happy
         * path of every event would otherwise pay for a printf per field. */
        size_t nseg; /* may exceed PF_AVRO_CHECK_SEGS: the deeper segments are not kept */
        struct {
                const char *name; /* PF_SEG_FIELD */
                size_t index;     /* PF_SEG_ITEM, PF_SEG_ENTRY */
                uint8_t kind;
        } seg[PF_AVRO_CHECK_SEGS];
} pf_avro_check_t;

enum { PF_SEG_FIELD, PF_SEG_ITEM, PF_SEG_ENTRY, PF_SEG_KEY };

static pf_err_t pf_avro_check_value(pf_avro_check_t *chk, avro_schema_t schema, size_t depth);

/** Formats the path (".name", "[3]", "{3}", ".(key)" segments) into @p out; "..." if cut. */
static void pf_avro_check_path(const pf_avro_check_t *chk, char *out, size_t cap) {
        size_t n = 0, kept = chk->nseg < PF_AVRO_CHECK_SEGS ? chk->nseg : PF_AVRO_CHECK_SEGS;
        int cut = chk->nseg > kept;
        out[0] = '\0';
        for (size_t i = 0; i < kept && !cut; i++) {
                int w;
                size_t room = cap - n;
                switch (chk->seg[i].kind) {
                case PF_SEG_FIELD:
                        w = snprintf(out + n, room, "%s%s", n > 0 ? "." : "", chk->seg[i].name);
                        break;
                case PF_SEG_ITEM:
                        w = snprintf(out + n, room, "[%zu]", chk->seg[i].index);
                        break;
                case PF_SEG_ENTRY:
                        w = snprintf(out + n, room, "{%zu}", chk->seg[i].index);
                        break;
                default:
                        w = snprintf(out + n, room, ".(key)");
                        break;
                }
                if (w < 0 || (size_t)w >= room) {
                        out[n] = '\0';
                        cut = 1;
                } else {
                        n += (size_t)w;
                }
        }
        if (cut && n + 4 < cap)
                memcpy(out + n, "...", 4);
}

/*
 * Error reporting and field path.
 */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static pf_err_t
pf_avro_check_fail(pf_avro_check_t *chk, pf_err_t err, const char *fmt, ...) {
        va_list ap;
        char path[PF_AVRO_CHECK_PATH_MAX];
        int n;

        if (chk->errstr == NULL || chk->errstr_size == 0)
                return err;
        pf_avro_check_path(chk, path, sizeof(path));
        n = snprintf(chk->errstr, chk->errstr_size, "%s: ", path[0] ? path : "(root)");
        if (n < 0 || (size_t)n >= chk->errstr_size)
                return err;
        va_start(ap, fmt);
        vsnprintf(chk->errstr + n, chk->errstr_size - (size_t)n, fmt, ap);
        va_end(ap);
        return err;
}

/** @brief Appends a path segment. @returns the previous depth, for pf_avro_check_path_pop(). */
static size_t pf_avro_check_path_push(pf_avro_check_t *chk, uint8_t kind, const char *name,
                                      size_t index) {
        size_t saved = chk->nseg;
        if (chk->nseg < PF_AVRO_CHECK_SEGS) {
                chk->seg[chk->nseg].kind = kind;
                chk->seg[chk->nseg].name = name;
                chk->seg[chk->nseg].index = index;
        }
        chk->nseg++;
        return saved;
}

static void pf_avro_check_path_pop(pf_avro_check_t *chk, size_t saved) {
        chk->nseg = saved;
}

/*
 * Bounded cursor.
 */

static size_t pf_avro_check_left(const pf_avro_check_t *chk) {
        return chk->len - chk->off;
}

/** @brief Consumes n bytes. @returns PF_OK or PF_ERR_TRUNCATED. */
static pf_err_t pf_avro_check_skip(pf_avro_check_t *chk, size_t n, const char *what) {
        if (n > pf_avro_check_left(chk))
                return pf_avro_check_fail(chk, PF_ERR_TRUNCATED,
                                          "%s needs %zu bytes but only %zu are left at offset %zu",
                                          what, n, pf_avro_check_left(chk), chk->off);
        chk->off += n;
        return PF_OK;
}

/**
 * @brief Reads an unsigned base-128 varint of at most max_bytes bytes (10 for long, 5 for int).
 * @returns PF_OK, PF_ERR_TRUNCATED, or PF_ERR_BAD_VARINT when too long or when the last byte
 *          carries bits the type cannot hold.
 */
static pf_err_t pf_avro_check_varint(pf_avro_check_t *chk, size_t max_bytes, const char *what,
                                     uint64_t *out) {
        size_t start = chk->off;
        uint64_t value = 0;
        size_t i;

        for (i = 0; i < max_bytes; i++) {
                uint8_t b;

                if (chk->off >= chk->len)
                        return pf_avro_check_fail(
                                chk, PF_ERR_TRUNCATED,
                                "%s varint starting at offset %zu is cut off at offset %zu", what,
                                start, chk->off);
                b = chk->buf[chk->off++];
                value |= (uint64_t)(b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                        /* The 10th byte of a long may only carry bit 63, the 5th byte of an
                         * int only bits 28..31: anything more would not fit the type. */
                        if (i == 9 && b > 0x01)
                                break;
                        if (max_bytes == 5 && i == 4 && b > 0x0f)
                                break;
                        *out = value;
                        return PF_OK;
                }
        }
        return pf_avro_check_fail(chk, PF_ERR_BAD_VARINT,
                                  "%s varint at offset %zu is longer than %zu bytes or overflows",
                                  what, start, max_bytes);
}

/** @brief Reads a zig-zag long. @returns as pf_avro_check_varint(). */
static pf_err_t pf_avro_check_long(pf_avro_check_t *chk, const char *what, int64_t *out) {
        uint64_t raw = 0;
        pf_err_t err = pf_avro_check_varint(chk, 10, what, &raw);

        if (err != PF_OK)
                return err;
        /* zig-zag without signed overflow: even -> raw/2, odd -> -(raw/2) - 1 */
        *out = (raw & 1) ? -(int64_t)(raw >> 1) - 1 : (int64_t)(raw >> 1);
        return PF_OK;
}

/*
 * UTF-8 (Unicode 15, table 3-7: well-formed byte sequences).
 */

/** @returns the offset of the first invalid sequence in s[0..n), or n when s is valid UTF-8. */
static size_t pf_avro_check_utf8(const uint8_t *s, size_t n) {
        size_t i = 0;

        while (i < n) {
                uint8_t c = s[i];
                uint8_t lo = 0x80, hi = 0xbf;
                size_t need, k;

                if (c < 0x80) {
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
                        return i; /* continuation byte, C0/C1 overlong lead, or F5..FF */
                if (c == 0xe0)
                        lo = 0xa0; /* overlong */
                else if (c == 0xed)
                        hi = 0x9f; /* UTF-16 surrogates */
                else if (c == 0xf0)
                        lo = 0x90; /* overlong */
                else if (c == 0xf4)
                        hi = 0x8f; /* above U+10FFFF */
                if (need > n - i - 1)
                        return i;
                if (s[i + 1] < lo || s[i + 1] > hi)
                        return i;
                for (k = 2; k <= need; k++)
                        if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                                return i;
                i += need + 1;
        }
        return n;
}

/*
 * Per-type checks.
 */

/** @brief string or bytes: length varint, then that many bytes (UTF-8 for strings). */
static pf_err_t pf_avro_check_blob(pf_avro_check_t *chk, int is_string) {
        const char *what = is_string ? "string" : "bytes";
        int64_t blob_len = 0;
        size_t bad;
        pf_err_t err;

        if ((err = pf_avro_check_long(chk, is_string ? "string length" : "bytes length",
                                      &blob_len)) != PF_OK)
                return err;
        if (blob_len < 0)
                return pf_avro_check_fail(chk, PF_ERR_BAD_LENGTH,
                                          "%s length %" PRId64 " is negative at offset %zu", what,
                                          blob_len, chk->off);
        if ((uint64_t)blob_len > pf_avro_check_left(chk))
                return pf_avro_check_fail(chk, PF_ERR_BAD_LENGTH,
                                          "%s length %" PRId64
                                          " exceeds the %zu bytes left at offset %zu",
                                          what, blob_len, pf_avro_check_left(chk), chk->off);
        if (is_string) {
                bad = pf_avro_check_utf8(chk->buf + chk->off, (size_t)blob_len);
                if (bad != (size_t)blob_len)
                        return pf_avro_check_fail(chk, PF_ERR_BAD_UTF8,
                                                  "string of %" PRId64
                                                  " bytes at offset %zu is not valid UTF-8 "
                                                  "(first bad byte at offset %zu)",
                                                  blob_len, chk->off, chk->off + bad);
        }
        chk->off += (size_t)blob_len;
        return PF_OK;
}

static pf_err_t pf_avro_check_int(pf_avro_check_t *chk) {
        uint64_t raw = 0;

        return pf_avro_check_varint(chk, 5, "int", &raw);
}

static pf_err_t pf_avro_check_boolean(pf_avro_check_t *chk) {
        if (chk->off >= chk->len)
                return pf_avro_check_fail(chk, PF_ERR_TRUNCATED,
                                          "boolean needs 1 byte but none is left at offset %zu",
                                          chk->off);
        if (chk->buf[chk->off] > 1)
                return pf_avro_check_fail(chk, PF_ERR_INVALID_VALUE,
                                          "boolean byte at offset %zu is neither 0 nor 1",
                                          chk->off);
        chk->off++;
        return PF_OK;
}

static pf_err_t pf_avro_check_fixed(pf_avro_check_t *chk, avro_schema_t schema) {
        int64_t size = avro_schema_fixed_size(schema);

        if (size < 0)
                return pf_avro_check_fail(chk, PF_ERR_INTERNAL, "fixed schema has negative size");
        if ((uint64_t)size > pf_avro_check_left(chk))
                return pf_avro_check_fail(chk, PF_ERR_TRUNCATED,
                                          "fixed needs %" PRId64
                                          " bytes but only %zu are left at offset %zu",
                                          size, pf_avro_check_left(chk), chk->off);
        chk->off += (size_t)size;
        return PF_OK;
}

static pf_err_t pf_avro_check_enum(pf_avro_check_t *chk, avro_schema_t schema) {
        int64_t count = avro_schema_enum_number_of_symbols(schema);
        size_t start = chk->off;
        int64_t index = 0;
        pf_err_t err;

        if ((err = pf_avro_check_long(chk, "enum index", &index)) != PF_OK)
                return err;
        if (index < 0 || index >= count)
                return pf_avro_check_fail(chk, PF_ERR_BAD_ENUM,
                                          "enum index %" PRId64 " at offset %zu is outside "
                                          "[0, %" PRId64 ")",
                                          index, start, count);
        return PF_OK;
}

static pf_err_t pf_avro_check_union(pf_avro_check_t *chk, avro_schema_t schema, size_t depth) {
        size_t count = avro_schema_union_size(schema);
        size_t start = chk->off;
        avro_schema_t branch;
        int64_t index = 0;
        pf_err_t err;

        if ((err = pf_avro_check_long(chk, "union index", &index)) != PF_OK)
                return err;
        if (index < 0 || (uint64_t)index >= count || index > INT32_MAX)
                return pf_avro_check_fail(chk, PF_ERR_BAD_UNION,
                                          "union index %" PRId64 " at offset %zu is outside "
                                          "[0, %zu)",
                                          index, start, count);
        branch = avro_schema_union_branch(schema, (int)index);
        if (branch == NULL)
                return pf_avro_check_fail(chk, PF_ERR_INTERNAL,
                                          "union branch %" PRId64 " missing from schema", index);
        return pf_avro_check_value(chk, branch, depth);
}

static pf_err_t pf_avro_check_record(pf_avro_check_t *chk, avro_schema_t schema, size_t depth) {
        size_t count = avro_schema_record_size(schema);
        size_t i;

        for (i = 0; i < count && i <= INT32_MAX; i++) {
                const char *name = avro_schema_record_field_name(schema, (int)i);
                avro_schema_t field = avro_schema_record_field_get_by_index(schema, (int)i);
                size_t saved;
                pf_err_t err;

                if (field == NULL)
                        return pf_avro_check_fail(chk, PF_ERR_INTERNAL,
                                                  "record field %zu missing from schema", i);
                saved = pf_avro_check_path_push(chk, PF_SEG_FIELD, name != NULL ? name : "?", 0);
                err = pf_avro_check_value(chk, field, depth);
                if (err != PF_OK)
                        return err; /* keep the path: it names the failing field */
                pf_avro_check_path_pop(chk, saved);
        }
        return PF_OK;
}

/** @brief A map key: a string, reported as "<map>{i}.(key)" so it is not taken for the value. */
static pf_err_t pf_avro_check_key(pf_avro_check_t *chk) {
        size_t saved = pf_avro_check_path_push(chk, PF_SEG_KEY, NULL, 0);
        pf_err_t err = pf_avro_check_blob(chk, 1);

        if (err == PF_OK)
                pf_avro_check_path_pop(chk, saved);
        return err;
}

/**
 * @brief Reads one block header of an array or map.
 *
 * A negative count announces |count| items followed by the block's byte size, which must fit the
 * payload; *block_end is set to where the block must end, or SIZE_MAX when no size was given.
 * @returns PF_OK, PF_ERR_TRUNCATED, PF_ERR_BAD_VARINT, PF_ERR_BAD_LENGTH or PF_ERR_TOO_LARGE.
 */
static pf_err_t pf_avro_check_block(pf_avro_check_t *chk, const char *what, uint64_t *count,
                                    size_t *block_end) {
        size_t start = chk->off;
        int64_t raw = 0, size = 0;
        pf_err_t err;

        *block_end = SIZE_MAX;
        if ((err = pf_avro_check_long(chk, "block count", &raw)) != PF_OK)
                return err;
        *count = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
        if (*count > chk->max_items - chk->items)
                return pf_avro_check_fail(chk, PF_ERR_TOO_LARGE,
                                          "%s block at offset %zu has %" PRIu64
                                          " items; the datum may hold %zu in all, %zu are used",
                                          what, start, *count, chk->max_items, chk->items);
        if (raw >= 0)
                return PF_OK;
        if ((err = pf_avro_check_long(chk, "block size", &size)) != PF_OK)
                return err;
        if (size < 0 || (uint64_t)size > pf_avro_check_left(chk))
                return pf_avro_check_fail(chk, PF_ERR_BAD_LENGTH,
                                          "%s block size %" PRId64
                                          " at offset %zu is negative or exceeds the "
                                          "%zu bytes left",
                                          what, size, start, pf_avro_check_left(chk));
        *block_end = chk->off + (size_t)size;
        return PF_OK;
}

/** @brief Array or map: blocks of items until a zero count; map items are a key then a value. */
static pf_err_t pf_avro_check_collection(pf_avro_check_t *chk, avro_schema_t schema, size_t depth) {
        int is_map = is_avro_map(schema);
        const char *what = is_map ? "map" : "array";
        avro_schema_t item =
                is_map ? avro_schema_map_values(schema) : avro_schema_array_items(schema);
        size_t index = 0;

        if (item == NULL)
                return pf_avro_check_fail(chk, PF_ERR_INTERNAL, "%s schema has no item type", what);
        for (;;) {
                size_t block_start, block_end, saved;
                uint64_t count = 0, i;
                pf_err_t err;

                if ((err = pf_avro_check_block(chk, what, &count, &block_end)) != PF_OK)
                        return err;
                if (count == 0)
                        return PF_OK;
                chk->items += (size_t)count;
                block_start = chk->off;
                for (i = 0; i < count; i++, index++) {
                        saved = pf_avro_check_path_push(chk, is_map ? PF_SEG_ENTRY : PF_SEG_ITEM,
                                                        NULL, index);
                        if (is_map && (err = pf_avro_check_key(chk)) != PF_OK)
                                return err;
                        if ((err = pf_avro_check_value(chk, item, depth)) != PF_OK)
                                return err;
                        pf_avro_check_path_pop(chk, saved);
                }
                if (block_end != SIZE_MAX && chk->off != block_end)
                        return pf_avro_check_fail(
                                chk, PF_ERR_BAD_LENGTH,
                                "%s block at offset %zu declares %zu bytes but its items use %zu",
                                what, block_start, block_end - block_start, chk->off - block_start);
        }
}

/** @brief Follows AVRO_LINK schemas (named references) to the named type they denote. */
static avro_schema_t pf_avro_check_resolve(avro_schema_t schema) {
        int hops;

        for (hops = 0; hops < PF_AVRO_LINK_HOPS_MAX && is_avro_link(schema); hops++)
                schema = avro_schema_link_target(schema);
        return is_avro_link(schema) ? NULL : schema;
}

/** @brief Checks one value of `schema` at the cursor; depth counts enclosing containers. */
static pf_err_t pf_avro_check_value(pf_avro_check_t *chk, avro_schema_t schema, size_t depth) {
        schema = pf_avro_check_resolve(schema);
        if (schema == NULL)
                return pf_avro_check_fail(chk, PF_ERR_INTERNAL, "unresolved schema reference");

        switch (avro_typeof(schema)) {
        case AVRO_NULL:
                return PF_OK;
        case AVRO_BOOLEAN:
                return pf_avro_check_boolean(chk);
        case AVRO_INT32:
                return pf_avro_check_int(chk);
        case AVRO_INT64: {
                int64_t value;
                return pf_avro_check_long(chk, "long", &value);
        }
        case AVRO_FLOAT:
                return pf_avro_check_skip(chk, 4, "float");
        case AVRO_DOUBLE:
                return pf_avro_check_skip(chk, 8, "double");
        case AVRO_STRING:
                return pf_avro_check_blob(chk, 1);
        case AVRO_BYTES:
                return pf_avro_check_blob(chk, 0);
        case AVRO_FIXED:
                return pf_avro_check_fixed(chk, schema);
        case AVRO_ENUM:
                return pf_avro_check_enum(chk, schema);
        case AVRO_RECORD:
        case AVRO_ARRAY:
        case AVRO_MAP:
        case AVRO_UNION:
                break;
        default:
                return pf_avro_check_fail(chk, PF_ERR_INTERNAL, "unsupported schema type %d",
                                          (int)avro_typeof(schema));
        }

        if (depth >= chk->max_depth)
                return pf_avro_check_fail(chk, PF_ERR_TOO_LARGE,
                                          "nesting deeper than %zu levels at offset %zu",
                                          chk->max_depth, chk->off);
        if (is_avro_record(schema))
                return pf_avro_check_record(chk, schema, depth + 1);
        if (is_avro_union(schema))
                return pf_avro_check_union(chk, schema, depth + 1);
        return pf_avro_check_collection(chk, schema, depth + 1);
}

pf_err_t pf_avro_check(avro_schema_t schema, const void *buf, size_t len,
                       const pf_avro_limits_t *limits, char *errstr, size_t errstr_size) {
        pf_avro_check_t chk;
        pf_err_t err;

        chk.off = 0; /* the segments need no clearing: nseg bounds what is read */
        chk.items = 0;
        chk.nseg = 0;
        chk.buf = buf;
        chk.len = len;
        chk.max_depth = limits ? limits->max_depth : PF_AVRO_DEFAULT_MAX_DEPTH;
        if (chk.max_depth > PF_AVRO_CHECK_DEPTH_HARD_MAX)
                chk.max_depth = PF_AVRO_CHECK_DEPTH_HARD_MAX;
        chk.max_items = limits ? limits->max_items : PF_AVRO_DEFAULT_MAX_ITEMS;
        chk.errstr = errstr;
        chk.errstr_size = errstr_size;
        if (errstr != NULL && errstr_size > 0)
                errstr[0] = '\0';

        if (schema == NULL || !is_avro_schema(schema))
                return pf_avro_check_fail(&chk, PF_ERR_INTERNAL, "no schema");
        if (buf == NULL && len > 0)
                return pf_avro_check_fail(&chk, PF_ERR_INTERNAL, "NULL buffer of %zu bytes", len);
        if ((err = pf_avro_check_value(&chk, schema, 0)) != PF_OK)
                return err;
        if (chk.off != chk.len) {
                chk.nseg = 0;
                return pf_avro_check_fail(
                        &chk, PF_ERR_TRAILING_BYTES,
                        "%zu trailing byte(s) after the datum ended at offset %zu",
                        chk.len - chk.off, chk.off);
        }
        return PF_OK;
}
