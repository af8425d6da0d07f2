/**
 * @file hist.c
 * @brief Bounded travel history: trip merge/retention/eviction and its canonical encoding.
 *
 * The encoder and the decoder share one validity check (pf_hist_check()), so a history is
 * encodable exactly when its encoding decodes: what pf_store_put() writes, pf_store_get() reads.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "hist.h"

#include <string.h>

/*
 * Trips: normalisation, ordering, validity.
 */

/** Copies a string field, cutting it to size - 1 bytes and zero-filling the rest. */
static void pf_hist_field_copy(char *dst, const char *src, size_t size) {
        size_t n = strnlen(src, size - 1);

        memcpy(dst, src, n);
        memset(dst + n, 0, size - n);
}

/** @returns 1 if `field` holds a NUL and only zeros after the first NUL (canonical), else 0. */
static int pf_hist_field_ok(const char *field, size_t size) {
        size_t n = strnlen(field, size);
        size_t i;

        if (n == size)
                return 0;
        for (i = n; i < size; i++)
                if (field[i] != '\0')
                        return 0;
        return 1;
}

/** Makes the canonical stored copy of a caller's trip (see pf_hist_add_trip()). */
static void pf_hist_trip_normalise(pf_trip_t *dst, const pf_trip_t *src) {
        memset(dst, 0, sizeof(*dst));
        dst->departure_ms = src->departure_ms;
        pf_hist_field_copy(dst->carrier, src->carrier, sizeof(dst->carrier));
        pf_hist_field_copy(dst->flight_number, src->flight_number, sizeof(dst->flight_number));
        pf_hist_field_copy(dst->origin_airport, src->origin_airport, sizeof(dst->origin_airport));
        pf_hist_field_copy(dst->origin_country, src->origin_country, sizeof(dst->origin_country));
        pf_hist_field_copy(dst->destination_airport, src->destination_airport,
                           sizeof(dst->destination_airport));
        pf_hist_field_copy(dst->destination_country, src->destination_country,
                           sizeof(dst->destination_country));
        dst->direction = src->direction != 0;
        dst->flags = (uint8_t)(src->flags & PF_TRIP_FLAGS_ALL);
        dst->companion_hit = src->companion_hit != 0;
        dst->booking_digest = src->booking_digest;
}

/**
 * @brief Orders trips by departure_ms, then carrier, then flight_number.
 * @returns <0, 0 or >0; 0 means "the same trip".
 */
static int pf_hist_trip_cmp(const pf_trip_t *a, const pf_trip_t *b) {
        int cmp;

        if (a->departure_ms != b->departure_ms)
                return a->departure_ms < b->departure_ms ? -1 : 1;
        cmp = strncmp(a->carrier, b->carrier, sizeof(a->carrier));
        if (cmp != 0)
                return cmp;
        return strncmp(a->flight_number, b->flight_number, sizeof(a->flight_number));
}

/** @returns 1 if one trip keeps the per-trip invariants, else 0. */
static int pf_hist_trip_ok(const pf_trip_t *trip) {
        return pf_hist_field_ok(trip->carrier, sizeof(trip->carrier)) &&
               pf_hist_field_ok(trip->flight_number, sizeof(trip->flight_number)) &&
               pf_hist_field_ok(trip->origin_airport, sizeof(trip->origin_airport)) &&
               pf_hist_field_ok(trip->origin_country, sizeof(trip->origin_country)) &&
               pf_hist_field_ok(trip->destination_airport, sizeof(trip->destination_airport)) &&
               pf_hist_field_ok(trip->destination_country, sizeof(trip->destination_country)) &&
               trip->direction <= 1 && (trip->flags & ~PF_TRIP_FLAGS_ALL) == 0 &&
               trip->companion_hit <= 1;
}

/** @returns 1 if the nationality and contact arrays keep their invariants, else 0. */
static int pf_hist_people_ok(const pf_hist_t *hist) {
        uint32_t i, j;

        if (hist->nationality_count > PF_HIST_MAX_NATS ||
            hist->contact_count > PF_HIST_MAX_CONTACTS)
                return 0;
        for (i = 0; i < PF_HIST_MAX_NATS; i++) {
                const char *nat = hist->nationalities[i];

                if (!pf_hist_field_ok(nat, 4) || (i < hist->nationality_count) != (nat[0] != 0))
                        return 0;
                for (j = 0; j < i && i < hist->nationality_count; j++)
                        if (memcmp(hist->nationalities[j], nat, 4) == 0)
                                return 0;
        }
        for (i = 0; i < PF_HIST_MAX_CONTACTS; i++) {
                const pf_hist_contact_t *c = &hist->contacts[i];

                if (i >= hist->contact_count) {
                        if (c->digest != 0 || c->kind != 0 || c->flags != 0)
                                return 0;
                        continue;
                }
                if (c->digest == 0 || c->kind >= PF_HIST_CONTACT__COUNT ||
                    (c->flags & ~PF_HIST_CONTACT_FLAGS_ALL) != 0)
                        return 0;
                for (j = 0; j < i; j++)
                        if (hist->contacts[j].digest == c->digest &&
                            hist->contacts[j].kind == c->kind)
                                return 0;
        }
        return 1;
}

/**
 * @brief Checks every invariant listed in hist.h.
 * @returns PF_OK or PF_ERR_INVALID_VALUE.
 */
static pf_err_t pf_hist_check(const pf_hist_t *hist) {
        uint32_t i, j;

        if (hist->trip_count > PF_HIST_MAX_TRIPS || hist->doc_digest_count > PF_HIST_MAX_DOCS ||
            !pf_hist_people_ok(hist))
                return PF_ERR_INVALID_VALUE;
        if (hist->first_seen_ms == PF_HIST_SEEN_NONE_FIRST &&
            hist->last_seen_ms == PF_HIST_SEEN_NONE_LAST) {
                if (hist->trip_count != 0)
                        return PF_ERR_INVALID_VALUE;
        } else if (hist->first_seen_ms > hist->last_seen_ms) {
                return PF_ERR_INVALID_VALUE;
        }
        for (i = 0; i < hist->trip_count; i++) {
                const pf_trip_t *trip = &hist->trips[i];

                if (!pf_hist_trip_ok(trip) || trip->departure_ms < hist->first_seen_ms ||
                    trip->departure_ms > hist->last_seen_ms)
                        return PF_ERR_INVALID_VALUE;
                if (i > 0 && pf_hist_trip_cmp(&hist->trips[i - 1], trip) >= 0)
                        return PF_ERR_INVALID_VALUE;
        }
        for (i = 0; i < hist->doc_digest_count; i++)
                for (j = i + 1; j < hist->doc_digest_count; j++)
                        if (hist->doc_digests[i] == hist->doc_digests[j])
                                return PF_ERR_INVALID_VALUE;
        return PF_OK;
}

/*
 * Public operations.
 */

void pf_hist_init(pf_hist_t *hist) {
        memset(hist, 0, sizeof(*hist));
        hist->first_seen_ms = PF_HIST_SEEN_NONE_FIRST;
        hist->last_seen_ms = PF_HIST_SEEN_NONE_LAST;
        hist->last_hit_ms = PF_HIST_HIT_NONE;
}

/** Removes trips[0..n), keeping the unused tail zeroed. */
static void pf_hist_drop_oldest(pf_hist_t *hist, uint32_t n) {
        if (n == 0)
                return;
        memmove(&hist->trips[0], &hist->trips[n], (hist->trip_count - n) * sizeof(pf_trip_t));
        hist->trip_count -= n;
        memset(&hist->trips[hist->trip_count], 0, n * sizeof(pf_trip_t));
}

/**
 * @brief Removes trips that depart before now_ms - retention_ms.
 * @returns 1 if a trip departing at departure_ms is inside the window, else 0.
 */
static int pf_hist_apply_retention(pf_hist_t *hist, int64_t departure_ms, int64_t retention_ms) {
        int64_t now_ms = hist->last_seen_ms;
        int64_t cutoff_ms;
        uint32_t n = 0;

        if (retention_ms <= 0 || now_ms < INT64_MIN + retention_ms)
                return 1; /* no retention, or the window reaches before the start of time */
        cutoff_ms = now_ms - retention_ms;
        while (n < hist->trip_count && hist->trips[n].departure_ms < cutoff_ms)
                n++; /* trips are sorted: the expired ones are a prefix */
        pf_hist_drop_oldest(hist, n);
        return departure_ms >= cutoff_ms;
}

int pf_hist_add_trip(pf_hist_t *hist, const pf_trip_t *trip, int64_t retention_ms) {
        pf_trip_t norm;
        uint32_t pos = 0;
        int cmp = 1;

        pf_hist_trip_normalise(&norm, trip);
        if (norm.departure_ms < hist->first_seen_ms)
                hist->first_seen_ms = norm.departure_ms;
        if (norm.departure_ms > hist->last_seen_ms)
                hist->last_seen_ms = norm.departure_ms;
        if (!pf_hist_apply_retention(hist, norm.departure_ms, retention_ms))
                return 0;

        /* First position whose trip is >= norm (at most 32: linear is fine). */
        while (pos < hist->trip_count && (cmp = pf_hist_trip_cmp(&hist->trips[pos], &norm)) < 0)
                pos++;
        if (pos < hist->trip_count && cmp == 0) {
                hist->trips[pos].flags |= norm.flags;
                hist->trips[pos].companion_hit |= norm.companion_hit;
                if (hist->trips[pos].booking_digest == 0)
                        hist->trips[pos].booking_digest = norm.booking_digest;
                return 0;
        }

        if (hist->trip_count == PF_HIST_MAX_TRIPS) {
                if (pos == 0)
                        return 0; /* it would be the oldest: evicted at once */
                pf_hist_drop_oldest(hist, 1);
                pos--;
        }
        memmove(&hist->trips[pos + 1], &hist->trips[pos],
                (hist->trip_count - pos) * sizeof(pf_trip_t));
        memcpy(&hist->trips[pos], &norm, sizeof(norm)); /* padding too: memcmp-able */
        hist->trip_count++;
        return 1;
}

void pf_hist_add_doc(pf_hist_t *hist, uint64_t digest) {
        uint32_t i;

        for (i = 0; i < hist->doc_digest_count; i++)
                if (hist->doc_digests[i] == digest)
                        return;
        if (hist->doc_digest_count == PF_HIST_MAX_DOCS) {
                memmove(&hist->doc_digests[0], &hist->doc_digests[1],
                        (PF_HIST_MAX_DOCS - 1) * sizeof(hist->doc_digests[0]));
                hist->doc_digest_count--;
        }
        hist->doc_digests[hist->doc_digest_count++] = digest;
}

void pf_hist_add_nationality(pf_hist_t *hist, const char *nationality) {
        char nat[4];
        uint32_t i;

        pf_hist_field_copy(nat, nationality, sizeof(nat));
        if (nat[0] == '\0')
                return;
        for (i = 0; i < hist->nationality_count; i++)
                if (memcmp(hist->nationalities[i], nat, sizeof(nat)) == 0)
                        return;
        if (hist->nationality_count == PF_HIST_MAX_NATS) {
                memmove(&hist->nationalities[0], &hist->nationalities[1],
                        (PF_HIST_MAX_NATS - 1) * sizeof(hist->nationalities[0]));
                hist->nationality_count--;
        }
        memcpy(hist->nationalities[hist->nationality_count++], nat, sizeof(nat));
}

void pf_hist_add_contact(pf_hist_t *hist, pf_hist_contact_kind_t kind, uint64_t digest,
                         uint8_t flags) {
        pf_hist_contact_t *c;
        uint32_t i;

        if (digest == 0 || (unsigned)kind >= PF_HIST_CONTACT__COUNT)
                return;
        flags &= PF_HIST_CONTACT_FLAGS_ALL;
        for (i = 0; i < hist->contact_count; i++)
                if (hist->contacts[i].digest == digest && hist->contacts[i].kind == kind) {
                        hist->contacts[i].flags |= flags;
                        return;
                }
        if (hist->contact_count == PF_HIST_MAX_CONTACTS) {
                memmove(&hist->contacts[0], &hist->contacts[1],
                        (PF_HIST_MAX_CONTACTS - 1) * sizeof(hist->contacts[0]));
                hist->contact_count--;
        }
        c = &hist->contacts[hist->contact_count++];
        memset(c, 0, sizeof(*c)); /* padding too: memcmp-able */
        c->digest = digest;
        c->kind = (uint8_t)kind;
        c->flags = flags;
}

void pf_hist_mark_hit(pf_hist_t *hist, int64_t at_ms) {
        uint32_t i;

        if (hist->last_hit_ms == PF_HIST_HIT_NONE || at_ms > hist->last_hit_ms)
                hist->last_hit_ms = at_ms;
        for (i = 0; i < hist->contact_count; i++)
                hist->contacts[i].flags |= PF_HIST_CONTACT_FLAGGED;
}

/*
 * Encoding: a write cursor that the size check up front makes safe, and a bounded read cursor.
 */

/** Write cursor; the caller has checked that the whole encoding fits. */
typedef struct pf_hist_writer_s {
        uint8_t *p;
} pf_hist_writer_t;

static void pf_hist_put_u8(pf_hist_writer_t *w, uint8_t v) {
        *w->p++ = v;
}

static void pf_hist_put_u64(pf_hist_writer_t *w, uint64_t v) {
        int i;

        for (i = 0; i < 8; i++)
                *w->p++ = (uint8_t)(v >> (8 * i));
}

static void pf_hist_put_str(pf_hist_writer_t *w, const char *field, size_t size) {
        size_t n = strnlen(field, size); /* < size: pf_hist_check() passed */

        memcpy(w->p, field, n);
        memset(w->p + n, 0, size - n);
        w->p += size;
}

/** @returns the size of the encoding of `hist` (which has passed pf_hist_check()). */
static size_t pf_hist_encoded_size(const pf_hist_t *hist) {
        return PF_HIST_HEADER_ENCODED_SIZE + 8 * (size_t)hist->doc_digest_count +
               PF_HIST_TRIP_ENCODED_SIZE * (size_t)hist->trip_count;
}

size_t pf_hist_encode(const pf_hist_t *hist, uint8_t *buf, size_t cap) {
        pf_hist_writer_t w = {buf};
        size_t size;
        uint32_t i;

        if (hist == NULL || buf == NULL || pf_hist_check(hist) != PF_OK)
                return 0;
        size = pf_hist_encoded_size(hist);
        if (cap < size)
                return 0;

        pf_hist_put_u8(&w, PF_HIST_ENCODING_VERSION);
        pf_hist_put_u8(&w, (uint8_t)hist->doc_digest_count);
        pf_hist_put_u8(&w, (uint8_t)hist->trip_count);
        pf_hist_put_u64(&w, (uint64_t)hist->first_seen_ms);
        pf_hist_put_u64(&w, (uint64_t)hist->last_seen_ms);
        pf_hist_put_u8(&w, (uint8_t)hist->nationality_count);
        pf_hist_put_u8(&w, (uint8_t)hist->contact_count);
        pf_hist_put_u64(&w, (uint64_t)hist->last_hit_ms);
        for (i = 0; i < PF_HIST_MAX_NATS; i++)
                pf_hist_put_str(&w, hist->nationalities[i], sizeof(hist->nationalities[i]));
        for (i = 0; i < PF_HIST_MAX_CONTACTS; i++) {
                pf_hist_put_u64(&w, hist->contacts[i].digest);
                pf_hist_put_u8(&w, hist->contacts[i].kind);
                pf_hist_put_u8(&w, hist->contacts[i].flags);
        }
        for (i = 0; i < hist->doc_digest_count; i++)
                pf_hist_put_u64(&w, hist->doc_digests[i]);
        for (i = 0; i < hist->trip_count; i++) {
                const pf_trip_t *trip = &hist->trips[i];

                pf_hist_put_u64(&w, (uint64_t)trip->departure_ms);
                pf_hist_put_str(&w, trip->carrier, sizeof(trip->carrier));
                pf_hist_put_str(&w, trip->flight_number, sizeof(trip->flight_number));
                pf_hist_put_str(&w, trip->origin_airport, sizeof(trip->origin_airport));
                pf_hist_put_str(&w, trip->origin_country, sizeof(trip->origin_country));
                pf_hist_put_str(&w, trip->destination_airport, sizeof(trip->destination_airport));
                pf_hist_put_str(&w, trip->destination_country, sizeof(trip->destination_country));
                pf_hist_put_u8(&w, trip->direction);
                pf_hist_put_u8(&w, trip->flags);
                pf_hist_put_u64(&w, trip->booking_digest);
                pf_hist_put_u8(&w, trip->companion_hit);
        }
        return (size_t)(w.p - buf);
}

/** Bounded read cursor over untrusted bytes. Invariant: off <= len. */
typedef struct pf_hist_reader_s {
        const uint8_t *buf;
        size_t len;
        size_t off;
} pf_hist_reader_t;

static pf_err_t pf_hist_get_u8(pf_hist_reader_t *r, uint8_t *v) {
        if (r->len - r->off < 1)
                return PF_ERR_TRUNCATED;
        *v = r->buf[r->off++];
        return PF_OK;
}

static pf_err_t pf_hist_get_u64(pf_hist_reader_t *r, uint64_t *v) {
        int i;

        if (r->len - r->off < 8)
                return PF_ERR_TRUNCATED;
        *v = 0;
        for (i = 0; i < 8; i++)
                *v |= (uint64_t)r->buf[r->off++] << (8 * i);
        return PF_OK;
}

/** Signed read: the two's-complement bit pattern, converted without implementation-defined
 *  behaviour for values above INT64_MAX. */
static pf_err_t pf_hist_get_i64(pf_hist_reader_t *r, int64_t *v) {
        uint64_t u;
        pf_err_t err = pf_hist_get_u64(r, &u);

        if (err != PF_OK)
                return err;
        *v = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
        return PF_OK;
}

/** Copies a raw field; its content is checked later by pf_hist_check(). */
static pf_err_t pf_hist_get_str(pf_hist_reader_t *r, char *field, size_t size) {
        if (r->len - r->off < size)
                return PF_ERR_TRUNCATED;
        memcpy(field, r->buf + r->off, size);
        r->off += size;
        return PF_OK;
}

static pf_err_t pf_hist_get_trip(pf_hist_reader_t *r, pf_trip_t *trip) {
        pf_err_t err;

        if ((err = pf_hist_get_i64(r, &trip->departure_ms)) != PF_OK ||
            (err = pf_hist_get_str(r, trip->carrier, sizeof(trip->carrier))) != PF_OK ||
            (err = pf_hist_get_str(r, trip->flight_number, sizeof(trip->flight_number))) != PF_OK ||
            (err = pf_hist_get_str(r, trip->origin_airport, sizeof(trip->origin_airport))) !=
                    PF_OK ||
            (err = pf_hist_get_str(r, trip->origin_country, sizeof(trip->origin_country))) !=
                    PF_OK ||
            (err = pf_hist_get_str(r, trip->destination_airport,
                                   sizeof(trip->destination_airport))) != PF_OK ||
            (err = pf_hist_get_str(r, trip->destination_country,
                                   sizeof(trip->destination_country))) != PF_OK ||
            (err = pf_hist_get_u8(r, &trip->direction)) != PF_OK ||
            (err = pf_hist_get_u8(r, &trip->flags)) != PF_OK ||
            (err = pf_hist_get_u64(r, &trip->booking_digest)) != PF_OK ||
            (err = pf_hist_get_u8(r, &trip->companion_hit)) != PF_OK)
                return err;
        return PF_OK;
}

pf_err_t pf_hist_decode(const uint8_t *buf, size_t len, pf_hist_t *hist) {
        pf_hist_reader_t r = {buf, buf == NULL ? 0 : len, 0};
        uint8_t version, doc_count, trip_count, nat_count, contact_count;
        pf_err_t err;
        uint32_t i;

        pf_hist_init(hist);
        if ((err = pf_hist_get_u8(&r, &version)) != PF_OK)
                goto done;
        if (version != PF_HIST_ENCODING_VERSION) {
                /* Version 1 is no longer read; one shorter than its own 19-byte header is
                 * reported as truncated, as it always was. */
                err = version == 1 && len < 19 ? PF_ERR_TRUNCATED : PF_ERR_INVALID_VALUE;
                goto done;
        }
        if ((err = pf_hist_get_u8(&r, &doc_count)) != PF_OK ||
            (err = pf_hist_get_u8(&r, &trip_count)) != PF_OK)
                goto done;
        if (doc_count > PF_HIST_MAX_DOCS || trip_count > PF_HIST_MAX_TRIPS) {
                err = PF_ERR_INVALID_VALUE;
                goto done;
        }
        if ((err = pf_hist_get_i64(&r, &hist->first_seen_ms)) != PF_OK ||
            (err = pf_hist_get_i64(&r, &hist->last_seen_ms)) != PF_OK ||
            (err = pf_hist_get_u8(&r, &nat_count)) != PF_OK ||
            (err = pf_hist_get_u8(&r, &contact_count)) != PF_OK ||
            (err = pf_hist_get_i64(&r, &hist->last_hit_ms)) != PF_OK)
                goto done;
        for (i = 0; i < PF_HIST_MAX_NATS; i++)
                if ((err = pf_hist_get_str(&r, hist->nationalities[i], 4)) != PF_OK)
                        goto done;
        for (i = 0; i < PF_HIST_MAX_CONTACTS; i++)
                if ((err = pf_hist_get_u64(&r, &hist->contacts[i].digest)) != PF_OK ||
                    (err = pf_hist_get_u8(&r, &hist->contacts[i].kind)) != PF_OK ||
                    (err = pf_hist_get_u8(&r, &hist->contacts[i].flags)) != PF_OK)
                        goto done;
        hist->nationality_count = nat_count;
        hist->contact_count = contact_count;
        for (i = 0; i < doc_count; i++)
                if ((err = pf_hist_get_u64(&r, &hist->doc_digests[i])) != PF_OK)
                        goto done;
        for (i = 0; i < trip_count; i++)
                if ((err = pf_hist_get_trip(&r, &hist->trips[i])) != PF_OK)
                        goto done;
        hist->doc_digest_count = doc_count;
        hist->trip_count = trip_count;
        if (r.off != r.len) {
                err = PF_ERR_TRAILING_BYTES;
                goto done;
        }
        err = pf_hist_check(hist);

done:
        if (err != PF_OK)
                pf_hist_init(hist);
        return err;
}
