/**
 * @file watchlist.h
 * @brief The in-memory watchlist: entries keyed by entry_id, a document index and a name index.
 *
 * An entry mirrors schemas/watchlist_entry.v1.avsc. pf_watchlist_upsert() copies it, normalises
 * its names (pf_norm_name_passport(), normalize.h) and documents, and indexes them:
 *  - documents: an open-addressing hash table on (issuing country as ISO alpha-3, normalised
 *    number) -> entry; an exact lookup costs one or two cache misses;
 *  - names: an inverted index from blocking keys (pf_sname_keys(): whole-name skeleton sets,
 *    pairs of units, date-tagged typo/initial/single keys, see screen.h) to posting lists of
 *    (name id, packed date of birth). Keys are kept by a 32-bit tag in 8-byte cells; a list of
 *    one name is stored in its cell, longer lists in power-of-two blocks of one pool.
 * Upsert and delete cost O(names + documents of the entry): a delete tombstones the entry and its
 * document slots; dead name postings are skipped by the screener and purged when they outnumber
 * the live ones (an O(n) rebuild, amortised over the deletes that caused it).
 *
 * Files: pf_watchlist_load_file() reads JSON Lines (the public format) or CSV, validates every
 * line, and applies nothing unless every line is valid.
 *
 * JSON Lines: one object per line, blank lines ignored:
 *   entry_id (string, 1-63 bytes, required), list (string, 1-31 bytes, required),
 *   category (string, required), severity ("LOW"|"MEDIUM"|"HIGH"|"CRITICAL", default "HIGH"),
 *   names (array of {given_names, surname}, strings, any script),
 *   date_of_birth ("YYYY-MM-DD"|"YYYY-MM"|"YYYY"|null), nationality (alpha-2 or alpha-3 | null),
 *   documents (array of {number, issuing_country, type}), valid_from / valid_until (ms since
 *   epoch | null). An entry needs at least one name or one document. Unknown fields are ignored.
 *
 * CSV (RFC 4180: comma-separated, fields may be double-quoted, "" escapes a quote, quoted fields
 * may hold commas but not line breaks). The first line is this header, exactly:
 *   entry_id,list,category,severity,given_names,surname,date_of_birth,nationality,
 *   doc_type,doc_number,doc_issuing_country
 * Each row gives one name and/or one document; rows with the same entry_id add aliases and
 * documents to one entry (their list, category, severity, date_of_birth and nationality must
 * agree or be empty). Empty fields mean absent; severity defaults to HIGH.
 *
 * Thread safety: none. Screening (screen.h) reads the watchlist; the owner must not upsert or
 * delete while a screener of the same watchlist runs on another thread.
 *
 * Holds personal data in clear (matching needs it): never log entries.
 */
#ifndef PF_WATCHLIST_H
#define PF_WATCHLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PF_WL_ID_MAX       64            /**< entry_id bytes + NUL (as pf_match_t.entry_id) */
#define PF_WL_LIST_MAX     32            /**< list bytes + NUL (as pf_match_t.list) */
#define PF_WL_CATEGORY_MAX 64            /**< category bytes + NUL */
#define PF_WL_NAMES_MAX    32            /**< names (primary + aliases) per entry */
#define PF_WL_DOCS_MAX     32            /**< documents per entry */
#define PF_WL_NAME_MAX     128           /**< bytes of UTF-8 in given_names or in surname */
#define PF_WL_DOCNUM_MAX   32            /**< bytes of a document number as written */
#define PF_WL_LINE_MAX     (1024 * 1024) /**< longest line of a watchlist file */
#define PF_WL_DATE_NONE    INT64_MIN     /**< valid_from / valid_until absent */

typedef enum {
        PF_WL_SEVERITY_LOW = 0,
        PF_WL_SEVERITY_MEDIUM,
        PF_WL_SEVERITY_HIGH,
        PF_WL_SEVERITY_CRITICAL
} pf_wl_severity_t;

/** A name of a watchlist entry; strings are borrowed, UTF-8, "" or NULL when absent. */
typedef struct pf_wl_name_s {
        const char *given_names;
        const char *surname;
} pf_wl_name_t;

/** A document of a watchlist entry; strings are borrowed. */
typedef struct pf_wl_doc_s {
        const char *type;            /**< PASSPORT, ID_CARD, ...; may be NULL */
        const char *number;          /**< as written: spaces, dashes, '<' are ignored */
        const char *issuing_country; /**< ISO 3166 alpha-2 or alpha-3 (or ICAO "D") */
} pf_wl_doc_t;

/** A watchlist entry as handed to pf_watchlist_upsert(); every pointer is borrowed. */
typedef struct pf_wl_entry_s {
        const char *entry_id;
        const char *list;
        const char *category;
        pf_wl_severity_t severity;
        const pf_wl_name_t *names;
        size_t name_count;
        const char *date_of_birth; /**< "YYYY-MM-DD", "YYYY-MM", "YYYY", or NULL/"" */
        const char *nationality;   /**< alpha-2 or alpha-3, or NULL/"" */
        const pf_wl_doc_t *docs;
        size_t doc_count;
        int64_t valid_from;  /**< ms since epoch or PF_WL_DATE_NONE */
        int64_t valid_until; /**< ms since epoch or PF_WL_DATE_NONE */
} pf_wl_entry_t;

/** Counters of a watchlist, for metrics. */
typedef struct pf_wl_stats_s {
        size_t entries;      /**< live entries */
        size_t names;        /**< live names (primary + aliases) */
        size_t documents;    /**< live documents */
        size_t dead_names;   /**< tombstoned names still in posting lists */
        size_t name_keys;    /**< distinct blocking keys */
        size_t postings;     /**< posting-list slots in use */
        size_t memory_bytes; /**< approximate heap held by the watchlist and its indexes */
} pf_wl_stats_t;

typedef struct pf_watchlist_s pf_watchlist_t;

/**
 * Called once per bad line by pf_watchlist_load_file(); @p message is "file:line: reason"
 * (it never quotes the line's content: the file holds personal data).
 */
typedef void(pf_wl_error_cb_t)(void *opaque, const char *message);

/**
 * Called by pf_watchlist_load_file_visit() with each valid entry as parsed (before the file is
 * known to be all valid: the caller decides what to do once the load returns). Pointers are valid
 * during the call only. A non-zero return fails the load.
 */
typedef int(pf_wl_entry_cb_t)(void *opaque, const pf_wl_entry_t *entry);

/**
 * @brief Creates an empty watchlist.
 * @returns a watchlist the caller frees with pf_watchlist_destroy(), or NULL with errstr filled.
 */
pf_watchlist_t *pf_watchlist_new(char *errstr, size_t errstr_size);

/** @brief Frees the watchlist and every entry; NULL is a no-op. */
void pf_watchlist_destroy(pf_watchlist_t *wl);

/**
 * @brief Validates @p entry and inserts it, replacing any entry with the same entry_id.
 *
 * The entry is copied; the caller keeps ownership of @p entry. On error the watchlist is
 * unchanged and @p errstr says which field is wrong (never its value).
 *
 * @returns PF_OK; PF_ERR_MISSING_FIELD (no entry_id/list/category, or neither a name nor a
 *          document); PF_ERR_INVALID_VALUE (bad date, country or severity; a name with no
 *          letters); PF_ERR_BAD_UTF8; PF_ERR_TOO_LARGE (a field or array over its limit);
 *          PF_ERR_NOMEM.
 */
pf_err_t pf_watchlist_upsert(pf_watchlist_t *wl, const pf_wl_entry_t *entry, char *errstr,
                             size_t errstr_size);

/**
 * @brief Validates @p entry without inserting it (what pf_watchlist_upsert() would say).
 * @returns as pf_watchlist_upsert(), never PF_ERR_NOMEM for a valid entry.
 */
pf_err_t pf_watchlist_check(pf_watchlist_t *wl, const pf_wl_entry_t *entry, char *errstr,
                            size_t errstr_size);

/**
 * @brief Deletes the entry @p entry_id (a tombstone on the compacted topic).
 * @returns true if an entry was deleted, false if there was none.
 */
bool pf_watchlist_delete(pf_watchlist_t *wl, const char *entry_id);

/**
 * @brief Loads a watchlist file: every line is validated first, and the entries are applied
 *        (upserted, later lines winning) only if every line is valid.
 *
 * The format is CSV if @p path ends in ".csv" or the first line is the CSV header, JSON Lines
 * otherwise. Lines longer than PF_WL_LINE_MAX are rejected without being held in memory.
 *
 * @param on_error called for each bad line (may be NULL); at most 1000 calls, then one summary.
 * @param loaded   receives the number of entries applied (0 on error); may be NULL.
 * @returns PF_OK; PF_ERR_IO (cannot open or read); PF_ERR_INVALID_VALUE (some line was bad:
 *          nothing was applied); PF_ERR_NOMEM (nothing was applied, except if the allocation
 *          failed while growing a posting list during the final apply phase, which can leave
 *          the file partly applied).
 */
pf_err_t pf_watchlist_load_file(pf_watchlist_t *wl, const char *path, pf_wl_error_cb_t *on_error,
                                void *opaque, size_t *loaded);

/** @brief Fills @p stats. */
void pf_watchlist_stats(const pf_watchlist_t *wl, pf_wl_stats_t *stats);

/**
 * @brief Maps an ISO 3166-1 alpha-2 or alpha-3 code (any case; ICAO "D" for Germany and the
 *        ICAO codes GBD/GBN/GBO/GBP/GBS, UNO, UNA, UNK, XXA, XXB, XXC, XXX) to alpha-3.
 * @returns PF_OK with a NUL-terminated upper-case code in out[4], or PF_ERR_INVALID_VALUE.
 */
pf_err_t pf_country_alpha3(const char *code, char out[4]);

/**
 * @brief Parses a date of birth "YYYY-MM-DD", "YYYY-MM" or "YYYY" (years 1800-2100, real
 *        calendar days). "" or NULL is PF_OK with precision 0.
 * @param precision receives 0 (absent), 1 (year), 2 (year-month) or 3 (full date).
 * @returns PF_OK or PF_ERR_INVALID_VALUE.
 */
pf_err_t pf_dob_parse(const char *s, int *year, int *month, int *day, int *precision);

/* --- Read access for the screener (screen.c) ---------------------------------------------- */

/**
 * The fixed part of a stored entry, read-only. It is exposed (rather than opaque) because the
 * screener reads it for every candidate and a function call per field would cost more than the
 * comparison. Pointers stay valid until the entry is replaced or deleted.
 */
typedef struct pf_wl_rec_s {
        const char *entry_id;
        const char *list;     /**< interned */
        const char *category; /**< interned */
        uint8_t severity;
        uint8_t dob_prec; /**< 0 absent, 1 year, 2 year-month, 3 full */
        uint8_t dob_month;
        uint8_t dob_day;
        uint16_t dob_year;
        uint8_t name_count;
        uint8_t doc_count;
        char nationality[4]; /**< alpha-3 or "" */
        bool dead;
        int64_t valid_from;
        int64_t valid_until;
        const uint8_t *names; /**< name_count serialized names (pf_sname_view()) */
        const uint8_t *docs;  /**< doc_count of [key_len][type] key: alpha-3 + number */
} pf_wl_rec_t;

/** @brief Calls @p fn for every live entry, in slot order. */
void pf_watchlist_foreach(const pf_watchlist_t *wl,
                          void (*fn)(void *opaque, const pf_wl_rec_t *rec), void *opaque);

/** A posting: a name id and its entry's date of birth, packed (pf_wl_dob_pack()). */
typedef struct pf_wl_post_s {
        uint32_t id;
        uint32_t dob;
} pf_wl_post_t;

/**
 * @brief Packs a date of birth as precision << 24 | year << 9 | month << 5 | day, so that a
 *        screener can drop a candidate born years apart without reading its entry.
 *        0 means unknown.
 */
static inline uint32_t pf_wl_dob_pack(int precision, int year, int month, int day) {
        if (precision <= 0)
                return 0;
        return (uint32_t)precision << 24 | (uint32_t)year << 9 | (uint32_t)month << 5 |
               (uint32_t)day;
}

/**
 * @brief The posting list of blocking key @p key; *posts = NULL, *count = 0 if none. A list of
 *        one name is stored inline in the key table, without its date: it is written to
 *        @p one (dob 0) and *posts points there. Keys are told apart by 32 of their bits: two
 *        keys may share a list (more candidates, never fewer).
 */
void pf_watchlist_postings(const pf_watchlist_t *wl, uint64_t key, const pf_wl_post_t **posts,
                           size_t *count, pf_wl_post_t *one);

/** What the screener needs of a candidate name before it reads the entry. */
typedef struct pf_wl_name_info_s {
        const uint8_t *blob; /**< the serialized name (pf_sname_view()) */
        uint32_t dob;        /**< the entry's date of birth, pf_wl_dob_pack() */
        uint16_t index;      /**< among the entry's names */
        char nationality[4]; /**< the entry's, alpha-3 or "" */
} pf_wl_name_info_t;

/** @brief Name id @p name_id's name and date, or NULL when the name was deleted. */
const pf_wl_name_info_t *pf_watchlist_name_info(const pf_watchlist_t *wl, uint32_t name_id);

/** @brief The entry of name id @p name_id, or NULL when the name was deleted. */
const pf_wl_rec_t *pf_watchlist_name_rec(const pf_watchlist_t *wl, uint32_t name_id);

/** @brief Hints the CPU to fetch the key cell of blocking key @p key. */
void pf_watchlist_prefetch_key(const pf_watchlist_t *wl, uint64_t key);

/** @brief Hints the CPU to fetch name id @p name_id's pf_wl_name_info_t (a batch of candidates
 *         is fetched ahead of scoring). */
void pf_watchlist_prefetch_name(const pf_watchlist_t *wl, uint32_t name_id);

/**
 * @brief The entry and name index of name id @p name_id.
 * @returns the entry, or NULL when the name was deleted.
 */
const pf_wl_rec_t *pf_watchlist_name_entry(const pf_watchlist_t *wl, uint32_t name_id,
                                           unsigned *name_index);

/**
 * @brief Entries listing document @p key (alpha-3 country followed by the normalised number).
 * @returns the number of entries found (at most @p max written to @p out).
 */
size_t pf_watchlist_doc_find(const pf_watchlist_t *wl, const char *key, size_t key_len,
                             const pf_wl_rec_t **out, size_t max);

/**
 * @brief pf_watchlist_load_file() that also hands each valid entry, as parsed, to @p on_entry
 *        (for `paxflow watchlist load`, which publishes the entries instead of keeping them).
 */
pf_err_t pf_watchlist_load_file_visit(pf_watchlist_t *wl, const char *path,
                                      pf_wl_error_cb_t *on_error, void *opaque,
                                      pf_wl_entry_cb_t *on_entry, void *entry_opaque,
                                      size_t *loaded);

#endif /* PF_WATCHLIST_H */
