/**
 * @file schemas.h
 * @brief The Avro schemas shipped with the worker, by Confluent schema id.
 *
 * schemas/ids.tsv assigns each shipped .avsc an id; the build embeds them
 * (cmake/embed_schemas.cmake). A message's 4-byte schema id resolves here. Read-only after
 * pf_schemas_new(): safe to share between threads.
 */
#ifndef PF_SCHEMAS_H
#define PF_SCHEMAS_H

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

/** One embedded schema source. */
typedef struct pf_schema_src_s {
        int32_t id;
        const char *record; /**< record name without namespace, e.g. "PassengerEvent" */
        int version;
        const char *file; /**< file name under schemas/ */
        const char *json;
} pf_schema_src_t;

extern const pf_schema_src_t pf_schemas_embedded[];
extern const size_t pf_schemas_embedded_count;

typedef struct pf_schemas_s pf_schemas_t;

/** @brief Parses every embedded schema. @returns NULL and fills errstr if one does not parse. */
pf_schemas_t *pf_schemas_new(char *errstr, size_t errstr_size);

/** @brief Frees the set; NULL is a no-op. Schemas handed out become invalid. */
void pf_schemas_destroy(pf_schemas_t *schemas);

/**
 * @brief Looks up a schema id.
 * @returns the schema (borrowed) or NULL when the id is unknown; fills *src when @p src is not
 * NULL.
 */
avro_schema_t pf_schemas_get(const pf_schemas_t *schemas, int32_t id, const pf_schema_src_t **src);

/** @returns the id of the newest version of @p record, or -1 when there is none. */
int32_t pf_schemas_latest_id(const pf_schemas_t *schemas, const char *record);

/** @returns the id of @p record at @p version, or -1. */
int32_t pf_schemas_id_of(const pf_schemas_t *schemas, const char *record, int version);

#endif /* PF_SCHEMAS_H */
