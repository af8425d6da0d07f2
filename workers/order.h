/**
 * @file order.h
 * @brief Event-time order for stage 2, so that results and history never depend on timing.
 *
 * Stage 1 reads several input partitions and interleaves them into the repartition topic in
 * whatever order its fetches return: two trips of one traveller can reach stage 2 in either
 * order, and a history rule would see a different past in a replay. So stage 2 does not apply
 * events in arrival order. It applies them in (sent_at, event id) order, and only once every
 * input partition ("source") has promised that nothing earlier will follow:
 *
 * - Stage 1 wraps each repartitioned event in an envelope carrying its order key, and at each
 *   commit sends every repartition partition a watermark marker per source it owns:
 *   "nothing from this source with sent_at < W will follow" (W = the newest sent_at read minus
 *   order.lateness.ms), or "this source is idle" (read to its end). With order.idle=clock an
 *   idle source promises the wall clock minus the lateness instead, renewed at each commit while
 *   newer events exist elsewhere (pf_order_source_promise).
 * - Stage 2 keeps each partition's events pending in a heap and releases them in key order while
 *   their time is below the frontier, the lowest watermark over every source (idle ones count
 *   as +infinity). The result of an event thus depends on the traveller's events with a smaller
 *   key and on nothing else.
 *
 * Nothing pending is written to state. The committed repartition offset is the lowest offset
 * still pending, and the partition's order state (last released key, source watermarks and the
 * consumer position at the commit) goes to the changelog in the same transaction. A restart reads
 * again from that offset and skips what it already released: an event below the stored position
 * whose key is at or below the last released key was applied before.
 *
 * An event that arrives after its key was overtaken (its source broke its promise: input out of
 * order by more than the lateness) is applied at once and counted as late; a partition holding
 * more than its cap releases its oldest event early and counts it as forced. Both are the only
 * ways timing can reach a result, and both are visible in metrics.
 */
#ifndef PF_ORDER_H
#define PF_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define PF_ORDER_INPUTS      2    /**< input topics: 0 api, 1 pnr */
#define PF_ORDER_INPUT_PARTS 1024 /**< partitions per input topic */
#define PF_ORDER_TIME_MIN    INT64_MIN
#define PF_ORDER_TIME_MAX    INT64_MAX

/* ---- Envelope and marker (the repartition topic's value format) ---- */

/** Most bytes an envelope header takes: magic, time, id length, id. */
#define PF_ORDER_ENV_HEAD_MAX (4 + 8 + 1 + PF_EVENT_ID_MAX)
/** The message key of a watermark marker (no traveller key is 3 bytes long). */
#define PF_ORDER_MARK_KEY     "~wm"
#define PF_ORDER_MARK_KEY_LEN 3
#define PF_ORDER_MARK_LEN     (4 + 1 + 4 + 8 + 1)

/** @brief Writes the envelope header for (time, id) into @p out. @returns its length. */
size_t pf_order_env_write(uint8_t out[PF_ORDER_ENV_HEAD_MAX], int64_t time, const char *id);

/** @returns 0 and the parts of an envelope, or -1 when @p buf is not one. */
int pf_order_env_read(const void *buf, size_t len, int64_t *time, const char **id, size_t *id_len,
                      const uint8_t **payload, size_t *payload_len);

/** @brief Encodes a watermark marker. */
void pf_order_mark_write(uint8_t out[PF_ORDER_MARK_LEN], int input, int32_t partition, int64_t w,
                         int idle);

/** @returns 0 and the marker's fields, or -1 when @p buf is not a marker. */
int pf_order_mark_read(const void *buf, size_t len, int *input, int32_t *partition, int64_t *w,
                       int *idle);

/* ---- Stage 1: what each owned source has promised ---- */

typedef struct pf_order_src_s {
        int64_t max_time; /**< newest sent_at read, PF_ORDER_TIME_MIN before the first */
        int64_t promised; /**< the watermark last sent for it, PF_ORDER_TIME_MIN before any */
        uint8_t idle;     /**< read to its end */
        uint8_t dirty;    /**< a marker is due */
} pf_order_src_t;

typedef struct pf_order_sources_s {
        int64_t lateness_ms;
        pf_order_src_t src[PF_ORDER_INPUTS][PF_ORDER_INPUT_PARTS];
} pf_order_sources_t;

void pf_order_sources_init(pf_order_sources_t *s, int64_t lateness_ms);
/** @brief An event of @p time was read from the source. @returns 1 if a marker is due. */
int pf_order_source_event(pf_order_sources_t *s, int input, int32_t partition, int64_t time);
/** @brief The source was read to its end. @returns 1 if a marker is due. */
int pf_order_source_eof(pf_order_sources_t *s, int input, int32_t partition);
/** @brief The source was revoked: forget it. */
void pf_order_source_forget(pf_order_sources_t *s, int input, int32_t partition);
/** @returns the watermark the source may promise from what it has read. */
int64_t pf_order_source_watermark(const pf_order_sources_t *s, int input, int32_t partition);
/**
 * @returns the watermark a marker sent at wall-clock time @p now_ms carries for the source, and
 * records it as promised. A source read to its end also promises now_ms - lateness: a live
 * producer's next event is stamped (sent_at) no earlier than that, as long as append delay and
 * clock skew stay within the lateness. For input already on the broker (a replay) that bound is
 * above every event, so the end of the input is released as before.
 */
int64_t pf_order_source_promise(pf_order_sources_t *s, int input, int32_t partition,
                                int64_t now_ms);
/**
 * At a commit: marks due again the idle sources whose promise could now rise and would matter,
 * i.e. is below both now_ms - lateness and the newest event time read from any source.
 * @returns 1 if a marker is due.
 */
int pf_order_sources_refresh(pf_order_sources_t *s, int64_t now_ms);

/* ---- Stage 2: one repartition partition ---- */

/** A pending event: its order key, where it came from and the original event bytes. */
typedef struct pf_order_rec_s {
        int64_t time;
        int64_t offset; /**< in the repartition partition */
        int64_t ts;     /**< Kafka timestamp (latency metric) */
        size_t len;
        uint8_t id_len;
        char id[PF_EVENT_ID_MAX];
        char key[32]; /**< traveller key, hex */
        uint8_t payload[];
} pf_order_rec_t;

typedef struct pf_order_part_s pf_order_part_t;

typedef enum {
        PF_ORDER_HOLD = 0, /**< pending: released later in key order */
        PF_ORDER_LATE,     /**< overtaken: apply now (and count it) */
        PF_ORDER_SKIP,     /**< applied before the last commit: drop */
        PF_ORDER_NOMEM
} pf_order_verdict_t;

/**
 * @param sources required sources per input topic (their partition counts): a required source
 *        that has sent nothing holds the frontier at -infinity.
 * @param max_pending above this many pending events the oldest is released early.
 */
pf_order_part_t *pf_order_part_new(const int32_t sources[PF_ORDER_INPUTS], size_t max_pending);
void pf_order_part_destroy(pf_order_part_t *p); /* NULL is a no-op */

/** @brief Drops everything pending and goes back to the initial state (no commit yet). */
void pf_order_part_reset(pf_order_part_t *p);

/**
 * @brief Replaces the state with a committed one (pf_order_part_encode()) and drops the pending.
 * @returns 0, or -1 when @p blob is not a valid encoding (the state is then reset).
 */
int pf_order_part_load(pf_order_part_t *p, const void *blob, size_t len);

/** Largest encoding pf_order_part_encode() can produce. */
#define PF_ORDER_BLOB_MAX                                                                          \
        (1 + 1 + 8 + 1 + PF_EVENT_ID_MAX + 8 + 4 + PF_ORDER_INPUTS * PF_ORDER_INPUT_PARTS * 14)

/** @returns the length of the committed-state encoding written to @p out. */
size_t pf_order_part_encode(const pf_order_part_t *p, uint8_t *out, size_t cap);

/** @brief Offers an event read at @p offset; on PF_ORDER_HOLD the partition keeps a copy. */
pf_order_verdict_t pf_order_part_offer(pf_order_part_t *p, int64_t offset, int64_t time,
                                       const char *id, size_t id_len, const char key[32],
                                       const void *payload, size_t len, int64_t ts);

/** @brief Applies a marker read at @p offset. @returns 1 if it was new (frontier may move). */
int pf_order_part_mark(pf_order_part_t *p, int64_t offset, int input, int32_t partition, int64_t w,
                       int idle);

/**
 * @returns the next event to release (the caller owns it and frees it with free()), or NULL when
 *          none is below the frontier. *forced is set when it was released only because of the
 *          cap.
 */
pf_order_rec_t *pf_order_part_pop(pf_order_part_t *p, int *forced);

/** @returns 1 if pf_order_part_pop() would return an event. */
int pf_order_part_ready(const pf_order_part_t *p);

size_t pf_order_part_pending(const pf_order_part_t *p);

/** @returns the time of the next pending event, INT64_MAX when none is pending. */
int64_t pf_order_part_next_time(const pf_order_part_t *p);

/** @returns 1 if more events are pending than the cap (the next pop is forced). */
int pf_order_part_over_cap(const pf_order_part_t *p);

/**
 * @returns the partition's progress: every event with a smaller time has been applied (the
 *          lower of the frontier and the next pending event's time). The flags table's gate
 *          reads it (flags.h).
 */
int64_t pf_order_part_progress(const pf_order_part_t *p);

/** @returns the consumer position stored at the last commit (-1 before any): until the consumer
 *           is back there after a load, the pending events are not all read again. */
int64_t pf_order_part_position(const pf_order_part_t *p);

/** @returns the frontier: every source's watermark, the lowest. */
int64_t pf_order_part_frontier(const pf_order_part_t *p);

/**
 * @brief At a commit: records @p position (the consumer's next offset) in the state and
 *        @returns the offset to commit: the lowest one still pending, else @p position.
 */
int64_t pf_order_part_commit_offset(pf_order_part_t *p, int64_t position);

#endif /* PF_ORDER_H */
