/**
 * @file codec.c
 * @brief Confluent wire format + Avro binary <-> C structs, on avro-c.
 *
 * avro-c stays the authority on schemas and resolution; pf_avro_check() guards it against the
 * malformed input it does not bounds-check itself. On the hot path, PassengerEvents whose writer
 * has the canonical form of a shipped version are decoded by fastdec.c in one pass, and results
 * written by fastenc.c; both give exactly what the avro-c path gives (pf_codec_set_fast_decode(),
 * pf_codec_set_fast_encode() switch them off, for the differential tests).
 */
#include "codec.h"

#include <avro.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_check.h"
#include "fastdec.h"
#include "fastenc.h"

#define PF_CODEC_MAX_SCHEMAS 64

/** Reading state for one writer schema id: the resolved writer wraps the reader value. */
typedef struct pf_codec_reader_s {
        int32_t writer_id;
        avro_schema_t writer; /* owned when it came from the registry; NULL for a shipped one */
        avro_schema_t reader; /* the reader schema projected onto this writer's fields */
        avro_value_iface_t *reader_iface;
        avro_value_t value; /* what the event is read into */
        avro_value_iface_t *resolved_iface;
        avro_value_t resolved;
        /* The writer's layout when fastdec.c knows it (by canonical form): then its messages skip
         * the pre-check and avro-c, whose reading state above still proves the resolution. */
        pf_fastdec_layout_t fast;
} pf_codec_reader_t;

/** Writing state for one schema id: a generic value of that schema, reused. */
typedef struct pf_codec_writer_s {
        int32_t id;
        avro_value_iface_t *iface;
        avro_value_t value;
} pf_codec_writer_t;

struct pf_codec_s {
        const pf_schemas_t *schemas;
        pf_registry_t *registry; /* borrowed; NULL: shipped schemas only */
        pf_codec_conf_t conf;
        pf_avro_limits_t limits;
        int32_t event_reader_id; /* newest PassengerEvent */
        int fast_ok;             /* the reader and the limits are those fastdec.c was written for */
        int fast_on;             /* pf_codec_set_fast_decode(); on by default */
        uint64_t fast_count;     /* messages the fast decoder decoded */
        int32_t result_fast_id;  /* ScoredResult id fastenc.c writes, or -1: avro-c encodes */
        int fast_enc_on;         /* pf_codec_set_fast_encode(); on by default */
        pf_codec_reader_t readers[PF_CODEC_MAX_SCHEMAS];
        size_t reader_count;
        pf_codec_writer_t writers[PF_CODEC_MAX_SCHEMAS];
        size_t writer_count;
        avro_reader_t mem_reader;
        avro_writer_t mem_writer;
        uint8_t *out;
        size_t out_cap;
};

/* ------------------------------------------------------------------ wire */

pf_err_t pf_wire_parse(const void *buf, size_t len, int32_t *schema_id) {
        const uint8_t *p = buf;
        if (!buf || len < PF_WIRE_HEADER || p[0] != 0)
                return PF_ERR_NOT_WIRE_FORMAT;
        *schema_id = (int32_t)(((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) |
                               ((uint32_t)p[3] << 8) | (uint32_t)p[4]);
        return PF_OK;
}

void pf_wire_header(uint8_t out[PF_WIRE_HEADER], int32_t schema_id) {
        uint32_t id = (uint32_t)schema_id;
        out[0] = 0;
        out[1] = (uint8_t)(id >> 24);
        out[2] = (uint8_t)(id >> 16);
        out[3] = (uint8_t)(id >> 8);
        out[4] = (uint8_t)id;
}

/* ------------------------------------------------------------------ life cycle */

pf_codec_t *pf_codec_new(const pf_schemas_t *schemas, const pf_codec_conf_t *conf, char *errstr,
                         size_t errstr_size) {
        pf_codec_t *codec = calloc(1, sizeof(*codec));
        if (!codec) {
                snprintf(errstr, errstr_size, "out of memory");
                return NULL;
        }
        codec->schemas = schemas;
        codec->conf.max_message_bytes = 1u << 20;
        codec->conf.max_depth = 32;
        codec->conf.max_items = 4096;
        if (conf) {
                if (conf->max_message_bytes)
                        codec->conf.max_message_bytes = conf->max_message_bytes;
                if (conf->max_depth)
                        codec->conf.max_depth = conf->max_depth;
                if (conf->max_items)
                        codec->conf.max_items = conf->max_items;
        }
        codec->limits.max_depth = codec->conf.max_depth;
        codec->limits.max_items = codec->conf.max_items;

        codec->event_reader_id = pf_schemas_latest_id(schemas, "PassengerEvent");
        if (codec->event_reader_id < 0) {
                snprintf(errstr, errstr_size, "no PassengerEvent schema shipped");
                goto err;
        }
        /* fastdec.c fills pf_event_t as a reader of version 2 does, and never meets the depth
         * limit: anything else (a newer reader, a tiny max_depth) decodes through avro-c. */
        codec->fast_ok = pf_fastdec_layout_of(pf_schemas_get(schemas, codec->event_reader_id,
                                                             NULL)) == PF_FASTDEC_V2 &&
                         codec->limits.max_depth >= PF_FASTDEC_MIN_DEPTH;
        codec->fast_on = 1;
        /* Results: hand-written when the newest ScoredResult is the layout fastenc.c writes. */
        codec->result_fast_id = pf_schemas_latest_id(schemas, "ScoredResult");
        if (codec->result_fast_id >= 0) {
                char *form = pf_avro_canonical_form(
                        pf_schemas_get(schemas, codec->result_fast_id, NULL));
                if (!form || strcmp(form, pf_fastenc_canonical_result) != 0)
                        codec->result_fast_id = -1;
                free(form);
        }
        codec->fast_enc_on = 1;
        /* A DLQ record holds the whole original message, so the output buffer is sized for it. */
        codec->out_cap = codec->conf.max_message_bytes * 2 + 4096;
        codec->out = malloc(codec->out_cap);
        codec->mem_reader = avro_reader_memory(NULL, 0);
        codec->mem_writer = avro_writer_memory((char *)codec->out, codec->out_cap);
        if (!codec->out || !codec->mem_reader || !codec->mem_writer) {
                snprintf(errstr, errstr_size, "out of memory");
                goto err;
        }
        return codec;
err:
        pf_codec_destroy(codec);
        return NULL;
}

void pf_codec_destroy(pf_codec_t *codec) {
        if (!codec)
                return;
        for (size_t i = 0; i < codec->reader_count; i++) {
                avro_value_decref(&codec->readers[i].resolved);
                avro_value_iface_decref(codec->readers[i].resolved_iface);
                avro_value_decref(&codec->readers[i].value);
                avro_value_iface_decref(codec->readers[i].reader_iface);
                avro_schema_decref(codec->readers[i].reader);
                if (codec->readers[i].writer)
                        avro_schema_decref(codec->readers[i].writer);
        }
        for (size_t i = 0; i < codec->writer_count; i++) {
                avro_value_decref(&codec->writers[i].value);
                avro_value_iface_decref(codec->writers[i].iface);
        }
        if (codec->mem_reader)
                avro_reader_free(codec->mem_reader);
        if (codec->mem_writer)
                avro_writer_free(codec->mem_writer);
        free(codec->out);
        free(codec);
}

void pf_codec_set_registry(pf_codec_t *codec, pf_registry_t *registry) {
        codec->registry = registry;
}

void pf_codec_set_fast_decode(pf_codec_t *codec, int on) {
        codec->fast_on = on;
}

uint64_t pf_codec_fast_count(const pf_codec_t *codec) {
        return codec->fast_count;
}

void pf_codec_set_fast_encode(pf_codec_t *codec, int on) {
        codec->fast_enc_on = on;
}

/* ------------------------------------------------------------------ decode helpers */

/*
 * avro-c 1.11.1 resolves promotions, reordered fields, enum symbols and union branches, but not a
 * reader field that the writer lacks: it rejects the pair instead of using the field's default.
 * So for each writer version we "project" the reader schema: drop the reader fields the writer's
 * record of the same name does not have, provided they default to null. avro-c then resolves
 * writer -> projection, and the decoder treats a field absent from the projection as its default.
 */

/** @returns a record's name without its namespace: a writer from a registry may spell it in full.
 */
static const char *codec_short_name(json_t *record) {
        const char *name = json_string_value(json_object_get(record, "name"));
        const char *dot = name ? strrchr(name, '.') : NULL;
        return dot ? dot + 1 : name;
}

/** Collects "record name -> field-name array" for every record of a schema JSON. */
static void codec_collect_records(json_t *node, json_t *records) {
        if (json_is_array(node)) {
                size_t i;
                json_t *item;
                json_array_foreach(node, i, item) codec_collect_records(item, records);
                return;
        }
        if (!json_is_object(node))
                return;
        const char *type = json_string_value(json_object_get(node, "type"));
        if (type && strcmp(type, "record") == 0) {
                json_t *names = json_object();
                size_t i;
                json_t *field;
                json_array_foreach(json_object_get(node, "fields"), i, field) {
                        json_object_set_new(names,
                                            json_string_value(json_object_get(field, "name")),
                                            json_true());
                        codec_collect_records(json_object_get(field, "type"), records);
                }
                json_object_set_new(records, codec_short_name(node), names);
                return;
        }
        codec_collect_records(json_object_get(node, "type"), records);
        codec_collect_records(json_object_get(node, "items"), records);
        codec_collect_records(json_object_get(node, "values"), records);
}

/** Drops, in place, reader fields absent from the writer. @returns 0, or -1 if one has no null
 * default. */
static int codec_project(json_t *node, json_t *writer_records, char *errstr, size_t errstr_size) {
        if (json_is_array(node)) {
                size_t i;
                json_t *item;
                json_array_foreach(node, i, item) if (codec_project(item, writer_records, errstr,
                                                                    errstr_size)) return -1;
                return 0;
        }
        if (!json_is_object(node))
                return 0;
        const char *type = json_string_value(json_object_get(node, "type"));
        if (type && strcmp(type, "record") == 0) {
                const char *name = codec_short_name(node);
                json_t *wfields = json_object_get(writer_records, name ? name : "");
                json_t *fields = json_object_get(node, "fields");
                for (size_t i = 0; i < json_array_size(fields);) {
                        json_t *field = json_array_get(fields, i);
                        const char *fname = json_string_value(json_object_get(field, "name"));
                        if (wfields && !json_object_get(wfields, fname ? fname : "")) {
                                json_t *dflt = json_object_get(field, "default");
                                if (!dflt || !json_is_null(dflt)) {
                                        snprintf(errstr, errstr_size,
                                                 "reader field %s.%s is missing from the writer "
                                                 "and has no null default",
                                                 name, fname);
                                        return -1;
                                }
                                json_array_remove(fields, i);
                                continue;
                        }
                        if (codec_project(json_object_get(field, "type"), writer_records, errstr,
                                          errstr_size))
                                return -1;
                        i++;
                }
                return 0;
        }
        if (codec_project(json_object_get(node, "type"), writer_records, errstr, errstr_size) ||
            codec_project(json_object_get(node, "items"), writer_records, errstr, errstr_size) ||
            codec_project(json_object_get(node, "values"), writer_records, errstr, errstr_size))
                return -1;
        return 0;
}

/** @returns the reader schema projected onto the writer's fields (caller decrefs), or NULL. */
static avro_schema_t codec_projection(const char *reader_json, const char *writer_json,
                                      char *errstr, size_t errstr_size) {
        avro_schema_t projected = NULL;
        json_t *reader = json_loads(reader_json, 0, NULL);
        json_t *writer = json_loads(writer_json, 0, NULL);
        json_t *writer_records = json_object();
        char *text = NULL;
        if (!reader || !writer || !writer_records) {
                snprintf(errstr, errstr_size, "cannot parse the schemas as JSON");
                goto done;
        }
        codec_collect_records(writer, writer_records);
        if (codec_project(reader, writer_records, errstr, errstr_size))
                goto done;
        text = json_dumps(reader, JSON_COMPACT);
        avro_schema_error_t ignored;
        if (!text || avro_schema_from_json(text, 0, &projected, &ignored)) {
                snprintf(errstr, errstr_size, "projected schema does not parse: %s",
                         avro_strerror());
                projected = NULL;
        }
done:
        free(text);
        json_decref(reader);
        json_decref(writer);
        json_decref(writer_records);
        return projected;
}

/** @returns the reading state of @p writer_id, or NULL when it has none yet. */
static pf_codec_reader_t *codec_reader_find(pf_codec_t *codec, int32_t writer_id) {
        for (size_t i = 0; i < codec->reader_count; i++)
                if (codec->readers[i].writer_id == writer_id)
                        return &codec->readers[i];
        return NULL;
}

/**
 * @returns the resolved writer for @p writer_id, creating it on first use from @p writer and
 * its JSON @p writer_json (NULL: the shipped schema of that id).
 */
static pf_codec_reader_t *codec_reader_get(pf_codec_t *codec, int32_t writer_id,
                                           avro_schema_t writer, const char *writer_json,
                                           char *errstr, size_t errstr_size) {
        const pf_schema_src_t *reader_src, *writer_src;
        pf_codec_reader_t *found = codec_reader_find(codec, writer_id);
        if (found)
                return found;
        if (codec->reader_count == PF_CODEC_MAX_SCHEMAS) {
                snprintf(errstr, errstr_size, "too many writer schemas");
                return NULL;
        }
        pf_schemas_get(codec->schemas, codec->event_reader_id, &reader_src);
        if (!writer_json) {
                pf_schemas_get(codec->schemas, writer_id, &writer_src);
                writer_json = writer_src->json;
        }
        pf_codec_reader_t *rd = &codec->readers[codec->reader_count];
        rd->reader = codec_projection(reader_src->json, writer_json, errstr, errstr_size);
        if (!rd->reader)
                return NULL;
        rd->reader_iface = avro_generic_class_from_schema(rd->reader);
        rd->resolved_iface = avro_resolved_writer_new(writer, rd->reader);
        if (!rd->reader_iface || !rd->resolved_iface) {
                snprintf(errstr, errstr_size,
                         "schema id %d cannot be read as the current version: %s", (int)writer_id,
                         avro_strerror());
                goto err;
        }
        if (avro_generic_value_new(rd->reader_iface, &rd->value))
                goto err;
        if (avro_resolved_writer_new_value(rd->resolved_iface, &rd->resolved)) {
                avro_value_decref(&rd->value);
                snprintf(errstr, errstr_size, "avro: %s", avro_strerror());
                goto err;
        }
        avro_resolved_writer_set_dest(&rd->resolved, &rd->value);
        rd->writer_id = writer_id;
        /* Decided once per writer, by its canonical form: never by trying a message. */
        rd->fast = codec->fast_ok ? pf_fastdec_layout_of(writer) : PF_FASTDEC_NONE;
        codec->reader_count++;
        return rd;
err:
        if (rd->resolved_iface)
                avro_value_iface_decref(rd->resolved_iface);
        if (rd->reader_iface)
                avro_value_iface_decref(rd->reader_iface);
        avro_schema_decref(rd->reader);
        memset(rd, 0, sizeof(*rd));
        return NULL;
}

static int codec_same_name(const char *a, const char *b) {
        return strcmp(a ? a : "", b ? b : "") == 0;
}

/**
 * Resolves a schema id that is not shipped through the registry: fetches the writer, checks that
 * it is a PassengerEvent and builds its reading state, which then serves every later message of
 * that id without asking the registry again. Errors never quote the schema.
 */
static pf_err_t codec_registry_reader(pf_codec_t *codec, int32_t id, pf_codec_reader_t **out,
                                      char *errstr, size_t errstr_size) {
        const char *json;
        char why[384];
        pf_err_t err = pf_registry_get(codec->registry, id, &json, why, sizeof(why));
        if (err == PF_ERR_UNKNOWN_SCHEMA) {
                snprintf(errstr, errstr_size,
                         "schema id %d is not known to this worker nor to the schema registry",
                         (int)id);
                return err;
        }
        if (err) {
                snprintf(errstr, errstr_size, "schema id %d: schema registry: %s", (int)id, why);
                return err;
        }
        avro_schema_t writer = NULL;
        avro_schema_t reader = pf_schemas_get(codec->schemas, codec->event_reader_id, NULL);
        if (avro_schema_from_json_length(json, strlen(json), &writer)) {
                snprintf(errstr, errstr_size,
                         "schema id %d from the schema registry is not a valid Avro schema",
                         (int)id);
                return PF_ERR_WRONG_SCHEMA;
        }
        if (!is_avro_record(writer) ||
            !codec_same_name(avro_schema_name(writer), avro_schema_name(reader)) ||
            !codec_same_name(avro_schema_namespace(writer), avro_schema_namespace(reader))) {
                snprintf(errstr, errstr_size,
                         "schema id %d from the schema registry is not a PassengerEvent", (int)id);
                avro_schema_decref(writer);
                return PF_ERR_WRONG_SCHEMA;
        }
        if (codec->reader_count == PF_CODEC_MAX_SCHEMAS) {
                snprintf(errstr, errstr_size, "schema id %d: too many writer schemas", (int)id);
                avro_schema_decref(writer);
                return PF_ERR_AVRO;
        }
        pf_codec_reader_t *rd = codec_reader_get(codec, id, writer, json, why, sizeof(why));
        if (!rd) {
                /* The registry's writer cannot be resolved to our reader schema. */
                snprintf(errstr, errstr_size, "schema id %d from the schema registry: %s", (int)id,
                         why);
                avro_schema_decref(writer);
                return PF_ERR_WRONG_SCHEMA;
        }
        rd->writer = writer;
        *out = rd;
        return PF_OK;
}

/** Decoding context: the path of the current field, for error messages. */
typedef struct pf_dec_s {
        char *errstr;
        size_t errstr_size;
} pf_dec_t;

static pf_err_t dec_fail(pf_dec_t *dec, pf_err_t err, const char *path, const char *what) {
        snprintf(dec->errstr, dec->errstr_size, "%s: %s", path, what);
        return err;
}

/** Gets field @p name of record @p rec; a union is unwrapped to its branch (*is_null when null). */
static pf_err_t dec_field(pf_dec_t *dec, avro_value_t *rec, const char *name, avro_value_t *out,
                          int *is_null) {
        avro_value_t field;
        *is_null = 0;
        if (avro_value_get_by_name(rec, name, &field, NULL)) {
                /* Not in the writer's version: the reader schema's default, null, applies. */
                *is_null = 1;
                return PF_OK;
        }
        if (avro_value_get_type(&field) == AVRO_UNION) {
                avro_value_t branch;
                if (avro_value_get_current_branch(&field, &branch))
                        return dec_fail(dec, PF_ERR_AVRO, name, "union without branch");
                if (avro_value_get_type(&branch) == AVRO_NULL) {
                        *is_null = 1;
                        return PF_OK;
                }
                *out = branch;
                return PF_OK;
        }
        *out = field;
        return PF_OK;
}

/** Copies string field @p name into dst[cap]; null or absent gives "". Too long is an error. */
static pf_err_t dec_str(pf_dec_t *dec, avro_value_t *rec, const char *name, char *dst, size_t cap) {
        avro_value_t v;
        int is_null;
        pf_err_t err = dec_field(dec, rec, name, &v, &is_null);
        dst[0] = '\0';
        if (err || is_null)
                return err;
        const char *s;
        size_t size; /* avro-c counts the NUL terminator */
        if (avro_value_get_string(&v, &s, &size))
                return dec_fail(dec, PF_ERR_AVRO, name, "not a string");
        size_t n = size ? size - 1 : 0;
        if (n >= cap) {
                char what[96];
                snprintf(what, sizeof(what), "%zu bytes, longer than the %zu allowed", n, cap - 1);
                return dec_fail(dec, PF_ERR_INVALID_VALUE, name, what);
        }
        if (memchr(s, '\0', n))
                return dec_fail(dec, PF_ERR_INVALID_VALUE, name, "embedded NUL byte");
        memcpy(dst, s, n);
        dst[n] = '\0';
        return PF_OK;
}

static pf_err_t dec_long(pf_dec_t *dec, avro_value_t *rec, const char *name, int64_t *dst,
                         int64_t dflt) {
        avro_value_t v;
        int is_null;
        pf_err_t err = dec_field(dec, rec, name, &v, &is_null);
        *dst = dflt;
        if (err || is_null)
                return err;
        if (avro_value_get_type(&v) == AVRO_INT32) {
                int32_t i = 0;
                avro_value_get_int(&v, &i);
                *dst = i;
                return PF_OK;
        }
        if (avro_value_get_long(&v, dst))
                return dec_fail(dec, PF_ERR_AVRO, name, "not a long");
        return PF_OK;
}

static pf_err_t dec_int(pf_dec_t *dec, avro_value_t *rec, const char *name, int32_t *dst,
                        int32_t dflt) {
        int64_t v;
        pf_err_t err = dec_long(dec, rec, name, &v, dflt);
        if (err)
                return err;
        if (v < INT32_MIN || v > INT32_MAX)
                return dec_fail(dec, PF_ERR_INVALID_VALUE, name, "out of int range");
        *dst = (int32_t)v;
        return PF_OK;
}

static pf_err_t dec_enum(pf_dec_t *dec, avro_value_t *rec, const char *name, int *dst) {
        avro_value_t v;
        int is_null;
        pf_err_t err = dec_field(dec, rec, name, &v, &is_null);
        if (err)
                return err;
        if (is_null || avro_value_get_enum(&v, dst))
                return dec_fail(dec, PF_ERR_AVRO, name, "not an enum");
        return PF_OK;
}

#define DEC(call)                                                                                  \
        do {                                                                                       \
                pf_err_t dec_err_ = (call);                                                        \
                if (dec_err_)                                                                      \
                        return dec_err_;                                                           \
        } while (0)

static pf_err_t dec_flight(pf_dec_t *dec, avro_value_t *rec, pf_event_t *ev) {
        int e;
        DEC(dec_str(dec, rec, "number", ev->flight.number, sizeof(ev->flight.number)));
        DEC(dec_str(dec, rec, "origin_airport", ev->flight.origin_airport,
                    sizeof(ev->flight.origin_airport)));
        DEC(dec_str(dec, rec, "origin_country", ev->flight.origin_country,
                    sizeof(ev->flight.origin_country)));
        DEC(dec_str(dec, rec, "destination_airport", ev->flight.destination_airport,
                    sizeof(ev->flight.destination_airport)));
        DEC(dec_str(dec, rec, "destination_country", ev->flight.destination_country,
                    sizeof(ev->flight.destination_country)));
        DEC(dec_long(dec, rec, "scheduled_departure", &ev->flight.scheduled_departure, 0));
        DEC(dec_long(dec, rec, "scheduled_arrival", &ev->flight.scheduled_arrival, 0));
        DEC(dec_enum(dec, rec, "direction", &e));
        ev->flight.direction = (pf_direction_t)e;
        return PF_OK;
}

static pf_err_t dec_traveller(pf_dec_t *dec, avro_value_t *rec, pf_event_t *ev) {
        int e;
        DEC(dec_str(dec, rec, "given_names", ev->traveller.given_names,
                    sizeof(ev->traveller.given_names)));
        DEC(dec_str(dec, rec, "surname", ev->traveller.surname, sizeof(ev->traveller.surname)));
        DEC(dec_str(dec, rec, "date_of_birth", ev->traveller.date_of_birth,
                    sizeof(ev->traveller.date_of_birth)));
        DEC(dec_enum(dec, rec, "gender", &e));
        ev->traveller.gender = (pf_gender_t)e;
        DEC(dec_str(dec, rec, "nationality", ev->traveller.nationality,
                    sizeof(ev->traveller.nationality)));
        DEC(dec_str(dec, rec, "residence", ev->traveller.residence,
                    sizeof(ev->traveller.residence)));
        return PF_OK;
}

static pf_err_t dec_document(pf_dec_t *dec, avro_value_t *rec, pf_event_t *ev) {
        int e;
        DEC(dec_enum(dec, rec, "type", &e));
        ev->document.type = (pf_doc_type_t)e;
        DEC(dec_str(dec, rec, "number", ev->document.number, sizeof(ev->document.number)));
        DEC(dec_str(dec, rec, "issuing_country", ev->document.issuing_country,
                    sizeof(ev->document.issuing_country)));
        DEC(dec_int(dec, rec, "issue_date", &ev->document.issue_date, PF_DATE_NONE));
        DEC(dec_int(dec, rec, "expiry_date", &ev->document.expiry_date, PF_DATE_NONE));
        return PF_OK;
}

static pf_err_t dec_leg(pf_dec_t *dec, avro_value_t *rec, pf_leg_t *leg) {
        DEC(dec_str(dec, rec, "carrier", leg->carrier, sizeof(leg->carrier)));
        DEC(dec_str(dec, rec, "flight_number", leg->flight_number, sizeof(leg->flight_number)));
        DEC(dec_str(dec, rec, "origin_airport", leg->origin_airport, sizeof(leg->origin_airport)));
        DEC(dec_str(dec, rec, "origin_country", leg->origin_country, sizeof(leg->origin_country)));
        DEC(dec_str(dec, rec, "destination_airport", leg->destination_airport,
                    sizeof(leg->destination_airport)));
        DEC(dec_str(dec, rec, "destination_country", leg->destination_country,
                    sizeof(leg->destination_country)));
        DEC(dec_long(dec, rec, "departure", &leg->departure, 0));
        DEC(dec_long(dec, rec, "arrival", &leg->arrival, 0));
        return PF_OK;
}

static pf_err_t dec_booking(pf_dec_t *dec, avro_value_t *rec, pf_event_t *ev) {
        int e, is_null;
        avro_value_t v;
        DEC(dec_str(dec, rec, "record_locator", ev->booking.record_locator,
                    sizeof(ev->booking.record_locator)));
        DEC(dec_long(dec, rec, "booked_at", &ev->booking.booked_at, 0));
        DEC(dec_enum(dec, rec, "payment_type", &e));
        ev->booking.payment_type = (pf_payment_t)e;
        DEC(dec_field(dec, rec, "card_holder_is_traveller", &v, &is_null));
        ev->booking.card_holder_is_traveller = -1;
        if (!is_null) {
                int b;
                if (avro_value_get_boolean(&v, &b))
                        return dec_fail(dec, PF_ERR_AVRO, "card_holder_is_traveller",
                                        "not a boolean");
                ev->booking.card_holder_is_traveller = b ? 1 : 0;
        }
        DEC(dec_str(dec, rec, "agency_id", ev->booking.agency_id, sizeof(ev->booking.agency_id)));
        DEC(dec_str(dec, rec, "agency_country", ev->booking.agency_country,
                    sizeof(ev->booking.agency_country)));
        DEC(dec_enum(dec, rec, "trip_type", &e));
        ev->booking.trip_type = (pf_trip_type_t)e;

        DEC(dec_field(dec, rec, "legs", &v, &is_null));
        size_t n = 0;
        avro_value_get_size(&v, &n);
        if (n > PF_LEGS_MAX)
                return dec_fail(dec, PF_ERR_TOO_LARGE, "booking.legs", "more than 16 legs");
        ev->booking.leg_count = (uint32_t)n;
        for (size_t i = 0; i < n; i++) {
                avro_value_t leg;
                if (avro_value_get_by_index(&v, i, &leg, NULL))
                        return dec_fail(dec, PF_ERR_AVRO, "booking.legs", "missing item");
                DEC(dec_leg(dec, &leg, &ev->booking.legs[i]));
        }
        DEC(dec_int(dec, rec, "co_traveller_count", &ev->booking.co_traveller_count, 0));
        DEC(dec_int(dec, rec, "bag_count", &ev->booking.bag_count, 0));
        DEC(dec_int(dec, rec, "bag_weight_kg", &ev->booking.bag_weight_kg, 0));
        DEC(dec_str(dec, rec, "contact_phone", ev->booking.contact_phone,
                    sizeof(ev->booking.contact_phone)));
        DEC(dec_str(dec, rec, "contact_email", ev->booking.contact_email,
                    sizeof(ev->booking.contact_email)));
        DEC(dec_str(dec, rec, "frequent_flyer_id", ev->booking.frequent_flyer_id,
                    sizeof(ev->booking.frequent_flyer_id)));
        return PF_OK;
}

static pf_err_t dec_event(pf_dec_t *dec, avro_value_t *rec, pf_event_t *ev) {
        int e, is_null;
        avro_value_t v;
        DEC(dec_str(dec, rec, "event_id", ev->event_id, sizeof(ev->event_id)));
        DEC(dec_enum(dec, rec, "source", &e));
        ev->source = (pf_source_t)e;
        DEC(dec_enum(dec, rec, "push_kind", &e));
        ev->push_kind = (pf_push_kind_t)e;
        DEC(dec_long(dec, rec, "sent_at", &ev->sent_at, 0));
        DEC(dec_str(dec, rec, "carrier", ev->carrier, sizeof(ev->carrier)));
        DEC(dec_field(dec, rec, "flight", &v, &is_null));
        DEC(dec_flight(dec, &v, ev));
        DEC(dec_field(dec, rec, "traveller", &v, &is_null));
        DEC(dec_traveller(dec, &v, ev));
        DEC(dec_field(dec, rec, "document", &v, &is_null));
        ev->has_document = !is_null;
        if (!is_null)
                DEC(dec_document(dec, &v, ev));
        DEC(dec_field(dec, rec, "booking", &v, &is_null));
        ev->has_booking = !is_null;
        if (!is_null)
                DEC(dec_booking(dec, &v, ev));
        return PF_OK;
}

/**
 * The reading state of a shipped PassengerEvent id, made before its first message is checked so
 * that the fast decoder serves that message too. @returns NULL for any other id, or when the
 * state cannot be made (the avro-c path then reports why, as it always did).
 */
static pf_codec_reader_t *codec_fast_prepare(pf_codec_t *codec, int32_t id) {
        const pf_schema_src_t *src;
        char ignored[256];
        avro_schema_t writer = pf_schemas_get(codec->schemas, id, &src);
        if (!writer || strcmp(src->record, "PassengerEvent") != 0 ||
            codec->reader_count == PF_CODEC_MAX_SCHEMAS)
                return NULL;
        return codec_reader_get(codec, id, writer, NULL, ignored, sizeof(ignored));
}

/** Mandatory values: what no screening can do without. */
static pf_err_t event_validate(const pf_event_t *ev, char *errstr, size_t errstr_size) {
        const char *missing = NULL;
        if (!ev->event_id[0])
                missing = "event_id";
        else if (!ev->carrier[0])
                missing = "carrier";
        else if (!ev->flight.number[0])
                missing = "flight.number";
        else if (!ev->flight.origin_airport[0])
                missing = "flight.origin_airport";
        else if (!ev->flight.destination_airport[0])
                missing = "flight.destination_airport";
        else if (ev->flight.scheduled_departure <= 0)
                missing = "flight.scheduled_departure";
        else if (!ev->traveller.surname[0])
                missing = "traveller.surname";
        else if (ev->source == PF_SOURCE_PNR && !ev->has_booking)
                missing = "booking (mandatory in a PNR push)";
        if (!missing)
                return PF_OK;
        snprintf(errstr, errstr_size, "%s: mandatory value is missing or empty", missing);
        return PF_ERR_MISSING_FIELD;
}

pf_err_t pf_codec_decode_event(pf_codec_t *codec, const void *buf, size_t len, pf_event_t *ev,
                               char *errstr, size_t errstr_size) {
        int32_t id;
        const pf_schema_src_t *src;
        pf_err_t err = pf_wire_parse(buf, len, &id);
        if (err) {
                snprintf(errstr, errstr_size,
                         "payload of %zu bytes does not start with the 0x00 magic byte and a "
                         "4-byte schema id",
                         len);
                return err;
        }
        if (len > codec->conf.max_message_bytes) {
                snprintf(errstr, errstr_size, "payload of %zu bytes exceeds the %zu-byte limit",
                         len, codec->conf.max_message_bytes);
                return PF_ERR_TOO_LARGE;
        }
        const uint8_t *body = (const uint8_t *)buf + PF_WIRE_HEADER;
        size_t body_len = len - PF_WIRE_HEADER;
        pf_codec_reader_t *rd = NULL;
        if (codec->fast_on && codec->fast_ok) {
                rd = codec_reader_find(codec, id);
                if (!rd)
                        rd = codec_fast_prepare(codec, id);
                if (rd && rd->fast) {
                        codec->fast_count++;
                        err = pf_fastdec_event(rd->fast, body, body_len, &codec->limits, ev, errstr,
                                               errstr_size);
                        return err ? err : event_validate(ev, errstr, errstr_size);
                }
                rd = NULL; /* the avro-c path below, exactly as without the fast decoder */
        }
        avro_schema_t writer = pf_schemas_get(codec->schemas, id, &src);
        if (!writer && codec->registry) {
                /* Not shipped: the registry's writer, resolved once and then kept here. */
                rd = codec_reader_find(codec, id);
                if (!rd && (err = codec_registry_reader(codec, id, &rd, errstr, errstr_size)))
                        return err;
                writer = rd->writer;
        } else if (!writer) {
                snprintf(errstr, errstr_size, "schema id %d is not known to this worker", (int)id);
                return PF_ERR_UNKNOWN_SCHEMA;
        } else if (strcmp(src->record, "PassengerEvent") != 0) {
                snprintf(errstr, errstr_size, "schema id %d is a %s, not a PassengerEvent", (int)id,
                         src->record);
                return PF_ERR_WRONG_SCHEMA;
        }
        err = pf_avro_check(writer, body, body_len, &codec->limits, errstr, errstr_size);
        if (err)
                return err;

        if (!rd)
                rd = codec_reader_get(codec, id, writer, NULL, errstr, errstr_size);
        if (!rd)
                return PF_ERR_AVRO;
        avro_value_reset(&rd->value);
        avro_reader_memory_set_source(codec->mem_reader, (const char *)body, (int64_t)body_len);
        if (avro_value_read(codec->mem_reader, &rd->resolved)) {
                snprintf(errstr, errstr_size, "avro-c could not read a checked body: %s",
                         avro_strerror());
                return PF_ERR_AVRO;
        }
        pf_event_clear(ev);
        pf_dec_t dec = {errstr, errstr_size};
        err = dec_event(&dec, &rd->value, ev);
        if (err)
                return err;
        return event_validate(ev, errstr, errstr_size);
}

/* ------------------------------------------------------------------ encode helpers */

static pf_codec_writer_t *codec_writer_get(pf_codec_t *codec, int32_t id) {
        for (size_t i = 0; i < codec->writer_count; i++)
                if (codec->writers[i].id == id)
                        return &codec->writers[i];
        avro_schema_t schema = pf_schemas_get(codec->schemas, id, NULL);
        if (!schema || codec->writer_count == PF_CODEC_MAX_SCHEMAS)
                return NULL;
        pf_codec_writer_t *wr = &codec->writers[codec->writer_count];
        wr->iface = avro_generic_class_from_schema(schema);
        if (!wr->iface)
                return NULL;
        if (avro_generic_value_new(wr->iface, &wr->value)) {
                avro_value_iface_decref(wr->iface);
                return NULL;
        }
        wr->id = id;
        codec->writer_count++;
        return wr;
}

/* Setters return non-zero on failure; encoders OR them together and check once. */

static int enc_str(avro_value_t *rec, const char *name, const char *s) {
        avro_value_t v;
        if (avro_value_get_by_name(rec, name, &v, NULL))
                return 1;
        if (avro_value_get_type(&v) == AVRO_UNION) {
                avro_value_t branch;
                if (!s[0])
                        return avro_value_set_branch(&v, 0, &branch) ||
                               avro_value_set_null(&branch);
                if (avro_value_set_branch(&v, 1, &branch))
                        return 1;
                v = branch;
        }
        return avro_value_set_string_len(&v, s, strlen(s) + 1) != 0;
}

static int enc_long(avro_value_t *rec, const char *name, int64_t x) {
        avro_value_t v;
        if (avro_value_get_by_name(rec, name, &v, NULL))
                return 1;
        if (avro_value_get_type(&v) == AVRO_INT32)
                return avro_value_set_int(&v, (int32_t)x) != 0;
        return avro_value_set_long(&v, x) != 0;
}

/** Sets an optional int (union null/int): PF_DATE_NONE is null. */
static int enc_opt_int(avro_value_t *rec, const char *name, int32_t x) {
        avro_value_t v, branch;
        if (avro_value_get_by_name(rec, name, &v, NULL))
                return 1;
        if (x == PF_DATE_NONE)
                return avro_value_set_branch(&v, 0, &branch) || avro_value_set_null(&branch);
        return avro_value_set_branch(&v, 1, &branch) || avro_value_set_int(&branch, x);
}

static int enc_enum(avro_value_t *rec, const char *name, int x) {
        avro_value_t v;
        return avro_value_get_by_name(rec, name, &v, NULL) || avro_value_set_enum(&v, x);
}

static int enc_double(avro_value_t *rec, const char *name, double x) {
        avro_value_t v;
        return avro_value_get_by_name(rec, name, &v, NULL) || avro_value_set_double(&v, x);
}

/** Gets a record field, or the record branch (index 1) of a nullable union set non-null. */
static int enc_sub(avro_value_t *rec, const char *name, avro_value_t *sub) {
        avro_value_t v;
        if (avro_value_get_by_name(rec, name, &v, NULL))
                return 1;
        if (avro_value_get_type(&v) == AVRO_UNION)
                return avro_value_set_branch(&v, 1, sub) != 0;
        *sub = v;
        return 0;
}

static int enc_null(avro_value_t *rec, const char *name) {
        avro_value_t v, branch;
        return avro_value_get_by_name(rec, name, &v, NULL) ||
               avro_value_set_branch(&v, 0, &branch) || avro_value_set_null(&branch);
}

/** Finishes an encode: header + value into the codec's buffer. */
static pf_err_t codec_write(pf_codec_t *codec, pf_codec_writer_t *wr, const uint8_t **out,
                            size_t *out_len) {
        pf_wire_header(codec->out, wr->id);
        avro_writer_memory_set_dest(codec->mem_writer, (const char *)codec->out + PF_WIRE_HEADER,
                                    (int64_t)(codec->out_cap - PF_WIRE_HEADER));
        if (avro_value_write(codec->mem_writer, &wr->value))
                return PF_ERR_TOO_LARGE;
        *out = codec->out;
        *out_len = PF_WIRE_HEADER + (size_t)avro_writer_tell(codec->mem_writer);
        return PF_OK;
}

static int enc_leg(avro_value_t *leg, const pf_leg_t *l) {
        int rc = 0;
        rc |= enc_str(leg, "carrier", l->carrier);
        rc |= enc_str(leg, "flight_number", l->flight_number);
        rc |= enc_str(leg, "origin_airport", l->origin_airport);
        rc |= enc_str(leg, "origin_country", l->origin_country);
        rc |= enc_str(leg, "destination_airport", l->destination_airport);
        rc |= enc_str(leg, "destination_country", l->destination_country);
        rc |= enc_long(leg, "departure", l->departure);
        rc |= enc_long(leg, "arrival", l->arrival);
        return rc;
}

static int enc_booking(avro_value_t *b, const pf_event_t *ev, int version) {
        int rc = 0;
        avro_value_t v, branch, legs;
        rc |= enc_str(b, "record_locator", ev->booking.record_locator);
        rc |= enc_long(b, "booked_at", ev->booking.booked_at);
        rc |= enc_enum(b, "payment_type", ev->booking.payment_type);
        if (ev->booking.card_holder_is_traveller < 0) {
                rc |= enc_null(b, "card_holder_is_traveller");
        } else {
                rc |= avro_value_get_by_name(b, "card_holder_is_traveller", &v, NULL) ||
                      avro_value_set_branch(&v, 1, &branch) ||
                      avro_value_set_boolean(&branch, ev->booking.card_holder_is_traveller);
        }
        rc |= enc_str(b, "agency_id", ev->booking.agency_id);
        rc |= enc_str(b, "agency_country", ev->booking.agency_country);
        rc |= enc_enum(b, "trip_type", ev->booking.trip_type);
        rc |= avro_value_get_by_name(b, "legs", &legs, NULL);
        for (uint32_t i = 0; !rc && i < ev->booking.leg_count && i < PF_LEGS_MAX; i++) {
                avro_value_t leg;
                rc |= avro_value_append(&legs, &leg, NULL) || enc_leg(&leg, &ev->booking.legs[i]);
        }
        rc |= enc_long(b, "co_traveller_count", ev->booking.co_traveller_count);
        rc |= enc_long(b, "bag_count", ev->booking.bag_count);
        rc |= enc_long(b, "bag_weight_kg", ev->booking.bag_weight_kg);
        rc |= enc_str(b, "contact_phone", ev->booking.contact_phone);
        rc |= enc_str(b, "contact_email", ev->booking.contact_email);
        if (version >= 2)
                rc |= enc_str(b, "frequent_flyer_id", ev->booking.frequent_flyer_id);
        return rc;
}

pf_err_t pf_codec_encode_event(pf_codec_t *codec, const pf_event_t *ev, int version,
                               const uint8_t **out, size_t *out_len) {
        int32_t id = pf_schemas_id_of(codec->schemas, "PassengerEvent", version);
        pf_codec_writer_t *wr = id < 0 ? NULL : codec_writer_get(codec, id);
        if (!wr)
                return PF_ERR_UNKNOWN_SCHEMA;
        avro_value_t *rec = &wr->value, sub;
        int rc = avro_value_reset(rec);
        rc |= enc_str(rec, "event_id", ev->event_id);
        rc |= enc_enum(rec, "source", ev->source);
        rc |= enc_enum(rec, "push_kind", ev->push_kind);
        rc |= enc_long(rec, "sent_at", ev->sent_at);
        rc |= enc_str(rec, "carrier", ev->carrier);
        rc |= enc_sub(rec, "flight", &sub);
        if (!rc) {
                rc |= enc_str(&sub, "number", ev->flight.number);
                rc |= enc_str(&sub, "origin_airport", ev->flight.origin_airport);
                rc |= enc_str(&sub, "origin_country", ev->flight.origin_country);
                rc |= enc_str(&sub, "destination_airport", ev->flight.destination_airport);
                rc |= enc_str(&sub, "destination_country", ev->flight.destination_country);
                rc |= enc_long(&sub, "scheduled_departure", ev->flight.scheduled_departure);
                rc |= enc_long(&sub, "scheduled_arrival", ev->flight.scheduled_arrival);
                rc |= enc_enum(&sub, "direction", ev->flight.direction);
        }
        rc |= enc_sub(rec, "traveller", &sub);
        if (!rc) {
                rc |= enc_str(&sub, "given_names", ev->traveller.given_names);
                rc |= enc_str(&sub, "surname", ev->traveller.surname);
                rc |= enc_str(&sub, "date_of_birth", ev->traveller.date_of_birth);
                rc |= enc_enum(&sub, "gender", ev->traveller.gender);
                rc |= enc_str(&sub, "nationality", ev->traveller.nationality);
                if (version >= 2)
                        rc |= enc_str(&sub, "residence", ev->traveller.residence);
        }
        if (!ev->has_document) {
                rc |= enc_null(rec, "document");
        } else if (!(rc |= enc_sub(rec, "document", &sub))) {
                rc |= enc_enum(&sub, "type", ev->document.type);
                rc |= enc_str(&sub, "number", ev->document.number);
                rc |= enc_str(&sub, "issuing_country", ev->document.issuing_country);
                rc |= enc_opt_int(&sub, "issue_date", ev->document.issue_date);
                rc |= enc_opt_int(&sub, "expiry_date", ev->document.expiry_date);
        }
        if (!ev->has_booking)
                rc |= enc_null(rec, "booking");
        else if (!(rc |= enc_sub(rec, "booking", &sub)))
                rc |= enc_booking(&sub, ev, version);
        if (rc)
                return PF_ERR_AVRO;
        return codec_write(codec, wr, out, out_len);
}

pf_err_t pf_codec_encode_result(pf_codec_t *codec, const pf_result_t *res, const uint8_t **out,
                                size_t *out_len) {
        if (codec->fast_enc_on && codec->result_fast_id >= 0) {
                pf_err_t err = pf_fastenc_result(res, codec->result_fast_id, codec->out,
                                                 codec->out_cap, out_len);
                if (err == PF_OK)
                        *out = codec->out;
                return err;
        }
        int32_t id = pf_schemas_latest_id(codec->schemas, "ScoredResult");
        pf_codec_writer_t *wr = id < 0 ? NULL : codec_writer_get(codec, id);
        if (!wr)
                return PF_ERR_UNKNOWN_SCHEMA;
        avro_value_t *rec = &wr->value, sub, arr, item;
        int rc = avro_value_reset(rec);
        rc |= enc_str(rec, "event_id", res->event_id);
        rc |= enc_str(rec, "traveller_ref", res->traveller_ref);
        rc |= enc_enum(rec, "source", res->source);
        if (!(rc |= enc_sub(rec, "flight", &sub))) {
                rc |= enc_str(&sub, "carrier", res->flight.carrier);
                rc |= enc_str(&sub, "number", res->flight.number);
                rc |= enc_str(&sub, "origin_airport", res->flight.origin_airport);
                rc |= enc_str(&sub, "destination_airport", res->flight.destination_airport);
                rc |= enc_long(&sub, "scheduled_departure", res->flight.scheduled_departure);
        }
        rc |= enc_long(rec, "score", res->score);
        rc |= enc_enum(rec, "band", res->band);
        rc |= avro_value_get_by_name(rec, "hits", &arr, NULL);
        for (uint32_t i = 0; !rc && i < res->hit_count; i++) {
                const pf_hit_t *hit = &res->hits[i];
                rc |= avro_value_append(&arr, &item, NULL);
                rc |= enc_str(&item, "rule_id", hit->rule_id);
                rc |= enc_long(&item, "rule_version", hit->rule_version);
                rc |= enc_str(&item, "category", hit->category);
                rc |= enc_long(&item, "weight", hit->weight);
                rc |= enc_str(&item, "reason", hit->reason);
        }
        rc |= avro_value_get_by_name(rec, "watchlist_matches", &arr, NULL);
        for (uint32_t i = 0; !rc && i < res->match_count; i++) {
                const pf_match_t *m = &res->matches[i];
                rc |= avro_value_append(&arr, &item, NULL);
                rc |= enc_str(&item, "entry_id", m->entry_id);
                rc |= enc_str(&item, "list", m->list);
                rc |= enc_enum(&item, "kind", m->kind);
                rc |= enc_double(&item, "confidence", m->confidence);
        }
        rc |= enc_str(rec, "ruleset_version", res->ruleset_version);
        rc |= enc_long(rec, "event_time", res->event_time);
        rc |= enc_long(rec, "processing_time", res->processing_time);
        if (rc)
                return PF_ERR_AVRO;
        return codec_write(codec, wr, out, out_len);
}

static int enc_opt_bytes(avro_value_t *rec, const char *name, const void *p, size_t n) {
        avro_value_t v, branch;
        if (avro_value_get_by_name(rec, name, &v, NULL))
                return 1;
        if (!p)
                return avro_value_set_branch(&v, 0, &branch) || avro_value_set_null(&branch);
        return avro_value_set_branch(&v, 1, &branch) ||
               avro_value_set_bytes(&branch, (void *)(uintptr_t)p, n);
}

pf_err_t pf_codec_encode_dead_letter(pf_codec_t *codec, const pf_dead_letter_t *dl,
                                     const uint8_t **out, size_t *out_len) {
        int32_t id = pf_schemas_latest_id(codec->schemas, "DeadLetter");
        pf_codec_writer_t *wr = id < 0 ? NULL : codec_writer_get(codec, id);
        if (!wr)
                return PF_ERR_UNKNOWN_SCHEMA;
        avro_value_t *rec = &wr->value;
        int rc = avro_value_reset(rec);
        rc |= enc_str(rec, "topic", dl->topic);
        rc |= enc_long(rec, "partition", dl->partition);
        rc |= enc_long(rec, "offset", dl->offset);
        rc |= enc_opt_bytes(rec, "original_key", dl->key, dl->key_len);
        rc |= enc_opt_bytes(rec, "original_value", dl->value, dl->value_len);
        rc |= enc_str(rec, "error_code", pf_err_name(dl->code));
        rc |= enc_str(rec, "reason", dl->reason);
        rc |= enc_str(rec, "stage", dl->stage);
        rc |= enc_long(rec, "failed_at", dl->failed_at);
        if (rc)
                return PF_ERR_AVRO;
        return codec_write(codec, wr, out, out_len);
}

/* ------------------------------------------------------------------ JSON, for tools */

static json_t *value_to_json(avro_value_t *v, int depth);

json_t *pf_codec_json_hex(const void *p, size_t n) {
        static const char hex[] = "0123456789abcdef";
        char *s = malloc(n * 2 + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                s[2 * i] = hex[((const uint8_t *)p)[i] >> 4];
                s[2 * i + 1] = hex[((const uint8_t *)p)[i] & 15];
        }
        s[2 * n] = '\0';
        json_t *j = json_string(s);
        free(s);
        return j;
}

static json_t *compound_to_json(avro_value_t *v, int depth) {
        size_t n = 0;
        avro_value_get_size(v, &n);
        int is_rec = avro_value_get_type(v) != AVRO_ARRAY;
        json_t *j = is_rec ? json_object() : json_array();
        for (size_t i = 0; j && i < n; i++) {
                avro_value_t item;
                const char *name = NULL;
                if (avro_value_get_by_index(v, i, &item, &name))
                        break;
                json_t *c = value_to_json(&item, depth + 1);
                if (is_rec)
                        json_object_set_new(j, name ? name : "?", c);
                else
                        json_array_append_new(j, c);
        }
        return j;
}

static json_t *value_to_json(avro_value_t *v, int depth) {
        if (depth > 64)
                return json_null();
        switch (avro_value_get_type(v)) {
        case AVRO_STRING: {
                const char *s = "";
                size_t n = 0;
                avro_value_get_string(v, &s, &n);
                return json_stringn_nocheck(s, n ? n - 1 : 0);
        }
        case AVRO_BYTES: {
                const void *p = NULL;
                size_t n = 0;
                avro_value_get_bytes(v, &p, &n);
                return pf_codec_json_hex(p, n);
        }
        case AVRO_INT32: {
                int32_t i = 0;
                avro_value_get_int(v, &i);
                return json_integer(i);
        }
        case AVRO_INT64: {
                int64_t l = 0;
                avro_value_get_long(v, &l);
                return json_integer(l);
        }
        case AVRO_DOUBLE: {
                double d = 0;
                avro_value_get_double(v, &d);
                return json_real(d);
        }
        case AVRO_FLOAT: {
                float f = 0;
                avro_value_get_float(v, &f);
                return json_real(f);
        }
        case AVRO_BOOLEAN: {
                int b = 0;
                avro_value_get_boolean(v, &b);
                return json_boolean(b);
        }
        case AVRO_ENUM: {
                int e = 0;
                avro_value_get_enum(v, &e);
                avro_schema_t s = avro_value_get_schema(v);
                const char *sym = avro_schema_enum_get(s, e);
                return json_string(sym ? sym : "?");
        }
        case AVRO_UNION: {
                avro_value_t branch;
                if (avro_value_get_current_branch(v, &branch))
                        return json_null();
                return value_to_json(&branch, depth + 1);
        }
        case AVRO_RECORD:
        case AVRO_ARRAY:
                return compound_to_json(v, depth);
        default:
                return json_null();
        }
}

/**
 * Reads a framed message with a shipped schema as it was written (no resolution), after the
 * bounded pre-check, into the writer's value; @p record, when not NULL, is the record the schema
 * must be. @returns PF_OK with *wr and *src set, or the error with errstr.
 */
static pf_err_t codec_read_framed(pf_codec_t *codec, const void *buf, size_t len,
                                  const char *record, pf_codec_writer_t **wr_out,
                                  const pf_schema_src_t **src_out, char *errstr,
                                  size_t errstr_size) {
        int32_t id;
        const pf_schema_src_t *src;
        pf_err_t err = pf_wire_parse(buf, len, &id);
        if (err) {
                snprintf(errstr, errstr_size, "not in the wire format");
                return err;
        }
        avro_schema_t schema = pf_schemas_get(codec->schemas, id, &src);
        if (!schema) {
                snprintf(errstr, errstr_size, "schema id %d is not known", (int)id);
                return PF_ERR_UNKNOWN_SCHEMA;
        }
        if (record && strcmp(src->record, record) != 0) {
                snprintf(errstr, errstr_size, "schema id %d is a %s, not a %s", (int)id,
                         src->record, record);
                return PF_ERR_WRONG_SCHEMA;
        }
        const uint8_t *body = (const uint8_t *)buf + PF_WIRE_HEADER;
        err = pf_avro_check(schema, body, len - PF_WIRE_HEADER, &codec->limits, errstr,
                            errstr_size);
        if (err)
                return err;
        pf_codec_writer_t *wr = codec_writer_get(codec, id);
        if (!wr)
                return PF_ERR_AVRO;
        avro_value_reset(&wr->value);
        avro_reader_memory_set_source(codec->mem_reader, (const char *)body,
                                      (int64_t)(len - PF_WIRE_HEADER));
        if (avro_value_read(codec->mem_reader, &wr->value)) {
                snprintf(errstr, errstr_size, "avro: %s", avro_strerror());
                return PF_ERR_AVRO;
        }
        *wr_out = wr;
        *src_out = src;
        return PF_OK;
}

pf_err_t pf_codec_to_json(pf_codec_t *codec, const void *buf, size_t len, char **json, char *errstr,
                          size_t errstr_size) {
        pf_codec_writer_t *wr;
        const pf_schema_src_t *src;
        pf_err_t err = codec_read_framed(codec, buf, len, NULL, &wr, &src, errstr, errstr_size);
        if (err)
                return err;
        json_t *j = value_to_json(&wr->value, 0);
        if (!j)
                return PF_ERR_NOMEM;
        json_object_set_new(j, "_schema", json_string(src->record));
        *json = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(j);
        return *json ? PF_OK : PF_ERR_NOMEM;
}

/* ------------------------------------------------------------------ watchlist entries */

pf_err_t pf_codec_encode_watchlist(pf_codec_t *codec, const pf_wl_entry_t *e, const uint8_t **out,
                                   size_t *out_len) {
        int32_t id = pf_schemas_latest_id(codec->schemas, "WatchlistEntry");
        pf_codec_writer_t *wr = id < 0 ? NULL : codec_writer_get(codec, id);
        if (!wr)
                return PF_ERR_UNKNOWN_SCHEMA;
        avro_value_t *rec = &wr->value, arr, item, v, branch;
        int rc = avro_value_reset(rec);
        rc |= enc_str(rec, "entry_id", e->entry_id);
        rc |= enc_str(rec, "list", e->list);
        rc |= enc_str(rec, "category", e->category);
        rc |= enc_enum(rec, "severity", (int)e->severity);
        rc |= avro_value_get_by_name(rec, "names", &arr, NULL);
        for (size_t i = 0; !rc && i < e->name_count; i++) {
                rc |= avro_value_append(&arr, &item, NULL);
                rc |= enc_str(&item, "given_names",
                              e->names[i].given_names ? e->names[i].given_names : "");
                rc |= enc_str(&item, "surname", e->names[i].surname ? e->names[i].surname : "");
        }
        rc |= enc_str(rec, "date_of_birth", e->date_of_birth ? e->date_of_birth : "");
        rc |= enc_str(rec, "nationality", e->nationality ? e->nationality : "");
        rc |= avro_value_get_by_name(rec, "documents", &arr, NULL);
        for (size_t i = 0; !rc && i < e->doc_count; i++) {
                rc |= avro_value_append(&arr, &item, NULL);
                rc |= enc_str(&item, "type", e->docs[i].type ? e->docs[i].type : "OTHER");
                rc |= enc_str(&item, "number", e->docs[i].number ? e->docs[i].number : "");
                rc |= enc_str(&item, "issuing_country",
                              e->docs[i].issuing_country ? e->docs[i].issuing_country : "");
        }
        const char *opt[2] = {"valid_from", "valid_until"};
        int64_t vals[2] = {e->valid_from, e->valid_until};
        for (int i = 0; i < 2; i++) {
                rc |= avro_value_get_by_name(rec, opt[i], &v, NULL);
                if (vals[i] == PF_WL_DATE_NONE)
                        rc |= avro_value_set_branch(&v, 0, &branch) || avro_value_set_null(&branch);
                else
                        rc |= avro_value_set_branch(&v, 1, &branch) ||
                              avro_value_set_long(&branch, vals[i]);
        }
        if (rc)
                return PF_ERR_AVRO;
        return codec_write(codec, wr, out, out_len);
}

pf_err_t pf_codec_decode_watchlist(pf_codec_t *codec, const void *buf, size_t len,
                                   pf_wl_storage_t *st, char *errstr, size_t errstr_size) {
        pf_codec_writer_t *wr;
        const pf_schema_src_t *src;
        pf_err_t err = codec_read_framed(codec, buf, len, "WatchlistEntry", &wr, &src, errstr,
                                         errstr_size);
        if (err)
                return err;
        pf_dec_t dec = {errstr, errstr_size};
        avro_value_t *rec = &wr->value, arr, item;
        int is_null, e = 0;
        memset(&st->entry, 0, sizeof(st->entry));
        DEC(dec_str(&dec, rec, "entry_id", st->entry_id, sizeof(st->entry_id)));
        DEC(dec_str(&dec, rec, "list", st->list, sizeof(st->list)));
        DEC(dec_str(&dec, rec, "category", st->category, sizeof(st->category)));
        DEC(dec_enum(&dec, rec, "severity", &e));
        DEC(dec_str(&dec, rec, "date_of_birth", st->date_of_birth, sizeof(st->date_of_birth)));
        DEC(dec_str(&dec, rec, "nationality", st->nationality, sizeof(st->nationality)));
        DEC(dec_field(&dec, rec, "names", &arr, &is_null));
        size_t n = 0;
        avro_value_get_size(&arr, &n);
        if (n > PF_WL_NAMES_MAX)
                return dec_fail(&dec, PF_ERR_TOO_LARGE, "names", "too many names");
        for (size_t i = 0; i < n; i++) {
                if (avro_value_get_by_index(&arr, i, &item, NULL))
                        return dec_fail(&dec, PF_ERR_AVRO, "names", "missing item");
                DEC(dec_str(&dec, &item, "given_names", st->given[i], PF_WL_NAME_MAX));
                DEC(dec_str(&dec, &item, "surname", st->surname[i], PF_WL_NAME_MAX));
                st->names[i].given_names = st->given[i];
                st->names[i].surname = st->surname[i];
        }
        st->entry.name_count = n;
        DEC(dec_field(&dec, rec, "documents", &arr, &is_null));
        n = 0;
        avro_value_get_size(&arr, &n);
        if (n > PF_WL_DOCS_MAX)
                return dec_fail(&dec, PF_ERR_TOO_LARGE, "documents", "too many documents");
        for (size_t i = 0; i < n; i++) {
                if (avro_value_get_by_index(&arr, i, &item, NULL))
                        return dec_fail(&dec, PF_ERR_AVRO, "documents", "missing item");
                DEC(dec_str(&dec, &item, "type", st->doc_type[i], sizeof(st->doc_type[i])));
                DEC(dec_str(&dec, &item, "number", st->doc_number[i], PF_WL_DOCNUM_MAX));
                DEC(dec_str(&dec, &item, "issuing_country", st->doc_country[i],
                            sizeof(st->doc_country[i])));
                st->docs[i].type = st->doc_type[i];
                st->docs[i].number = st->doc_number[i];
                st->docs[i].issuing_country = st->doc_country[i];
        }
        st->entry.doc_count = n;
        DEC(dec_long(&dec, rec, "valid_from", &st->entry.valid_from, PF_WL_DATE_NONE));
        DEC(dec_long(&dec, rec, "valid_until", &st->entry.valid_until, PF_WL_DATE_NONE));
        if (e < 0 || e > 3)
                return dec_fail(&dec, PF_ERR_BAD_ENUM, "severity", "out of range");
        st->entry.entry_id = st->entry_id;
        st->entry.list = st->list;
        st->entry.category = st->category;
        st->entry.severity = (pf_wl_severity_t)e;
        st->entry.names = st->names;
        st->entry.docs = st->docs;
        st->entry.date_of_birth = st->date_of_birth;
        st->entry.nationality = st->nationality;
        return PF_OK;
}
