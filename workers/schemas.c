/**
 * @file schemas.c
 * @brief Parsed set of the embedded schemas.
 */
#include "schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pf_schemas_s {
        size_t count;
        avro_schema_t *parsed; /* parallel to pf_schemas_embedded */
};

pf_schemas_t *pf_schemas_new(char *errstr, size_t errstr_size) {
        pf_schemas_t *schemas = calloc(1, sizeof(*schemas));
        if (!schemas)
                goto err;
        schemas->parsed = calloc(pf_schemas_embedded_count, sizeof(avro_schema_t));
        if (!schemas->parsed)
                goto err;
        for (size_t i = 0; i < pf_schemas_embedded_count; i++) {
                const pf_schema_src_t *src = &pf_schemas_embedded[i];
                avro_schema_error_t ignored;
                if (avro_schema_from_json(src->json, 0, &schemas->parsed[i], &ignored)) {
                        snprintf(errstr, errstr_size, "schema %s (id %d) does not parse: %s",
                                 src->file, (int)src->id, avro_strerror());
                        goto err;
                }
                schemas->count++;
        }
        return schemas;
err:
        if (!schemas)
                snprintf(errstr, errstr_size, "out of memory");
        pf_schemas_destroy(schemas);
        return NULL;
}

void pf_schemas_destroy(pf_schemas_t *schemas) {
        if (!schemas)
                return;
        for (size_t i = 0; i < schemas->count; i++)
                avro_schema_decref(schemas->parsed[i]);
        free(schemas->parsed);
        free(schemas);
}

avro_schema_t pf_schemas_get(const pf_schemas_t *schemas, int32_t id, const pf_schema_src_t **src) {
        for (size_t i = 0; i < schemas->count; i++) {
                if (pf_schemas_embedded[i].id != id)
                        continue;
                if (src)
                        *src = &pf_schemas_embedded[i];
                return schemas->parsed[i];
        }
        return NULL;
}

int32_t pf_schemas_latest_id(const pf_schemas_t *schemas, const char *record) {
        int32_t id = -1;
        int best = -1;
        for (size_t i = 0; i < schemas->count; i++) {
                const pf_schema_src_t *src = &pf_schemas_embedded[i];
                if (strcmp(src->record, record) == 0 && src->version > best) {
                        best = src->version;
                        id = src->id;
                }
        }
        return id;
}

int32_t pf_schemas_id_of(const pf_schemas_t *schemas, const char *record, int version) {
        for (size_t i = 0; i < schemas->count; i++) {
                const pf_schema_src_t *src = &pf_schemas_embedded[i];
                if (strcmp(src->record, record) == 0 && src->version == version)
                        return src->id;
        }
        return -1;
}
