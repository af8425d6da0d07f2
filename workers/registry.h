/**
 * @file registry.h
 * @brief Client of a Confluent-compatible schema registry: schema id -> writer schema JSON.
 *
 * The codec resolves the schema id of a message against the schemas shipped with the worker
 * first; only an id that is not shipped is asked of the registry, with
 * `GET {url}/schemas/ids/{id}`, whose answer is `{"schema": "<schema JSON as a string>", ...}`.
 *
 * Outcomes are classified so that the caller can tell the message's fault from the registry's:
 *  - PF_OK: the schema; cached for the registry's lifetime, since a registry never reuses an id.
 *  - PF_ERR_UNKNOWN_SCHEMA: the registry answered 404: a dead letter, as for an unknown id
 *    without a registry. Remembered for conf.negative_ttl_ms, so a burst of such messages costs
 *    one request, while an id registered a moment later is still found soon.
 *  - PF_ERR_WRONG_SCHEMA: the id is a schema of another type (Protobuf, JSON Schema): a dead
 *    letter; cached like a schema.
 *  - PF_ERR_UNAVAILABLE: no answer, a timeout, 5xx, 408 or 429, after the in-call retries:
 *    retriable, never a dead letter. Not cached.
 *  - PF_ERR_CONFIG: the registry refused the request (401, 403, another 4xx) or answered 200 with
 *    something that is not a schema response (a wrong url): not the message's fault, and
 *    retrying will not help. Not cached.
 *
 * Nothing here logs; error strings name the id, the HTTP status and the url, never a schema or
 * a payload. A registry is not thread-safe: use one per thread, like the codec.
 */
#ifndef PF_REGISTRY_H
#define PF_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct pf_registry_s pf_registry_t;

/** One HTTP GET, as the registry asks it of its transport. */
typedef struct pf_registry_http_req_s {
        const char *url;
        const char *user;     /**< basic-auth user, or NULL for no authentication */
        const char *password; /**< with @c user */
        long timeout_ms;      /**< for the whole exchange (connect + transfer) */
        size_t max_body;      /**< a longer body is PF_ERR_TOO_LARGE */
} pf_registry_http_req_t;

/**
 * @brief Transport: performs @p req.
 * @returns PF_OK when an HTTP response arrived (any status), with *status and a malloc'ed,
 * NUL-terminated *body of *body_len bytes that the registry frees; PF_ERR_UNAVAILABLE when none
 * did (connection refused, timeout...); PF_ERR_TOO_LARGE when the body exceeded req->max_body;
 * PF_ERR_NOMEM. On an error *body is NULL and errstr says why (never with body contents).
 */
typedef pf_err_t pf_registry_http_fn(void *opaque, const pf_registry_http_req_t *req, long *status,
                                     char **body, size_t *body_len, char *errstr,
                                     size_t errstr_size);

typedef struct pf_registry_conf_s {
        /** Base url of the Confluent-compatible API, e.g. http://127.0.0.1:8080/apis/ccompat/v7
         * for Apicurio or http://host:8081 for Confluent's; a trailing '/' is ignored. It may
         * appear in error messages, so credentials go in user/password, never in the url. */
        const char *url;
        const char *user;     /**< basic auth, or NULL */
        const char *password; /**< basic auth, with @c user */
        long timeout_ms;      /**< budget of one pf_registry_get() with its retries; default 5000 */
        int retries;          /**< further attempts after a retriable failure; 0: 2; <0: none */
        long negative_ttl_ms; /**< how long a 404 is remembered; default 30000 */
        size_t max_entries;   /**< ids cached, least recently used out first; default 1024 */
        size_t max_response_bytes; /**< default 1 MiB */
        pf_registry_http_fn *http; /**< NULL: libcurl; tests inject their own */
        void *http_opaque;         /**< passed to @c http */
} pf_registry_conf_t;

/**
 * @brief Creates a client. Zero fields of @p conf take their defaults; the strings are copied.
 * @returns NULL and fills errstr when the url is missing or not http(s)://, or out of memory.
 */
pf_registry_t *pf_registry_new(const pf_registry_conf_t *conf, char *errstr, size_t errstr_size);

/** @brief Frees the client and its cache; NULL is a no-op. */
void pf_registry_destroy(pf_registry_t *reg);

/**
 * @brief Gets the writer schema of @p id, from the cache or the registry.
 * @param schema_json on PF_OK, the schema JSON, borrowed from the cache: valid until the next
 *        pf_registry_get() or pf_registry_destroy() on @p reg.
 * @returns PF_OK, PF_ERR_UNKNOWN_SCHEMA, PF_ERR_WRONG_SCHEMA, PF_ERR_UNAVAILABLE (retriable),
 *          PF_ERR_CONFIG or PF_ERR_NOMEM, as classified in the file comment.
 */
pf_err_t pf_registry_get(pf_registry_t *reg, int32_t id, const char **schema_json, char *errstr,
                         size_t errstr_size);

/**
 * @brief Parses the body of a `GET /schemas/ids/{id}` answer (untrusted bytes: any @p len, not
 *        NUL-terminated).
 * @returns PF_OK and a malloc'ed *schema_json the caller frees; PF_ERR_WRONG_SCHEMA when its
 *          "schemaType" is not AVRO; PF_ERR_CONFIG when it is not a schema response;
 *          PF_ERR_NOMEM. errstr says why without quoting the body.
 */
pf_err_t pf_registry_parse_response(const char *body, size_t len, char **schema_json, char *errstr,
                                    size_t errstr_size);

#endif /* PF_REGISTRY_H */
