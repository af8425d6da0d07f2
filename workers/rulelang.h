/**
 * @file rulelang.h
 * @brief The rule language: lexer, parser, type checker and compiler (rules/README.md).
 *
 * A rule file is compiled once into a pf_ruleset_t: a typed expression tree per rule, stored in
 * one node array, with every field resolved to an accessor kind and a byte offset, enum
 * literals resolved to their integer, list names resolved to indices and reason templates cut
 * into literal and placeholder segments. ruleeval.c walks it per event without allocating.
 *
 * Any mistake rejects the whole file with "file:line:col: message": syntax, unknown fields,
 * unknown list names, type mismatches, unknown enum symbols, a reason printing personal data,
 * and rules that are too expensive (an aggregate over trips without `within`, a window longer
 * than the history retention, more than PF_RULELANG_AGGS_PER_RULE aggregates in a rule, nested
 * aggregates, oversized expressions).
 */
#ifndef PF_RULELANG_H
#define PF_RULELANG_H

#include <stddef.h>
#include <stdint.h>

#define PF_RULELANG_FILE_MAX             (1024 * 1024) /**< bytes of rule text */
#define PF_RULELANG_RULES_MAX            64
#define PF_RULELANG_LISTS_MAX            32
#define PF_RULELANG_LIST_ITEMS           256  /**< entries per list */
#define PF_RULELANG_NODES_MAX            4096 /**< expression nodes in the whole set */
#define PF_RULELANG_RULE_NODES           256  /**< expression nodes per rule (condition + reason) */
#define PF_RULELANG_DEPTH_MAX            32   /**< expression nesting */
#define PF_RULELANG_AGGS_PER_RULE        4
#define PF_RULELANG_LETS_PER_RULE        8
#define PF_RULELANG_SEGS_MAX             16                 /**< reason template segments */
#define PF_RULELANG_RETENTION_DEFAULT_MS (400LL * 86400000) /**< history.retention.days */

typedef struct pf_ruleset_s pf_ruleset_t;

/** Compile-time limits that depend on the worker's configuration. */
typedef struct pf_rulelang_limits_s {
        int64_t retention_ms; /**< history retention: the longest window a rule may use */
} pf_rulelang_limits_t;

/**
 * @brief Compiles rule text with the default limits (retention PF_RULELANG_RETENTION_DEFAULT_MS).
 *
 * @param text        the rule file; need not be NUL-terminated; at most PF_RULELANG_FILE_MAX.
 * @param filename    used in messages only (NULL counts as "<rules>").
 * @param errstr      receives "file:line:col: message" on failure (line and column from 1,
 *                    columns in bytes).
 * @returns a rule set the caller frees with pf_ruleset_destroy(), or NULL with errstr filled.
 */
pf_ruleset_t *pf_ruleset_compile(const char *text, size_t len, const char *filename, char *errstr,
                                 size_t errstr_size);

/** @brief As pf_ruleset_compile() with explicit limits (NULL: defaults). */
pf_ruleset_t *pf_ruleset_compile_limits(const char *text, size_t len, const char *filename,
                                        const pf_rulelang_limits_t *limits, char *errstr,
                                        size_t errstr_size);

/** @brief Frees a rule set; NULL is a no-op. */
void pf_ruleset_destroy(pf_ruleset_t *rs);

/** @returns the version declared by `ruleset "..."` (static for the set's lifetime). */
const char *pf_ruleset_version(const pf_ruleset_t *rs);

/** @returns the number of rules. */
uint32_t pf_ruleset_rule_count(const pf_ruleset_t *rs);

/** @returns the id of rule @p index (declaration order), or NULL when out of range. */
const char *pf_ruleset_rule_id(const pf_ruleset_t *rs, uint32_t index);

/* --- Compiled form: shared by rulelang.c and ruleeval.c only ------------------------------- */

/** Value types. DIGEST values compare for equality only and are never printed. */
typedef enum {
        PF_RT_BOOL = 1,
        PF_RT_INT,
        PF_RT_DUR,  /**< ms */
        PF_RT_TIME, /**< ms since epoch */
        PF_RT_STR,
        PF_RT_ENUM,
        PF_RT_DIGEST
} pf_rtype_t;

/** Where a field lives. */
typedef enum {
        PF_RB_EVENT = 0, /**< pf_event_t */
        PF_RB_DERIVED,   /**< pf_rule_derived_t */
        PF_RB_HIST,      /**< pf_hist_t scalars */
        PF_RB_TRIP,      /**< the current element of `trips` (pf_trip_t) */
        PF_RB_LEG,       /**< pf_leg_t */
        PF_RB_MATCH,     /**< pf_match_t */
        PF_RB_CONTACT    /**< pf_hist_contact_t */
} pf_rbase_t;

/** How a field's bytes are read. */
typedef enum {
        PF_RK_STR = 0, /**< char array at offset */
        PF_RK_I64,     /**< int64_t; PF_RULE_NONE (INT64_MIN) is "unknown" */
        PF_RK_I32,     /**< int32_t (and C enums) */
        PF_RK_U32,
        PF_RK_I8,
        PF_RK_U8,
        PF_RK_BOOL,   /**< bool */
        PF_RK_U64,    /**< digest */
        PF_RK_DAYS,   /**< int32_t days since epoch, PF_DATE_NONE unknown: read as ms */
        PF_RK_FLAG,   /**< u8 at offset & aux != 0 */
        PF_RK_SPECIAL /**< computed: aux is a pf_rspecial_t */
} pf_rkind_t;

/** Computed fields. */
typedef enum {
        PF_RS_TRIP_FOREIGN = 0, /**< trip.foreign_country */
        PF_RS_TRIP_CURRENT,     /**< trip.is_current */
        PF_RS_TRIP_AGE,         /**< trip.age */
        PF_RS_MATCH_CONF,       /**< match.confidence_pct */
        PF_RS_CONTACT_CURRENT,  /**< contact.current */
        PF_RS_HIST_SINCE_HIT,   /**< history.since_last_hit */
        PF_RS_HIST_ANY_HIT      /**< history.previously_hit */
} pf_rspecial_t;

typedef enum {
        PF_RO_CONST = 0, /**< i (or s for strings) */
        PF_RO_FIELD,     /**< base, kind, off, aux */
        PF_RO_LET,       /**< a = let slot */
        PF_RO_AND,
        PF_RO_OR,
        PF_RO_NOT,
        PF_RO_EQ,
        PF_RO_NE,
        PF_RO_LT,
        PF_RO_LE,
        PF_RO_GT,
        PF_RO_GE,
        PF_RO_IN, /**< a in list aux */
        PF_RO_ADD,
        PF_RO_SUB,
        PF_RO_NEG,
        PF_RO_COUNT, /**< aggregates: coll in base, a = where (-1), b = of (-1), i = window */
        PF_RO_EXISTS,
        PF_RO_DISTINCT,
        PF_RO_MIN,
        PF_RO_MAX,
        PF_RO_SINCE_LAST
} pf_rop_t;

/** Collections an aggregate reads. */
typedef enum {
        PF_RC_TRIPS = 0,
        PF_RC_LEGS,
        PF_RC_MATCHES,
        PF_RC_CONTACTS,
        PF_RC__COUNT
} pf_rcoll_t;

/** One expression node. Children are indices into pf_ruleset_t.nodes. */
typedef struct pf_rnode_s {
        uint8_t op;    /**< pf_rop_t */
        uint8_t type;  /**< pf_rtype_t of the result */
        uint8_t base;  /**< pf_rbase_t (fields) or pf_rcoll_t (aggregates) */
        uint8_t kind;  /**< pf_rkind_t (fields) */
        uint16_t off;  /**< byte offset of a field */
        uint16_t aux;  /**< list index, flag mask, special id, enum set id, agg slot */
        int32_t a, b;  /**< children, -1 when absent */
        int64_t i;     /**< integer constant, window ms */
        const char *s; /**< string constant (in the set's string pool) */
} pf_rnode_t;

/** A reason template segment: literal text, or an expression printed by its type. */
typedef struct pf_rseg_s {
        const char *text; /**< literal (NULL for a placeholder) */
        int32_t node;     /**< placeholder expression, -1 for a literal */
        uint16_t enum_set;
} pf_rseg_t;

typedef struct pf_rlist_s {
        const char *name;
        const char **items; /**< sorted (strcmp) */
        uint32_t count;
} pf_rlist_t;

typedef struct pf_rule_s {
        char id[16];
        int32_t version;
        char category[24];
        int32_t weight;
        int64_t cap;        /**< hits per window, 0 = no cap */
        int64_t cap_window; /**< ms */
        int32_t when;       /**< root node */
        uint32_t let_count;
        int32_t lets[PF_RULELANG_LETS_PER_RULE]; /**< let slots: their root nodes */
        uint32_t agg_count;
        uint32_t seg_count;
        pf_rseg_t segs[PF_RULELANG_SEGS_MAX];
} pf_rule_t;

struct pf_ruleset_s {
        char version[32];
        uint32_t rule_count;
        pf_rule_t *rules;
        uint32_t list_count;
        pf_rlist_t lists[PF_RULELANG_LISTS_MAX];
        uint32_t node_count;
        pf_rnode_t *nodes;
        char *pool; /**< strings: one allocation */
};

/** @returns the symbol of value @p v of enum set @p set ("?" when unknown). */
const char *pf_rulelang_enum_name(uint16_t set, int64_t v);

#endif /* PF_RULELANG_H */
