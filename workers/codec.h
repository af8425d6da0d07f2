/**
 * @file codec.h
 * @brief Wire format (Confluent framing + Avro binary) to and from paxflow's C structs.
 *
 * Decoding takes untrusted bytes: the frame is checked, the schema id resolved against the shipped
 * schemas, the body walked once by pf_avro_check() with a bounded cursor, and only then handed to
 * avro-c, reading the writer's version into the newest reader schema (Avro schema resolution), so
 * an event written with an older schema version still reads. For the writer versions it was
 * written for, fastdec.c does all of that in one pass with the same results
 * (pf_codec_set_fast_decode()).
 *
 * With a schema registry set (pf_codec_set_registry()), an id that is not shipped is resolved
 * through it, and its writer is read with the same projection and resolution.
 *
 * A codec is not thread-safe (it reuses its avro-c values and buffers): use one per thread.
 */
#ifndef PF_CODEC_H
#define PF_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "registry.h"
#include "result.h"
#include "schemas.h"
#include "watchlist.h"

#define PF_WIRE_HEADER 5

typedef struct pf_codec_s pf_codec_t;

typedef struct pf_codec_conf_s {
        size_t max_message_bytes; /**< larger payloads are PF_ERR_TOO_LARGE; default 1 MiB */
        size_t max_depth;         /**< Avro nesting limit, default 32 */
        size_t max_items;         /**< array/map items per record, default 4096 */
} pf_codec_conf_t;

/** @brief Creates a codec over @p schemas (borrowed: must outlive the codec). conf may be NULL. */
pf_codec_t *pf_codec_new(const pf_schemas_t *schemas, const pf_codec_conf_t *conf, char *errstr,
                         size_t errstr_size);
void pf_codec_destroy(pf_codec_t *codec);

/**
 * @brief Resolves PassengerEvent schema ids that are not shipped through @p registry (borrowed:
 * must outlive the codec, and is used from the codec's thread only); NULL: shipped schemas only.
 *
 * pf_codec_decode_event() then also returns PF_ERR_UNAVAILABLE when the registry cannot be
 * reached (retriable: not a dead letter), PF_ERR_CONFIG when it refuses the request, and
 * PF_ERR_WRONG_SCHEMA for an id whose writer is not a PassengerEvent that reads as the newest
 * version. An id the registry does not know stays PF_ERR_UNKNOWN_SCHEMA. Schemas read from the
 * registry are kept for the codec's lifetime: ids are immutable.
 */
void pf_codec_set_registry(pf_codec_t *codec, pf_registry_t *registry);

/**
 * @brief Turns the schema-specialised decoder (fastdec.h) on (the default) or off.
 *
 * On, a PassengerEvent whose writer schema has the canonical form of a shipped version (v1, v2;
 * from the registry too) is decoded in one bounded pass straight into pf_event_t; other writers go
 * through the pre-check and avro-c. Off, every message goes through avro-c: the reference the fast
 * decoder is tested against (same event, or same error code and reason).
 */
void pf_codec_set_fast_decode(pf_codec_t *codec, int on);

/** @returns how many messages the fast decoder has decoded (good or bad) on this codec. */
uint64_t pf_codec_fast_count(const pf_codec_t *codec);

/**
 * @brief Turns the hand-written ScoredResult encoder (fastenc.h) on (the default) or off (avro-c's
 * generic writer, the reference it is tested against: the same bytes).
 */
void pf_codec_set_fast_encode(pf_codec_t *codec, int on);

/**
 * @brief Parses the 5-byte Confluent header.
 * @returns PF_OK and the schema id, or PF_ERR_NOT_WIRE_FORMAT.
 */
pf_err_t pf_wire_parse(const void *buf, size_t len, int32_t *schema_id);

/** @brief Writes the 5-byte header for @p schema_id into @p out. */
void pf_wire_header(uint8_t out[PF_WIRE_HEADER], int32_t schema_id);

/**
 * @brief Decodes a PassengerEvent message and validates its mandatory values.
 * @returns PF_OK or a bad-input code; @p errstr then names the field and offset, never a value.
 */
pf_err_t pf_codec_decode_event(pf_codec_t *codec, const void *buf, size_t len, pf_event_t *ev,
                               char *errstr, size_t errstr_size);

/**
 * @brief Encodes @p ev as a PassengerEvent of schema @p version (1 or 2) in the wire format.
 * @returns PF_OK with *out pointing at the codec's buffer (valid until the next encode call).
 */
pf_err_t pf_codec_encode_event(pf_codec_t *codec, const pf_event_t *ev, int version,
                               const uint8_t **out, size_t *out_len);

/** @brief Encodes a ScoredResult (newest version). Same buffer contract. */
pf_err_t pf_codec_encode_result(pf_codec_t *codec, const pf_result_t *res, const uint8_t **out,
                                size_t *out_len);

/** @brief Encodes a DeadLetter (newest version). Same buffer contract. */
pf_err_t pf_codec_encode_dead_letter(pf_codec_t *codec, const pf_dead_letter_t *dl,
                                     const uint8_t **out, size_t *out_len);

/**
 * @brief Decodes any message of a shipped schema into a JSON document (for tools: `paxflow
 * consume`). Bytes fields are rendered as lower-case hex. @returns PF_OK and a malloc'ed string the
 * caller frees.
 */
pf_err_t pf_codec_to_json(pf_codec_t *codec, const void *buf, size_t len, char **json, char *errstr,
                          size_t errstr_size);

/** @returns a new JSON string of the lower-case hex of @p n bytes (NULL on out of memory). */
struct json_t;
struct json_t *pf_codec_json_hex(const void *p, size_t n);

/** Fixed storage for a decoded WatchlistEntry; @c entry points into it. Holds personal data. */
typedef struct pf_wl_storage_s {
        char entry_id[PF_WL_ID_MAX];
        char list[PF_WL_LIST_MAX];
        char category[PF_WL_CATEGORY_MAX];
        char given[PF_WL_NAMES_MAX][PF_WL_NAME_MAX];
        char surname[PF_WL_NAMES_MAX][PF_WL_NAME_MAX];
        char date_of_birth[16];
        char nationality[8];
        char doc_type[PF_WL_DOCS_MAX][24];
        char doc_number[PF_WL_DOCS_MAX][PF_WL_DOCNUM_MAX];
        char doc_country[PF_WL_DOCS_MAX][8];
        pf_wl_name_t names[PF_WL_NAMES_MAX];
        pf_wl_doc_t docs[PF_WL_DOCS_MAX];
        pf_wl_entry_t entry;
} pf_wl_storage_t;

/**
 * @brief Decodes a WatchlistEntry message (untrusted: checked like events) into @p st.
 * @returns PF_OK or a bad-input code with errstr naming the field, never a value.
 */
pf_err_t pf_codec_decode_watchlist(pf_codec_t *codec, const void *buf, size_t len,
                                   pf_wl_storage_t *st, char *errstr, size_t errstr_size);

/** @brief Encodes @p entry as a WatchlistEntry (newest version). Same buffer contract. */
pf_err_t pf_codec_encode_watchlist(pf_codec_t *codec, const pf_wl_entry_t *entry,
                                   const uint8_t **out, size_t *out_len);

#endif /* PF_CODEC_H */
