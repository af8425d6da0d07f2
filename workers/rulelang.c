/**
 * @file rulelang.c
 * @brief Rule language: lexer, recursive-descent parser with inline type checking, and the
 *        compiled form (see rulelang.h and rules/README.md).
 *
 * The compiler runs once per rule file, so it may allocate; the first error stops it (a longjmp
 * back to pf_ruleset_compile_limits(), whose single cleanup path frees everything). All
 * recursion is bounded by PF_RULELANG_DEPTH_MAX, all tables by the PF_RULELANG_* limits.
 */
#include "rulelang.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../state/hist.h"
#include "event.h"
#include "result.h"
#include "ruleeval.h"

#define MS_S   1000LL
#define MS_DAY (86400LL * MS_S)

/*
 * Enum sets: index = pf_rnode_t.aux of an ENUM value.
 */
enum {
        ES_NONE = 0,
        ES_SOURCE,
        ES_PUSH,
        ES_DIRECTION,
        ES_GENDER,
        ES_DOCTYPE,
        ES_PAYMENT,
        ES_TRIPTYPE,
        ES_MATCHKIND,
        ES_CONTACTKIND,
        ES__COUNT
};

static const char *const enum_syms[ES__COUNT][7] = {
        [ES_SOURCE] = {"API", "PNR"},
        [ES_PUSH] = {"T72H", "T48H", "T24H", "DEPARTURE", "CHECKIN", "ADHOC"},
        [ES_DIRECTION] = {"INBOUND", "OUTBOUND"},
        [ES_GENDER] = {"M", "F", "X", "U"},
        [ES_DOCTYPE] = {"PASSPORT", "ID_CARD", "VISA", "RESIDENCE_PERMIT", "OTHER"},
        [ES_PAYMENT] = {"CASH", "CARD", "INVOICE", "MILES", "OTHER", "UNKNOWN"},
        [ES_TRIPTYPE] = {"ONE_WAY", "RETURN", "MULTI_CITY"},
        [ES_MATCHKIND] = {"DOCUMENT", "NAME_DOB", "NAME"},
        [ES_CONTACTKIND] = {"PHONE", "EMAIL", "CARD"},
};

const char *pf_rulelang_enum_name(uint16_t set, int64_t v) {
        if (set >= ES__COUNT || v < 0 || v >= 7 || enum_syms[set][v] == NULL)
                return "?";
        return enum_syms[set][v];
}

/** @returns the value of symbol @p sym in @p set, or -1. */
static int enum_lookup(uint16_t set, const char *sym) {
        for (int v = 0; v < 7 && enum_syms[set][v]; v++)
                if (strcmp(enum_syms[set][v], sym) == 0)
                        return v;
        return -1;
}

/*
 * Fields a rule may read.
 */

typedef struct field_s {
        const char *name;
        uint8_t base; /**< pf_rbase_t */
        uint8_t kind; /**< pf_rkind_t */
        uint8_t type; /**< pf_rtype_t */
        uint8_t pii;  /**< personal data: readable in conditions, never printed in a reason */
        uint16_t off;
        uint16_t aux; /**< enum set, flag mask or special id */
} field_t;

#define EV(m) ((uint16_t)offsetof(pf_event_t, m))
#define DV(m) ((uint16_t)offsetof(pf_rule_derived_t, m))
#define HI(m) ((uint16_t)offsetof(pf_hist_t, m))
#define TR(m) ((uint16_t)offsetof(pf_trip_t, m))
#define LG(m) ((uint16_t)offsetof(pf_leg_t, m))
#define MT(m) ((uint16_t)offsetof(pf_match_t, m))
#define CT(m) ((uint16_t)offsetof(pf_hist_contact_t, m))
#define S     PF_RK_STR
#define STR   PF_RT_STR
#define SPEC  PF_RK_SPECIAL

static const field_t fields[] = {
        /* The event. */
        {"event.source", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0, EV(source), ES_SOURCE},
        {"event.push_kind", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0, EV(push_kind), ES_PUSH},
        {"event.sent_at", PF_RB_EVENT, PF_RK_I64, PF_RT_TIME, 0, EV(sent_at), 0},
        {"event.carrier", PF_RB_EVENT, S, STR, 0, EV(carrier), 0},
        {"event.flight.number", PF_RB_EVENT, S, STR, 0, EV(flight.number), 0},
        {"event.flight.origin_airport", PF_RB_EVENT, S, STR, 0, EV(flight.origin_airport), 0},
        {"event.flight.origin_country", PF_RB_EVENT, S, STR, 0, EV(flight.origin_country), 0},
        {"event.flight.destination_airport", PF_RB_EVENT, S, STR, 0, EV(flight.destination_airport),
         0},
        {"event.flight.destination_country", PF_RB_EVENT, S, STR, 0, EV(flight.destination_country),
         0},
        {"event.flight.scheduled_departure", PF_RB_EVENT, PF_RK_I64, PF_RT_TIME, 0,
         EV(flight.scheduled_departure), 0},
        {"event.flight.scheduled_arrival", PF_RB_EVENT, PF_RK_I64, PF_RT_TIME, 0,
         EV(flight.scheduled_arrival), 0},
        {"event.flight.direction", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0, EV(flight.direction),
         ES_DIRECTION},
        {"event.traveller.given_names", PF_RB_EVENT, S, STR, 1, EV(traveller.given_names), 0},
        {"event.traveller.surname", PF_RB_EVENT, S, STR, 1, EV(traveller.surname), 0},
        {"event.traveller.date_of_birth", PF_RB_EVENT, S, STR, 1, EV(traveller.date_of_birth), 0},
        {"event.traveller.gender", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 1, EV(traveller.gender),
         ES_GENDER},
        {"event.traveller.nationality", PF_RB_EVENT, S, STR, 1, EV(traveller.nationality), 0},
        {"event.traveller.residence", PF_RB_EVENT, S, STR, 1, EV(traveller.residence), 0},
        {"event.has_document", PF_RB_EVENT, PF_RK_BOOL, PF_RT_BOOL, 0, EV(has_document), 0},
        {"event.document.type", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0, EV(document.type),
         ES_DOCTYPE},
        {"event.document.number", PF_RB_EVENT, S, STR, 1, EV(document.number), 0},
        {"event.document.issuing_country", PF_RB_EVENT, S, STR, 1, EV(document.issuing_country), 0},
        {"event.document.issue_date", PF_RB_EVENT, PF_RK_DAYS, PF_RT_TIME, 1,
         EV(document.issue_date), 0},
        {"event.document.expiry_date", PF_RB_EVENT, PF_RK_DAYS, PF_RT_TIME, 1,
         EV(document.expiry_date), 0},
        {"event.has_booking", PF_RB_EVENT, PF_RK_BOOL, PF_RT_BOOL, 0, EV(has_booking), 0},
        {"event.booking.record_locator", PF_RB_EVENT, S, STR, 1, EV(booking.record_locator), 0},
        {"event.booking.booked_at", PF_RB_EVENT, PF_RK_I64, PF_RT_TIME, 0, EV(booking.booked_at),
         0},
        {"event.booking.payment_type", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0,
         EV(booking.payment_type), ES_PAYMENT},
        {"event.booking.card_holder_is_traveller", PF_RB_EVENT, PF_RK_I8, PF_RT_INT, 0,
         EV(booking.card_holder_is_traveller), 0},
        {"event.booking.agency_id", PF_RB_EVENT, S, STR, 0, EV(booking.agency_id), 0},
        {"event.booking.agency_country", PF_RB_EVENT, S, STR, 0, EV(booking.agency_country), 0},
        {"event.booking.trip_type", PF_RB_EVENT, PF_RK_I32, PF_RT_ENUM, 0, EV(booking.trip_type),
         ES_TRIPTYPE},
        {"event.booking.leg_count", PF_RB_EVENT, PF_RK_U32, PF_RT_INT, 0, EV(booking.leg_count), 0},
        {"event.booking.co_traveller_count", PF_RB_EVENT, PF_RK_I32, PF_RT_INT, 0,
         EV(booking.co_traveller_count), 0},
        {"event.booking.bag_count", PF_RB_EVENT, PF_RK_I32, PF_RT_INT, 0, EV(booking.bag_count), 0},
        {"event.booking.bag_weight_kg", PF_RB_EVENT, PF_RK_I32, PF_RT_INT, 0,
         EV(booking.bag_weight_kg), 0},
        {"event.booking.contact_phone", PF_RB_EVENT, S, STR, 1, EV(booking.contact_phone), 0},
        {"event.booking.contact_email", PF_RB_EVENT, S, STR, 1, EV(booking.contact_email), 0},
        {"event.booking.frequent_flyer_id", PF_RB_EVENT, S, STR, 1, EV(booking.frequent_flyer_id),
         0},
        /* Derived from the event (pf_rule_input_fill()). */
        {"event.foreign_country", PF_RB_DERIVED, S, STR, 0, DV(foreign_country), 0},
        {"event.lead_time", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(lead_time), 0},
        {"event.data_lead", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(data_lead), 0},
        {"event.trip_length", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(trip_length), 0},
        {"event.max_stopover", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(max_stopover), 0},
        {"event.doc_expires_in", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(doc_expires_in), 0},
        {"event.doc_age", PF_RB_DERIVED, PF_RK_I64, PF_RT_DUR, 0, DV(doc_age), 0},
        {"event.booking_digest", PF_RB_DERIVED, PF_RK_U64, PF_RT_DIGEST, 0, DV(booking_digest), 0},
        /* History scalars. */
        {"history.trips", PF_RB_HIST, PF_RK_U32, PF_RT_INT, 0, HI(trip_count), 0},
        {"history.documents", PF_RB_HIST, PF_RK_U32, PF_RT_INT, 0, HI(doc_digest_count), 0},
        {"history.nationalities", PF_RB_HIST, PF_RK_U32, PF_RT_INT, 0, HI(nationality_count), 0},
        {"history.contacts", PF_RB_HIST, PF_RK_U32, PF_RT_INT, 0, HI(contact_count), 0},
        {"history.previously_hit", PF_RB_HIST, SPEC, PF_RT_BOOL, 0, 0, PF_RS_HIST_ANY_HIT},
        {"history.since_last_hit", PF_RB_HIST, SPEC, PF_RT_DUR, 0, 0, PF_RS_HIST_SINCE_HIT},
        /* Elements of `trips`. */
        {"trip.departure", PF_RB_TRIP, PF_RK_I64, PF_RT_TIME, 0, TR(departure_ms), 0},
        {"trip.carrier", PF_RB_TRIP, S, STR, 0, TR(carrier), 0},
        {"trip.flight_number", PF_RB_TRIP, S, STR, 0, TR(flight_number), 0},
        {"trip.origin_airport", PF_RB_TRIP, S, STR, 0, TR(origin_airport), 0},
        {"trip.origin_country", PF_RB_TRIP, S, STR, 0, TR(origin_country), 0},
        {"trip.destination_airport", PF_RB_TRIP, S, STR, 0, TR(destination_airport), 0},
        {"trip.destination_country", PF_RB_TRIP, S, STR, 0, TR(destination_country), 0},
        {"trip.direction", PF_RB_TRIP, PF_RK_U8, PF_RT_ENUM, 0, TR(direction), ES_DIRECTION},
        {"trip.pnr", PF_RB_TRIP, PF_RK_FLAG, PF_RT_BOOL, 0, TR(flags), PF_TRIP_FLAG_PNR},
        {"trip.api", PF_RB_TRIP, PF_RK_FLAG, PF_RT_BOOL, 0, TR(flags), PF_TRIP_FLAG_API},
        {"trip.hit", PF_RB_TRIP, PF_RK_FLAG, PF_RT_BOOL, 0, TR(flags), PF_TRIP_FLAG_RULE_HIT},
        {"trip.companion_hit", PF_RB_TRIP, PF_RK_U8, PF_RT_BOOL, 0, TR(companion_hit), 0},
        {"trip.booking", PF_RB_TRIP, PF_RK_U64, PF_RT_DIGEST, 0, TR(booking_digest), 0},
        {"trip.foreign_country", PF_RB_TRIP, SPEC, STR, 0, 0, PF_RS_TRIP_FOREIGN},
        {"trip.is_current", PF_RB_TRIP, SPEC, PF_RT_BOOL, 0, 0, PF_RS_TRIP_CURRENT},
        {"trip.age", PF_RB_TRIP, SPEC, PF_RT_DUR, 0, 0, PF_RS_TRIP_AGE},
        /* Elements of `legs` (the event's itinerary). */
        {"leg.carrier", PF_RB_LEG, S, STR, 0, LG(carrier), 0},
        {"leg.flight_number", PF_RB_LEG, S, STR, 0, LG(flight_number), 0},
        {"leg.origin_airport", PF_RB_LEG, S, STR, 0, LG(origin_airport), 0},
        {"leg.origin_country", PF_RB_LEG, S, STR, 0, LG(origin_country), 0},
        {"leg.destination_airport", PF_RB_LEG, S, STR, 0, LG(destination_airport), 0},
        {"leg.destination_country", PF_RB_LEG, S, STR, 0, LG(destination_country), 0},
        {"leg.departure", PF_RB_LEG, PF_RK_I64, PF_RT_TIME, 0, LG(departure), 0},
        {"leg.arrival", PF_RB_LEG, PF_RK_I64, PF_RT_TIME, 0, LG(arrival), 0},
        /* Elements of `matches` (watchlist result). */
        {"match.entry_id", PF_RB_MATCH, S, STR, 0, MT(entry_id), 0},
        {"match.list", PF_RB_MATCH, S, STR, 0, MT(list), 0},
        {"match.kind", PF_RB_MATCH, PF_RK_I32, PF_RT_ENUM, 0, MT(kind), ES_MATCHKIND},
        {"match.confidence_pct", PF_RB_MATCH, SPEC, PF_RT_INT, 0, 0, PF_RS_MATCH_CONF},
        /* Elements of `contacts` (history contact digests). */
        {"contact.kind", PF_RB_CONTACT, PF_RK_U8, PF_RT_ENUM, 0, CT(kind), ES_CONTACTKIND},
        {"contact.flagged", PF_RB_CONTACT, PF_RK_FLAG, PF_RT_BOOL, 0, CT(flags),
         PF_HIST_CONTACT_FLAGGED},
        {"contact.current", PF_RB_CONTACT, SPEC, PF_RT_BOOL, 0, 0, PF_RS_CONTACT_CURRENT},
};

static const struct {
        const char *name; /**< collection */
        const char *var;  /**< element prefix */
        uint8_t base;
} colls[PF_RC__COUNT] = {
        [PF_RC_TRIPS] = {"trips", "trip", PF_RB_TRIP},
        [PF_RC_LEGS] = {"legs", "leg", PF_RB_LEG},
        [PF_RC_MATCHES] = {"matches", "match", PF_RB_MATCH},
        [PF_RC_CONTACTS] = {"contacts", "contact", PF_RB_CONTACT},
};

static const char *type_name(int type) {
        switch (type) {
        case PF_RT_BOOL:
                return "a boolean";
        case PF_RT_INT:
                return "an integer";
        case PF_RT_DUR:
                return "a duration";
        case PF_RT_TIME:
                return "a time";
        case PF_RT_STR:
                return "a string";
        case PF_RT_ENUM:
                return "an enum";
        case PF_RT_DIGEST:
                return "a digest";
        }
        return "?";
}

/** @returns the collection whose elements live in @p base, or -1. */
static int coll_of_base(int base) {
        for (int c = 0; c < PF_RC__COUNT; c++)
                if (colls[c].base == base)
                        return c;
        return -1;
}

/*
 * Lexer.
 */

typedef enum {
        T_EOF = 0,
        T_IDENT, /**< letters, digits, '_' and '.' (a path) */
        T_INT,
        T_DUR,
        T_STR,
        T_LPAREN,
        T_RPAREN,
        T_LBRACK,
        T_RBRACK,
        T_COMMA,
        T_ASSIGN,
        T_EQ,
        T_NE,
        T_LT,
        T_LE,
        T_GT,
        T_GE,
        T_PLUS,
        T_MINUS
} tok_kind_t;

typedef struct tok_s {
        tok_kind_t kind;
        const char *p; /**< start in the text */
        size_t len;
        int line, col;
        int64_t num; /**< T_INT, T_DUR (ms) */
} tok_t;

typedef struct let_s {
        char name[32];
        int32_t node;
        uint8_t type;
        uint8_t pii;
        uint16_t enum_set;
} let_t;

typedef struct parser_s {
        const char *text;
        size_t len, pos;
        int line, col;
        const char *filename;
        tok_t tok; /**< current token */
        jmp_buf fail;
        char *errstr;
        size_t errstr_size;
        int64_t retention_ms;
        pf_ruleset_t *rs;
        size_t pool_used, pool_cap;
        uint32_t node_cap;
        /* Per-rule state. */
        int depth;
        int in_agg; /**< collection of the enclosing aggregate, or -1 */
        uint32_t rule_first_node;
        uint8_t pii;       /**< the expression being parsed read a personal field */
        uint32_t agg_mask; /**< collections the current rule aggregates over */
        uint32_t agg_count;
        let_t lets[PF_RULELANG_LETS_PER_RULE];
        uint32_t let_count;
} parser_t;

static void fail_at(parser_t *p, int line, int col, const char *fmt, ...)
        __attribute__((format(printf, 4, 5), noreturn));

static void fail_at(parser_t *p, int line, int col, const char *fmt, ...) {
        char msg[200];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (p->errstr && p->errstr_size)
                snprintf(p->errstr, p->errstr_size, "%s:%d:%d: %s", p->filename, line, col, msg);
        longjmp(p->fail, 1);
}

#define FAIL_TOK(p, t, ...) fail_at((p), (t)->line, (t)->col, __VA_ARGS__)

static int is_ident_start(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c) {
        return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int peekc(const parser_t *p, size_t ahead) {
        return p->pos + ahead < p->len ? (unsigned char)p->text[p->pos + ahead] : -1;
}

static void advc(parser_t *p) {
        if (p->text[p->pos] == '\n') {
                p->line++;
                p->col = 1;
        } else {
                p->col++;
        }
        p->pos++;
}

/** Reads the next token into p->tok. */
static void lex(parser_t *p) {
        tok_t *t = &p->tok;
        int c;

        for (;;) { /* blanks and comments */
                c = peekc(p, 0);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                        advc(p);
                } else if (c == '#') {
                        while (peekc(p, 0) != -1 && peekc(p, 0) != '\n')
                                advc(p);
                } else {
                        break;
                }
        }
        memset(t, 0, sizeof(*t));
        t->p = p->text + p->pos;
        t->line = p->line;
        t->col = p->col;
        if (c == -1) {
                t->kind = T_EOF;
                return;
        }
        if (is_ident_start(c)) {
                while (peekc(p, 0) != -1 && is_ident_char(peekc(p, 0)))
                        advc(p);
                t->kind = T_IDENT;
        } else if (c >= '0' && c <= '9') {
                int64_t v = 0;

                while ((c = peekc(p, 0)) >= '0' && c <= '9') {
                        if (v > (INT64_MAX - 9) / 10 / (1000LL * 86400 * 7))
                                FAIL_TOK(p, t, "number too large");
                        v = v * 10 + (c - '0');
                        advc(p);
                }
                t->kind = T_INT;
                if (c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w') {
                        int64_t mult = c == 's'   ? MS_S
                                       : c == 'm' ? 60 * MS_S
                                       : c == 'h' ? 3600 * MS_S
                                       : c == 'd' ? MS_DAY
                                                  : 7 * MS_DAY;
                        advc(p);
                        t->kind = T_DUR;
                        v *= mult;
                }
                if (peekc(p, 0) != -1 && is_ident_char(peekc(p, 0)))
                        fail_at(p, p->line, p->col,
                                "bad number: a duration unit is one of s, m, h, d, w");
                t->num = v;
        } else if (c == '"') {
                advc(p);
                for (;;) {
                        c = peekc(p, 0);
                        if (c == -1 || c == '\n')
                                FAIL_TOK(p, t, "unterminated string");
                        if (c == '\\') {
                                advc(p);
                                c = peekc(p, 0);
                                if (c != '"' && c != '\\')
                                        fail_at(p, p->line, p->col,
                                                "unknown escape: only \\\" and \\\\ are allowed");
                        } else if (c == '"') {
                                advc(p);
                                break;
                        }
                        advc(p);
                }
                t->kind = T_STR;
        } else {
                int c1 = peekc(p, 1);

                advc(p);
                switch (c) {
                case '(':
                        t->kind = T_LPAREN;
                        break;
                case ')':
                        t->kind = T_RPAREN;
                        break;
                case '[':
                        t->kind = T_LBRACK;
                        break;
                case ']':
                        t->kind = T_RBRACK;
                        break;
                case ',':
                        t->kind = T_COMMA;
                        break;
                case '+':
                        t->kind = T_PLUS;
                        break;
                case '-':
                        t->kind = T_MINUS;
                        break;
                case '=':
                        t->kind = c1 == '=' ? T_EQ : T_ASSIGN;
                        break;
                case '!':
                        if (c1 != '=')
                                FAIL_TOK(p, t, "unexpected '!': write 'not' or '!='");
                        t->kind = T_NE;
                        break;
                case '<':
                        t->kind = c1 == '=' ? T_LE : T_LT;
                        break;
                case '>':
                        t->kind = c1 == '=' ? T_GE : T_GT;
                        break;
                default:
                        if (c >= 0x20 && c < 0x7f)
                                FAIL_TOK(p, t, "unexpected character '%c'", c);
                        FAIL_TOK(p, t, "unexpected byte 0x%02x", c);
                }
                if ((t->kind == T_EQ || t->kind == T_NE || t->kind == T_LE || t->kind == T_GE))
                        advc(p);
        }
        t->len = (size_t)(p->text + p->pos - t->p);
}

static int tok_is(const tok_t *t, const char *word) {
        return t->kind == T_IDENT && t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

/** Describes the current token for "expected X, found Y". */
static const char *tok_desc(const tok_t *t, char *buf, size_t size) {
        if (t->kind == T_EOF)
                return "end of file";
        snprintf(buf, size, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->p);
        return buf;
}

static void expect_word(parser_t *p, const char *word) {
        char buf[64];

        if (!tok_is(&p->tok, word))
                FAIL_TOK(p, &p->tok, "expected '%s', found %s", word,
                         tok_desc(&p->tok, buf, sizeof(buf)));
        lex(p);
}

static void expect(parser_t *p, tok_kind_t kind, const char *what) {
        char buf[64];

        if (p->tok.kind != kind)
                FAIL_TOK(p, &p->tok, "expected %s, found %s", what,
                         tok_desc(&p->tok, buf, sizeof(buf)));
        lex(p);
}

/** Copies an identifier token into @p out (fails when it does not fit or has a dot). */
static void ident_copy(parser_t *p, const tok_t *t, char *out, size_t size, const char *what) {
        if (t->kind != T_IDENT)
                FAIL_TOK(p, t, "expected %s", what);
        if (t->len >= size)
                FAIL_TOK(p, t, "%s is longer than %zu characters", what, size - 1);
        if (memchr(t->p, '.', t->len))
                FAIL_TOK(p, t, "%s may not contain '.'", what);
        memcpy(out, t->p, t->len);
        out[t->len] = '\0';
}

/** Unescapes a string token into the pool. @returns the NUL-terminated copy. */
static const char *str_intern(parser_t *p, const char *raw, size_t len) {
        char *out = p->rs->pool + p->pool_used;
        size_t n = 0;

        if (p->pool_used + len + 1 > p->pool_cap)
                fail_at(p, p->tok.line, p->tok.col, "internal: string pool full");
        for (size_t i = 0; i < len; i++) {
                if (raw[i] == '\\' && i + 1 < len)
                        i++;
                out[n++] = raw[i];
        }
        out[n] = '\0';
        p->pool_used += n + 1;
        return out;
}

/** @returns the pooled content of the current string token (without quotes). */
static const char *str_token(parser_t *p) {
        const tok_t *t = &p->tok;

        return str_intern(p, t->p + 1, t->len - 2);
}

/*
 * Expression nodes.
 */

static int32_t node_new(parser_t *p, const tok_t *at, pf_rop_t op, pf_rtype_t type) {
        pf_rnode_t *n;

        if (p->rs->node_count >= PF_RULELANG_NODES_MAX)
                FAIL_TOK(p, at, "rule set too large: more than %d expression nodes",
                         PF_RULELANG_NODES_MAX);
        if (p->rs->node_count - p->rule_first_node >= PF_RULELANG_RULE_NODES)
                FAIL_TOK(p, at, "rule too expensive: more than %d expression nodes",
                         PF_RULELANG_RULE_NODES);
        if (p->rs->node_count == p->node_cap) {
                uint32_t cap = p->node_cap ? p->node_cap * 2 : 64;
                pf_rnode_t *nodes = realloc(p->rs->nodes, cap * sizeof(*nodes));

                if (!nodes)
                        FAIL_TOK(p, at, "out of memory");
                p->rs->nodes = nodes;
                p->node_cap = cap;
        }
        n = &p->rs->nodes[p->rs->node_count];
        memset(n, 0, sizeof(*n));
        n->op = (uint8_t)op;
        n->type = (uint8_t)type;
        n->a = n->b = -1;
        return (int32_t)p->rs->node_count++;
}

#define NODE(p, i) (&(p)->rs->nodes[(i)])

static int32_t parse_expr(parser_t *p);

static const field_t *field_find(const char *name, size_t len) {
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
                        return &fields[i];
        return NULL;
}

static const let_t *let_find(const parser_t *p, const char *name, size_t len) {
        for (uint32_t i = 0; i < p->let_count; i++)
                if (strlen(p->lets[i].name) == len && memcmp(p->lets[i].name, name, len) == 0)
                        return &p->lets[i];
        return NULL;
}

static int32_t list_find(const parser_t *p, const char *name, size_t len) {
        for (uint32_t i = 0; i < p->rs->list_count; i++)
                if (strlen(p->rs->lists[i].name) == len &&
                    memcmp(p->rs->lists[i].name, name, len) == 0)
                        return (int32_t)i;
        return -1;
}

/** Makes a field node for @p f at token @p t; element fields need an enclosing aggregate. */
static int32_t field_node(parser_t *p, const tok_t *t, const field_t *f) {
        int coll = coll_of_base(f->base);
        int32_t id;

        if (coll >= 0 && p->in_agg != coll)
                FAIL_TOK(p, t,
                         "'%s' can only be read inside an aggregate over %s (e.g. "
                         "count(%s where ...))",
                         f->name, colls[coll].name, colls[coll].name);
        id = node_new(p, t, PF_RO_FIELD, (pf_rtype_t)f->type);
        NODE(p, id)->base = f->base;
        NODE(p, id)->kind = f->kind;
        NODE(p, id)->off = f->off;
        NODE(p, id)->aux = f->aux;
        if (f->pii)
                p->pii = 1;
        return id;
}

/** Reports an unknown name with a hint about what is readable. */
static void fail_unknown(parser_t *p, const tok_t *t) __attribute__((noreturn));
static void fail_unknown(parser_t *p, const tok_t *t) {
        const char *dot = memchr(t->p, '.', t->len);

        if (dot)
                FAIL_TOK(p, t, "unknown field '%.*s' (see rules/README.md for the fields)",
                         (int)t->len, t->p);
        FAIL_TOK(p, t, "unknown name '%.*s': not a field, a let or a list", (int)t->len, t->p);
}

/** Parses an aggregate: NAME '(' [path 'of'] COLL ['within' DUR] ['where' expr] ')'. */
static int32_t parse_agg(parser_t *p, const tok_t *name, pf_rop_t op) {
        tok_t of_tok = {0}, coll_tok;
        const field_t *of = NULL;
        int coll = -1;
        int32_t id, where = -1, of_node = -1;
        int64_t window = 0;
        pf_rtype_t type;

        if (p->in_agg >= 0)
                FAIL_TOK(p, name, "aggregates cannot be nested");
        if (++p->agg_count > PF_RULELANG_AGGS_PER_RULE)
                FAIL_TOK(p, name, "rule too expensive: more than %d aggregates",
                         PF_RULELANG_AGGS_PER_RULE);
        expect(p, T_LPAREN, "'('");
        if (op == PF_RO_DISTINCT || op == PF_RO_MIN || op == PF_RO_MAX) {
                of_tok = p->tok;
                if (of_tok.kind != T_IDENT || !(of = field_find(of_tok.p, of_tok.len)))
                        FAIL_TOK(p, &of_tok, "expected a field of the collection, e.g. %.*s(%s",
                                 (int)name->len, name->p,
                                 op == PF_RO_DISTINCT ? "trip.destination_country of trips ...)"
                                                      : "trip.departure of trips ...)");
                lex(p);
                expect_word(p, "of");
        }
        coll_tok = p->tok;
        for (int c = 0; c < PF_RC__COUNT; c++)
                if (tok_is(&coll_tok, colls[c].name))
                        coll = c;
        if (coll < 0)
                FAIL_TOK(p, &coll_tok, "expected a collection (trips, legs, matches, contacts)");
        lex(p);
        if (op == PF_RO_SINCE_LAST && coll != PF_RC_TRIPS)
                FAIL_TOK(p, &coll_tok, "since_last() reads trips only");
        if (tok_is(&p->tok, "within")) {
                tok_t w = p->tok;

                if (coll != PF_RC_TRIPS)
                        FAIL_TOK(p, &w, "'within' applies to trips only");
                lex(p);
                if (p->tok.kind != T_DUR)
                        FAIL_TOK(p, &p->tok, "expected a duration after 'within' (e.g. 30d)");
                window = p->tok.num;
                if (window <= 0)
                        FAIL_TOK(p, &p->tok, "window must be longer than 0");
                if (window > p->retention_ms)
                        FAIL_TOK(p, &p->tok,
                                 "window of %lld days is longer than the history retention "
                                 "(%lld days)",
                                 (long long)(window / MS_DAY),
                                 (long long)(p->retention_ms / MS_DAY));
                lex(p);
        } else if (coll == PF_RC_TRIPS) {
                FAIL_TOK(p, &coll_tok,
                         "history window is unbounded: write 'trips within <duration>'");
        }
        p->in_agg = coll;
        if (of) {
                if (coll_of_base(of->base) != coll)
                        FAIL_TOK(p, &of_tok, "'%s' is not a field of %s", of->name,
                                 colls[coll].name);
                if (op == PF_RO_DISTINCT && of->type != PF_RT_STR)
                        FAIL_TOK(p, &of_tok, "distinct() counts string values; '%s' is %s",
                                 of->name, type_name(of->type));
                if (op != PF_RO_DISTINCT && of->type != PF_RT_INT && of->type != PF_RT_DUR &&
                    of->type != PF_RT_TIME)
                        FAIL_TOK(p, &of_tok,
                                 "min()/max() need a number, duration or time; "
                                 "'%s' is %s",
                                 of->name, type_name(of->type));
                of_node = field_node(p, &of_tok, of);
        }
        if (tok_is(&p->tok, "where")) {
                tok_t w;

                lex(p);
                w = p->tok;
                where = parse_expr(p);
                if (NODE(p, where)->type != PF_RT_BOOL)
                        FAIL_TOK(p, &w, "'where' needs a boolean condition, not %s",
                                 type_name(NODE(p, where)->type));
        }
        p->in_agg = -1;
        expect(p, T_RPAREN, "')' closing the aggregate");
        switch (op) {
        case PF_RO_EXISTS:
                type = PF_RT_BOOL;
                break;
        case PF_RO_COUNT:
        case PF_RO_DISTINCT:
                type = PF_RT_INT;
                break;
        case PF_RO_SINCE_LAST:
                type = PF_RT_DUR;
                break;
        default:
                type = (pf_rtype_t)of->type;
        }
        id = node_new(p, name, op, type);
        NODE(p, id)->base = (uint8_t)coll;
        NODE(p, id)->a = where;
        NODE(p, id)->b = of_node;
        NODE(p, id)->i = window;
        p->agg_mask |= 1u << coll;
        return id;
}

static int32_t parse_primary(parser_t *p) {
        tok_t t = p->tok;
        int32_t id;

        switch (t.kind) {
        case T_INT:
        case T_DUR:
                lex(p);
                id = node_new(p, &t, PF_RO_CONST, t.kind == T_INT ? PF_RT_INT : PF_RT_DUR);
                NODE(p, id)->i = t.num;
                return id;
        case T_STR:
                id = node_new(p, &t, PF_RO_CONST, PF_RT_STR);
                NODE(p, id)->s = str_token(p);
                lex(p);
                return id;
        case T_LPAREN:
                lex(p);
                id = parse_expr(p);
                expect(p, T_RPAREN, "')'");
                return id;
        case T_IDENT:
                break;
        default: {
                char buf[64];
                FAIL_TOK(p, &t, "expected a value, found %s", tok_desc(&t, buf, sizeof(buf)));
        }
        }
        lex(p);
        if (tok_is(&t, "true") || tok_is(&t, "false")) {
                id = node_new(p, &t, PF_RO_CONST, PF_RT_BOOL);
                NODE(p, id)->i = tok_is(&t, "true");
                return id;
        }
        if (p->tok.kind == T_LPAREN) {
                static const struct {
                        const char *name;
                        pf_rop_t op;
                } aggs[] = {{"count", PF_RO_COUNT},       {"exists", PF_RO_EXISTS},
                            {"distinct", PF_RO_DISTINCT}, {"min", PF_RO_MIN},
                            {"max", PF_RO_MAX},           {"since_last", PF_RO_SINCE_LAST}};
                for (size_t i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++)
                        if (tok_is(&t, aggs[i].name))
                                return parse_agg(p, &t, aggs[i].op);
                FAIL_TOK(p, &t,
                         "unknown aggregate '%.*s' (count, exists, distinct, min, max, "
                         "since_last)",
                         (int)t.len, t.p);
        }
        const field_t *f = field_find(t.p, t.len);
        if (f)
                return field_node(p, &t, f);
        const let_t *let = let_find(p, t.p, t.len);
        if (let) {
                id = node_new(p, &t, PF_RO_LET, (pf_rtype_t)let->type);
                NODE(p, id)->a = (int32_t)(let - p->lets);
                NODE(p, id)->aux = let->enum_set;
                p->pii |= let->pii;
                return id;
        }
        if (list_find(p, t.p, t.len) >= 0)
                FAIL_TOK(p, &t, "list '%.*s' can only be used after 'in'", (int)t.len, t.p);
        fail_unknown(p, &t);
}

static int32_t parse_unary(parser_t *p) {
        tok_t t = p->tok;
        int32_t a, id;

        if (t.kind != T_MINUS)
                return parse_primary(p);
        if (++p->depth > PF_RULELANG_DEPTH_MAX)
                FAIL_TOK(p, &t, "expression nested too deeply");
        lex(p);
        a = parse_unary(p);
        p->depth--;
        if (NODE(p, a)->type != PF_RT_INT && NODE(p, a)->type != PF_RT_DUR)
                FAIL_TOK(p, &t, "type mismatch: cannot negate %s", type_name(NODE(p, a)->type));
        id = node_new(p, &t, PF_RO_NEG, (pf_rtype_t)NODE(p, a)->type);
        NODE(p, id)->a = a;
        return id;
}

static int32_t parse_add(parser_t *p) {
        int32_t a = parse_unary(p);

        while (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS) {
                tok_t t = p->tok;
                int sub = t.kind == T_MINUS;
                int32_t b, id;
                int ta, tb, tr = 0;

                lex(p);
                b = parse_unary(p);
                ta = NODE(p, a)->type;
                tb = NODE(p, b)->type;
                if (ta == PF_RT_INT && tb == PF_RT_INT)
                        tr = PF_RT_INT;
                else if (ta == PF_RT_DUR && tb == PF_RT_DUR)
                        tr = PF_RT_DUR;
                else if (ta == PF_RT_TIME && tb == PF_RT_DUR)
                        tr = PF_RT_TIME;
                else if (ta == PF_RT_TIME && tb == PF_RT_TIME && sub)
                        tr = PF_RT_DUR;
                else if (ta == PF_RT_DUR && tb == PF_RT_TIME && !sub)
                        tr = PF_RT_TIME;
                if (!tr)
                        FAIL_TOK(p, &t, "type mismatch: cannot %s %s and %s",
                                 sub ? "subtract" : "add", type_name(ta), type_name(tb));
                id = node_new(p, &t, sub ? PF_RO_SUB : PF_RO_ADD, (pf_rtype_t)tr);
                NODE(p, id)->a = a;
                NODE(p, id)->b = b;
                a = id;
        }
        return a;
}

/** Turns a string constant compared with an enum of @p set into the enum's value. */
static void enum_resolve(parser_t *p, const tok_t *at, int32_t cnode, uint16_t set,
                         const char *what) {
        pf_rnode_t *n = NODE(p, cnode);
        char syms[160] = "";
        int v;

        if (n->op != PF_RO_CONST || n->type != PF_RT_STR)
                FAIL_TOK(p, at, "type mismatch: %s is an enum; compare it with a quoted value",
                         what);
        v = enum_lookup(set, n->s);
        if (v < 0) {
                for (int i = 0; i < 7 && enum_syms[set][i]; i++) {
                        size_t used = strlen(syms);
                        snprintf(syms + used, sizeof(syms) - used, "%s%s", i ? ", " : "",
                                 enum_syms[set][i]);
                }
                FAIL_TOK(p, at, "unknown value \"%s\" for %s: expected one of %s", n->s, what,
                         syms);
        }
        n->type = PF_RT_ENUM;
        n->aux = set;
        n->i = v;
        n->s = NULL;
}

static int32_t parse_cmp(parser_t *p) {
        static const struct {
                tok_kind_t kind;
                pf_rop_t op;
        } ops[] = {{T_EQ, PF_RO_EQ}, {T_NE, PF_RO_NE}, {T_LT, PF_RO_LT},
                   {T_LE, PF_RO_LE}, {T_GT, PF_RO_GT}, {T_GE, PF_RO_GE}};
        tok_t first = p->tok;
        int32_t a = parse_add(p), b, id;
        tok_t t = p->tok;
        pf_rop_t op = PF_RO_CONST;

        if (tok_is(&t, "in")) {
                tok_t lt;
                int32_t list;

                lex(p);
                lt = p->tok;
                if (lt.kind != T_IDENT)
                        FAIL_TOK(p, &lt, "expected a list name after 'in'");
                list = list_find(p, lt.p, lt.len);
                if (list < 0)
                        FAIL_TOK(p, &lt,
                                 "unknown list '%.*s' (declare it with 'list %.*s = "
                                 "[...]' before the rule)",
                                 (int)lt.len, lt.p, (int)lt.len, lt.p);
                if (NODE(p, a)->type != PF_RT_STR)
                        FAIL_TOK(p, &t, "type mismatch: 'in' needs a string on the left, not %s",
                                 type_name(NODE(p, a)->type));
                lex(p);
                id = node_new(p, &t, PF_RO_IN, PF_RT_BOOL);
                NODE(p, id)->a = a;
                NODE(p, id)->aux = (uint16_t)list;
                return id;
        }
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
                if (t.kind == ops[i].kind)
                        op = ops[i].op;
        if (op == PF_RO_CONST)
                return a;
        lex(p);
        tok_t bt = p->tok;
        b = parse_add(p);
        int ta = NODE(p, a)->type, tb = NODE(p, b)->type;
        if (ta == PF_RT_ENUM && tb == PF_RT_STR)
                enum_resolve(p, &bt, b, NODE(p, a)->aux, "this field");
        else if (ta == PF_RT_STR && tb == PF_RT_ENUM)
                enum_resolve(p, &first, a, NODE(p, b)->aux, "this field");
        ta = NODE(p, a)->type;
        tb = NODE(p, b)->type;
        if (ta != tb)
                FAIL_TOK(p, &t, "type mismatch: cannot compare %s with %s%s", type_name(ta),
                         type_name(tb),
                         (ta == PF_RT_DUR && tb == PF_RT_INT) ||
                                         (ta == PF_RT_INT && tb == PF_RT_DUR)
                                 ? " (write a unit: 48h, 7d)"
                                 : "");
        if (ta == PF_RT_ENUM && NODE(p, a)->aux != NODE(p, b)->aux)
                FAIL_TOK(p, &t, "type mismatch: values of different enums");
        if (op != PF_RO_EQ && op != PF_RO_NE &&
            (ta == PF_RT_BOOL || ta == PF_RT_ENUM || ta == PF_RT_DIGEST || ta == PF_RT_STR))
                FAIL_TOK(p, &t,
                         "type mismatch: %s can only be compared with == or !=", type_name(ta));
        id = node_new(p, &t, op, PF_RT_BOOL);
        NODE(p, id)->a = a;
        NODE(p, id)->b = b;
        return id;
}

static int32_t parse_not(parser_t *p) {
        tok_t t = p->tok;
        int32_t a, id;

        if (!tok_is(&t, "not"))
                return parse_cmp(p);
        if (++p->depth > PF_RULELANG_DEPTH_MAX)
                FAIL_TOK(p, &t, "expression nested too deeply");
        lex(p);
        tok_t at = p->tok;
        a = parse_not(p);
        p->depth--;
        if (NODE(p, a)->type != PF_RT_BOOL)
                FAIL_TOK(p, &at, "type mismatch: 'not' needs a boolean, not %s",
                         type_name(NODE(p, a)->type));
        id = node_new(p, &t, PF_RO_NOT, PF_RT_BOOL);
        NODE(p, id)->a = a;
        return id;
}

/** Parses a chain of @p word ("and"/"or") over @p sub. */
static int32_t parse_logic(parser_t *p, const char *word, pf_rop_t op, int32_t (*sub)(parser_t *)) {
        tok_t first = p->tok;
        int32_t a = sub(p);

        while (tok_is(&p->tok, word)) {
                tok_t t = p->tok;
                lex(p);
                tok_t bt = p->tok;
                int32_t b = sub(p), id;

                if (NODE(p, a)->type != PF_RT_BOOL)
                        FAIL_TOK(p, &first, "type mismatch: '%s' needs booleans, this is %s", word,
                                 type_name(NODE(p, a)->type));
                if (NODE(p, b)->type != PF_RT_BOOL)
                        FAIL_TOK(p, &bt, "type mismatch: '%s' needs booleans, this is %s", word,
                                 type_name(NODE(p, b)->type));
                id = node_new(p, &t, op, PF_RT_BOOL);
                NODE(p, id)->a = a;
                NODE(p, id)->b = b;
                a = id;
        }
        return a;
}

static int32_t parse_and(parser_t *p) {
        return parse_logic(p, "and", PF_RO_AND, parse_not);
}

static int32_t parse_expr(parser_t *p) {
        int32_t id;

        if (++p->depth > PF_RULELANG_DEPTH_MAX)
                FAIL_TOK(p, &p->tok, "expression nested too deeply");
        id = parse_logic(p, "or", PF_RO_OR, parse_and);
        p->depth--;
        return id;
}

/*
 * Declarations.
 */

/** Parses the reason template of the current string token into rule->segs. */
static void parse_reason(parser_t *p, pf_rule_t *rule) {
        const tok_t t = p->tok;
        const char *s = t.p + 1, *end = t.p + t.len - 1;

        if (t.kind != T_STR)
                FAIL_TOK(p, &t, "expected the reason template (a string)");
        while (s < end) {
                const char *q = s;
                int col = t.col + (int)(s - t.p);
                pf_rseg_t *seg;

                if (rule->seg_count == PF_RULELANG_SEGS_MAX)
                        fail_at(p, t.line, col, "reason template has more than %d parts",
                                PF_RULELANG_SEGS_MAX);
                seg = &rule->segs[rule->seg_count++];
                seg->node = -1;
                if (*s != '{') {
                        while (q < end && *q != '{' && *q != '}')
                                q += (*q == '\\' && q + 1 < end) ? 2 : 1;
                        if (q < end && *q == '}')
                                fail_at(p, t.line, t.col + (int)(q - t.p),
                                        "unmatched '}' in reason template");
                        seg->text = str_intern(p, s, (size_t)(q - s));
                        s = q;
                        continue;
                }
                q = ++s;
                while (q < end && *q != '}')
                        q++;
                if (q == end)
                        fail_at(p, t.line, col, "unterminated '{' in reason template");
                tok_t ph = {T_IDENT, s, (size_t)(q - s), t.line, col + 1, 0};
                const field_t *f = field_find(ph.p, ph.len);
                const let_t *let = f ? NULL : let_find(p, ph.p, ph.len);
                if (!f && !let) {
                        if (ph.len == 0)
                                FAIL_TOK(p, &ph, "empty placeholder '{}' in reason template");
                        FAIL_TOK(p, &ph, "reason template: unknown field or let '%.*s'",
                                 (int)ph.len, ph.p);
                }
                if ((f && f->pii) || (let && let->pii))
                        FAIL_TOK(p, &ph,
                                 "reason template prints personal data: '%.*s' is not allowed "
                                 "in a reason (print counts, countries, airports, durations, "
                                 "entry ids or list names)",
                                 (int)ph.len, ph.p);
                int type = f ? f->type : let->type;
                if (type == PF_RT_DIGEST || type == PF_RT_TIME)
                        FAIL_TOK(p, &ph, "reason template cannot print %s ('%.*s')",
                                 type_name(type), (int)ph.len, ph.p);
                if (f) {
                        int coll = coll_of_base(f->base);
                        if (coll >= 0 && !(p->agg_mask & (1u << coll)))
                                FAIL_TOK(p, &ph,
                                         "reason prints '%s' but the rule has no aggregate "
                                         "over %s",
                                         f->name, colls[coll].name);
                        p->in_agg = coll; /* reads the aggregate's witness element */
                        seg->node = field_node(p, &ph, f);
                        p->in_agg = -1;
                } else {
                        seg->node = node_new(p, &ph, PF_RO_LET, (pf_rtype_t)let->type);
                        NODE(p, seg->node)->a = (int32_t)(let - p->lets);
                }
                seg->enum_set = f ? f->aux : let->enum_set;
                s = q + 1;
        }
        lex(p);
}

/** rule ID version N category C weight W [cap N per D] {let x = e} when e reason "..." */
static void parse_rule(parser_t *p) {
        pf_ruleset_t *rs = p->rs;
        pf_rule_t *rule;
        tok_t t = p->tok, at;

        if (rs->rule_count == PF_RULELANG_RULES_MAX)
                FAIL_TOK(p, &t, "more than %d rules", PF_RULELANG_RULES_MAX);
        rule = &rs->rules[rs->rule_count];
        memset(rule, 0, sizeof(*rule));
        lex(p);
        at = p->tok;
        ident_copy(p, &at, rule->id, sizeof(rule->id), "a rule id");
        for (uint32_t i = 0; i < rs->rule_count; i++)
                if (strcmp(rs->rules[i].id, rule->id) == 0)
                        FAIL_TOK(p, &at, "duplicate rule id '%s'", rule->id);
        lex(p);
        expect_word(p, "version");
        at = p->tok;
        if (at.kind != T_INT || at.num < 1 || at.num > INT32_MAX)
                FAIL_TOK(p, &at, "expected a rule version (an integer >= 1)");
        rule->version = (int32_t)at.num;
        lex(p);
        expect_word(p, "category");
        at = p->tok;
        ident_copy(p, &at, rule->category, sizeof(rule->category), "a category");
        for (size_t i = 0; rule->category[i]; i++)
                if (rule->category[i] >= 'a' && rule->category[i] <= 'z')
                        FAIL_TOK(p, &at, "a category is written in capitals (e.g. HISTORY)");
        lex(p);
        expect_word(p, "weight");
        at = p->tok;
        if (at.kind != T_INT || at.num > 100)
                FAIL_TOK(p, &at, "expected a weight from 0 to 100");
        rule->weight = (int32_t)at.num;
        lex(p);
        if (tok_is(&p->tok, "cap")) {
                lex(p);
                at = p->tok;
                if (at.kind != T_INT || at.num < 1 || at.num > 1000000)
                        FAIL_TOK(p, &at, "expected a cap from 1 to 1000000 hits");
                rule->cap = at.num;
                lex(p);
                expect_word(p, "per");
                at = p->tok;
                if (at.kind != T_DUR || at.num < 1000)
                        FAIL_TOK(p, &at, "expected the cap's window, a duration of 1s or more");
                rule->cap_window = at.num;
                lex(p);
        }
        p->rule_first_node = rs->node_count;
        p->agg_mask = 0;
        p->agg_count = 0;
        p->let_count = 0;
        while (tok_is(&p->tok, "let")) {
                let_t *let;

                lex(p);
                at = p->tok;
                if (p->let_count == PF_RULELANG_LETS_PER_RULE)
                        FAIL_TOK(p, &at, "more than %d lets in a rule", PF_RULELANG_LETS_PER_RULE);
                let = &p->lets[p->let_count];
                ident_copy(p, &at, let->name, sizeof(let->name), "a let name");
                if (field_find(at.p, at.len) || let_find(p, at.p, at.len) ||
                    list_find(p, at.p, at.len) >= 0 || tok_is(&at, "count") ||
                    tok_is(&at, "true") || tok_is(&at, "false"))
                        FAIL_TOK(p, &at, "'%s' is already a name", let->name);
                lex(p);
                expect(p, T_ASSIGN, "'='");
                p->pii = 0;
                let->node = parse_expr(p);
                let->type = NODE(p, let->node)->type;
                let->enum_set = NODE(p, let->node)->aux;
                let->pii = p->pii;
                rule->lets[p->let_count++] = let->node;
        }
        rule->let_count = p->let_count;
        expect_word(p, "when");
        at = p->tok;
        rule->when = parse_expr(p);
        if (NODE(p, rule->when)->type != PF_RT_BOOL)
                FAIL_TOK(p, &at, "type mismatch: 'when' needs a boolean condition, not %s",
                         type_name(NODE(p, rule->when)->type));
        expect_word(p, "reason");
        parse_reason(p, rule);
        rule->agg_count = p->agg_count;
        rs->rule_count++;
}

/** list NAME = ["A", "B", ...] */
static void parse_list(parser_t *p) {
        pf_ruleset_t *rs = p->rs;
        pf_rlist_t *list;
        tok_t at;
        char name[32];

        lex(p);
        at = p->tok;
        ident_copy(p, &at, name, sizeof(name), "a list name");
        if (list_find(p, at.p, at.len) >= 0)
                FAIL_TOK(p, &at, "duplicate list '%s'", name);
        if (field_find(at.p, at.len))
                FAIL_TOK(p, &at, "'%s' is a field name", name);
        if (rs->list_count == PF_RULELANG_LISTS_MAX)
                FAIL_TOK(p, &at, "more than %d lists", PF_RULELANG_LISTS_MAX);
        list = &rs->lists[rs->list_count];
        memset(list, 0, sizeof(*list));
        list->name = str_intern(p, at.p, at.len);
        list->items = calloc(PF_RULELANG_LIST_ITEMS, sizeof(*list->items));
        if (!list->items)
                FAIL_TOK(p, &at, "out of memory");
        rs->list_count++; /* owned by rs from here: freed on failure too */
        lex(p);
        expect(p, T_ASSIGN, "'='");
        expect(p, T_LBRACK, "'['");
        for (;;) {
                at = p->tok;
                if (at.kind != T_STR)
                        FAIL_TOK(p, &at, "expected a quoted list entry");
                if (list->count == PF_RULELANG_LIST_ITEMS)
                        FAIL_TOK(p, &at, "list '%s' has more than %d entries", name,
                                 PF_RULELANG_LIST_ITEMS);
                list->items[list->count++] = str_token(p);
                lex(p);
                if (p->tok.kind == T_RBRACK)
                        break;
                expect(p, T_COMMA, "',' or ']'");
        }
        lex(p);
        /* Sort (insertion: at most 256) for binary search at evaluation. */
        for (uint32_t i = 1; i < list->count; i++)
                for (uint32_t j = i; j > 0 && strcmp(list->items[j - 1], list->items[j]) > 0; j--) {
                        const char *tmp = list->items[j];
                        list->items[j] = list->items[j - 1];
                        list->items[j - 1] = tmp;
                }
}

static void parse_file(parser_t *p) {
        pf_ruleset_t *rs = p->rs;
        char buf[64];

        lex(p);
        if (!tok_is(&p->tok, "ruleset"))
                FAIL_TOK(p, &p->tok, "a rule file starts with 'ruleset \"<version>\"'");
        lex(p);
        if (p->tok.kind != T_STR || p->tok.len < 3 || p->tok.len - 2 >= sizeof(rs->version))
                FAIL_TOK(p, &p->tok,
                         "expected the rule set version, a string of 1 to %zu "
                         "characters",
                         sizeof(rs->version) - 1);
        snprintf(rs->version, sizeof(rs->version), "%s", str_token(p));
        lex(p);
        while (p->tok.kind != T_EOF) {
                if (tok_is(&p->tok, "list"))
                        parse_list(p);
                else if (tok_is(&p->tok, "rule"))
                        parse_rule(p);
                else
                        FAIL_TOK(p, &p->tok, "expected 'rule' or 'list', found %s",
                                 tok_desc(&p->tok, buf, sizeof(buf)));
        }
}

/*
 * Public API.
 */

/** Runs the parser; a failure longjmps back here. @returns 0, or -1 with errstr filled. */
static int compile_run(parser_t *p) {
        if (setjmp(p->fail))
                return -1;
        parse_file(p);
        return 0;
}

void pf_ruleset_destroy(pf_ruleset_t *rs) {
        if (!rs)
                return;
        for (uint32_t i = 0; i < rs->list_count; i++)
                free(rs->lists[i].items);
        free(rs->rules);
        free(rs->nodes);
        free(rs->pool);
        free(rs);
}

pf_ruleset_t *pf_ruleset_compile_limits(const char *text, size_t len, const char *filename,
                                        const pf_rulelang_limits_t *limits, char *errstr,
                                        size_t errstr_size) {
        parser_t *p = NULL;
        pf_ruleset_t *rs = NULL;

        if (errstr && errstr_size)
                errstr[0] = '\0';
        if (!filename)
                filename = "<rules>";
        if ((!text && len) || len > PF_RULELANG_FILE_MAX) {
                if (errstr && errstr_size)
                        snprintf(errstr, errstr_size, "%s:1:1: %s", filename,
                                 text ? "rule file larger than 1 MiB" : "no rule text");
                return NULL;
        }
        p = calloc(1, sizeof(*p));
        rs = calloc(1, sizeof(*rs));
        if (!p || !rs)
                goto nomem;
        rs->rules = calloc(PF_RULELANG_RULES_MAX, sizeof(*rs->rules));
        p->pool_cap = 2 * len + 64;
        rs->pool = malloc(p->pool_cap);
        if (!rs->rules || !rs->pool)
                goto nomem;
        p->text = text ? text : "";
        p->len = len;
        p->line = p->col = 1;
        p->filename = filename;
        p->errstr = errstr;
        p->errstr_size = errstr_size;
        p->retention_ms = limits && limits->retention_ms > 0 ? limits->retention_ms
                                                             : PF_RULELANG_RETENTION_DEFAULT_MS;
        p->rs = rs;
        p->in_agg = -1;
        if (compile_run(p) != 0)
                goto fail;
        free(p);
        return rs;

nomem:
        if (errstr && errstr_size)
                snprintf(errstr, errstr_size, "%s: out of memory", filename);
fail:
        free(p);
        pf_ruleset_destroy(rs);
        return NULL;
}

pf_ruleset_t *pf_ruleset_compile(const char *text, size_t len, const char *filename, char *errstr,
                                 size_t errstr_size) {
        return pf_ruleset_compile_limits(text, len, filename, NULL, errstr, errstr_size);
}

const char *pf_ruleset_version(const pf_ruleset_t *rs) {
        return rs->version;
}

uint32_t pf_ruleset_rule_count(const pf_ruleset_t *rs) {
        return rs->rule_count;
}

const char *pf_ruleset_rule_id(const pf_ruleset_t *rs, uint32_t index) {
        return index < rs->rule_count ? rs->rules[index].id : NULL;
}
