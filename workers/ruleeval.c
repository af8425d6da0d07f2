/**
 * @file ruleeval.c
 * @brief Evaluation of a compiled rule set: a walk over each rule's typed node tree.
 *
 * Values are {int64, const char *} pairs whose type the compiler fixed. An unknown number,
 * duration or time is INT64_MIN ("none"): arithmetic keeps it unknown and every comparison with
 * it is false (so `not (x < 3d)` is true when x is unknown). Strings point into the event, the
 * history or the rule set; nothing is copied and nothing is allocated.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "ruleeval.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE INT64_MIN

typedef struct val_s {
        int64_t i;
        const char *s;
} val_t;

/** Evaluation state of one rule on one event (on the stack). */
typedef struct ctx_s {
        const pf_ruleset_t *rs;
        const pf_rule_input_t *in;
        const pf_rule_t *rule;
        const void *elem[PF_RC__COUNT];    /**< element an aggregate is looking at */
        const void *witness[PF_RC__COUNT]; /**< element that made an aggregate true, for reasons */
} ctx_t;

struct pf_rule_caps_s {
        uint32_t rule_count;
        struct {
                int64_t window_start;
                int64_t count;
                uint64_t suppressed;
        } rule[];
};

static val_t eval(ctx_t *ctx, int32_t id);

static const pf_trip_t *cur_trip_ref(const ctx_t *ctx) {
        return ctx->elem[PF_RC_TRIPS];
}

static const char *trip_foreign(const pf_trip_t *trip) {
        return trip->direction ? trip->destination_country : trip->origin_country;
}

static int trip_is_current(const pf_event_t *ev, const pf_trip_t *trip) {
        return trip->departure_ms == ev->flight.scheduled_departure &&
               strncmp(trip->carrier, ev->carrier, sizeof(trip->carrier)) == 0 &&
               strncmp(trip->flight_number, ev->flight.number, sizeof(trip->flight_number)) == 0;
}

static val_t eval_special(const ctx_t *ctx, int special, const void *elem) {
        const pf_rule_input_t *in = ctx->in;
        val_t v = {0, NULL};

        switch (special) {
        case PF_RS_TRIP_FOREIGN:
                v.s = trip_foreign(elem);
                break;
        case PF_RS_TRIP_CURRENT:
                v.i = trip_is_current(in->ev, elem);
                break;
        case PF_RS_TRIP_AGE:
                v.i = in->ev->flight.scheduled_departure - ((const pf_trip_t *)elem)->departure_ms;
                break;
        case PF_RS_MATCH_CONF:
                v.i = (int64_t)(((const pf_match_t *)elem)->confidence * 100.0 + 0.5);
                break;
        case PF_RS_CONTACT_CURRENT: {
                const pf_hist_contact_t *c = elem;
                v.i = c->kind < PF_HIST_CONTACT__COUNT && c->digest != 0 &&
                      in->contact_digests[c->kind] == c->digest;
                break;
        }
        case PF_RS_HIST_SINCE_HIT:
                v.i = !in->hist || in->hist->last_hit_ms == PF_HIST_HIT_NONE
                              ? NONE
                              : in->ev->flight.scheduled_departure - in->hist->last_hit_ms;
                break;
        case PF_RS_HIST_ANY_HIT:
                v.i = in->hist && in->hist->last_hit_ms != PF_HIST_HIT_NONE;
                break;
        }
        return v;
}

static val_t eval_field(const ctx_t *ctx, const pf_rnode_t *n) {
        static const pf_hist_t empty_hist; /* zeros: no trips, no digests */
        const uint8_t *base = NULL;
        val_t v = {0, NULL};

        switch (n->base) {
        case PF_RB_EVENT:
                base = (const uint8_t *)ctx->in->ev;
                break;
        case PF_RB_DERIVED:
                base = (const uint8_t *)&ctx->in->derived;
                break;
        case PF_RB_HIST:
                base = (const uint8_t *)(ctx->in->hist ? ctx->in->hist : &empty_hist);
                break;
        case PF_RB_TRIP:
                base = (const uint8_t *)cur_trip_ref(ctx);
                break;
        case PF_RB_LEG:
                base = ctx->elem[PF_RC_LEGS];
                break;
        case PF_RB_MATCH:
                base = ctx->elem[PF_RC_MATCHES];
                break;
        case PF_RB_CONTACT:
                base = ctx->elem[PF_RC_CONTACTS];
                break;
        }
        if (!base) { /* a reason's witness that no aggregate produced */
                v.i = NONE;
                v.s = "-";
                return v;
        }
        switch (n->kind) {
        case PF_RK_STR:
                v.s = (const char *)base + n->off;
                break;
        case PF_RK_I64:
                memcpy(&v.i, base + n->off, sizeof(int64_t));
                break;
        case PF_RK_I32: {
                int32_t x;
                memcpy(&x, base + n->off, sizeof(x));
                v.i = x;
                break;
        }
        case PF_RK_U32: {
                uint32_t x;
                memcpy(&x, base + n->off, sizeof(x));
                v.i = x;
                break;
        }
        case PF_RK_I8:
                v.i = (int8_t)base[n->off];
                break;
        case PF_RK_U8:
                v.i = base[n->off];
                break;
        case PF_RK_BOOL: {
                bool x;
                memcpy(&x, base + n->off, sizeof(x));
                v.i = x;
                break;
        }
        case PF_RK_U64: {
                uint64_t x;
                memcpy(&x, base + n->off, sizeof(x));
                v.i = (int64_t)(x & INT64_MAX) ^ (int64_t)(x >> 63); /* equality only */
                break;
        }
        case PF_RK_DAYS: {
                int32_t d;
                memcpy(&d, base + n->off, sizeof(d));
                v.i = d == PF_DATE_NONE ? NONE : (int64_t)d * 86400000;
                break;
        }
        case PF_RK_FLAG:
                v.i = (base[n->off] & n->aux) != 0;
                break;
        case PF_RK_SPECIAL:
                v = eval_special(ctx, n->aux, base);
                break;
        }
        return v;
}

/** @returns <0, 0, >0 comparing two values of type @p type. */
static int val_cmp(int type, val_t a, val_t b) {
        if (type == PF_RT_STR)
                return strcmp(a.s, b.s);
        return a.i < b.i ? -1 : a.i > b.i;
}

static int list_has(const pf_rlist_t *list, const char *s) {
        uint32_t lo = 0, hi = list->count;

        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                int c = strcmp(list->items[mid], s);
                if (c == 0)
                        return 1;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return 0;
}

/** @returns the number of elements of collection @p coll and their address/stride. */
static uint32_t coll_view(const ctx_t *ctx, int coll, const uint8_t **first, size_t *stride) {
        const pf_rule_input_t *in = ctx->in;

        switch (coll) {
        case PF_RC_TRIPS:
                *first = in->hist ? (const uint8_t *)in->hist->trips : NULL;
                *stride = sizeof(pf_trip_t);
                return in->hist ? in->hist->trip_count : 0;
        case PF_RC_LEGS:
                *first = (const uint8_t *)in->ev->booking.legs;
                *stride = sizeof(pf_leg_t);
                return in->ev->has_booking && in->ev->booking.leg_count <= PF_LEGS_MAX
                               ? in->ev->booking.leg_count
                               : 0;
        case PF_RC_MATCHES:
                *first = (const uint8_t *)in->matches;
                *stride = sizeof(pf_match_t);
                return in->matches ? in->match_count : 0;
        default:
                *first = in->hist ? (const uint8_t *)in->hist->contacts : NULL;
                *stride = sizeof(pf_hist_contact_t);
                return in->hist ? in->hist->contact_count : 0;
        }
}

static val_t eval_agg(ctx_t *ctx, const pf_rnode_t *n) {
        const int64_t now = ctx->in->ev->flight.scheduled_departure;
        const char *seen[PF_HIST_MAX_TRIPS + PF_LEGS_MAX];
        const uint8_t *first;
        size_t stride;
        uint32_t count = coll_view(ctx, n->base, &first, &stride), matched = 0, distinct = 0;
        int64_t best = NONE;
        val_t v = {0, NULL};

        for (uint32_t k = 0; k < count; k++) {
                const void *elem = first + k * stride;

                if (n->base == PF_RC_TRIPS) {
                        int64_t dep = ((const pf_trip_t *)elem)->departure_ms;
                        if (dep > now || dep <= now - n->i)
                                continue; /* outside (now - window, now] */
                }
                ctx->elem[n->base] = elem;
                if (n->a >= 0 && !eval(ctx, n->a).i)
                        continue;
                matched++;
                switch (n->op) {
                case PF_RO_COUNT:
                case PF_RO_EXISTS:
                        if (!ctx->witness[n->base])
                                ctx->witness[n->base] = elem;
                        break;
                case PF_RO_DISTINCT: {
                        const char *x = eval(ctx, n->b).s;
                        uint32_t j = 0;

                        while (j < distinct && strcmp(seen[j], x) != 0)
                                j++;
                        if (j == distinct && x[0] != '\0' &&
                            distinct < sizeof(seen) / sizeof(seen[0]))
                                seen[distinct++] = x;
                        if (!ctx->witness[n->base])
                                ctx->witness[n->base] = elem;
                        break;
                }
                case PF_RO_MIN:
                case PF_RO_MAX: {
                        val_t x = eval(ctx, n->b);
                        if (x.i != NONE &&
                            (best == NONE || (n->op == PF_RO_MIN ? x.i < best : x.i > best))) {
                                best = x.i;
                                ctx->witness[n->base] = elem;
                        }
                        break;
                }
                case PF_RO_SINCE_LAST: {
                        int64_t dep = ((const pf_trip_t *)elem)->departure_ms;
                        if (best == NONE || dep > best) {
                                best = dep;
                                ctx->witness[n->base] = elem;
                        }
                        break;
                }
                }
                if (n->op == PF_RO_EXISTS)
                        break;
        }
        ctx->elem[n->base] = NULL;
        switch (n->op) {
        case PF_RO_COUNT:
                v.i = matched;
                break;
        case PF_RO_EXISTS:
                v.i = matched > 0;
                break;
        case PF_RO_DISTINCT:
                v.i = distinct;
                break;
        case PF_RO_SINCE_LAST:
                v.i = best == NONE ? NONE : now - best;
                break;
        default:
                v.i = best;
        }
        return v;
}

static val_t eval(ctx_t *ctx, int32_t id) {
        const pf_rnode_t *n = &ctx->rs->nodes[id];
        val_t a, b, v = {0, NULL};

        switch ((pf_rop_t)n->op) {
        case PF_RO_CONST:
                v.i = n->i;
                v.s = n->s;
                return v;
        case PF_RO_FIELD:
                return eval_field(ctx, n);
        case PF_RO_LET:
                return eval(ctx, ctx->rule->lets[n->a]);
        case PF_RO_AND:
                v.i = eval(ctx, n->a).i && eval(ctx, n->b).i;
                return v;
        case PF_RO_OR:
                v.i = eval(ctx, n->a).i || eval(ctx, n->b).i;
                return v;
        case PF_RO_NOT:
                v.i = !eval(ctx, n->a).i;
                return v;
        case PF_RO_EQ:
        case PF_RO_NE:
        case PF_RO_LT:
        case PF_RO_LE:
        case PF_RO_GT:
        case PF_RO_GE: {
                int type = ctx->rs->nodes[n->a].type, c;

                a = eval(ctx, n->a);
                b = eval(ctx, n->b);
                if (type != PF_RT_STR && (a.i == NONE || b.i == NONE))
                        return v; /* unknown: every comparison is false */
                c = val_cmp(type, a, b);
                v.i = n->op == PF_RO_EQ   ? c == 0
                      : n->op == PF_RO_NE ? c != 0
                      : n->op == PF_RO_LT ? c < 0
                      : n->op == PF_RO_LE ? c <= 0
                      : n->op == PF_RO_GT ? c > 0
                                          : c >= 0;
                return v;
        }
        case PF_RO_IN:
                a = eval(ctx, n->a);
                v.i = a.s[0] != '\0' && list_has(&ctx->rs->lists[n->aux], a.s);
                return v;
        case PF_RO_ADD:
        case PF_RO_SUB:
                a = eval(ctx, n->a);
                b = eval(ctx, n->b);
                if (a.i == NONE || b.i == NONE) {
                        v.i = NONE;
                        return v;
                }
                /* Wrap instead of overflowing: absurd times give absurd (defined) results. */
                v.i = (int64_t)(n->op == PF_RO_ADD ? (uint64_t)a.i + (uint64_t)b.i
                                                   : (uint64_t)a.i - (uint64_t)b.i);
                if (v.i == NONE)
                        v.i = NONE + 1;
                return v;
        case PF_RO_NEG:
                a = eval(ctx, n->a);
                v.i = a.i == NONE ? NONE : -a.i;
                return v;
        default:
                return eval_agg(ctx, n);
        }
}

/*
 * Reasons.
 */

/** Prints a duration with the largest unit that keeps it readable: 90m, 36h, 12d. */
static int fmt_duration(char *out, size_t size, int64_t ms) {
        const char *sign = ms < 0 ? "-" : "";
        uint64_t a = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;

        if (a < 3600000ULL)
                return snprintf(out, size, "%s%" PRIu64 "m", sign, a / 60000);
        if (a < 72 * 3600000ULL)
                return snprintf(out, size, "%s%" PRIu64 "h", sign, a / 3600000);
        return snprintf(out, size, "%s%" PRIu64 "d", sign, a / 86400000);
}

static void render_reason(ctx_t *ctx, char *out, size_t size) {
        const pf_rule_t *rule = ctx->rule;
        size_t used = 0;

        out[0] = '\0';
        for (uint32_t i = 0; i < rule->seg_count && used < size; i++) {
                const pf_rseg_t *seg = &rule->segs[i];
                char buf[64];
                const char *text = buf;
                val_t v;
                int type;

                if (seg->node < 0) {
                        text = seg->text;
                } else {
                        memcpy(ctx->elem, ctx->witness, sizeof(ctx->elem));
                        v = eval(ctx, seg->node);
                        memset(ctx->elem, 0, sizeof(ctx->elem));
                        type = ctx->rs->nodes[seg->node].type;
                        if (type == PF_RT_STR)
                                text = v.s[0] ? v.s : "-";
                        else if (type != PF_RT_BOOL && v.i == NONE)
                                text = "unknown";
                        else if (type == PF_RT_BOOL)
                                text = v.i ? "yes" : "no";
                        else if (type == PF_RT_DUR)
                                fmt_duration(buf, sizeof(buf), v.i);
                        else if (type == PF_RT_ENUM)
                                text = pf_rulelang_enum_name(seg->enum_set, v.i);
                        else
                                snprintf(buf, sizeof(buf), "%" PRId64, v.i);
                }
                int n = snprintf(out + used, size - used, "%s", text);
                used += n > 0 ? (size_t)n : 0;
        }
}

/*
 * Caps.
 */

pf_rule_caps_t *pf_rule_caps_new(const pf_ruleset_t *rs) {
        pf_rule_caps_t *caps = calloc(1, sizeof(*caps) + rs->rule_count * sizeof(caps->rule[0]));

        if (caps)
                caps->rule_count = rs->rule_count;
        return caps;
}

void pf_rule_caps_destroy(pf_rule_caps_t *caps) {
        free(caps);
}

uint64_t pf_rule_caps_suppressed(const pf_rule_caps_t *caps, uint32_t rule_index) {
        return caps && rule_index < caps->rule_count ? caps->rule[rule_index].suppressed : 0;
}

/** @returns 1 if rule @p r may add a hit at event time @p at (and counts it), else 0. */
static int caps_allow(pf_rule_caps_t *caps, const pf_rule_t *rule, uint32_t r, int64_t at) {
        int64_t start;

        if (!caps || rule->cap <= 0 || r >= caps->rule_count)
                return 1;
        start = at - (at % rule->cap_window + rule->cap_window) % rule->cap_window;
        if (caps->rule[r].window_start != start) {
                caps->rule[r].window_start = start;
                caps->rule[r].count = 0;
        }
        if (caps->rule[r].count >= rule->cap) {
                caps->rule[r].suppressed++;
                return 0;
        }
        caps->rule[r].count++;
        return 1;
}

/*
 * Public API.
 */

void pf_rule_input_fill(pf_rule_input_t *in, const pf_event_t *ev, const pf_hist_t *hist,
                        const pf_result_t *res) {
        pf_rule_derived_t *d = &in->derived;
        const int64_t dep = ev->flight.scheduled_departure;

        memset(in, 0, sizeof(*in));
        in->ev = ev;
        in->hist = hist;
        if (res) {
                in->matches = res->matches;
                in->match_count = res->match_count < PF_RESULT_MAX_MATCHES ? res->match_count
                                                                           : PF_RESULT_MAX_MATCHES;
        }
        memcpy(d->foreign_country,
               ev->flight.direction == PF_DIR_OUTBOUND ? ev->flight.destination_country
                                                       : ev->flight.origin_country,
               sizeof(d->foreign_country));
        d->foreign_country[sizeof(d->foreign_country) - 1] = '\0';
        d->lead_time = ev->has_booking ? dep - ev->booking.booked_at : PF_RULE_NONE;
        d->data_lead = dep - ev->sent_at;
        d->trip_length = PF_RULE_NONE;
        d->max_stopover = 0;
        if (ev->has_booking && ev->booking.leg_count > 0 && ev->booking.leg_count <= PF_LEGS_MAX) {
                const pf_leg_t *legs = ev->booking.legs;
                uint32_t n = ev->booking.leg_count;

                d->trip_length = legs[n - 1].arrival - legs[0].departure;
                for (uint32_t i = 1; i < n; i++) {
                        int64_t gap = legs[i].departure - legs[i - 1].arrival;
                        /* A return trip's stay at the destination is not a stopover. */
                        int back =
                                strcmp(legs[i].destination_country, legs[0].origin_country) == 0 &&
                                ev->booking.trip_type == PF_TRIP_RETURN;
                        if (!back && gap > d->max_stopover)
                                d->max_stopover = gap;
                }
        }
        d->doc_expires_in = PF_RULE_NONE;
        d->doc_age = PF_RULE_NONE;
        if (ev->has_document && ev->document.expiry_date != PF_DATE_NONE)
                d->doc_expires_in = (int64_t)ev->document.expiry_date * 86400000 - dep;
        if (ev->has_document && ev->document.issue_date != PF_DATE_NONE)
                d->doc_age = dep - (int64_t)ev->document.issue_date * 86400000;
}

void pf_ruleset_eval(const pf_ruleset_t *rs, const pf_rule_input_t *in, pf_result_t *res) {
        ctx_t ctx;

        snprintf(res->ruleset_version, sizeof(res->ruleset_version), "%s", rs->version);
        memset(&ctx, 0, sizeof(ctx));
        ctx.rs = rs;
        ctx.in = in;
        for (uint32_t r = 0; r < rs->rule_count; r++) {
                const pf_rule_t *rule = &rs->rules[r];
                pf_hit_t *hit;

                ctx.rule = rule;
                memset(ctx.witness, 0, sizeof(ctx.witness));
                if (!eval(&ctx, rule->when).i)
                        continue;
                if (res->hit_count >= PF_RESULT_MAX_HITS)
                        break;
                if (!caps_allow(in->caps, rule, r, in->ev->sent_at))
                        continue;
                hit = &res->hits[res->hit_count++];
                memcpy(hit->rule_id, rule->id, sizeof(hit->rule_id));
                hit->rule_version = rule->version;
                memcpy(hit->category, rule->category, sizeof(hit->category));
                hit->weight = rule->weight;
                render_reason(&ctx, hit->reason, sizeof(hit->reason));
        }
}
