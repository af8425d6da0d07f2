/**
 * @file registry.c
 * @brief Confluent-compatible schema-registry client: an id cache in front of libcurl.
 *
 * The cache is a small array scanned linearly: the codec asks only for ids it has not resolved
 * before (it keeps the parsed writer itself), so a lookup is rare and the array stays short.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include "registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PF_REGISTRY_URL_MAX    2048
#define PF_REGISTRY_BACKOFF_MS 50 /* first retry; doubled for each one after */

/** One cached answer: a schema, or a remembered 404 / non-Avro id. */
typedef struct pf_registry_entry_s {
        int32_t id;
        pf_err_t err;       /* PF_OK, PF_ERR_UNKNOWN_SCHEMA or PF_ERR_WRONG_SCHEMA */
        char *schema;       /* with PF_OK */
        int64_t expires_ms; /* 0: never (ids are immutable); a 404 expires */
        uint64_t used;      /* tick of the last use, for LRU eviction */
} pf_registry_entry_t;

struct pf_registry_s {
        char *url; /* base, without a trailing '/' */
        char *user;
        char *password;
        long timeout_ms;
        int retries;
        long negative_ttl_ms;
        size_t max_entries;
        size_t max_response_bytes;
        pf_registry_http_fn *http;
        void *http_opaque;
        CURL *curl; /* the default transport's handle, reused for keep-alive */
        pf_registry_entry_t *entries;
        size_t entry_count;
        uint64_t tick;
};

static int64_t registry_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void registry_sleep_ms(long ms) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
                ;
}

/* ------------------------------------------------------------------ libcurl transport */

/** Bounded response buffer: refuses to grow past @c max (curl then aborts the transfer). */
typedef struct pf_registry_buf_s {
        char *data;
        size_t len;
        size_t max;
        int too_large;
} pf_registry_buf_t;

static size_t registry_curl_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        pf_registry_buf_t *buf = userdata;
        size_t n = size * nmemb;
        if (n > buf->max - buf->len) {
                buf->too_large = 1;
                return 0; /* CURLE_WRITE_ERROR */
        }
        char *data = realloc(buf->data, buf->len + n + 1);
        if (!data)
                return 0;
        memcpy(data + buf->len, ptr, n);
        buf->data = data;
        buf->len += n;
        buf->data[buf->len] = '\0';
        return n;
}

static pf_err_t registry_curl_get(void *opaque, const pf_registry_http_req_t *req, long *status,
                                  char **body, size_t *body_len, char *errstr, size_t errstr_size) {
        CURL *curl = opaque;
        pf_registry_buf_t buf = {NULL, 0, req->max_body, 0};
        struct curl_slist *headers = curl_slist_append(
                NULL, "Accept: application/vnd.schemaregistry.v1+json, application/json");
        pf_err_t err = PF_OK;
        *body = NULL;
        *body_len = 0;
        *status = 0;
        if (!headers) {
                snprintf(errstr, errstr_size, "out of memory");
                return PF_ERR_NOMEM;
        }
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, req->url);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM: the worker is threaded */
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, registry_curl_write);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
        curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body);
        if (req->user) {
                curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
                curl_easy_setopt(curl, CURLOPT_USERNAME, req->user);
                curl_easy_setopt(curl, CURLOPT_PASSWORD, req->password ? req->password : "");
        }
        CURLcode rc = curl_easy_perform(curl);
        if (buf.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
                snprintf(errstr, errstr_size, "response larger than %zu bytes", req->max_body);
                err = PF_ERR_TOO_LARGE;
        } else if (rc == CURLE_OUT_OF_MEMORY || (rc == CURLE_WRITE_ERROR && !buf.too_large)) {
                snprintf(errstr, errstr_size, "out of memory");
                err = PF_ERR_NOMEM;
        } else if (rc != CURLE_OK) {
                snprintf(errstr, errstr_size, "%s", curl_easy_strerror(rc));
                err = PF_ERR_UNAVAILABLE;
        } else if (!buf.data && !(buf.data = calloc(1, 1))) {
                snprintf(errstr, errstr_size, "out of memory");
                err = PF_ERR_NOMEM;
        } else {
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
                *body = buf.data;
                *body_len = buf.len;
                buf.data = NULL;
        }
        free(buf.data);
        curl_slist_free_all(headers);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
        return err;
}

/* ------------------------------------------------------------------ life cycle */

static char *registry_strdup(const char *s) {
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *copy = malloc(n);
        if (copy)
                memcpy(copy, s, n);
        return copy;
}

pf_registry_t *pf_registry_new(const pf_registry_conf_t *conf, char *errstr, size_t errstr_size) {
        if (!conf || !conf->url ||
            (strncmp(conf->url, "http://", 7) != 0 && strncmp(conf->url, "https://", 8) != 0)) {
                snprintf(errstr, errstr_size,
                         "schema registry url must start with http:// or "
                         "https://");
                return NULL;
        }
        if (strlen(conf->url) > PF_REGISTRY_URL_MAX - 64) {
                snprintf(errstr, errstr_size, "schema registry url longer than %d bytes",
                         PF_REGISTRY_URL_MAX - 64);
                return NULL;
        }
        const char *authority = strstr(conf->url, "//") + 2;
        size_t authority_len = strcspn(authority, "/?#");
        if (memchr(authority, '@', authority_len)) {
                snprintf(errstr, errstr_size,
                         "schema registry url must not hold credentials: set "
                         "the user and password instead");
                return NULL;
        }
        pf_registry_t *reg = calloc(1, sizeof(*reg));
        if (!reg)
                goto nomem;
        reg->url = registry_strdup(conf->url);
        reg->user = registry_strdup(conf->user);
        reg->password = registry_strdup(conf->password ? conf->password : (conf->user ? "" : NULL));
        if (!reg->url || (conf->user && (!reg->user || !reg->password)))
                goto nomem;
        for (size_t n = strlen(reg->url); n > 0 && reg->url[n - 1] == '/'; n--)
                reg->url[n - 1] = '\0';
        reg->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : 5000;
        reg->retries = conf->retries > 0 ? conf->retries : (conf->retries < 0 ? 0 : 2);
        reg->negative_ttl_ms = conf->negative_ttl_ms > 0 ? conf->negative_ttl_ms : 30000;
        reg->max_entries = conf->max_entries ? conf->max_entries : 1024;
        reg->max_response_bytes = conf->max_response_bytes ? conf->max_response_bytes : 1u << 20;
        reg->entries = calloc(reg->max_entries, sizeof(*reg->entries));
        if (!reg->entries)
                goto nomem;
        if (conf->http) {
                reg->http = conf->http;
                reg->http_opaque = conf->http_opaque;
        } else {
                /* Reference-counted by libcurl, paired with curl_global_cleanup() in destroy. */
                if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                        snprintf(errstr, errstr_size, "libcurl failed to initialise");
                        goto err;
                }
                reg->curl = curl_easy_init();
                if (!reg->curl) {
                        curl_global_cleanup();
                        snprintf(errstr, errstr_size, "libcurl failed to initialise");
                        goto err;
                }
                reg->http = registry_curl_get;
                reg->http_opaque = reg->curl;
        }
        return reg;
nomem:
        snprintf(errstr, errstr_size, "out of memory");
err:
        pf_registry_destroy(reg);
        return NULL;
}

void pf_registry_destroy(pf_registry_t *reg) {
        if (!reg)
                return;
        for (size_t i = 0; i < reg->entry_count; i++)
                free(reg->entries[i].schema);
        free(reg->entries);
        if (reg->curl) {
                curl_easy_cleanup(reg->curl);
                curl_global_cleanup();
        }
        free(reg->url);
        free(reg->user);
        free(reg->password);
        free(reg);
}

/* ------------------------------------------------------------------ response */

pf_err_t pf_registry_parse_response(const char *body, size_t len, char **schema_json, char *errstr,
                                    size_t errstr_size) {
        json_error_t jerr;
        pf_err_t err = PF_ERR_CONFIG;
        *schema_json = NULL;
        /* Without JSON_ALLOW_NUL jansson refuses "\u0000" in a string, so the schema text can be
         * handed on as a C string. */
        json_t *root = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                snprintf(errstr, errstr_size, "response is not JSON (line %d, column %d)",
                         jerr.line, jerr.column);
                return PF_ERR_CONFIG;
        }
        if (!json_is_object(root)) {
                snprintf(errstr, errstr_size, "response is not a JSON object");
                goto done;
        }
        json_t *type = json_object_get(root, "schemaType");
        if (type && !json_is_null(type) &&
            (!json_is_string(type) || strcmp(json_string_value(type), "AVRO") != 0)) {
                snprintf(errstr, errstr_size,
                         "schema is not an Avro schema (its schemaType is not AVRO)");
                err = PF_ERR_WRONG_SCHEMA;
                goto done;
        }
        json_t *schema = json_object_get(root, "schema");
        if (!json_is_string(schema) || json_string_length(schema) == 0) {
                snprintf(errstr, errstr_size, "response has no \"schema\" string");
                goto done;
        }
        *schema_json = registry_strdup(json_string_value(schema));
        if (!*schema_json) {
                snprintf(errstr, errstr_size, "out of memory");
                err = PF_ERR_NOMEM;
                goto done;
        }
        err = PF_OK;
done:
        json_decref(root);
        return err;
}

/* ------------------------------------------------------------------ cache */

static pf_registry_entry_t *registry_cache_find(pf_registry_t *reg, int32_t id, int64_t now) {
        for (size_t i = 0; i < reg->entry_count; i++) {
                pf_registry_entry_t *entry = &reg->entries[i];
                if (entry->id != id)
                        continue;
                if (entry->expires_ms && entry->expires_ms <= now)
                        return NULL; /* a stale 404: ask again, the slot is reused */
                entry->used = ++reg->tick;
                return entry;
        }
        return NULL;
}

/** Stores an answer, replacing a stale one for the same id or the least recently used. */
static void registry_cache_put(pf_registry_t *reg, int32_t id, pf_err_t err, char *schema,
                               int64_t expires_ms) {
        pf_registry_entry_t *slot = NULL;
        for (size_t i = 0; i < reg->entry_count && !slot; i++)
                if (reg->entries[i].id == id)
                        slot = &reg->entries[i];
        if (!slot && reg->entry_count < reg->max_entries)
                slot = &reg->entries[reg->entry_count++];
        if (!slot) {
                slot = &reg->entries[0];
                for (size_t i = 1; i < reg->entry_count; i++)
                        if (reg->entries[i].used < slot->used)
                                slot = &reg->entries[i];
        }
        free(slot->schema);
        slot->id = id;
        slot->err = err;
        slot->schema = schema;
        slot->expires_ms = expires_ms;
        slot->used = ++reg->tick;
}

/* ------------------------------------------------------------------ get */

/** Classifies an HTTP status; @returns PF_OK for 200 (the body is then parsed). */
static pf_err_t registry_status_err(long status) {
        if (status == 200)
                return PF_OK;
        if (status == 404)
                return PF_ERR_UNKNOWN_SCHEMA;
        if (status >= 500 || status == 408 || status == 429 || status < 100)
                return PF_ERR_UNAVAILABLE;
        return PF_ERR_CONFIG; /* 3xx (redirects are not followed), 401, 403, another 4xx */
}

/** One attempt: HTTP GET and classification. *schema is malloc'ed on PF_OK. */
static pf_err_t registry_fetch(pf_registry_t *reg, const char *url, long timeout_ms, char **schema,
                               char *errstr, size_t errstr_size) {
        pf_registry_http_req_t req = {url, reg->user, reg->password, timeout_ms,
                                      reg->max_response_bytes};
        long status = 0;
        char *body = NULL;
        size_t body_len = 0;
        char why[256] = "";
        pf_err_t err =
                reg->http(reg->http_opaque, &req, &status, &body, &body_len, why, sizeof(why));
        if (err == PF_ERR_TOO_LARGE) {
                /* A schema of a megabyte is no writer schema we can use; the registry is not at
                 * fault as such, but nor is the message: treat like a wrong url. */
                snprintf(errstr, errstr_size, "GET %s: %s", url, why);
                err = PF_ERR_CONFIG;
        } else if (err) {
                snprintf(errstr, errstr_size, "GET %s: %s", url, why);
        } else if ((err = registry_status_err(status)) != PF_OK) {
                snprintf(errstr, errstr_size, "GET %s: HTTP %ld", url, status);
        } else if ((err = pf_registry_parse_response(body, body_len, schema, why, sizeof(why)))) {
                snprintf(errstr, errstr_size, "GET %s: %s", url, why);
        }
        free(body);
        return err;
}

pf_err_t pf_registry_get(pf_registry_t *reg, int32_t id, const char **schema_json, char *errstr,
                         size_t errstr_size) {
        char url[PF_REGISTRY_URL_MAX];
        int64_t start = registry_now_ms();
        *schema_json = NULL;
        if (id < 0) {
                snprintf(errstr, errstr_size, "schema id %d is negative", (int)id);
                return PF_ERR_UNKNOWN_SCHEMA;
        }
        pf_registry_entry_t *entry = registry_cache_find(reg, id, start);
        if (entry) {
                if (entry->err)
                        snprintf(errstr, errstr_size, "schema id %d: %s (cached)", (int)id,
                                 entry->err == PF_ERR_UNKNOWN_SCHEMA
                                         ? "not found in the schema registry"
                                         : "not an Avro schema");
                *schema_json = entry->schema;
                return entry->err;
        }
        snprintf(url, sizeof(url), "%s/schemas/ids/%d", reg->url, (int)id);

        char *schema = NULL;
        pf_err_t err = PF_ERR_UNAVAILABLE;
        long backoff = PF_REGISTRY_BACKOFF_MS;
        for (int attempt = 0; attempt <= reg->retries; attempt++) {
                long left = reg->timeout_ms - (long)(registry_now_ms() - start);
                if (attempt > 0) {
                        if (left <= backoff + 10)
                                break; /* no time for another try: keep the last error */
                        registry_sleep_ms(backoff);
                        left -= backoff;
                        backoff *= 2;
                }
                err = registry_fetch(reg, url, left > 1 ? left : 1, &schema, errstr, errstr_size);
                if (err != PF_ERR_UNAVAILABLE)
                        break;
        }
        if (err == PF_OK || err == PF_ERR_WRONG_SCHEMA) {
                registry_cache_put(reg, id, err, schema, 0);
                *schema_json = schema;
        } else if (err == PF_ERR_UNKNOWN_SCHEMA) {
                registry_cache_put(reg, id, err, NULL, registry_now_ms() + reg->negative_ttl_ms);
        }
        return err;
}
