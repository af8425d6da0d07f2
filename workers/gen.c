/**
 * @file gen.c
 * @brief Deterministic traffic generator (see gen.h for the contract).
 *
 * Design: one run is built in memory as compact records, then sorted, then emitted.
 *
 * 1. Build. Window flights (a table), then trips: window travellers, planted frequent travellers,
 *    repeat travellers' earlier trips. A trip is ~36 bytes (traveller index, flight, booking
 *    choices); every random choice of a trip is made here, from one xoshiro256** stream in a fixed
 *    order. Earlier trips fly on "route flights", one per (route, day), computed rather than
 * stored, so travellers who pick the same route and day share a flight.
 * 2. Sort. Each event is a 16-byte record {sent_at, trip, push kind}, created in (trip, kind) order
 *    and put in sent_at order by a stable LSD radix sort, so ties stay in (trip, kind) order.
 * 3. Emit. For each record the pf_event_t is rebuilt from its trip into one reused struct: person
 *    attributes (names, date of birth, nationality, document, contacts) are pure functions of
 *    (seed, traveller index), never stored. No allocation per event.
 *
 * Identities are unique by construction. A traveller index maps bijectively to a (script group,
 * index within group); the index within the group maps to a (given name, surname) pair and a
 * "block", and the date of birth is (pair * 7919 + block + offset) mod GEN_DOB_SPAN_DAYS days
 * before the youngest age: for a fixed pair it differs for every block below GEN_DOB_SPAN_DAYS,
 * which holds for any traveller index below 2.7e8 (the smallest group has 180 pairs and gets 1/60
 * of indices). Document numbers, record locators, phones and e-mails come from bijections of
 * indexes too.
 */
#include "gen.h"
#include "gen_data.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MS_MIN  60000LL
#define GEN_MS_HOUR 3600000LL
#define GEN_MS_DAY  86400000LL

#define GEN_START_MIN     946684800000LL  /* 2000-01-01T00:00Z */
#define GEN_START_MAX     4102444800000LL /* 2100-01-01T00:00Z */
#define GEN_START_DEFAULT 1796018400000LL /* 2026-11-30T06:00Z */

#define GEN_DOB_SPAN_DAYS  25000 /* ages from 2 to ~70 years */
#define GEN_DOB_YOUNGEST   730
#define GEN_SLUG_MAX       24
#define GEN_LINE_MAX       4096
#define GEN_NO_AGENCY      0xff
#define GEN_FLAGGED_AGENCY 0x80 /* agency >= this: pf_gen_flagged_agencies[agency - 0x80] */
#define GEN_NO_CARRIER     0xff
#define GEN_NO_ROUTE       0xff
#define GEN_DOCS_NEVER     4
#define GEN_FREQ_TRIPS     5
#define GEN_ROUTES_MAX     PF_GEN_COUNT(pf_gen_dests)
#define GEN_CARRIERS_MAX   (2 * PF_GEN_COUNT(pf_gen_dests))
#define GEN_GROUPS         4
#define GEN_RADIX_BITS     11
#define GEN_ROUTE_NUMBER   5000 /* route flights: 5000 + dest * 13; window flights stay < 5000 */
#define GEN_RETURN_NUMBER  7000 /* return legs and flights to the hub: 7000 + dest * 13 */
#define GEN_ONWARD_NUMBER  8000 /* onward legs of multi-city bookings: 8000 + dest * 13 */

/* gen_trip_t.flight when the trip is not on a window flight. */
#define GEN_FLIGHT_ROUTE   (-1) /* the route flight (route, day) from the hub */
#define GEN_FLIGHT_INBOUND (-2) /* the route's flight to the hub (route, day), 4 h later */

/* Which events of a trip a truth line lists. */
#define GEN_EV_PNR 1u /* its PNR pushes */
#define GEN_EV_API 2u /* its API event */
#define GEN_EV_DOC 4u /* its events that carry the document */
#define GEN_EV_ALL (GEN_EV_PNR | GEN_EV_API)
/* with the above: not the trip's first PNR push. A co-passenger's flag raised on that push
 * reaches this traveller from the next push on, 24 h later (flags.delay.ms must be < 24 h). */
#define GEN_EV_LATER 8u

/* Plant kinds on window trips, in truth-line order; also bits of gen_trip_t.plant. The first four
 * are the original plants (their trips, and so their event ids, are chosen first). */
enum {
        GEN_PLANT_R03 = 0,
        GEN_PLANT_R04,
        GEN_PLANT_R05,
        GEN_PLANT_R07,
        GEN_PLANT_R06,
        GEN_PLANT_R08,
        GEN_PLANT_R09,
        GEN_PLANT_R10,
        GEN_PLANT_R11,
        GEN_PLANT_R12,
        GEN_PLANT__COUNT
};

static const struct {
        const char *pattern;
        const char *rule;
        unsigned must_hit; /* GEN_EV_* */
} gen_plant_kinds[GEN_PLANT__COUNT] = {
        {"R03_LAST_MINUTE", "R03", GEN_EV_PNR},       {"R04_CASH_LATE", "R04", GEN_EV_PNR},
        {"R05_ONE_WAY", "R05", GEN_EV_PNR},           {"R07_HIGH_RISK_COUNTRY", "R07", GEN_EV_ALL},
        {"R06_LONG_STOPOVER", "R06", GEN_EV_PNR},     {"R08_LATE_CHECKIN", "R08", GEN_EV_API},
        {"R09_NO_BAGS_LONG_TRIP", "R09", GEN_EV_PNR}, {"R10_PAID_BY_OTHER", "R10", GEN_EV_PNR},
        {"R11_FLAGGED_AGENCY", "R11", GEN_EV_PNR},    {"R12_DOCUMENT_DATES", "R12", GEN_EV_DOC},
};

/* Trips of one set of scenario travellers (see gen_build_scenarios()). */
#define GEN_SCEN_TRIPS 18
/* Truth lines per set. */
#define GEN_SCEN_LINES 11
/* Watchlist entries per set: a document, an exact name + date of birth, a fuzzy name. */
#define GEN_SCEN_ENTRIES 3

/* gen_xtrip_t.doc_dates */
enum { GEN_DOC_USUAL = 0, GEN_DOC_EXPIRING, GEN_DOC_NEW };

/* Salts of the per-person hashes. */
enum {
        GEN_SALT_ROT = 1,
        GEN_SALT_NAT,
        GEN_SALT_DOC,
        GEN_SALT_CONTACT,
        GEN_SALT_REPEAT,
        GEN_SALT_TOD,
        GEN_SALT_FREQ,
        GEN_SALT_SCEN,
        GEN_SALT_ALT,
        GEN_SALT_DECOY
};

/* Push offsets before departure, indexed by pf_push_kind_t T72H..DEPARTURE. */
static const int64_t gen_push_offset[4] = {72 * GEN_MS_HOUR, 48 * GEN_MS_HOUR, 24 * GEN_MS_HOUR, 0};

typedef struct gen_rng_s {
        uint64_t s[4];
} gen_rng_t;

/** A window departure. */
typedef struct gen_flight_s {
        int64_t dep;
        uint16_t number;
        uint16_t pax;
        uint8_t route;
        uint8_t carrier; /* carrier id */
} gen_flight_t;

/** One traveller-trip: one booking, its PNR pushes and one API. */
typedef struct gen_trip_s {
        uint32_t traveller;
        uint32_t first_ev;  /* event number of its first event; the others follow */
        int32_t flight;     /* window flight index, or GEN_FLIGHT_ROUTE / GEN_FLIGHT_INBOUND */
        int16_t day;        /* route flight: UTC day relative to the start day */
        uint16_t plant;     /* bits (1 << GEN_PLANT_*) */
        uint16_t xt;        /* 1 + index of its gen_xtrip_t (planted trips only), 0: none */
        uint8_t route;      /* route index */
        uint8_t first_push; /* first PNR push present (T72H..DEPARTURE) */
        int32_t booked_s;   /* booked this many seconds before departure */
        int32_t api_ms;     /* API sent this many ms before departure */
        uint8_t stay_days;  /* 0: one way; else the return leg leaves that many days later */
        uint8_t payment;
        int8_t card_holder;
        uint8_t agency; /* pf_gen_agencies index, GEN_FLAGGED_AGENCY + i, or GEN_NO_AGENCY */
        uint8_t bags;
        uint8_t bag_kg;
        uint8_t co_travellers;
        uint8_t docs_from; /* first push (T72H..DEPARTURE) carrying the document; 4: none */
} gen_trip_t;

_Static_assert(sizeof(gen_trip_t) == 36, "a trip stays 36 bytes: the run's memory is per trip");

/** What a planted trip has beyond gen_trip_t (few trips: a side table). */
typedef struct gen_xtrip_s {
        uint32_t contact_of; /* the traveller whose phone and e-mail the booking carries */
        uint32_t booking_of; /* the trip whose booking (record locator) this trip is on */
        uint8_t route2;      /* multi-city: the onward leg goes to this route's destination */
        uint8_t stopover_days;
        uint8_t alt_identity; /* travels on a second passport of a second nationality */
        uint8_t doc_dates;    /* GEN_DOC_*: the document expires soon or was just issued */
} gen_xtrip_t;

/** A truth line of a multi-trip scenario: trips listed in event_ids and in must_hit. */
typedef struct gen_scen_line_s {
        const char *pattern;
        const char *rule;
        const char *via; /* NULL, or what makes the traveller "previously hit" */
        bool deterministic;
        bool needs_watchlist;
        int entry; /* index into g->entries, or -1 */
        uint32_t traveller;
        uint32_t ctx[8]; /* trips whose events are the pattern's event_ids */
        uint8_t nctx;
        uint32_t hit[4]; /* trips whose events (hit_mask) must fire the rule */
        uint8_t hit_mask[4];
        uint8_t nhit;
} gen_scen_line_t;

/** A planted watchlist entry. */
typedef struct gen_entry_s {
        int kind; /* 0 document, 1 name + full date of birth, 2 fuzzy name + birth year */
        uint32_t traveller;
        uint32_t trip; /* a trip of the traveller (for the person's attributes) */
        uint32_t k;    /* the scenario set */
} gen_entry_t;

/** Sort record: one event. */
typedef struct gen_rec_s {
        int64_t sent_at;
        uint32_t trip;
        uint32_t kind; /* pf_push_kind_t: T72H..DEPARTURE (PNR) or CHECKIN (API) */
} gen_rec_t;

/** A name group: one script, its pools and the ASCII slugs used for e-mail addresses. */
typedef struct gen_group_s {
        const pf_gen_given_t *given;
        size_t ngiven;
        const pf_gen_surname_t *surname;
        size_t nsurname;
} gen_group_t;

static const gen_group_t gen_groups[GEN_GROUPS] = {
        {pf_gen_given_latin, PF_GEN_COUNT(pf_gen_given_latin), pf_gen_surname_latin,
         PF_GEN_COUNT(pf_gen_surname_latin)},
        {pf_gen_given_cyrillic, PF_GEN_COUNT(pf_gen_given_cyrillic), pf_gen_surname_cyrillic,
         PF_GEN_COUNT(pf_gen_surname_cyrillic)},
        {pf_gen_given_greek, PF_GEN_COUNT(pf_gen_given_greek), pf_gen_surname_greek,
         PF_GEN_COUNT(pf_gen_surname_greek)},
        {pf_gen_given_arabic, PF_GEN_COUNT(pf_gen_given_arabic), pf_gen_surname_arabic,
         PF_GEN_COUNT(pf_gen_surname_arabic)},
};

#define GEN_GIVEN_MAX   PF_GEN_COUNT(pf_gen_given_latin)
#define GEN_SURNAME_MAX PF_GEN_COUNT(pf_gen_surname_latin)

/** Person attributes, derived from (seed, traveller index). */
typedef struct gen_person_s {
        const pf_gen_given_t *given;
        const pf_gen_surname_t *surname;
        const char *given_slug;
        const char *surname_slug;
        char dob[PF_DOB_MAX];
        const char *nationality;
        const char *calling_code;
        const char *residence;
        pf_doc_type_t doc_type;
        char doc_number[12];
        int32_t issue_date;
        int32_t expiry_date;
} gen_person_t;

/** A bounded string builder; overflow is sticky and leaves a NUL-terminated prefix. */
typedef struct gen_str_s {
        char *p;
        size_t len;
        size_t size;
        bool overflow;
} gen_str_t;

/** One run. */
typedef struct gen_s {
        pf_gen_conf_t conf;
        const pf_gen_sink_t *sink;
        pf_gen_stats_t stats;
        char *errstr;
        size_t errstr_size;
        gen_rng_t rng;
        char hub_airport[4];
        char hub_country[4];
        int hub_country_idx; /* pf_gen_countries index, or -1 */
        char id_prefix[32];  /* "ev-<seed hex>-" */
        size_t id_prefix_len;
        int64_t day0;  /* start of the UTC day of start_ms */
        int32_t today; /* that day, in days since the epoch */

        /* Routes: eligible destinations. */
        size_t nroutes;
        uint8_t route_dest[GEN_ROUTES_MAX];
        uint8_t route_carrier[GEN_ROUTES_MAX][2]; /* carrier ids; [1] GEN_NO_CARRIER if none */
        uint32_t route_cum[GEN_ROUTES_MAX];       /* cumulative weights */
        int32_t route_tod_min[GEN_ROUTES_MAX];    /* route flights' departure time of day */
        size_t nhighrisk;
        uint8_t highrisk[GEN_ROUTES_MAX];
        size_t ncarriers;
        const char *carriers[GEN_CARRIERS_MAX];

        /* Name groups: pair scrambling (multiplier coprime to the pair count, rotation), date of
         * birth rotation, slugs. */
        uint32_t pair_mul[GEN_GROUPS];
        uint32_t pair_rot[GEN_GROUPS];
        uint32_t dob_rot[GEN_GROUPS];
        char given_slug[GEN_GROUPS][GEN_GIVEN_MAX][GEN_SLUG_MAX];
        char surname_slug[GEN_GROUPS][GEN_SURNAME_MAX][GEN_SLUG_MAX];
        int8_t surname_country[GEN_GROUPS][GEN_SURNAME_MAX]; /* pf_gen_countries index or -1 */
        int8_t common_country[PF_GEN_COUNT(pf_gen_common_nationalities)]; /* the same */

        gen_flight_t *flights;
        size_t nflights;
        size_t highrisk_flight; /* forced high-risk window flight, or SIZE_MAX */
        gen_trip_t *trips;
        size_t ntrips;
        size_t nwindow;     /* window travellers = window trips = trips[0..nwindow) */
        size_t nfreq;       /* frequent travellers: trips[nwindow + 5f .. + 5) */
        size_t nhist;       /* repeat travellers' earlier trips, after the frequent ones */
        size_t nscen;       /* scenario sets: trips[nwindow + 5 nfreq + nhist ..), 18 per set */
        uint32_t scen_base; /* traveller index of the first scenario traveller */
        uint32_t scen_travellers; /* scenario travellers so far */
        gen_xtrip_t *xtrips;
        size_t nxtrips, cap_xtrips;
        gen_scen_line_t *lines;
        size_t nlines, cap_lines;
        gen_entry_t entries[PF_GEN_PLANTED_PER_KIND * GEN_SCEN_ENTRIES];
        size_t nentries;
        gen_rec_t *recs;
        gen_rec_t *recs_tmp;
        size_t nrecs;
        size_t nbad;
        uint32_t plants[GEN_PLANT__COUNT][PF_GEN_PLANTED_PER_KIND];
        size_t nplants[GEN_PLANT__COUNT];

        pf_event_t ev;
        char key[48];
        char line[GEN_LINE_MAX];
} gen_t;

/*
 * Small helpers: errors, PRNG, hashing, strings, dates.
 */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static pf_err_t
gen_fail(char *errstr, size_t errstr_size, pf_err_t err, const char *fmt, ...) {
        va_list ap;

        if (errstr == NULL || errstr_size == 0)
                return err;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
        return err;
}

static uint64_t gen_mix(uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

static uint64_t gen_splitmix(uint64_t *x) {
        *x += 0x9e3779b97f4a7c15ULL;
        return gen_mix(*x);
}

static void gen_rng_seed(gen_rng_t *rng, uint64_t seed) {
        uint64_t x = seed;
        int i;

        for (i = 0; i < 4; i++)
                rng->s[i] = gen_splitmix(&x);
}

static uint64_t gen_rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

/** xoshiro256** (Blackman and Vigna). */
static uint64_t gen_rng_next(gen_rng_t *rng) {
        uint64_t *s = rng->s;
        uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;

        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = gen_rotl(s[3], 45);
        return result;
}

/** @returns a value in [0, n) (n >= 1), by Lemire's multiply-shift. */
static uint32_t gen_rng_below(gen_rng_t *rng, uint32_t n) {
        return (uint32_t)(((gen_rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}

/** @returns a value in [lo, hi]. */
static int64_t gen_rng_range(gen_rng_t *rng, int64_t lo, int64_t hi) {
        return lo + (int64_t)(gen_rng_next(rng) % (uint64_t)(hi - lo + 1));
}

static double gen_unit(uint64_t h) {
        return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/** @returns a hash of (seed, salt, index): the source of every per-person attribute. */
static uint64_t gen_hash(const gen_t *g, uint64_t salt, uint64_t idx) {
        return gen_mix(gen_mix(g->conf.seed ^ (salt * 0xd1b54a32d192ed03ULL)) + idx);
}

static void gen_str_init(gen_str_t *s, char *buf, size_t size) {
        s->p = buf;
        s->len = 0;
        s->size = size;
        s->overflow = false;
        buf[0] = '\0';
}

static void gen_str_put(gen_str_t *s, const char *src, size_t n) {
        if (s->overflow || n >= s->size - s->len) {
                s->overflow = true;
                return;
        }
        memcpy(s->p + s->len, src, n);
        s->len += n;
        s->p[s->len] = '\0';
}

static void gen_str_cat(gen_str_t *s, const char *src) {
        gen_str_put(s, src, strlen(src));
}

/** Appends v in decimal, zero-padded to at least `width` digits. */
static void gen_str_u64(gen_str_t *s, uint64_t v, int width) {
        static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                    "31323334353637383940414243444546474849505152535455565758596061"
                                    "62636465666768697071727374757677787980818283848586878889909192"
                                    "93949596979899";
        char digits[24];
        char *end = digits + sizeof(digits), *p = end;

        while (v >= 100) {
                unsigned r = (unsigned)(v % 100);

                v /= 100;
                p -= 2;
                memcpy(p, pairs + 2 * r, 2);
        }
        if (v >= 10) {
                p -= 2;
                memcpy(p, pairs + 2 * v, 2);
        } else {
                *--p = (char)('0' + v);
        }
        while (end - p < width)
                *--p = '0';
        gen_str_put(s, p, (size_t)(end - p));
}

/** Bounded copy into a zeroed fixed-size field (values here always fit; a long one is cut). */
static void gen_copy(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);

        if (n >= size)
                n = size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
}

static int64_t gen_floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;

        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/** Writes days since the epoch as "YYYY-MM-DD" (Howard Hinnant's civil_from_days). */
static void gen_date_str(int64_t days, char out[PF_DOB_MAX]) {
        int64_t z = days + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
        gen_str_t s;

        gen_str_init(&s, out, PF_DOB_MAX);
        gen_str_u64(&s, (uint64_t)y, 4);
        gen_str_put(&s, "-", 1);
        gen_str_u64(&s, m, 2);
        gen_str_put(&s, "-", 1);
        gen_str_u64(&s, d, 2);
}

/** Writes a UTF-8 name as a lower-case ASCII slug (diacritics folded, other scripts dropped). */
static void gen_slug(const char *name, char out[GEN_SLUG_MAX]) {
        /* U+00C0..U+00FF and U+0100..U+017F folded to one ASCII letter; '_' drops the code point.
         */
        static const char latin1[] =
                "aaaaaaaceeeeiiiidnooooo_ouuuuytsaaaaaaaceeeeiiiidnooooo_ouuuuyty";
        static const char ext_a[] =
                "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
                "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
        const unsigned char *p = (const unsigned char *)name;
        size_t n = 0;

        _Static_assert(sizeof(latin1) == 65, "latin1 folds U+00C0..U+00FF");
        _Static_assert(sizeof(ext_a) == 129, "ext_a folds U+0100..U+017F");

        while (*p != '\0' && n + 1 < GEN_SLUG_MAX) {
                uint32_t cp;
                char c = '_';

                if (*p < 0x80) {
                        cp = *p++;
                } else if ((*p & 0xe0) == 0xc0 && p[1] != '\0') {
                        cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
                        p += 2;
                } else if ((*p & 0xf0) == 0xe0 && p[1] != '\0' && p[2] != '\0') {
                        cp = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
                             (p[2] & 0x3f);
                        p += 3;
                } else {
                        p++;
                        continue;
                }
                if (cp >= 'A' && cp <= 'Z')
                        c = (char)(cp - 'A' + 'a');
                else if (cp >= 'a' && cp <= 'z')
                        c = (char)cp;
                else if (cp >= 0xc0 && cp <= 0xff)
                        c = latin1[cp - 0xc0];
                else if (cp >= 0x100 && cp <= 0x17f)
                        c = ext_a[cp - 0x100];
                else if (cp >= 0x218 && cp <= 0x21b)
                        c = cp < 0x21a ? 's' : 't';
                else if (cp >= 0x1ea0 && cp <= 0x1ef9) /* Vietnamese */
                        c = cp < 0x1eb8   ? 'a'
                            : cp < 0x1ec8 ? 'e'
                            : cp < 0x1ecc ? 'i'
                            : cp < 0x1ee4 ? 'o'
                            : cp < 0x1ef2 ? 'u'
                                          : 'y';
                if (c != '_')
                        out[n++] = c;
        }
        if (n == 0)
                out[n++] = 'x';
        out[n] = '\0';
}

static uint32_t gen_gcd(uint32_t a, uint32_t b) {
        while (b != 0) {
                uint32_t t = a % b;

                a = b;
                b = t;
        }
        return a;
}

static int gen_country_find(const char *alpha3) {
        size_t i;

        if (alpha3 == NULL)
                return -1;
        for (i = 0; i < PF_GEN_COUNT(pf_gen_countries); i++)
                if (strcmp(pf_gen_countries[i].alpha3, alpha3) == 0)
                        return (int)i;
        return -1;
}

/** Resets ev (local stand-in for pf_event_clear(): zeroes padding too, for byte-identical runs). */

/*
 * Configuration.
 */

void pf_gen_conf_defaults(pf_gen_conf_t *conf) {
        memset(conf, 0, sizeof(*conf));
        conf->seed = 1;
        conf->start_ms = GEN_START_DEFAULT;
        conf->hours = 1;
        conf->flights_per_hour = 60;
        conf->pax_per_flight = 150;
        conf->history_days = 40;
        conf->repeat_share = 0.2;
        conf->frequent_travellers = 10;
        conf->bad_payloads = 12;
        conf->watchlist_decoys = 1000;
        conf->v1_share = 0.1;
        conf->hub_airport = "FRA";
        conf->hub_country = "DEU";
}

const char *pf_gen_bad_name(pf_gen_bad_t kind) {
        static const char *const names[PF_GEN_BAD__COUNT] = {
                "NOT_WIRE_FORMAT", "UNKNOWN_SCHEMA", "TRUNCATED",    "BAD_LENGTH",
                "BAD_ENUM",        "BAD_UNION",      "MISSING_FIELD"};

        if ((unsigned)kind >= PF_GEN_BAD__COUNT)
                return "UNKNOWN";
        return names[kind];
}

/** Integer fields of pf_gen_conf_t and their ranges. */
static const struct {
        const char *name;
        size_t offset;
        int min;
        int max;
} gen_int_fields[] = {
        {"hours", offsetof(pf_gen_conf_t, hours), 1, 744},
        {"flights_per_hour", offsetof(pf_gen_conf_t, flights_per_hour), 1, 200},
        {"pax_per_flight", offsetof(pf_gen_conf_t, pax_per_flight), 1, 853},
        {"history_days", offsetof(pf_gen_conf_t, history_days), 0, 365},
        {"frequent_travellers", offsetof(pf_gen_conf_t, frequent_travellers), 0, 100000},
        {"bad_payloads", offsetof(pf_gen_conf_t, bad_payloads), 0, 1000000},
        {"watchlist_decoys", offsetof(pf_gen_conf_t, watchlist_decoys), 0, 1000000},
};

static const struct {
        const char *name;
        size_t offset;
} gen_share_fields[] = {
        {"repeat_share", offsetof(pf_gen_conf_t, repeat_share)},
        {"v1_share", offsetof(pf_gen_conf_t, v1_share)},
};

static bool gen_code_ok(const char *code) {
        return code != NULL && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
               code[1] <= 'Z' && code[2] >= 'A' && code[2] <= 'Z' && code[3] == '\0';
}

static pf_err_t gen_conf_check(const pf_gen_conf_t *conf, const pf_gen_sink_t *sink, char *errstr,
                               size_t errstr_size) {
        double flights, pax_max, estimate;
        size_t i;

        if (conf == NULL || sink == NULL || sink->event == NULL)
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "conf, sink and sink->event must not be NULL");
        for (i = 0; i < PF_GEN_COUNT(gen_int_fields); i++) {
                int v;

                memcpy(&v, (const char *)conf + gen_int_fields[i].offset, sizeof(v));
                if (v < gen_int_fields[i].min || v > gen_int_fields[i].max)
                        return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                        "%s: %d is out of range [%d, %d]", gen_int_fields[i].name,
                                        v, gen_int_fields[i].min, gen_int_fields[i].max);
        }
        for (i = 0; i < PF_GEN_COUNT(gen_share_fields); i++) {
                double v;

                memcpy(&v, (const char *)conf + gen_share_fields[i].offset, sizeof(v));
                if (!(v >= 0.0 && v <= 1.0)) /* also rejects NaN */
                        return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                        "%s: %g is out of range [0, 1]", gen_share_fields[i].name,
                                        v);
        }
        if (conf->start_ms < GEN_START_MIN || conf->start_ms >= GEN_START_MAX)
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "start_ms: %" PRId64 " is out of range [%lld, %lld) "
                                "(2000-01-01 to 2100-01-01)",
                                conf->start_ms, GEN_START_MIN, GEN_START_MAX);
        if (!gen_code_ok(conf->hub_airport))
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "hub_airport: must be an IATA code of 3 upper-case letters");
        if (!gen_code_ok(conf->hub_country))
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "hub_country: must be an ISO alpha-3 code of 3 upper-case letters");
        if (conf->repeat_share > 0.0 && conf->history_days < 1)
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "history_days: 0 is out of range [1, 365] when repeat_share > 0");
        flights = (double)conf->hours * conf->flights_per_hour;
        pax_max = (double)conf->pax_per_flight * 1.3 + 1.0;
        estimate = flights * pax_max * 5.0 * (1.0 + 2.0 * conf->repeat_share) +
                   25.0 * conf->frequent_travellers + conf->bad_payloads +
                   5.0 * GEN_SCEN_TRIPS * PF_GEN_PLANTED_PER_KIND;
        if (estimate > (double)PF_GEN_EVENTS_MAX)
                return gen_fail(errstr, errstr_size, PF_ERR_CONFIG,
                                "hours * flights_per_hour * pax_per_flight: the run would have up "
                                "to %.0f events, more than %u; make it smaller",
                                estimate, PF_GEN_EVENTS_MAX);
        return PF_OK;
}

/*
 * Set-up: routes, carriers, name groups.
 */

static uint8_t gen_carrier_id(gen_t *g, const char *code) {
        size_t i;

        for (i = 0; i < g->ncarriers; i++)
                if (strcmp(g->carriers[i], code) == 0)
                        return (uint8_t)i;
        g->carriers[g->ncarriers] = code;
        return (uint8_t)g->ncarriers++;
}

static pf_err_t gen_setup(gen_t *g) {
        uint32_t cum = 0;
        size_t i, k;

        gen_rng_seed(&g->rng, g->conf.seed);
        gen_copy(g->hub_airport, sizeof(g->hub_airport), g->conf.hub_airport);
        gen_copy(g->hub_country, sizeof(g->hub_country), g->conf.hub_country);
        g->hub_country_idx = gen_country_find(g->hub_country);
        for (i = 0; i < PF_GEN_COUNT(pf_gen_common_nationalities); i++)
                g->common_country[i] = (int8_t)gen_country_find(pf_gen_common_nationalities[i]);
        snprintf(g->id_prefix, sizeof(g->id_prefix), "ev-%" PRIx64 "-", g->conf.seed);
        g->id_prefix_len = strlen(g->id_prefix);
        g->today = (int32_t)gen_floor_div(g->conf.start_ms, GEN_MS_DAY);
        g->day0 = (int64_t)g->today * GEN_MS_DAY;
        g->highrisk_flight = SIZE_MAX;

        for (i = 0; i < PF_GEN_COUNT(pf_gen_dests); i++) {
                const pf_gen_dest_t *dest = &pf_gen_dests[i];
                size_t r = g->nroutes;

                if (strcmp(dest->airport, g->hub_airport) == 0 ||
                    strcmp(dest->country, g->hub_country) == 0)
                        continue;
                g->route_dest[r] = (uint8_t)i;
                g->route_carrier[r][0] = gen_carrier_id(g, dest->carrier);
                g->route_carrier[r][1] = dest->alt_carrier != NULL
                                                 ? gen_carrier_id(g, dest->alt_carrier)
                                                 : GEN_NO_CARRIER;
                cum += (uint32_t)dest->weight;
                g->route_cum[r] = cum;
                /* 06:00 to 21:55 UTC in 5-minute steps */
                g->route_tod_min[r] = 360 + (int32_t)(gen_hash(g, GEN_SALT_TOD, i) % 192) * 5;
                if (dest->group == PF_GEN_HIGHRISK)
                        g->highrisk[g->nhighrisk++] = (uint8_t)r;
                g->nroutes++;
        }
        if (g->nroutes == 0)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_CONFIG,
                                "hub_country: no foreign destination left");

        for (k = 0; k < GEN_GROUPS; k++) {
                const gen_group_t *grp = &gen_groups[k];
                uint64_t h = gen_hash(g, GEN_SALT_ROT, k);

                uint32_t pairs = (uint32_t)(grp->ngiven * grp->nsurname);

                g->pair_mul[k] = 7919; /* then the next odd numbers until coprime to pairs */
                while (gen_gcd(g->pair_mul[k], pairs) != 1)
                        g->pair_mul[k] += 2;
                g->pair_rot[k] = (uint32_t)(h % pairs);
                g->dob_rot[k] = (uint32_t)((h >> 32) % GEN_DOB_SPAN_DAYS);
                for (i = 0; i < grp->ngiven; i++)
                        gen_slug(grp->given[i].ascii != NULL ? grp->given[i].ascii
                                                             : grp->given[i].name,
                                 g->given_slug[k][i]);
                for (i = 0; i < grp->nsurname; i++) {
                        gen_slug(grp->surname[i].ascii != NULL ? grp->surname[i].ascii
                                                               : grp->surname[i].name,
                                 g->surname_slug[k][i]);
                        g->surname_country[k][i] = (int8_t)gen_country_find(grp->surname[i].origin);
                }
        }
        return PF_OK;
}

/** @returns a route index drawn by destination weight. */
static uint8_t gen_route_pick(gen_t *g) {
        uint32_t x = gen_rng_below(&g->rng, g->route_cum[g->nroutes - 1]);
        size_t lo = 0, hi = g->nroutes - 1;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;

                if (g->route_cum[mid] > x)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return (uint8_t)lo;
}

/*
 * Persons: pure functions of (seed, traveller index).
 */

/** Writes 8 document-number symbols of a 40-bit value after the letter @p first. */
static void gen_doc_symbols(char out[12], char first, uint64_t x) {
        size_t i;

        out[0] = first;
        for (i = 0; i < 8; i++)
                out[1 + i] = "0123456789ABCDEFGHJKLMNPRTUVWXYZ"[(x >> (35 - 5 * i)) & 31];
        out[9] = '\0';
}

static void gen_person(const gen_t *g, uint32_t idx, gen_person_t *person) {
        uint32_t r = idx % 20, q = idx / 20, k, j, pairs, pair, block, gi, si;
        const gen_group_t *grp;
        uint64_t h = gen_hash(g, GEN_SALT_NAT, idx);
        uint64_t hd = gen_hash(g, GEN_SALT_DOC, idx);
        int country = -1;
        uint32_t u = (uint32_t)(h % 100);
        uint64_t x;

        /* Bijection idx <-> (group, j): 19 of 20 Latin, 1 of 20 in another script. */
        if (r < 19) {
                k = 0;
                j = q * 19 + r;
        } else {
                k = 1 + q % 3;
                j = q / 3;
        }
        grp = &gen_groups[k];
        /* j <-> (pair, block), and the pair is scrambled by a bijection of [0, pairs) so that
         * neighbouring indexes (one flight's travellers) do not share a surname. */
        pairs = (uint32_t)(grp->ngiven * grp->nsurname);
        block = j / pairs;
        pair = (uint32_t)(((uint64_t)(j % pairs) * g->pair_mul[k] + g->pair_rot[k]) % pairs);
        gi = pair % (uint32_t)grp->ngiven;
        si = pair / (uint32_t)grp->ngiven;
        person->given = &grp->given[gi];
        person->surname = &grp->surname[si];
        person->given_slug = g->given_slug[k][gi];
        person->surname_slug = g->surname_slug[k][si];
        gen_date_str((int64_t)g->today - GEN_DOB_YOUNGEST -
                             (int64_t)(((uint64_t)pair * 7919u + block + g->dob_rot[k]) %
                                       GEN_DOB_SPAN_DAYS),
                     person->dob);

        /* Nationality: the hub's, the surname's origin, or a common one. */
        if (u < (k == 0 ? 45u : 15u)) {
                country = g->hub_country_idx;
                person->nationality = g->hub_country;
        } else {
                country = g->surname_country[k][si];
                if (country < 0 || (k == 0 && u >= 85))
                        country = g->common_country[(h >> 8) %
                                                    PF_GEN_COUNT(pf_gen_common_nationalities)];
                person->nationality =
                        country >= 0 ? pf_gen_countries[country].alpha3 : g->hub_country;
        }
        /* Unknown hub country: phones get +49. */
        person->calling_code = country >= 0 ? pf_gen_countries[country].calling_code : "49";
        person->residence = (h >> 16) % 100 < 85 ? person->nationality : g->hub_country;

        /* Document: an ID card for a share of EU nationals, else a passport; valid 10 years, issued
         * before the person's earliest trip (history, or a frequent traveller's 28 days) and
         * valid for at least 60 days after the start. */
        person->doc_type = country >= 0 && pf_gen_countries[country].eu && hd % 100 < 30
                                   ? PF_DOC_ID_CARD
                                   : PF_DOC_PASSPORT;
        person->issue_date = g->today - (g->conf.history_days + 60) -
                             (int32_t)((hd >> 8) % (uint32_t)(3652 - 120 - g->conf.history_days));
        person->expiry_date = person->issue_date + 3652;
        /* Number: a letter and 8 symbols from a 44-bit bijection of idx, so numbers never repeat.
         */
        x = (idx + (g->conf.seed & 0xfffffffffffULL)) & 0xfffffffffffULL;
        x = (x * 0x5deece66dULL) & 0xfffffffffffULL;
        x ^= x >> 21;
        x = (x * 0x2545f4914fULL) & 0xfffffffffffULL;
        x ^= x >> 17;
        gen_doc_symbols(person->doc_number, "CFGHJKLMNPRTVWXY"[x >> 40], x);
}

/**
 * A planted traveller's second identity: a passport of a second nationality, issued after the
 * first document and at least 30 days before the window. Its number starts with 'Z', which no
 * ordinary number does, and carries a bijection of the index, so it is nobody else's.
 */
static void gen_alt_identity(const gen_t *g, uint32_t idx, gen_person_t *person) {
        const size_t n = PF_GEN_COUNT(pf_gen_common_nationalities);
        size_t i = (size_t)(gen_hash(g, GEN_SALT_ALT, idx) % n);

        while (strcmp(pf_gen_common_nationalities[i], person->nationality) == 0)
                i = (i + 1) % n;
        person->nationality = pf_gen_common_nationalities[i];
        person->doc_type = PF_DOC_PASSPORT;
        gen_doc_symbols(person->doc_number, 'Z',
                        ((uint64_t)idx * 0x9e3779b1ULL + g->conf.seed) & 0xffffffffffULL);
        /* issued between the first document and 30 days before the window */
        person->issue_date += (g->today - 30 - person->issue_date) / 2;
        person->expiry_date = person->issue_date + 3652;
}

/** Writes the record locator of booking number n: a 31-bit bijection, 6 chars of A-Z0-9. */
static void gen_locator(const gen_t *g, uint64_t n, char out[8]) {
        uint64_t x = (n ^ gen_mix(g->conf.seed)) & 0x7fffffffULL;
        int i;

        x = (x * 0x2c1b3c6dULL) & 0x7fffffffULL;
        x ^= x >> 15;
        x = (x * 0x297a2d39ULL) & 0x7fffffffULL;
        x ^= x >> 13;
        for (i = 5; i >= 0; i--) {
                out[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[x % 36];
                x /= 36;
        }
        out[6] = '\0';
}

/*
 * Build: flights, trips, plants, records.
 */

static void gen_build_flights(gen_t *g, uint16_t *counters, size_t ndays) {
        int64_t window_ms = (int64_t)g->conf.hours * GEN_MS_HOUR;
        size_t k;

        if (g->nhighrisk > 0)
                g->highrisk_flight = g->nflights / 2;
        for (k = 0; k < g->nflights; k++) {
                gen_flight_t *fl = &g->flights[k];
                int64_t off = (int64_t)k * window_ms / (int64_t)g->nflights;
                double pax;
                size_t day, cid;

                fl->dep = g->conf.start_ms + off / GEN_MS_MIN * GEN_MS_MIN;
                fl->route = k == g->highrisk_flight
                                    ? g->highrisk[gen_rng_below(&g->rng, (uint32_t)g->nhighrisk)]
                                    : gen_route_pick(g);
                fl->carrier = g->route_carrier[fl->route][0];
                if (g->route_carrier[fl->route][1] != GEN_NO_CARRIER &&
                    gen_rng_below(&g->rng, 100) < 30)
                        fl->carrier = g->route_carrier[fl->route][1];
                /* Numbers are unique per carrier and day: 100 + a bijection of a counter mod 4900
                 * (at most 200 * 24 = 4800 flights a day). */
                day = (size_t)((fl->dep - g->day0) / GEN_MS_DAY);
                cid = (size_t)fl->carrier * ndays + (day < ndays ? day : ndays - 1);
                fl->number = (uint16_t)(100 + ((uint32_t)counters[cid] * 37u + fl->carrier * 11u +
                                               (uint32_t)day * 3u) %
                                                      4900u);
                counters[cid]++;
                pax = g->conf.pax_per_flight * (0.7 + 0.6 * gen_unit(gen_rng_next(&g->rng)));
                fl->pax = (uint16_t)(pax < 1.0 ? 1 : (int)(pax + 0.5));
        }
}

static int gen_trip_minutes(const gen_t *g, const gen_trip_t *trip) {
        return pf_gen_dests[g->route_dest[trip->route]].minutes;
}

/** @returns the time of day (minutes) of a route's flights to the hub and of its return legs. */
static int32_t gen_inbound_tod(const gen_t *g, size_t route) {
        return (g->route_tod_min[route] + 240) % 1440;
}

/** @returns the scheduled departure of a trip's flight. */
static int64_t gen_trip_dep(const gen_t *g, const gen_trip_t *trip) {
        if (trip->flight >= 0)
                return g->flights[trip->flight].dep;
        return g->day0 + (int64_t)trip->day * GEN_MS_DAY +
               (int64_t)(trip->flight == GEN_FLIGHT_INBOUND ? gen_inbound_tod(g, trip->route)
                                                            : g->route_tod_min[trip->route]) *
                       GEN_MS_MIN;
}

static const gen_xtrip_t *gen_trip_xt(const gen_t *g, const gen_trip_t *trip) {
        return trip->xt != 0 ? &g->xtrips[trip->xt - 1] : NULL;
}

/** A trip's flight as events carry it. */
typedef struct gen_fv_s {
        const char *carrier;
        unsigned number;
        const char *oa, *oc, *da, *dc;
        int64_t dep, arr;
        pf_direction_t dir;
} gen_fv_t;

static void gen_trip_flight(const gen_t *g, const gen_trip_t *trip, gen_fv_t *fv) {
        const pf_gen_dest_t *dest = &pf_gen_dests[g->route_dest[trip->route]];

        if (trip->flight >= 0) {
                const gen_flight_t *fl = &g->flights[trip->flight];

                fv->carrier = g->carriers[fl->carrier];
                fv->number = fl->number;
        } else {
                fv->carrier = g->carriers[g->route_carrier[trip->route][0]];
                fv->number = (trip->flight == GEN_FLIGHT_INBOUND ? GEN_RETURN_NUMBER
                                                                 : GEN_ROUTE_NUMBER) +
                             13u * g->route_dest[trip->route];
        }
        fv->dep = gen_trip_dep(g, trip);
        fv->arr = fv->dep + (int64_t)dest->minutes * GEN_MS_MIN;
        if (trip->flight == GEN_FLIGHT_INBOUND) {
                fv->oa = dest->airport;
                fv->oc = dest->country;
                fv->da = g->hub_airport;
                fv->dc = g->hub_country;
                fv->dir = PF_DIR_INBOUND;
        } else {
                fv->oa = g->hub_airport;
                fv->oc = g->hub_country;
                fv->da = dest->airport;
                fv->dc = dest->country;
                fv->dir = PF_DIR_OUTBOUND;
        }
}

/** Draws a trip's booking; every random choice of a trip is made here. */
static void gen_trip_booking(gen_t *g, gen_trip_t *trip) {
        gen_rng_t *rng = &g->rng;
        bool long_haul = gen_trip_minutes(g, trip) >= 240;
        uint32_t u;

        if (gen_rng_below(rng, 1000) < 30) { /* last minute: 2-47 h */
                trip->booked_s = (int32_t)gen_rng_range(rng, 2 * 3600, 47 * 3600);
        } else { /* 2-90 days, more of them short */
                double x = gen_unit(gen_rng_next(rng));

                trip->booked_s = (int32_t)((2.0 + 88.0 * x * x) * 86400.0);
        }
        u = gen_rng_below(rng, 100);
        trip->payment = u < 80   ? PF_PAY_CARD
                        : u < 87 ? PF_PAY_INVOICE
                        : u < 93 ? PF_PAY_MILES
                        : u < 97 ? PF_PAY_CASH
                        : u < 99 ? PF_PAY_OTHER
                                 : PF_PAY_UNKNOWN;
        u = gen_rng_below(rng, 100);
        trip->card_holder = trip->payment != PF_PAY_CARD ? -1 : u < 90 ? 1 : u < 98 ? 0 : -1;
        trip->agency = gen_rng_below(rng, 2) == 0
                               ? GEN_NO_AGENCY
                               : (uint8_t)gen_rng_below(rng, PF_GEN_COUNT(pf_gen_agencies));
        trip->stay_days = gen_rng_below(rng, 100) < 15
                                  ? 0
                                  : (uint8_t)(long_haul ? 5 + gen_rng_below(rng, 17)
                                                        : 1 + gen_rng_below(rng, 10));
        trip->bags = (uint8_t)(long_haul ? 1 + gen_rng_below(rng, 2) : gen_rng_below(rng, 2));
        trip->bag_kg = (uint8_t)(trip->bags * (10 + gen_rng_below(rng, 14)));
        u = gen_rng_below(rng, 100);
        trip->co_travellers = (uint8_t)(u < 70 ? 0 : u < 88 ? 1 : 2 + gen_rng_below(rng, 3));
        u = gen_rng_below(rng, 100); /* ~60% of pushes carry the document */
        trip->docs_from = (uint8_t)(u < 45   ? 0
                                    : u < 55 ? 1
                                    : u < 65 ? 2
                                    : u < 75 ? 3
                                             : GEN_DOCS_NEVER);
        trip->api_ms = (int32_t)gen_rng_range(rng, 40 * GEN_MS_MIN, 3 * GEN_MS_HOUR);
}

/** @returns 1 or 2 earlier trips for a repeat traveller, else 0 (a pure function of the index). */
static uint32_t gen_repeat_trips(const gen_t *g, uint32_t traveller) {
        uint64_t h = gen_hash(g, GEN_SALT_REPEAT, traveller);

        if (g->conf.history_days < 1 || gen_unit(h) >= g->conf.repeat_share)
                return 0;
        return g->conf.history_days >= 2 ? 1 + (uint32_t)(h & 1) : 1;
}

static void gen_build_window_trips(gen_t *g) {
        size_t f, t = 0;
        uint32_t s;

        for (f = 0; f < g->nflights; f++) {
                for (s = 0; s < g->flights[f].pax; s++, t++) {
                        gen_trip_t *trip = &g->trips[t];

                        trip->traveller = (uint32_t)t;
                        trip->flight = (int32_t)f;
                        trip->route = g->flights[f].route;
                        gen_trip_booking(g, trip);
                }
        }
}

/**
 * Frequent traveller f: 5 trips to one destination, the last on a window flight, the others on
 * that route's flights 6, then 5-7 days apart (by date; the route flight's time of day differs
 * from the window flight's by less than a day, so spacings stay within 5-7 days and the whole
 * series within 29 days).
 */
static void gen_build_frequent_trips(gen_t *g) {
        size_t f, n;

        for (f = 0; f < g->nfreq; f++) {
                gen_trip_t *trips = &g->trips[g->nwindow + f * GEN_FREQ_TRIPS];
                size_t wf = (size_t)(gen_hash(g, GEN_SALT_FREQ, f) % g->nflights);
                int32_t day = (int32_t)((g->flights[wf].dep - g->day0) / GEN_MS_DAY) - 6;

                for (n = GEN_FREQ_TRIPS; n-- > 0;) {
                        gen_trip_t *trip = &trips[n];

                        trip->traveller = (uint32_t)(g->nwindow + f);
                        trip->route = g->flights[wf].route;
                        if (n == GEN_FREQ_TRIPS - 1) {
                                trip->flight = (int32_t)wf;
                        } else {
                                trip->flight = -1;
                                trip->day = (int16_t)day;
                                day -= (int32_t)(5 + gen_rng_below(&g->rng, 3));
                        }
                }
                for (n = 0; n < GEN_FREQ_TRIPS; n++) {
                        gen_trip_booking(g, &trips[n]);
                        trips[n].stay_days = (uint8_t)(1 + gen_rng_below(&g->rng, 3));
                }
        }
}

static void gen_build_history_trips(gen_t *g) {
        size_t t = g->nwindow + g->nfreq * GEN_FREQ_TRIPS;
        uint32_t i, n, c;

        for (i = 0; i < g->nwindow; i++) {
                int32_t prev_day = 0;

                c = gen_repeat_trips(g, i);
                for (n = 0; n < c; n++, t++) {
                        gen_trip_t *trip = &g->trips[t];
                        int32_t day;

                        do {
                                day = 1 + (int32_t)gen_rng_below(&g->rng,
                                                                 (uint32_t)g->conf.history_days);
                        } while (day == prev_day);
                        prev_day = day;
                        trip->traveller = i;
                        trip->flight = -1;
                        trip->day = (int16_t)-day;
                        trip->route = gen_route_pick(g);
                        gen_trip_booking(g, trip);
                }
        }
}

/** @returns the side record of trip t (a planted trip), made with its defaults if new. */
static gen_xtrip_t *gen_xtrip(gen_t *g, uint32_t t) {
        gen_trip_t *trip = &g->trips[t];
        gen_xtrip_t *xt;

        if (trip->xt != 0)
                return &g->xtrips[trip->xt - 1];
        xt = &g->xtrips[g->nxtrips++]; /* sized in gen_build(): never full */
        memset(xt, 0, sizeof(*xt));
        xt->contact_of = trip->traveller;
        xt->booking_of = t;
        xt->route2 = GEN_NO_ROUTE;
        trip->xt = (uint16_t)g->nxtrips;
        return xt;
}

static const char *gen_route_country(const gen_t *g, size_t route) {
        return pf_gen_dests[g->route_dest[route]].country;
}

static bool gen_route_highrisk(const gen_t *g, size_t route) {
        return pf_gen_dests[g->route_dest[route]].group == PF_GEN_HIGHRISK;
}

/**
 * @returns a route drawn by weight, outside the high-risk group (inside it when @p highrisk and
 * the hub has such routes), to none of the countries avoid[0..navoid); any route if none fits.
 */
static uint8_t gen_scen_route(gen_t *g, const char *const *avoid, size_t navoid, bool highrisk) {
        size_t tries, r, i;

        for (tries = 0; tries < 64 + g->nroutes; tries++) {
                if (tries < 64)
                        r = highrisk && g->nhighrisk > 0
                                    ? g->highrisk[gen_rng_below(&g->rng, (uint32_t)g->nhighrisk)]
                                    : gen_route_pick(g);
                else
                        r = tries - 64;
                if (gen_route_highrisk(g, r) != (highrisk && g->nhighrisk > 0))
                        continue;
                for (i = 0; i < navoid; i++)
                        if (strcmp(gen_route_country(g, r), avoid[i]) == 0)
                                break;
                if (i == navoid)
                        return (uint8_t)r;
        }
        return gen_route_pick(g);
}

/** Marks a planted window trip and forces its feature. */
static void gen_plant(gen_t *g, int kind, uint32_t t) {
        gen_trip_t *trip = &g->trips[t];
        size_t nth = g->nplants[kind];
        gen_xtrip_t *xt;

        trip->plant |= (uint16_t)(1u << kind);
        g->plants[kind][g->nplants[kind]++] = t;
        switch (kind) {
        case GEN_PLANT_R03:
                trip->booked_s = (int32_t)gen_rng_range(&g->rng, 2 * 3600, 47 * 3600);
                break;
        case GEN_PLANT_R04:
                trip->payment = PF_PAY_CASH;
                trip->card_holder = -1;
                trip->booked_s = (int32_t)gen_rng_range(&g->rng, 6 * 3600, 47 * 3600);
                break;
        case GEN_PLANT_R05:
                trip->stay_days = 0;
                break;
        case GEN_PLANT_R06: { /* an onward leg 2+ days after landing: stopover > 24 h */
                const char *avoid[1] = {gen_route_country(g, trip->route)};

                xt = gen_xtrip(g, t);
                xt->route2 = gen_scen_route(g, avoid, 1, false);
                xt->stopover_days = (uint8_t)(3 + gen_rng_below(&g->rng, 3));
                break;
        }
        case GEN_PLANT_R08: /* API 15-35 min before departure (R08: < 1 h; others: 40+ min) */
                trip->api_ms = (int32_t)gen_rng_range(&g->rng, 15 * GEN_MS_MIN, 35 * GEN_MS_MIN);
                break;
        case GEN_PLANT_R09: /* no bags, back 10-14 days later (R09: >= 7 days) */
                trip->bags = 0;
                trip->bag_kg = 0;
                trip->stay_days = (uint8_t)(10 + gen_rng_below(&g->rng, 5));
                break;
        case GEN_PLANT_R10:
                trip->payment = PF_PAY_CARD;
                trip->card_holder = 0;
                break;
        case GEN_PLANT_R11:
                trip->agency =
                        (uint8_t)(GEN_FLAGGED_AGENCY + nth % PF_GEN_COUNT(pf_gen_flagged_agencies));
                break;
        case GEN_PLANT_R12: /* expires 10 days after departure, or issued 4 days before it */
                gen_xtrip(g, t)->doc_dates = nth % 2 == 0 ? GEN_DOC_EXPIRING : GEN_DOC_NEW;
                break;
        default:
                break;
        }
}

/** @returns the window trip at or after position pos that may be planted, or SIZE_MAX. */
static size_t gen_plant_probe(const gen_t *g, size_t pos, bool alone) {
        size_t probe;

        for (probe = 0; probe < g->nwindow; probe++) {
                size_t t = (pos + probe) % g->nwindow;
                const gen_trip_t *trip = &g->trips[t];

                if (trip->plant == 0 && (size_t)trip->flight != g->highrisk_flight &&
                    (!alone || gen_repeat_trips(g, (uint32_t)t) == 0))
                        return t;
        }
        return SIZE_MAX;
}

/**
 * Plants R07 on the first travellers of the forced high-risk flight, and R03, R04, R05 in turn on
 * window trips at evenly spaced positions (moving on to the next free trip on another flight).
 * Then, in the same way but half a step further, R06 (a long stopover), R08, R09, R10, R11 and
 * R12, on travellers with no earlier trip (a planted document must be the person's only one).
 */
static void gen_build_plants(gen_t *g) {
        size_t n = (size_t)PF_GEN_PLANTED_PER_KIND * 3, m, t = 0, f;
        const size_t nnew = GEN_PLANT__COUNT - GEN_PLANT_R06;

        if (g->highrisk_flight != SIZE_MAX) {
                for (f = 0; f < g->highrisk_flight; f++)
                        t += g->flights[f].pax;
                for (m = 0; m < g->flights[g->highrisk_flight].pax && m < PF_GEN_PLANTED_PER_KIND;
                     m++)
                        gen_plant(g, GEN_PLANT_R07, (uint32_t)(t + m));
        }
        for (m = 0; m < n; m++) {
                size_t pos = (m + 1) * g->nwindow / (n + 1);

                t = gen_plant_probe(g, pos, false);
                if (t == SIZE_MAX)
                        break;
                gen_plant(g, (int)(m % 3), (uint32_t)t);
        }
        n = (size_t)PF_GEN_PLANTED_PER_KIND * nnew;
        for (m = 0; m < n; m++) {
                size_t pos = (2 * m + 1) * g->nwindow / (2 * (n + 1));

                t = gen_plant_probe(g, pos, true);
                if (t == SIZE_MAX)
                        break;
                gen_plant(g, (int)(GEN_PLANT_R06 + m % nnew), (uint32_t)t);
        }
}

/*
 * Scenarios: planted travellers whose pattern spans trips (rules 1, 2, 6, 14-18).
 */

/** A scenario trip booked without any risk feature (so only its pattern makes it hit). */
static uint32_t gen_scen_trip(gen_t *g, size_t *next, uint32_t traveller, int32_t flight,
                              int32_t day, uint8_t route) {
        uint32_t t = (uint32_t)(*next)++;
        gen_trip_t *trip = &g->trips[t];

        memset(trip, 0, sizeof(*trip));
        trip->traveller = traveller;
        trip->flight = flight;
        trip->day = (int16_t)day;
        trip->route = flight >= 0 ? g->flights[flight].route : route;
        trip->booked_s = (int32_t)gen_rng_range(&g->rng, 10 * 86400, 40 * 86400);
        trip->payment = PF_PAY_CARD;
        trip->card_holder = 1;
        trip->agency = GEN_NO_AGENCY;
        trip->stay_days = (uint8_t)(3 + gen_rng_below(&g->rng, 4));
        trip->bags = 1;
        trip->bag_kg = (uint8_t)(15 + gen_rng_below(&g->rng, 9));
        trip->co_travellers = 0;
        trip->docs_from = 0;
        trip->api_ms = (int32_t)gen_rng_range(&g->rng, 70 * GEN_MS_MIN, 3 * GEN_MS_HOUR);
        return t;
}

/** A window flight for a scenario trip: by hash, moving on past flights to the high-risk group. */
static int32_t gen_scen_flight(const gen_t *g, uint64_t salt) {
        size_t f = (size_t)(gen_hash(g, GEN_SALT_SCEN, salt) % g->nflights), i;

        for (i = 0; i < g->nflights; i++, f = (f + 1) % g->nflights)
                if (!gen_route_highrisk(g, g->flights[f].route))
                        break;
        return (int32_t)f;
}

static gen_scen_line_t *gen_scen_line(gen_t *g, const char *pattern, const char *rule,
                                      uint32_t traveller) {
        gen_scen_line_t *l = &g->lines[g->nlines++]; /* sized in gen_build(): never full */

        memset(l, 0, sizeof(*l));
        l->pattern = pattern;
        l->rule = rule;
        l->deterministic = true;
        l->entry = -1;
        l->traveller = traveller;
        return l;
}

static void gen_line_ctx(gen_scen_line_t *l, uint32_t t) {
        l->ctx[l->nctx++] = t;
}

static void gen_line_hit(gen_scen_line_t *l, uint32_t t, unsigned mask) {
        l->hit[l->nhit] = t;
        l->hit_mask[l->nhit++] = (uint8_t)mask;
}

static int gen_entry(gen_t *g, int kind, uint32_t traveller, uint32_t trip, uint32_t k) {
        gen_entry_t *e = &g->entries[g->nentries];

        e->kind = kind;
        e->traveller = traveller;
        e->trip = trip;
        e->k = k;
        return (int)g->nentries++;
}

/** Puts trip t on the booking of trip of (a co-traveller): same record locator and fare. */
static void gen_share_booking(gen_t *g, uint32_t t, uint32_t of) {
        gen_trip_t *trip = &g->trips[t];
        gen_trip_t *other = &g->trips[of];

        trip->booked_s = other->booked_s;
        trip->payment = other->payment;
        trip->card_holder = other->card_holder;
        trip->stay_days = other->stay_days;
        trip->co_travellers = 1;
        other->co_travellers = 1;
        gen_xtrip(g, t)->booking_of = of;
}

/**
 * Scenario set k: eight planted travellers (A-H), 18 trips, 3 watchlist entries. Earlier trips
 * lie before the window, so they precede all of its events:
 * - A: on the watchlist by document; one trip 14-24 days before the window, one in it (R01 on
 *   both; R18 and R15 on the second, A being hit on the first);
 * - B: on the watchlist by exact name and full date of birth (R02); Bf by a name with one
 *   transposed letter and the birth year only (R02, fuzzy: not deterministic);
 * - C: a booking with A's phone and e-mail (R15 as the catalogue states it);
 * - D: a trip to the high-risk group 25-35 days before the window (R07, so D is hit), then two
 *   more (R18 on both), on bookings shared with E (R16 on E's second, from its second push
 *   on: D's flag on the booking is raised on the first, which E shares);
 * - F: a second trip on a second passport of a second nationality (R14);
 * - G: three earlier trips to three countries, then one to a fourth (R17);
 * - H: arrives at the hub on one booking 2-26 h before leaving it on another (R06).
 */
static void gen_build_scenario(gen_t *g, uint32_t k, size_t *next) {
        uint32_t A, B, Bf, C, D, E, F, G, H, a1, a2, b, bf, c, d1, d2, d3, e2, e3, f1, f2, g4, h1,
                h2, gt[3];
        int32_t fa, fd, fg, fh, day;
        const char *avoid[4];
        gen_scen_line_t *l;
        size_t i;
        int ea;

        A = g->scen_base + g->scen_travellers++;
        fa = gen_scen_flight(g, (uint64_t)k * 16 + 0);
        a1 = gen_scen_trip(g, next, A, GEN_FLIGHT_ROUTE, -14 - (int32_t)gen_rng_below(&g->rng, 11),
                           gen_scen_route(g, NULL, 0, false));
        a2 = gen_scen_trip(g, next, A, fa, 0, 0);
        ea = gen_entry(g, 0, A, a2, k);
        l = gen_scen_line(g, "R01_WATCHLIST_DOCUMENT", "R01", A);
        l->entry = ea;
        l->needs_watchlist = true;
        gen_line_ctx(l, a1);
        gen_line_ctx(l, a2);
        gen_line_hit(l, a1, GEN_EV_DOC);
        gen_line_hit(l, a2, GEN_EV_DOC);
        l = gen_scen_line(g, "R18_PREVIOUSLY_HIT_TRAVELS_AGAIN", "R18", A);
        l->via = "R01";
        l->needs_watchlist = true;
        gen_line_ctx(l, a1);
        gen_line_ctx(l, a2);
        gen_line_hit(l, a2, GEN_EV_ALL);
        l = gen_scen_line(g, "R15_CONTACT_REUSED_AFTER_HIT", "R15", A);
        l->via = "R01";
        l->needs_watchlist = true;
        gen_line_ctx(l, a1);
        gen_line_ctx(l, a2);
        gen_line_hit(l, a2, GEN_EV_PNR);

        B = g->scen_base + g->scen_travellers++;
        b = gen_scen_trip(g, next, B, gen_scen_flight(g, (uint64_t)k * 16 + 1), 0, 0);
        l = gen_scen_line(g, "R02_WATCHLIST_NAME_DOB", "R02", B);
        l->entry = gen_entry(g, 1, B, b, k);
        l->needs_watchlist = true;
        gen_line_ctx(l, b);
        gen_line_hit(l, b, GEN_EV_ALL);
        Bf = g->scen_base + g->scen_travellers++;
        bf = gen_scen_trip(g, next, Bf, gen_scen_flight(g, (uint64_t)k * 16 + 2), 0, 0);
        l = gen_scen_line(g, "R02_WATCHLIST_NAME_FUZZY", "R02", Bf);
        l->entry = gen_entry(g, 2, Bf, bf, k);
        l->needs_watchlist = true;
        l->deterministic = false; /* the screener's calibrated confidence decides */
        gen_line_ctx(l, bf);
        gen_line_hit(l, bf, GEN_EV_ALL);

        C = g->scen_base + g->scen_travellers++;
        c = gen_scen_trip(g, next, C, gen_scen_flight(g, (uint64_t)k * 16 + 3), 0, 0);
        gen_xtrip(g, c)->contact_of = A;
        l = gen_scen_line(g, "R15_SHARES_CONTACT_WITH_HIT_TRAVELLER", "R15", C);
        l->via = "R01";
        l->needs_watchlist = true;
        gen_line_ctx(l, a1);
        gen_line_ctx(l, c);
        gen_line_hit(l, c, GEN_EV_PNR);

        D = g->scen_base + g->scen_travellers++;
        E = g->scen_base + g->scen_travellers++;
        d1 = gen_scen_trip(g, next, D, GEN_FLIGHT_ROUTE, -25 - (int32_t)gen_rng_below(&g->rng, 11),
                           gen_scen_route(g, NULL, 0, true));
        avoid[0] = gen_route_country(g, g->trips[d1].route);
        d2 = gen_scen_trip(g, next, D, GEN_FLIGHT_ROUTE, -8 - (int32_t)gen_rng_below(&g->rng, 5),
                           gen_scen_route(g, avoid, 1, false));
        fd = gen_scen_flight(g, (uint64_t)k * 16 + 4);
        d3 = gen_scen_trip(g, next, D, fd, 0, 0);
        e2 = gen_scen_trip(g, next, E, GEN_FLIGHT_ROUTE, g->trips[d2].day, g->trips[d2].route);
        gen_share_booking(g, e2, d2);
        e3 = gen_scen_trip(g, next, E, fd, 0, 0);
        gen_share_booking(g, e3, d3);
        l = gen_scen_line(g, "R18_PREVIOUSLY_HIT_TRAVELS_AGAIN", "R18", D);
        l->via = "R07";
        l->deterministic = g->nhighrisk > 0;
        gen_line_ctx(l, d1);
        gen_line_ctx(l, d2);
        gen_line_ctx(l, d3);
        gen_line_hit(l, d2, GEN_EV_ALL);
        gen_line_hit(l, d3, GEN_EV_ALL);
        l = gen_scen_line(g, "R16_TRAVELS_WITH_HIT_TRAVELLER", "R16", E);
        l->via = "R07";
        l->deterministic = g->nhighrisk > 0;
        gen_line_ctx(l, d1);
        gen_line_ctx(l, d2);
        gen_line_ctx(l, d3);
        gen_line_ctx(l, e2);
        gen_line_ctx(l, e3);
        gen_line_hit(l, e3, GEN_EV_ALL | GEN_EV_LATER);

        F = g->scen_base + g->scen_travellers++;
        f1 = gen_scen_trip(g, next, F, GEN_FLIGHT_ROUTE, -12 - (int32_t)gen_rng_below(&g->rng, 9),
                           gen_scen_route(g, NULL, 0, false));
        f2 = gen_scen_trip(g, next, F, gen_scen_flight(g, (uint64_t)k * 16 + 5), 0, 0);
        gen_xtrip(g, f2)->alt_identity = 1;
        l = gen_scen_line(g, "R14_SEVERAL_DOCUMENTS", "R14", F);
        gen_line_ctx(l, f1);
        gen_line_ctx(l, f2);
        gen_line_hit(l, f2, GEN_EV_ALL);

        G = g->scen_base + g->scen_travellers++;
        fg = gen_scen_flight(g, (uint64_t)k * 16 + 6);
        avoid[0] = gen_route_country(g, g->flights[fg].route);
        for (i = 0; i < 3; i++) {
                day = -30 + 10 * (int32_t)i - (int32_t)gen_rng_below(&g->rng, 5);
                gt[i] = gen_scen_trip(g, next, G, GEN_FLIGHT_ROUTE, day,
                                      gen_scen_route(g, avoid, 1 + i, false));
                avoid[1 + i] = gen_route_country(g, g->trips[gt[i]].route);
        }
        g4 = gen_scen_trip(g, next, G, fg, 0, 0);
        l = gen_scen_line(g, "R17_NEW_ROUTE", "R17", G);
        for (i = 0; i < 3; i++)
                gen_line_ctx(l, gt[i]);
        gen_line_ctx(l, g4);
        gen_line_hit(l, g4, GEN_EV_ALL);

        H = g->scen_base + g->scen_travellers++;
        fh = gen_scen_flight(g, (uint64_t)k * 16 + 7);
        h2 = gen_scen_trip(g, next, H, fh, 0, 0);
        avoid[0] = gen_route_country(g, g->flights[fh].route);
        {
                uint8_t rh = gen_scen_route(g, avoid, 1, false);
                /* the latest flight to the hub that lands 2 h or more before H2 leaves */
                int64_t latest = g->flights[fh].dep - 2 * GEN_MS_HOUR -
                                 (int64_t)pf_gen_dests[g->route_dest[rh]].minutes * GEN_MS_MIN -
                                 (int64_t)gen_inbound_tod(g, rh) * GEN_MS_MIN - g->day0;

                h1 = gen_scen_trip(g, next, H, GEN_FLIGHT_INBOUND,
                                   (int32_t)gen_floor_div(latest, GEN_MS_DAY), rh);
                g->trips[h1].stay_days = 0;
        }
        l = gen_scen_line(g, "R06_HIDDEN_CONNECTION", "R06", H);
        gen_line_ctx(l, h1);
        gen_line_ctx(l, h2);
        gen_line_hit(l, h2, GEN_EV_ALL);
}

/** Numbers every trip's events and creates the sort records, in (trip, kind) order. */
static void gen_build_records(gen_t *g) {
        size_t t, r = 0;
        int k;

        for (t = 0; t < g->ntrips; t++) {
                gen_trip_t *trip = &g->trips[t];
                int64_t dep = gen_trip_dep(g, trip);
                int64_t booked_ms = (int64_t)trip->booked_s * 1000;

                trip->first_push = PF_PUSH_DEPARTURE;
                for (k = PF_PUSH_T72H; k <= PF_PUSH_DEPARTURE; k++) {
                        if (booked_ms >= gen_push_offset[k]) {
                                trip->first_push = (uint8_t)k;
                                break;
                        }
                }
                trip->first_ev = (uint32_t)r;
                for (k = trip->first_push; k <= PF_PUSH_DEPARTURE; k++) {
                        g->recs[r].sent_at = dep - gen_push_offset[k];
                        g->recs[r].trip = (uint32_t)t;
                        g->recs[r++].kind = (uint32_t)k;
                }
                g->recs[r].sent_at = dep - trip->api_ms;
                g->recs[r].trip = (uint32_t)t;
                g->recs[r++].kind = PF_PUSH_CHECKIN;
        }
        g->nrecs = r;
}

/** Stable LSD radix sort of the records by sent_at; leaves the result in g->recs. */
static void gen_sort_records(gen_t *g) {
        uint32_t count[1u << GEN_RADIX_BITS];
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        gen_rec_t *src = g->recs, *dst = g->recs_tmp, *swap;
        unsigned shift, bits = 0;
        size_t i;

        if (g->nrecs < 2)
                return;
        for (i = 0; i < g->nrecs; i++) {
                if (src[i].sent_at < lo)
                        lo = src[i].sent_at;
                if (src[i].sent_at > hi)
                        hi = src[i].sent_at;
        }
        while (bits < 64 && ((uint64_t)(hi - lo) >> bits) != 0)
                bits++;
        for (shift = 0; shift < bits; shift += GEN_RADIX_BITS) {
                uint32_t sum = 0, c;

                memset(count, 0, sizeof(count));
                for (i = 0; i < g->nrecs; i++)
                        count[((uint64_t)(src[i].sent_at - lo) >> shift) &
                              ((1u << GEN_RADIX_BITS) - 1)]++;
                for (i = 0; i < (1u << GEN_RADIX_BITS); i++) {
                        c = count[i];
                        count[i] = sum;
                        sum += c;
                }
                for (i = 0; i < g->nrecs; i++)
                        dst[count[((uint64_t)(src[i].sent_at - lo) >> shift) &
                                  ((1u << GEN_RADIX_BITS) - 1)]++] = src[i];
                swap = src;
                src = dst;
                dst = swap;
        }
        g->recs = src;
        g->recs_tmp = dst;
}

static pf_err_t gen_build(gen_t *g) {
        size_t ndays, i, nhist = 0, nwindow = 0;
        uint16_t *counters;

        g->nflights = (size_t)g->conf.hours * (size_t)g->conf.flights_per_hour;
        g->flights = calloc(g->nflights, sizeof(*g->flights));
        ndays = (size_t)((g->conf.start_ms - g->day0 + (int64_t)g->conf.hours * GEN_MS_HOUR) /
                         GEN_MS_DAY) +
                1;
        counters = calloc(g->ncarriers * ndays, sizeof(*counters));
        if (g->flights == NULL || counters == NULL) {
                free(counters);
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_NOMEM, "out of memory (flights)");
        }
        gen_build_flights(g, counters, ndays);
        free(counters);

        for (i = 0; i < g->nflights; i++)
                nwindow += g->flights[i].pax;
        g->nwindow = nwindow;
        g->nfreq = (size_t)g->conf.frequent_travellers;
        for (i = 0; i < nwindow; i++)
                nhist += gen_repeat_trips(g, (uint32_t)i);
        g->nhist = nhist;
        g->nscen = PF_GEN_PLANTED_PER_KIND;
        g->ntrips = nwindow + g->nfreq * GEN_FREQ_TRIPS + nhist + g->nscen * GEN_SCEN_TRIPS;
        g->trips = calloc(g->ntrips, sizeof(*g->trips));
        g->recs = malloc(g->ntrips * 5 * sizeof(*g->recs));
        g->recs_tmp = malloc(g->ntrips * 5 * sizeof(*g->recs_tmp));
        g->cap_xtrips = g->nscen * GEN_SCEN_TRIPS + 2 * PF_GEN_PLANTED_PER_KIND;
        g->xtrips = calloc(g->cap_xtrips, sizeof(*g->xtrips));
        g->cap_lines = g->nscen * GEN_SCEN_LINES;
        g->lines = calloc(g->cap_lines, sizeof(*g->lines));
        if (g->trips == NULL || g->recs == NULL || g->recs_tmp == NULL || g->xtrips == NULL ||
            g->lines == NULL)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_NOMEM,
                                "out of memory (%zu trips)", g->ntrips);

        gen_build_window_trips(g);
        gen_build_frequent_trips(g);
        gen_build_history_trips(g);
        gen_build_plants(g);
        /* Scenario travellers come after the window, frequent and bad-payload travellers. */
        g->scen_base = (uint32_t)(nwindow + g->nfreq + (size_t)g->conf.bad_payloads);
        {
                size_t next = nwindow + g->nfreq * GEN_FREQ_TRIPS + nhist, k;

                for (k = 0; k < g->nscen; k++)
                        gen_build_scenario(g, (uint32_t)k, &next);
                if (next != g->ntrips || g->nlines > g->cap_lines || g->nxtrips > g->cap_xtrips)
                        return gen_fail(g->errstr, g->errstr_size, PF_ERR_INTERNAL,
                                        "scenario trips miscounted");
        }
        gen_build_records(g);
        gen_sort_records(g);
        g->nbad = g->sink->bad != NULL ? (size_t)g->conf.bad_payloads : 0;
        return PF_OK;
}

/*
 * Emit.
 */

static void gen_event_id(const gen_t *g, uint64_t n, char *out, size_t size) {
        gen_str_t s;

        gen_str_init(&s, out, size);
        gen_str_put(&s, g->id_prefix, g->id_prefix_len);
        gen_str_u64(&s, n, 1);
}

/** @returns the schema version of an event: 1 for about v1_share of event ids. */
static int gen_schema_version(const gen_t *g, const char *event_id) {
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
        const unsigned char *p;

        for (p = (const unsigned char *)event_id; *p != '\0'; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
        return gen_unit(gen_mix(h)) < g->conf.v1_share ? 1 : 2;
}

/** Fills one leg of the itinerary. */
static void gen_leg(pf_leg_t *leg, const char *carrier, unsigned number, const char *oa,
                    const char *oc, const char *da, const char *dc, int64_t dep, int64_t arr) {
        gen_str_t s;

        gen_copy(leg->carrier, sizeof(leg->carrier), carrier);
        gen_str_init(&s, leg->flight_number, sizeof(leg->flight_number));
        gen_str_u64(&s, number, 1);
        gen_copy(leg->origin_airport, sizeof(leg->origin_airport), oa);
        gen_copy(leg->origin_country, sizeof(leg->origin_country), oc);
        gen_copy(leg->destination_airport, sizeof(leg->destination_airport), da);
        gen_copy(leg->destination_country, sizeof(leg->destination_country), dc);
        leg->departure = dep;
        leg->arrival = arr;
}

/**
 * The legs of a trip's booking and its shape: one leg (one way), the flight and its return leg
 * (return), or, for a planted long stopover, the flight and an onward leg from its destination
 * at least 2 days after it lands (multi-city). @returns the number of legs.
 */
static uint32_t gen_itinerary(const gen_t *g, const gen_trip_t *trip, const gen_fv_t *fv,
                              pf_leg_t legs[2], pf_trip_type_t *type) {
        const gen_xtrip_t *xt = gen_trip_xt(g, trip);
        const pf_gen_dest_t *dest = &pf_gen_dests[g->route_dest[trip->route]];

        gen_leg(&legs[0], fv->carrier, fv->number, fv->oa, fv->oc, fv->da, fv->dc, fv->dep,
                fv->arr);
        if (xt != NULL && xt->route2 != GEN_NO_ROUTE) {
                size_t d2 = g->route_dest[xt->route2];
                const pf_gen_dest_t *dest2 = &pf_gen_dests[d2];
                int64_t dep2 = gen_floor_div(fv->dep, GEN_MS_DAY) * GEN_MS_DAY +
                               (int64_t)xt->stopover_days * GEN_MS_DAY +
                               (int64_t)g->route_tod_min[xt->route2] * GEN_MS_MIN;

                while (dep2 - fv->arr < 2 * GEN_MS_DAY)
                        dep2 += GEN_MS_DAY;
                gen_leg(&legs[1], g->carriers[g->route_carrier[xt->route2][0]],
                        GEN_ONWARD_NUMBER + 13u * (unsigned)d2, fv->da, fv->dc, dest2->airport,
                        dest2->country, dep2, dep2 + (int64_t)dest2->minutes * GEN_MS_MIN);
                *type = PF_TRIP_MULTI_CITY;
                return 2;
        }
        if (trip->stay_days == 0) {
                *type = PF_TRIP_ONE_WAY;
                return 1;
        }
        {
                int64_t ret = gen_floor_div(fv->dep, GEN_MS_DAY) * GEN_MS_DAY +
                              (int64_t)trip->stay_days * GEN_MS_DAY +
                              (int64_t)gen_inbound_tod(g, trip->route) * GEN_MS_MIN;

                while (ret < fv->arr + 2 * GEN_MS_HOUR)
                        ret += GEN_MS_DAY;
                gen_leg(&legs[1], fv->carrier, GEN_RETURN_NUMBER + 13u * g->route_dest[trip->route],
                        fv->da, fv->dc, fv->oa, fv->oc, ret,
                        ret + (int64_t)dest->minutes * GEN_MS_MIN);
        }
        *type = PF_TRIP_RETURN;
        return 2;
}

/** @returns the agency of a trip (NULL: booked directly). */
static const pf_gen_agency_t *gen_trip_agency(const gen_trip_t *trip) {
        if (trip->agency == GEN_NO_AGENCY)
                return NULL;
        if (trip->agency >= GEN_FLAGGED_AGENCY)
                return &pf_gen_flagged_agencies[trip->agency - GEN_FLAGGED_AGENCY];
        return &pf_gen_agencies[trip->agency];
}

/**
 * Fills the booking of a PNR push from its trip. The contacts are those of @p contact (the
 * person with index @p contact_idx: the traveller, or whoever's contacts a planted booking uses).
 */
static void gen_fill_booking(gen_t *g, const gen_trip_t *trip, uint64_t booking_no,
                             const gen_fv_t *fv, const gen_person_t *contact,
                             uint32_t contact_idx) {
        pf_event_t *ev = &g->ev;
        const pf_gen_agency_t *agency = gen_trip_agency(trip);
        uint64_t h = gen_hash(g, GEN_SALT_CONTACT, contact_idx);
        pf_trip_type_t type;
        gen_str_t s;

        ev->has_booking = true;
        gen_locator(g, booking_no, ev->booking.record_locator);
        ev->booking.booked_at = fv->dep - (int64_t)trip->booked_s * 1000;
        ev->booking.payment_type = (pf_payment_t)trip->payment;
        ev->booking.card_holder_is_traveller = trip->card_holder;
        if (agency != NULL) {
                gen_copy(ev->booking.agency_id, sizeof(ev->booking.agency_id), agency->id);
                gen_copy(ev->booking.agency_country, sizeof(ev->booking.agency_country),
                         agency->country);
        }
        ev->booking.leg_count = gen_itinerary(g, trip, fv, ev->booking.legs, &type);
        ev->booking.trip_type = type;
        ev->booking.co_traveller_count = trip->co_travellers;
        ev->booking.bag_count = trip->bags;
        ev->booking.bag_weight_kg = trip->bag_kg;

        /* Contacts: unique per person (the digits and the e-mail carry a bijection of the index).
         */
        gen_str_init(&s, ev->booking.contact_phone, sizeof(ev->booking.contact_phone));
        gen_str_put(&s, "+", 1);
        gen_str_cat(&s, contact->calling_code);
        gen_str_put(&s, " 1", 2);
        gen_str_u64(&s, 50 + h % 30, 2);
        gen_str_put(&s, " ", 1);
        gen_str_u64(&s, ((uint64_t)contact_idx * 7919u + (g->conf.seed % 100000000u)) % 100000000u,
                    8);
        gen_str_init(&s, ev->booking.contact_email, sizeof(ev->booking.contact_email));
        gen_str_cat(&s, contact->given_slug);
        gen_str_put(&s, ".", 1);
        gen_str_cat(&s, contact->surname_slug);
        gen_str_put(&s, ".", 1);
        gen_str_u64(&s, contact_idx, 1);
        gen_str_cat(&s, "@example.org");
        if ((h >> 8) % 100 < 30) {
                gen_str_init(&s, ev->booking.frequent_flyer_id,
                             sizeof(ev->booking.frequent_flyer_id));
                gen_str_cat(&s,
                            pf_gen_ff_programmes[(h >> 16) % PF_GEN_COUNT(pf_gen_ff_programmes)]);
                gen_str_u64(&s, (h >> 24) % 10000000000ULL, 10);
        }
}

/** The person of a trip's traveller, with what a planted trip changes (document, nationality). */
static void gen_trip_person(const gen_t *g, const gen_trip_t *trip, int64_t dep,
                            gen_person_t *person) {
        const gen_xtrip_t *xt = gen_trip_xt(g, trip);

        gen_person(g, trip->traveller, person);
        if (xt == NULL)
                return;
        if (xt->alt_identity)
                gen_alt_identity(g, trip->traveller, person);
        if (xt->doc_dates == GEN_DOC_EXPIRING) {
                person->expiry_date = (int32_t)(gen_floor_div(dep, GEN_MS_DAY) + 10);
                person->issue_date = person->expiry_date - 3652;
        } else if (xt->doc_dates == GEN_DOC_NEW) {
                person->issue_date = (int32_t)(gen_floor_div(dep, GEN_MS_DAY) - 4);
                person->expiry_date = person->issue_date + 3652;
        }
}

/**
 * Builds event number ev_no of a trip into g->ev and its key into g->key.
 * @returns the schema version to write it with.
 */
static int gen_fill(gen_t *g, const gen_trip_t *trip, uint64_t booking_no, pf_push_kind_t kind,
                    uint64_t ev_no, int64_t sent_at) {
        pf_event_t *ev = &g->ev;
        const gen_xtrip_t *xt = gen_trip_xt(g, trip);
        gen_person_t person;
        gen_fv_t fv;
        char date[PF_DOB_MAX];
        gen_str_t s;
        int version;

        pf_event_clear(ev);
        gen_trip_flight(g, trip, &fv);
        gen_event_id(g, ev_no, ev->event_id, sizeof(ev->event_id));
        ev->source = kind == PF_PUSH_CHECKIN ? PF_SOURCE_API : PF_SOURCE_PNR;
        ev->push_kind = kind;
        ev->sent_at = sent_at;
        gen_copy(ev->carrier, sizeof(ev->carrier), fv.carrier);
        gen_str_init(&s, ev->flight.number, sizeof(ev->flight.number));
        gen_str_u64(&s, fv.number, 1);
        gen_copy(ev->flight.origin_airport, sizeof(ev->flight.origin_airport), fv.oa);
        gen_copy(ev->flight.origin_country, sizeof(ev->flight.origin_country), fv.oc);
        gen_copy(ev->flight.destination_airport, sizeof(ev->flight.destination_airport), fv.da);
        gen_copy(ev->flight.destination_country, sizeof(ev->flight.destination_country), fv.dc);
        ev->flight.scheduled_departure = fv.dep;
        ev->flight.scheduled_arrival = fv.arr;
        ev->flight.direction = fv.dir;

        gen_trip_person(g, trip, fv.dep, &person);
        gen_copy(ev->traveller.given_names, sizeof(ev->traveller.given_names), person.given->name);
        gen_copy(ev->traveller.surname, sizeof(ev->traveller.surname), person.surname->name);
        memcpy(ev->traveller.date_of_birth, person.dob, sizeof(person.dob));
        ev->traveller.gender = person.given->gender == 'F' ? PF_GENDER_F : PF_GENDER_M;
        gen_copy(ev->traveller.nationality, sizeof(ev->traveller.nationality), person.nationality);
        gen_copy(ev->traveller.residence, sizeof(ev->traveller.residence), person.residence);

        if (kind == PF_PUSH_CHECKIN || (int)kind >= trip->docs_from) {
                ev->has_document = true;
                ev->document.type = person.doc_type;
                gen_copy(ev->document.number, sizeof(ev->document.number), person.doc_number);
                gen_copy(ev->document.issuing_country, sizeof(ev->document.issuing_country),
                         person.nationality);
                ev->document.issue_date = person.issue_date;
                ev->document.expiry_date = person.expiry_date;
        }

        if (kind == PF_PUSH_CHECKIN) {
                gen_str_init(&s, g->key, sizeof(g->key));
                gen_str_cat(&s, ev->carrier);
                gen_str_cat(&s, ev->flight.number);
                gen_str_put(&s, "/", 1);
                gen_date_str(gen_floor_div(fv.dep, GEN_MS_DAY), date);
                gen_str_cat(&s, date);
        } else {
                if (xt != NULL && xt->contact_of != trip->traveller) {
                        gen_person_t contact;

                        gen_person(g, xt->contact_of, &contact);
                        gen_fill_booking(g, trip, xt->booking_of, &fv, &contact, xt->contact_of);
                } else {
                        gen_fill_booking(g, trip, xt != NULL ? xt->booking_of : booking_no, &fv,
                                         &person, trip->traveller);
                }
                gen_copy(g->key, sizeof(g->key), ev->booking.record_locator);
        }

        version = gen_schema_version(g, ev->event_id);
        if (version == 1) {
                ev->traveller.residence[0] = '\0';
                memset(ev->booking.frequent_flyer_id, 0, sizeof(ev->booking.frequent_flyer_id));
        }
        return version;
}

static pf_err_t gen_emit_record(gen_t *g, const gen_rec_t *rec) {
        const gen_trip_t *trip = &g->trips[rec->trip];
        uint32_t ordinal = rec->kind == PF_PUSH_CHECKIN ? (uint32_t)(4 - trip->first_push)
                                                        : rec->kind - trip->first_push;
        pf_gen_topic_t topic = rec->kind == PF_PUSH_CHECKIN ? PF_GEN_TOPIC_API : PF_GEN_TOPIC_PNR;
        int version, rc;

        version = gen_fill(g, trip, rec->trip, (pf_push_kind_t)rec->kind,
                           (uint64_t)trip->first_ev + ordinal, rec->sent_at);
        rc = g->sink->event(g->sink->opaque, topic, g->key, &g->ev, version);
        if (rc != 0)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_INTERNAL,
                                "sink event callback returned %d", rc);
        g->stats.events++;
        if (topic == PF_GEN_TOPIC_API)
                g->stats.api++;
        else
                g->stats.pnr++;
        return PF_OK;
}

/**
 * A bad payload's starting event: a traveller of its own (in no one's history), with a booking, on
 * the flight of the event it follows in the stream, so its sent_at fits that flight.
 */
static void gen_bad_trip(const gen_t *g, size_t k, const gen_trip_t *neighbour, gen_trip_t *trip) {
        memset(trip, 0, sizeof(*trip));
        trip->traveller = (uint32_t)(g->nwindow + g->nfreq + k);
        trip->flight = neighbour->flight;
        trip->day = neighbour->day;
        trip->route = neighbour->route;
        trip->booked_s = 10 * 86400;
        trip->payment = PF_PAY_CARD;
        trip->card_holder = 1;
        trip->agency = GEN_NO_AGENCY;
        trip->stay_days = 7;
        trip->bags = 1;
        trip->bag_kg = 20;
        trip->docs_from = 0;
}

static pf_err_t gen_emit_bad(gen_t *g, size_t k, const gen_rec_t *prev) {
        pf_gen_bad_t kind = (pf_gen_bad_t)(k % PF_GEN_BAD__COUNT);
        pf_gen_topic_t topic = k % 2 == 0 ? PF_GEN_TOPIC_API : PF_GEN_TOPIC_PNR;
        gen_trip_t trip;
        int rc;

        gen_bad_trip(g, k, &g->trips[prev->trip], &trip);
        gen_fill(g, &trip, g->ntrips + k,
                 topic == PF_GEN_TOPIC_API ? PF_PUSH_CHECKIN : PF_PUSH_ADHOC, g->nrecs + k,
                 prev->sent_at);
        if (kind == PF_GEN_BAD_MISSING_FIELD)
                g->ev.traveller.surname[0] = '\0';
        rc = g->sink->bad(g->sink->opaque, topic, g->key, &g->ev, kind);
        if (rc != 0)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_INTERNAL,
                                "sink bad callback returned %d", rc);
        g->stats.bad++;
        return PF_OK;
}

/** Emits the records in order, with bad payload k after record ((k + 1) * n / (nbad + 1)) - 1. */
static pf_err_t gen_emit(gen_t *g) {
        size_t i, k = 0;
        pf_err_t err;

        for (i = 0; i < g->nrecs; i++) {
                if ((err = gen_emit_record(g, &g->recs[i])) != PF_OK)
                        return err;
                while (k < g->nbad && ((uint64_t)(k + 1) * g->nrecs) / (g->nbad + 1) <= i + 1) {
                        if ((err = gen_emit_bad(g, k, &g->recs[i])) != PF_OK)
                                return err;
                        k++;
                }
        }
        return PF_OK;
}

/*
 * Truth.
 */

/** Appends the ids of a trip's events selected by @p mask (GEN_EV_*), PNR pushes then API. */
static void gen_truth_trip(gen_t *g, gen_str_t *s, const gen_trip_t *trip, unsigned mask,
                           bool *first) {
        uint32_t npnr = (uint32_t)(4 - trip->first_push), i;
        char id[PF_EVENT_ID_MAX];

        for (i = 0; i <= npnr; i++) {
                bool pick = i == npnr ? (mask & (GEN_EV_API | GEN_EV_DOC)) != 0
                                      : (mask & GEN_EV_PNR) != 0 ||
                                                ((mask & GEN_EV_DOC) != 0 &&
                                                 (int)(trip->first_push + i) >= trip->docs_from);

                if (!pick || (i == 0 && i < npnr && (mask & GEN_EV_LATER) != 0))
                        continue;
                gen_event_id(g, (uint64_t)trip->first_ev + i, id, sizeof(id));
                gen_str_cat(s, *first ? "\"" : ",\"");
                gen_str_cat(s, id);
                gen_str_put(s, "\"", 1);
                *first = false;
        }
}

/** Hands one JSON line to a sink callback (`what` names it in errors). */
static pf_err_t gen_sink_line(gen_t *g, const gen_str_t *s, const char *what,
                              int (*cb)(void *opaque, const char *json_line)) {
        int rc;

        if (s->overflow)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_INTERNAL,
                                "%s line longer than %d bytes", what, GEN_LINE_MAX);
        rc = cb(g->sink->opaque, s->p);
        if (rc != 0)
                return gen_fail(g->errstr, g->errstr_size, PF_ERR_INTERNAL,
                                "sink %s callback returned %d", what, rc);
        return PF_OK;
}

static pf_err_t gen_truth_line(gen_t *g, const gen_str_t *s) {
        return gen_sink_line(g, s, "truth", g->sink->truth);
}

/** Starts a plant's truth line: pattern, rule, whether it is deterministic, the traveller. */
static void gen_truth_head(gen_str_t *s, char *buf, const char *pattern, const char *rule,
                           bool deterministic, uint32_t traveller) {
        gen_str_init(s, buf, GEN_LINE_MAX);
        gen_str_cat(s, "{\"pattern\":\"");
        gen_str_cat(s, pattern);
        gen_str_cat(s, "\",\"rule\":\"");
        gen_str_cat(s, rule);
        gen_str_cat(s, deterministic ? "\",\"deterministic\":true" : "\",\"deterministic\":false");
        gen_str_cat(s, ",\"traveller\":\"T");
        gen_str_u64(s, traveller, 1);
        gen_str_put(s, "\"", 1);
}

static void gen_entry_id(const gen_entry_t *e, char out[32]) {
        static const char *const prefix[3] = {"GEN-DOC-", "GEN-NAME-", "GEN-FUZZY-"};
        gen_str_t s;

        gen_str_init(&s, out, 32);
        gen_str_cat(&s, prefix[e->kind]);
        gen_str_u64(&s, e->k, 1);
}

/** The high-risk group as rules/default.rules declares it (list high_risk_countries). */
static bool gen_country_highrisk(const char *c) {
        static const char *const group[] = {"AFG", "IRQ", "SYR", "YEM", "SOM", "LBY", "MLI", "SDN"};
        size_t i;

        for (i = 0; i < PF_GEN_COUNT(group); i++)
                if (strcmp(group[i], c) == 0)
                        return true;
        return false;
}

/* Rules the generator labels: every event that meets the rule's condition by construction. */
enum {
        GEN_LABEL_R01 = 0,
        GEN_LABEL_R02,
        GEN_LABEL_R03,
        GEN_LABEL_R04,
        GEN_LABEL_R05,
        GEN_LABEL_R06,
        GEN_LABEL_R07,
        GEN_LABEL_R08,
        GEN_LABEL_R09,
        GEN_LABEL_R10,
        GEN_LABEL_R11,
        GEN_LABEL_R12,
        GEN_LABEL_R13,
        GEN_LABEL_R14,
        GEN_LABEL_R17,
        GEN_LABEL__COUNT
};

static const char *const gen_label_rules[GEN_LABEL__COUNT] = {"R01", "R02", "R03", "R04", "R05",
                                                              "R06", "R07", "R08", "R09", "R10",
                                                              "R11", "R12", "R13", "R14", "R17"};

static pf_err_t gen_label_line(gen_t *g, const char *rule, const gen_trip_t *const *trips,
                               const unsigned *masks, size_t n) {
        gen_str_t s;
        bool first = true;
        size_t i;

        gen_str_init(&s, g->line, sizeof(g->line));
        gen_str_cat(&s, "{\"label\":\"");
        gen_str_cat(&s, rule);
        gen_str_cat(&s, "\",\"event_ids\":[");
        for (i = 0; i < n; i++)
                gen_truth_trip(g, &s, trips[i], masks[i], &first);
        gen_str_cat(&s, "]}");
        return first ? PF_OK : gen_truth_line(g, &s);
}

/**
 * The event-level labels of one trip (rules 3, 4, 5, 7, 8, 9, 10, 11, 12), from its booking
 * choices: what the generator knows of background and planted traffic alike.
 */
static pf_err_t gen_labels_trip(gen_t *g, const gen_trip_t *trip) {
        gen_fv_t fv;
        pf_leg_t legs[2];
        pf_trip_type_t type;
        gen_person_t person;
        uint32_t n, i;
        bool hr;
        int64_t len, expires, age;
        pf_err_t err = PF_OK;
        static const unsigned pnr = GEN_EV_PNR, api = GEN_EV_API, all = GEN_EV_ALL,
                              doc = GEN_EV_DOC;

        gen_trip_flight(g, trip, &fv);
        n = gen_itinerary(g, trip, &fv, legs, &type);
        hr = gen_country_highrisk(fv.oc) || gen_country_highrisk(fv.dc);
        for (i = 0; i < n; i++)
                hr = hr || gen_country_highrisk(legs[i].origin_country) ||
                     gen_country_highrisk(legs[i].destination_country);
        len = legs[n - 1].arrival - legs[0].departure;
        gen_trip_person(g, trip, fv.dep, &person);
        expires = (int64_t)person.expiry_date * GEN_MS_DAY - fv.dep;
        age = fv.dep - (int64_t)person.issue_date * GEN_MS_DAY;

#define GEN_LABEL(cond, rule, mask)                                                                \
        do {                                                                                       \
                if (err == PF_OK && (cond))                                                        \
                        err = gen_label_line(g, (rule), &trip, &(mask), 1);                        \
        } while (0)
        GEN_LABEL(trip->booked_s < 48 * 3600, "R03", pnr);
        GEN_LABEL(trip->payment == PF_PAY_CASH && trip->booked_s < 7 * 86400, "R04", pnr);
        GEN_LABEL(type == PF_TRIP_ONE_WAY, "R05", pnr);
        GEN_LABEL(hr, "R07", all);
        GEN_LABEL(trip->api_ms < GEN_MS_HOUR, "R08", api);
        GEN_LABEL(trip->bags == 0 && len >= 7 * GEN_MS_DAY, "R09", pnr);
        GEN_LABEL(trip->card_holder == 0, "R10", pnr);
        GEN_LABEL(trip->agency != GEN_NO_AGENCY && trip->agency >= GEN_FLAGGED_AGENCY, "R11", pnr);
        GEN_LABEL((expires >= 0 && expires < 30 * GEN_MS_DAY) ||
                          (age >= 0 && age < 14 * GEN_MS_DAY),
                  "R12", doc);
#undef GEN_LABEL
        return err;
}

static pf_err_t gen_truth_labels(gen_t *g) {
        pf_err_t err;
        gen_str_t s;
        size_t i, f, k, n;

        /* Which rules are labelled; R15, R16 and R18 are not: whether a background traveller was
         * "previously hit" depends on the scores, which the generator does not compute. */
        gen_str_init(&s, g->line, sizeof(g->line));
        gen_str_cat(&s, "{\"labels\":[");
        for (i = 0; i < GEN_LABEL__COUNT; i++) {
                gen_str_cat(&s, i == 0 ? "\"" : ",\"");
                gen_str_cat(&s, gen_label_rules[i]);
                gen_str_put(&s, "\"", 1);
        }
        gen_str_cat(&s, "]}");
        if ((err = gen_truth_line(g, &s)) != PF_OK)
                return err;
        for (i = 0; i < g->ntrips; i++)
                if ((err = gen_labels_trip(g, &g->trips[i])) != PF_OK)
                        return err;
        /* Rules whose condition no background traveller meets (at most 3 trips, one document,
         * one nationality, routes only from the hub): the labels are the plants. */
        for (f = 0; f < g->nfreq; f++) {
                const gen_trip_t *t[2] = {&g->trips[g->nwindow + f * GEN_FREQ_TRIPS + 3],
                                          &g->trips[g->nwindow + f * GEN_FREQ_TRIPS + 4]};
                const unsigned m[2] = {GEN_EV_ALL, GEN_EV_ALL};

                if ((err = gen_label_line(g, "R13", t, m, 2)) != PF_OK)
                        return err;
        }
        for (k = 0; k < g->nplants[GEN_PLANT_R06]; k++) {
                const gen_trip_t *t = &g->trips[g->plants[GEN_PLANT_R06][k]];
                const unsigned m = GEN_EV_PNR;

                if ((err = gen_label_line(g, "R06", &t, &m, 1)) != PF_OK)
                        return err;
        }
        for (i = 0; i < g->nlines; i++) {
                const gen_scen_line_t *l = &g->lines[i];
                const gen_trip_t *t[4];
                unsigned m[4];

                if (strcmp(l->rule, "R01") != 0 && strcmp(l->rule, "R02") != 0 &&
                    strcmp(l->rule, "R06") != 0 && strcmp(l->rule, "R14") != 0 &&
                    strcmp(l->rule, "R17") != 0)
                        continue;
                for (n = 0; n < l->nhit; n++) {
                        t[n] = &g->trips[l->hit[n]];
                        m[n] = l->hit_mask[n];
                }
                if ((err = gen_label_line(g, l->rule, t, m, l->nhit)) != PF_OK)
                        return err;
        }
        return PF_OK;
}

static pf_err_t gen_truth(gen_t *g) {
        char id[PF_EVENT_ID_MAX], entry[32];
        pf_err_t err;
        gen_str_t s;
        size_t f, n, k;
        bool first;

        if (g->sink->truth == NULL)
                return PF_OK;
        for (f = 0; f < g->nfreq; f++) {
                const gen_trip_t *trips = &g->trips[g->nwindow + f * GEN_FREQ_TRIPS];

                gen_truth_head(&s, g->line, "R13_FREQUENT_TRIPS", "R13", true,
                               (uint32_t)(g->nwindow + f));
                gen_str_cat(&s, ",\"event_ids\":[");
                first = true;
                for (n = 0; n < GEN_FREQ_TRIPS; n++)
                        gen_truth_trip(g, &s, &trips[n], GEN_EV_ALL, &first);
                /* the 4th and 5th trips are the 4th and 5th within 30 days */
                gen_str_cat(&s, "],\"must_hit\":[");
                first = true;
                for (n = 3; n < GEN_FREQ_TRIPS; n++)
                        gen_truth_trip(g, &s, &trips[n], GEN_EV_ALL, &first);
                gen_str_cat(&s, "]}");
                if ((err = gen_truth_line(g, &s)) != PF_OK)
                        return err;
        }
        for (k = 0; k < GEN_PLANT__COUNT; k++) {
                if (k == GEN_PLANT_R06)
                        break; /* the newer kinds come after the bad payloads */
                for (n = 0; n < g->nplants[k]; n++) {
                        const gen_trip_t *trip = &g->trips[g->plants[k][n]];

                        gen_truth_head(&s, g->line, gen_plant_kinds[k].pattern,
                                       gen_plant_kinds[k].rule, true, trip->traveller);
                        gen_str_cat(&s, ",\"event_ids\":[");
                        first = true;
                        gen_truth_trip(g, &s, trip, gen_plant_kinds[k].must_hit, &first);
                        gen_str_cat(&s, "],\"must_hit\":[");
                        first = true;
                        gen_truth_trip(g, &s, trip, gen_plant_kinds[k].must_hit, &first);
                        gen_str_cat(&s, "]}");
                        if ((err = gen_truth_line(g, &s)) != PF_OK)
                                return err;
                }
        }
        for (k = 0; k < g->nbad; k++) {
                gen_str_init(&s, g->line, sizeof(g->line));
                gen_str_cat(&s, "{\"pattern\":\"BAD_PAYLOAD\",\"expect\":\"");
                gen_str_cat(&s, pf_gen_bad_name((pf_gen_bad_t)(k % PF_GEN_BAD__COUNT)));
                gen_str_cat(&s, k % 2 == 0 ? "\",\"topic\":\"api\"" : "\",\"topic\":\"pnr\"");
                gen_event_id(g, g->nrecs + k, id, sizeof(id));
                gen_str_cat(&s, ",\"event_id\":\"");
                gen_str_cat(&s, id);
                gen_str_cat(&s, "\"}");
                if ((err = gen_truth_line(g, &s)) != PF_OK)
                        return err;
        }
        for (k = GEN_PLANT_R06; k < GEN_PLANT__COUNT; k++) {
                for (n = 0; n < g->nplants[k]; n++) {
                        const gen_trip_t *trip = &g->trips[g->plants[k][n]];
                        const gen_xtrip_t *xt = gen_trip_xt(g, trip);
                        const char *pattern = gen_plant_kinds[k].pattern;

                        if (k == GEN_PLANT_R12)
                                pattern = xt != NULL && xt->doc_dates == GEN_DOC_NEW
                                                  ? "R12_DOCUMENT_NEW"
                                                  : "R12_DOCUMENT_EXPIRING";
                        gen_truth_head(&s, g->line, pattern, gen_plant_kinds[k].rule, true,
                                       trip->traveller);
                        gen_str_cat(&s, ",\"event_ids\":[");
                        first = true;
                        gen_truth_trip(g, &s, trip, GEN_EV_ALL, &first);
                        gen_str_cat(&s, "],\"must_hit\":[");
                        first = true;
                        gen_truth_trip(g, &s, trip, gen_plant_kinds[k].must_hit, &first);
                        gen_str_cat(&s, "]}");
                        if ((err = gen_truth_line(g, &s)) != PF_OK)
                                return err;
                }
        }
        for (k = 0; k < g->nlines; k++) {
                const gen_scen_line_t *l = &g->lines[k];

                gen_truth_head(&s, g->line, l->pattern, l->rule, l->deterministic, l->traveller);
                if (l->entry >= 0) {
                        gen_entry_id(&g->entries[l->entry], entry);
                        gen_str_cat(&s, ",\"entry_id\":\"");
                        gen_str_cat(&s, entry);
                        gen_str_put(&s, "\"", 1);
                }
                if (l->via != NULL) {
                        gen_str_cat(&s, ",\"previously_hit_by\":\"");
                        gen_str_cat(&s, l->via);
                        gen_str_put(&s, "\"", 1);
                }
                if (l->needs_watchlist)
                        gen_str_cat(&s, ",\"needs\":\"watchlist\"");
                gen_str_cat(&s, ",\"event_ids\":[");
                first = true;
                for (n = 0; n < l->nctx; n++)
                        gen_truth_trip(g, &s, &g->trips[l->ctx[n]], GEN_EV_ALL, &first);
                gen_str_cat(&s, "],\"must_hit\":[");
                first = true;
                for (n = 0; n < l->nhit; n++)
                        gen_truth_trip(g, &s, &g->trips[l->hit[n]], l->hit_mask[n], &first);
                gen_str_cat(&s, "]}");
                if ((err = gen_truth_line(g, &s)) != PF_OK)
                        return err;
        }
        return gen_truth_labels(g);
}

/*
 * Watchlist.
 */

/** Appends @p v as a JSON string (UTF-8 passes through; quotes, backslashes, controls escaped). */
static void gen_str_json(gen_str_t *s, const char *v) {
        gen_str_put(s, "\"", 1);
        for (; *v != '\0'; v++) {
                unsigned char c = (unsigned char)*v;

                if (c == '"' || c == '\\') {
                        gen_str_put(s, "\\", 1);
                        gen_str_put(s, v, 1);
                } else if (c < 0x20) {
                        char esc[8];

                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        gen_str_cat(s, esc);
                } else {
                        gen_str_put(s, v, 1);
                }
        }
        gen_str_put(s, "\"", 1);
}

/**
 * Writes @p name with two neighbouring code points swapped, a typing error: the first different
 * pair from the 3rd code point on (from the 2nd if none), in names of 5 or more code points;
 * shorter names are written as they are.
 */
static void gen_typo(const char *name, char *out, size_t size) {
        const char *cp[65];
        size_t n = 0, len = strlen(name), i, a, b, c;
        const char *p;

        for (p = name; *p != '\0' && n < 64; p++)
                if (((unsigned char)*p & 0xc0) != 0x80)
                        cp[n++] = p;
        cp[n] = name + len;
        gen_copy(out, size, name);
        if (n < 5 || *p != '\0' || len >= size)
                return;
        for (i = 2; i + 1 < n; i++)
                if (cp[i + 1] - cp[i] != cp[i + 2] - cp[i + 1] ||
                    memcmp(cp[i], cp[i + 1], (size_t)(cp[i + 1] - cp[i])) != 0)
                        break;
        if (i + 1 >= n)
                i = 1;
        /* out = name[0, a) + code point i+1 + code point i + name[c, len] */
        a = (size_t)(cp[i] - name);
        b = (size_t)(cp[i + 1] - name);
        c = (size_t)(cp[i + 2] - name);
        memcpy(out + a, name + b, c - b);
        memcpy(out + a + (c - b), name + a, b - a);
}

static pf_err_t gen_watchlist_line(gen_t *g, const gen_str_t *s) {
        return gen_sink_line(g, s, "watchlist", g->sink->watchlist);
}

static void gen_wl_head(gen_str_t *s, char *buf, const char *id, const char *list,
                        const char *category, const char *severity) {
        gen_str_init(s, buf, GEN_LINE_MAX);
        gen_str_cat(s, "{\"entry_id\":");
        gen_str_json(s, id);
        gen_str_cat(s, ",\"list\":");
        gen_str_json(s, list);
        gen_str_cat(s, ",\"category\":");
        gen_str_json(s, category);
        gen_str_cat(s, ",\"severity\":");
        gen_str_json(s, severity);
}

static void gen_wl_name(gen_str_t *s, const char *given, const char *surname) {
        gen_str_cat(s, ",\"names\":[{\"given_names\":");
        gen_str_json(s, given);
        gen_str_cat(s, ",\"surname\":");
        gen_str_json(s, surname);
        gen_str_cat(s, "}]");
}

/**
 * A document number as an officer might type it: lower case, a dash after the 3rd symbol
 * (screening normalises both away).
 */
static void gen_wl_doc(gen_str_t *s, const gen_person_t *p, bool typed) {
        char num[16];
        size_t i, n = 0;

        for (i = 0; p->doc_number[i] != '\0' && n + 2 < sizeof(num); i++) {
                char c = p->doc_number[i];

                if (typed && i == 3)
                        num[n++] = '-';
                num[n++] = typed && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        num[n] = '\0';
        gen_str_cat(s, ",\"documents\":[{\"number\":");
        gen_str_json(s, num);
        gen_str_cat(s, ",\"issuing_country\":");
        gen_str_json(s, p->nationality);
        gen_str_cat(s, p->doc_type == PF_DOC_ID_CARD ? ",\"type\":\"ID_CARD\"}]"
                                                     : ",\"type\":\"PASSPORT\"}]");
}

/**
 * The planted entries, then conf.watchlist_decoys entries of people who never travel: names from
 * the same pools (so some share a traveller's name, as real lists do), most with a full date of
 * birth, some with the year or year and month only, some without; a third with a document
 * whose number starts with 'A' (no traveller's does).
 */
static pf_err_t gen_watchlist(gen_t *g) {
        static const char *const lists[3][3] = {{"INTERPOL-RED", "TERRORISM", "CRITICAL"},
                                                {"NATIONAL", "SERIOUS_CRIME", "HIGH"},
                                                {"UN-SANCTIONS", "SANCTIONS", "MEDIUM"}};
        char id[32], buf[PF_NAME_MAX];
        gen_person_t p;
        pf_err_t err;
        gen_str_t s;
        size_t i;

        if (g->sink->watchlist == NULL)
                return PF_OK;
        for (i = 0; i < g->nentries; i++) {
                const gen_entry_t *e = &g->entries[i];
                const gen_trip_t *trip = &g->trips[e->trip];

                gen_trip_person(g, trip, gen_trip_dep(g, trip), &p);
                gen_entry_id(e, id);
                if (e->kind == 0) {
                        gen_wl_head(&s, g->line, id, "SLTD", "STOLEN_DOCUMENT", "HIGH");
                        gen_str_cat(&s, ",\"names\":[]");
                        gen_wl_doc(&s, &p, true);
                } else {
                        gen_wl_head(&s, g->line, id, e->kind == 1 ? "NATIONAL" : "INTERPOL-RED",
                                    "SERIOUS_CRIME", "CRITICAL");
                        if (e->kind == 1) {
                                gen_wl_name(&s, p.given->name, p.surname->name);
                                gen_str_cat(&s, ",\"date_of_birth\":");
                                gen_str_json(&s, p.dob);
                        } else {
                                gen_typo(p.surname->name, buf, sizeof(buf));
                                gen_wl_name(&s, p.given->name, buf);
                                gen_str_cat(&s, ",\"date_of_birth\":\"");
                                gen_str_put(&s, p.dob, 4);
                                gen_str_put(&s, "\"", 1);
                        }
                        gen_str_cat(&s, ",\"nationality\":");
                        gen_str_json(&s, p.nationality);
                        gen_str_cat(&s, ",\"documents\":[]");
                }
                gen_str_put(&s, "}", 1);
                if ((err = gen_watchlist_line(g, &s)) != PF_OK)
                        return err;
        }
        for (i = 0; i < (size_t)g->conf.watchlist_decoys; i++) {
                uint64_t h = gen_hash(g, GEN_SALT_DECOY, i);
                const char *const *l = lists[h % 3];
                unsigned dob = (unsigned)((h >> 8) % 100);
                gen_str_t ids;

                /* far above any traveller index, below where identities could repeat */
                gen_person(g, (uint32_t)(200000000u + i), &p);
                gen_str_init(&ids, id, sizeof(id));
                gen_str_cat(&ids, "GEN-DECOY-");
                gen_str_u64(&ids, i, 1);
                gen_wl_head(&s, g->line, id, l[0], l[1], l[2]);
                gen_wl_name(&s, p.given->name, p.surname->name);
                gen_str_cat(&s, ",\"date_of_birth\":");
                if (dob < 75) {
                        gen_str_json(&s, p.dob);
                } else if (dob < 95) {
                        gen_str_put(&s, "\"", 1);
                        gen_str_put(&s, p.dob, dob < 90 ? 4 : 7);
                        gen_str_put(&s, "\"", 1);
                } else {
                        gen_str_cat(&s, "null");
                }
                gen_str_cat(&s, ",\"nationality\":");
                gen_str_json(&s, p.nationality);
                if ((h >> 16) % 3 == 0) {
                        gen_doc_symbols(p.doc_number, 'A', (h >> 20) & 0xffffffffffULL);
                        gen_wl_doc(&s, &p, false);
                } else {
                        gen_str_cat(&s, ",\"documents\":[]");
                }
                gen_str_put(&s, "}", 1);
                if ((err = gen_watchlist_line(g, &s)) != PF_OK)
                        return err;
        }
        return PF_OK;
}

pf_err_t pf_gen_run(const pf_gen_conf_t *conf, const pf_gen_sink_t *sink, pf_gen_stats_t *stats,
                    char *errstr, size_t errstr_size) {
        gen_t *g = NULL;
        pf_err_t err;

        if (errstr != NULL && errstr_size > 0)
                errstr[0] = '\0';
        if (stats != NULL)
                memset(stats, 0, sizeof(*stats));
        if ((err = gen_conf_check(conf, sink, errstr, errstr_size)) != PF_OK)
                return err;
        g = calloc(1, sizeof(*g));
        if (g == NULL)
                return gen_fail(errstr, errstr_size, PF_ERR_NOMEM, "out of memory");
        g->conf = *conf;
        g->sink = sink;
        g->errstr = errstr;
        g->errstr_size = errstr_size;

        if ((err = gen_setup(g)) != PF_OK)
                goto done;
        if ((err = gen_build(g)) != PF_OK)
                goto done;
        g->stats.travellers = g->nwindow + g->nfreq + g->scen_travellers;
        g->stats.frequent = g->nfreq;
        g->stats.trips = g->ntrips;
        if ((err = gen_emit(g)) != PF_OK)
                goto done;
        if ((err = gen_truth(g)) != PF_OK)
                goto done;
        err = gen_watchlist(g);

done:
        if (stats != NULL)
                *stats = g->stats;
        free(g->recs_tmp);
        free(g->recs);
        free(g->lines);
        free(g->xtrips);
        free(g->trips);
        free(g->flights);
        free(g);
        return err;
}
