/**
 * @file pipeline.c
 * @brief Stage 1 and stage 2 processing.
 */
#define _POSIX_C_SOURCE 200809L
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#include <time.h>

static uint64_t pipeline_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/** Ends the current stage when timing: its time goes to @p stage. */
#define PIPELINE_LAP(pipe, stage)                                                                  \
        do {                                                                                       \
                if ((pipe)->timing) {                                                              \
                        uint64_t now_ = pipeline_clock();                                          \
                        (pipe)->timing->ns[stage] += now_ - (pipe)->t_last;                        \
                        (pipe)->t_last = now_;                                                     \
                }                                                                                  \
        } while (0)

#define PF_PIPELINE_MAX_PARTITIONS 4096
#define PF_OVERLAY_SLOTS           (PF_PIPELINE_OVERLAY_MAX * 2) /* power of two, load <= 0.5 */
#define PF_CHANGELOG_META          "changelog.next"
#define PF_ORDER_META              "order"

/** A traveller history changed in the current transaction. */
typedef struct pf_overlay_entry_s {
        uint8_t key[PF_KEY_BYTES];
        int32_t partition;
        pf_hist_t hist;
} pf_overlay_entry_t;

struct pf_pipeline_s {
        pf_pipeline_conf_t conf;
        pf_codec_t *codec;
        pf_norm_t *norm;
        pf_screener_t *screener; /* NULL without a watchlist */
        pf_rule_caps_t *caps;    /* per-rule hit caps of conf.ruleset */
        pf_store_t *stores[PF_PIPELINE_MAX_PARTITIONS];
        pf_store_batch_t *batches[PF_PIPELINE_MAX_PARTITIONS]; /* lazily made */
        pf_hcache_t *hcache;                                   /* committed histories; NULL: none */
        pf_overlay_entry_t *overlay;                           /* [PF_PIPELINE_OVERLAY_MAX] */
        int32_t *slots;                                        /* [PF_OVERLAY_SLOTS], -1 free */
        size_t dirty;
        pf_event_t ev;                /* ~2 KiB: kept here, not on the stack, and reused */
        pf_pipeline_timing_t *timing; /* NULL unless benchmarking */
        uint64_t t_last;
        pf_result_t res;
        pf_flags_t *own_flags;       /* made when conf.flags_local without a conf.flags */
        pf_flags_rec_t flags_out[3]; /* phone, e-mail, booking */
        size_t flags_n;
};

void pf_pipeline_conf_defaults(pf_pipeline_conf_t *conf) {
        memset(conf, 0, sizeof(*conf));
        conf->store.block_cache_bytes = 64u << 20;
        conf->store.write_buffer_bytes = 16u << 20;
        pf_rules_conf_defaults(&conf->rules);
        pf_bands_defaults(&conf->bands);
        conf->retention_ms = 400LL * 24 * 3600 * 1000;
        conf->hist_cache_bytes = 64u << 20;
        conf->screen_threshold = 0.85;
        conf->flags_delay_ms = PF_FLAGS_DELAY_MS;
}

pf_pipeline_t *pf_pipeline_new(const pf_pipeline_conf_t *conf, char *errstr, size_t errstr_size) {
        pf_pipeline_t *pipe = calloc(1, sizeof(*pipe));
        if (!pipe) {
                snprintf(errstr, errstr_size, "out of memory");
                return NULL;
        }
        pipe->conf = *conf;
        if (conf->flags_local && !conf->flags) {
                if (!(pipe->own_flags = pf_flags_new(conf->flags_delay_ms))) {
                        snprintf(errstr, errstr_size, "out of memory");
                        goto err;
                }
                pipe->conf.flags = pipe->own_flags;
        }
        pipe->codec = pf_codec_new(conf->schemas, &conf->codec, errstr, errstr_size);
        if (!pipe->codec)
                goto err;
        pipe->norm = pf_norm_new(errstr, errstr_size);
        if (!pipe->norm)
                goto err;
        if (conf->watchlist &&
            !(pipe->screener = pf_screener_new(conf->watchlist, conf->screen_threshold, errstr,
                                               errstr_size)))
                goto err;
        if (conf->ruleset && !(pipe->caps = pf_rule_caps_new(conf->ruleset))) {
                snprintf(errstr, errstr_size, "out of memory");
                goto err;
        }
        pipe->overlay = malloc(sizeof(*pipe->overlay) * PF_PIPELINE_OVERLAY_MAX);
        pipe->slots = malloc(sizeof(*pipe->slots) * PF_OVERLAY_SLOTS);
        if (!pipe->overlay || !pipe->slots) {
                snprintf(errstr, errstr_size, "out of memory");
                goto err;
        }
        memset(pipe->slots, 0xff, sizeof(*pipe->slots) * PF_OVERLAY_SLOTS);
        if (conf->hist_cache_bytes && !(pipe->hcache = pf_hcache_new(conf->hist_cache_bytes))) {
                snprintf(errstr, errstr_size, "out of memory");
                goto err;
        }
        return pipe;
err:
        pf_pipeline_destroy(pipe);
        return NULL;
}

void pf_pipeline_destroy(pf_pipeline_t *pipe) {
        if (!pipe)
                return;
        for (int i = 0; i < PF_PIPELINE_MAX_PARTITIONS; i++) {
                pf_store_destroy(pipe->stores[i]);
                pf_store_batch_destroy(pipe->batches[i]);
        }
        free(pipe->overlay);
        free(pipe->slots);
        pf_hcache_destroy(pipe->hcache);
        pf_flags_destroy(pipe->own_flags);
        pf_screener_destroy(pipe->screener);
        pf_rule_caps_destroy(pipe->caps);
        pf_norm_destroy(pipe->norm);
        pf_codec_destroy(pipe->codec);
        free(pipe);
}

pf_err_t pf_stage1_process(pf_pipeline_t *pipe, const void *value, size_t len,
                           char key_hex[PF_KEY_HEX_SIZE], char *errstr, size_t errstr_size) {
        uint8_t key[PF_KEY_BYTES];
        if (pipe->timing)
                pipe->t_last = pipeline_clock();
        pf_err_t err =
                pf_codec_decode_event(pipe->codec, value, len, &pipe->ev, errstr, errstr_size);
        PIPELINE_LAP(pipe, PF_STAGE_DECODE1);
        if (err)
                return err;
        err = pf_key_traveller(pipe->conf.key, pipe->norm, &pipe->ev, key);
        PIPELINE_LAP(pipe, PF_STAGE_KEY);
        if (err) {
                snprintf(errstr, errstr_size, "traveller key: %s (names or date of birth)",
                         pf_err2str(err));
                return err;
        }
        pf_key_hex(key, key_hex);
        return PF_OK;
}

static pf_store_t *pipeline_store_get(pf_pipeline_t *pipe, int32_t partition, char *errstr,
                                      size_t errstr_size) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS) {
                snprintf(errstr, errstr_size, "partition %d beyond the supported %d",
                         (int)partition, PF_PIPELINE_MAX_PARTITIONS);
                return NULL;
        }
        if (!pipe->stores[partition])
                pipe->stores[partition] = pf_store_open(pipe->conf.state_dir, partition,
                                                        &pipe->conf.store, errstr, errstr_size);
        return pipe->stores[partition];
}

/** Parses the 32-hex-character traveller key of a repartitioned message. */
static int pipeline_key_parse(const void *key, size_t key_len, uint8_t out[PF_KEY_BYTES]) {
        const char *s = key;
        if (!key || key_len != PF_KEY_BYTES * 2)
                return -1;
        for (size_t i = 0; i < PF_KEY_BYTES; i++) {
                int v = 0;
                for (int j = 0; j < 2; j++) {
                        char c = s[2 * i + j];
                        int d = c >= '0' && c <= '9'   ? c - '0'
                                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                       : -1;
                        if (d < 0)
                                return -1;
                        v = v * 16 + d;
                }
                out[i] = (uint8_t)v;
        }
        return 0;
}

void pf_trip_from_event(const pf_event_t *ev, pf_trip_t *trip) {
        memset(trip, 0, sizeof(*trip));
        trip->departure_ms = ev->flight.scheduled_departure;
        memcpy(trip->carrier, ev->carrier, sizeof(trip->carrier));
        memcpy(trip->flight_number, ev->flight.number, sizeof(trip->flight_number));
        memcpy(trip->origin_airport, ev->flight.origin_airport, sizeof(trip->origin_airport));
        memcpy(trip->origin_country, ev->flight.origin_country, sizeof(trip->origin_country));
        memcpy(trip->destination_airport, ev->flight.destination_airport,
               sizeof(trip->destination_airport));
        memcpy(trip->destination_country, ev->flight.destination_country,
               sizeof(trip->destination_country));
        trip->direction = ev->flight.direction == PF_DIR_OUTBOUND;
        trip->flags = ev->source == PF_SOURCE_PNR ? 1 : 2;
}

static void pipeline_result_init(const pf_pipeline_t *pipe, const pf_event_t *ev,
                                 const uint8_t key[PF_KEY_BYTES], int64_t now_ms,
                                 pf_result_t *res) {
        res->hit_count = 0;
        res->match_count = 0;
        memcpy(res->event_id, ev->event_id, sizeof(res->event_id));
        pf_key_hex(key, res->traveller_ref);
        res->source = ev->source;
        memcpy(res->flight.carrier, ev->carrier, sizeof(res->flight.carrier));
        memcpy(res->flight.number, ev->flight.number, sizeof(res->flight.number));
        memcpy(res->flight.origin_airport, ev->flight.origin_airport,
               sizeof(res->flight.origin_airport));
        memcpy(res->flight.destination_airport, ev->flight.destination_airport,
               sizeof(res->flight.destination_airport));
        res->flight.scheduled_departure = ev->flight.scheduled_departure;
        memcpy(res->ruleset_version, pipe->conf.rules.version, sizeof(res->ruleset_version));
        res->event_time = ev->sent_at;
        res->processing_time = now_ms;
}

/** @returns the overlay slot of (partition, key): its entry index, or where it would go. */
static size_t pipeline_slot(const pf_pipeline_t *pipe, int32_t partition, const uint8_t *key) {
        uint64_t h;
        memcpy(&h, key, sizeof(h)); /* the key is already a keyed hash */
        h ^= (uint64_t)(uint32_t)partition * 0x9e3779b97f4a7c15ULL;
        size_t slot = (size_t)h & (PF_OVERLAY_SLOTS - 1);
        for (;;) {
                int32_t idx = pipe->slots[slot];
                if (idx < 0)
                        return slot;
                const pf_overlay_entry_t *e = &pipe->overlay[idx];
                if (e->partition == partition && memcmp(e->key, key, PF_KEY_BYTES) == 0)
                        return slot;
                slot = (slot + 1) & (PF_OVERLAY_SLOTS - 1);
        }
}

/**
 * @returns the traveller's history for this transaction: from the overlay, else read from the
 *          partition's store into a new overlay entry. NULL with *err on a store failure or a
 *          full overlay (the caller must commit first).
 */
static pf_hist_t *pipeline_hist_get(pf_pipeline_t *pipe, int32_t partition, const uint8_t *key,
                                    char *errstr, size_t errstr_size, pf_err_t *err) {
        size_t slot = pipeline_slot(pipe, partition, key);
        if (pipe->slots[slot] >= 0)
                return &pipe->overlay[pipe->slots[slot]].hist;
        if (pipe->dirty >= PF_PIPELINE_OVERLAY_MAX) {
                snprintf(errstr, errstr_size, "state overlay full: commit before continuing");
                *err = PF_ERR_INTERNAL;
                return NULL;
        }
        pf_store_t *store = pipeline_store_get(pipe, partition, errstr, errstr_size);
        if (!store) {
                *err = PF_ERR_STATE;
                return NULL;
        }
        pf_overlay_entry_t *e = &pipe->overlay[pipe->dirty];
        int found;
        *err = PF_OK;
        if (!pf_hcache_get(pipe->hcache, partition, key, &e->hist)) {
                *err = pf_store_get(store, key, PF_KEY_BYTES, &e->hist, &found, errstr,
                                    errstr_size);
                if (*err == PF_ERR_STATE)
                        return NULL;
                if (*err) /* a corrupt history must not stop the traveller's screening */
                        pf_hist_init(&e->hist);
        }
        memcpy(e->key, key, PF_KEY_BYTES);
        e->partition = partition;
        pipe->slots[slot] = (int32_t)pipe->dirty++;
        *err = PF_OK;
        return &e->hist;
}

/**
 * Screens the event against the watchlist: matches go into the result, and the best document
 * match and the best name match become hits of catalogue rules 1 and 2. Reasons name the entry
 * and list (not personal data), never the traveller's name or document number.
 */
static void pipeline_screen(pf_pipeline_t *pipe, pf_result_t *res) {
        if (pf_screen_event(pipe->screener, &pipe->ev, res) != PF_OK)
                res->match_count = 0;
        if (pipe->conf.ruleset)
                return; /* the rule set's own R01/R02 read the matches */
        const pf_match_t *doc = NULL, *name = NULL;
        for (uint32_t i = 0; i < res->match_count; i++) {
                const pf_match_t *m = &res->matches[i];
                if (m->kind == PF_MATCH_DOCUMENT && !doc)
                        doc = m;
                else if (m->kind != PF_MATCH_DOCUMENT && !name)
                        name = m;
        }
        if (doc && res->hit_count < PF_RESULT_MAX_HITS) {
                pf_hit_t *hit = &res->hits[res->hit_count++];
                snprintf(hit->rule_id, sizeof(hit->rule_id), "R01");
                hit->rule_version = 1;
                snprintf(hit->category, sizeof(hit->category), "WATCHLIST");
                hit->weight = 90;
                snprintf(hit->reason, sizeof(hit->reason),
                         "document matches watchlist entry %s on list %s", doc->entry_id,
                         doc->list);
        }
        if (name && res->hit_count < PF_RESULT_MAX_HITS) {
                pf_hit_t *hit = &res->hits[res->hit_count++];
                int with_dob = name->kind == PF_MATCH_NAME_DOB;
                snprintf(hit->rule_id, sizeof(hit->rule_id), "R02");
                hit->rule_version = 1;
                snprintf(hit->category, sizeof(hit->category), "WATCHLIST");
                hit->weight = (int32_t)(name->confidence * (with_dob ? 80.0 : 50.0) + 0.5);
                snprintf(hit->reason, sizeof(hit->reason),
                         "name%s matches watchlist entry %s on list %s (confidence %.2f)",
                         with_dob ? " and date of birth" : "", name->entry_id, name->list,
                         name->confidence);
        }
}

/** Keyed digest of a contact value, 0 when absent (digests never leave the pipeline in clear). */
static uint64_t pipeline_digest(const pf_pipeline_t *pipe, const char *domain, const char *value) {
        return value[0] ? pf_key_digest(pipe->conf.key, domain, value, strlen(value)) : 0;
}

/** @returns 1 if another traveller was flagged on @p digest early enough for this event. */
static int pipeline_flagged(const pf_pipeline_t *pipe, uint64_t digest, uint64_t self) {
        return pipe->conf.flags &&
               pf_flags_visible(pipe->conf.flags, digest, self, pipe->ev.sent_at);
}

/** Emits a flag (and with flags_local adds it to the table at once). */
static void pipeline_flag_emit(pf_pipeline_t *pipe, uint64_t digest, uint64_t self, uint8_t kind) {
        pf_flags_rec_t *r = &pipe->flags_out[pipe->flags_n++];
        memset(r, 0, sizeof(*r));
        r->digest = digest;
        r->flagger = self;
        r->kind = kind;
        r->time = pipe->ev.sent_at;
        if (pipe->conf.flags_local)
                (void)pf_flags_add(pipe->conf.flags, digest, self, kind, r->time);
}

/** A hit traveller's contact: published once (the history remembers it). */
static void pipeline_flag_contact(pf_pipeline_t *pipe, pf_hist_t *hist, uint64_t self,
                                  pf_hist_contact_kind_t kind, uint64_t digest) {
        if (!digest)
                return;
        for (uint32_t i = 0; i < hist->contact_count; i++) {
                pf_hist_contact_t *c = &hist->contacts[i];
                if (c->digest != digest || c->kind != kind)
                        continue;
                if (c->flags & PF_HIST_CONTACT_PUBLISHED)
                        return;
                c->flags |= PF_HIST_CONTACT_PUBLISHED;
                pipeline_flag_emit(pipe, digest, self,
                                   kind == PF_HIST_CONTACT_PHONE ? PF_FLAG_PHONE : PF_FLAG_EMAIL);
                return;
        }
}

/** A hit traveller's booking: published once per trip (the trip remembers it). */
static void pipeline_flag_booking(pf_pipeline_t *pipe, pf_hist_t *hist, uint64_t self,
                                  uint64_t booking) {
        if (!booking)
                return;
        for (uint32_t i = 0; i < hist->trip_count; i++) {
                pf_trip_t *t = &hist->trips[i];
                if (t->booking_digest != booking)
                        continue;
                if (t->flags & PF_TRIP_FLAG_PUBLISHED)
                        return;
                t->flags |= PF_TRIP_FLAG_PUBLISHED;
                pipeline_flag_emit(pipe, booking, self, PF_FLAG_BOOKING);
                return;
        }
}

/**
 * Evaluates the compiled rule set (@p booking: the record locator's digest computed for the
 * trip, 0 without a booking): records what history rules need (nationality, contact digests) and,
 * once the event is scored at MEDIUM or above, marks the traveller as hit (except by the REPEAT
 * category, which would otherwise feed itself).
 */
static void pipeline_eval_ruleset(pf_pipeline_t *pipe, pf_hist_t *hist, uint64_t self,
                                  uint64_t booking, pf_result_t *res) {
        const pf_event_t *ev = &pipe->ev;
        pf_rule_input_t in;
        uint64_t phone =
                ev->has_booking ? pipeline_digest(pipe, "phone", ev->booking.contact_phone) : 0;
        uint64_t email =
                ev->has_booking ? pipeline_digest(pipe, "email", ev->booking.contact_email) : 0;
        if (ev->traveller.nationality[0])
                pf_hist_add_nationality(hist, ev->traveller.nationality);
        /* R15 across travellers: a contact another traveller was flagged on */
        pf_hist_add_contact(hist, PF_HIST_CONTACT_PHONE, phone,
                            pipeline_flagged(pipe, phone, self) ? PF_HIST_CONTACT_FLAGGED : 0);
        pf_hist_add_contact(hist, PF_HIST_CONTACT_EMAIL, email,
                            pipeline_flagged(pipe, email, self) ? PF_HIST_CONTACT_FLAGGED : 0);
        pf_rule_input_fill(&in, ev, hist, res);
        in.derived.booking_digest = booking;
        in.contact_digests[PF_HIST_CONTACT_PHONE] = phone;
        in.contact_digests[PF_HIST_CONTACT_EMAIL] = email;
        in.caps = pipe->caps;
        pf_ruleset_eval(pipe->conf.ruleset, &in, res);
        pf_score_apply(&pipe->conf.bands, res);
        int counts = 0;
        for (uint32_t i = 0; i < res->hit_count; i++)
                if (strcmp(res->hits[i].category, "REPEAT") != 0)
                        counts = 1;
        if (counts && res->band >= PF_BAND_MEDIUM) {
                pf_trip_t trip;
                pf_trip_from_event(ev, &trip);
                trip.flags |= PF_TRIP_FLAG_RULE_HIT;
                trip.booking_digest = booking;
                pf_hist_add_trip(hist, &trip, pipe->conf.retention_ms);
                pf_hist_mark_hit(hist, ev->sent_at);
        }
        if (pipe->conf.flags && hist->last_hit_ms != PF_HIST_HIT_NONE) {
                pipeline_flag_contact(pipe, hist, self, PF_HIST_CONTACT_PHONE, phone);
                pipeline_flag_contact(pipe, hist, self, PF_HIST_CONTACT_EMAIL, email);
                pipeline_flag_booking(pipe, hist, self, booking);
        }
}

pf_err_t pf_stage2_process(pf_pipeline_t *pipe, int32_t partition, const void *key, size_t key_len,
                           const void *value, size_t len, int64_t now_ms, const uint8_t **out,
                           size_t *out_len, pf_band_t *band, char *errstr, size_t errstr_size) {
        uint8_t raw[PF_KEY_BYTES];
        pf_trip_t trip;
        pipe->flags_n = 0;
        if (pipeline_key_parse(key, key_len, raw)) {
                snprintf(errstr, errstr_size,
                         "message key is not a 32-hex-character traveller key");
                return PF_ERR_INVALID_VALUE;
        }
        if (pipe->timing)
                pipe->t_last = pipeline_clock();
        pf_err_t err =
                pf_codec_decode_event(pipe->codec, value, len, &pipe->ev, errstr, errstr_size);
        PIPELINE_LAP(pipe, PF_STAGE_DECODE2);
        if (err)
                return err;
        pf_hist_t *hist = pipeline_hist_get(pipe, partition, raw, errstr, errstr_size, &err);
        if (!hist)
                return err;
        pf_trip_from_event(&pipe->ev, &trip);
        if (pipe->conf.ruleset && pipe->ev.has_booking)
                trip.booking_digest = pipeline_digest(pipe, "pnr", pipe->ev.booking.record_locator);
        uint64_t booking = trip.booking_digest; /* computed once per event */
        uint64_t self;                          /* the traveller, as the flags table names it */
        memcpy(&self, raw, sizeof(self));
        /* R16 across travellers: a booking another (previously hit) traveller was flagged on */
        if (booking && pipeline_flagged(pipe, booking, self))
                trip.companion_hit = 1;
        pf_hist_add_trip(hist, &trip, pipe->conf.retention_ms);
        if (pipe->ev.has_document) {
                char doc[PF_DOCNUM_MAX + 8];
                size_t n = 0;
                if (pf_norm_docnum(pipe->ev.document.number, strlen(pipe->ev.document.number), doc,
                                   sizeof(doc) - 5, &n) == PF_OK) {
                        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "|%s",
                                              pipe->ev.document.issuing_country);
                        pf_hist_add_doc(hist, pf_key_digest(pipe->conf.key, "doc", doc, n));
                }
        }

        PIPELINE_LAP(pipe, PF_STAGE_HISTORY);
        pf_result_t *res = &pipe->res;
        pipeline_result_init(pipe, &pipe->ev, raw, now_ms, res);
        if (pipe->screener)
                pipeline_screen(pipe, res);
        PIPELINE_LAP(pipe, PF_STAGE_SCREEN);
        if (pipe->conf.ruleset)
                pipeline_eval_ruleset(pipe, hist, self, booking, res);
        else {
                pf_rules_eval(&pipe->conf.rules, &pipe->ev, hist, res);
                pf_score_apply(&pipe->conf.bands, res);
        }
        *band = res->band;
        PIPELINE_LAP(pipe, PF_STAGE_RULES);
        err = pf_codec_encode_result(pipe->codec, res, out, out_len);
        PIPELINE_LAP(pipe, PF_STAGE_ENCODE);
        if (err)
                snprintf(errstr, errstr_size, "encoding the result failed: %s", pf_err2str(err));
        return err;
}

pf_err_t pf_pipeline_dead_letter(pf_pipeline_t *pipe, const pf_dead_letter_t *dl,
                                 const uint8_t **out, size_t *out_len) {
        return pf_codec_encode_dead_letter(pipe->codec, dl, out, out_len);
}

void pf_pipeline_release(pf_pipeline_t *pipe, int32_t partition) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS)
                return;
        pf_store_destroy(pipe->stores[partition]);
        pipe->stores[partition] = NULL;
        pf_hcache_drop_partition(pipe->hcache, partition);
}

pf_store_t *pf_pipeline_store(pf_pipeline_t *pipe, int32_t partition) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS)
                return NULL;
        return pipe->stores[partition];
}

size_t pf_pipeline_dirty(const pf_pipeline_t *pipe) {
        return pipe->dirty;
}

pf_err_t pf_pipeline_changelog(pf_pipeline_t *pipe, pf_changelog_emit_fn *emit, void *opaque) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        for (size_t i = 0; i < pipe->dirty; i++) {
                const pf_overlay_entry_t *e = &pipe->overlay[i];
                size_t len = pf_hist_encode(&e->hist, buf, sizeof(buf));
                if (len == 0)
                        return PF_ERR_INTERNAL;
                if (emit(opaque, e->partition, e->key, PF_KEY_BYTES, buf, len))
                        return PF_ERR_KAFKA;
        }
        return PF_OK;
}

static pf_store_batch_t *pipeline_batch(pf_pipeline_t *pipe, int32_t partition) {
        if (!pipe->batches[partition])
                pipe->batches[partition] = pf_store_batch_new();
        return pipe->batches[partition];
}

void pf_pipeline_discard(pf_pipeline_t *pipe) {
        memset(pipe->slots, 0xff, sizeof(*pipe->slots) * PF_OVERLAY_SLOTS);
        pipe->dirty = 0;
}

pf_err_t pf_pipeline_apply(pf_pipeline_t *pipe, const int64_t *changelog_next, size_t count,
                           char *errstr, size_t errstr_size) {
        pf_err_t err = PF_OK;
        for (size_t i = 0; i < pipe->dirty; i++) {
                const pf_overlay_entry_t *e = &pipe->overlay[i];
                pf_store_batch_t *batch = pipeline_batch(pipe, e->partition);
                if (!batch || pf_store_batch_put(batch, e->key, PF_KEY_BYTES, &e->hist)) {
                        snprintf(errstr, errstr_size, "cannot stage a history for partition %d",
                                 (int)e->partition);
                        err = PF_ERR_STATE;
                        goto done;
                }
        }
        for (int32_t p = 0; p < PF_PIPELINE_MAX_PARTITIONS; p++) {
                if (!pipe->batches[p] || !pipe->stores[p])
                        continue;
                if (changelog_next && (size_t)p < count && changelog_next[p] >= 0 &&
                    pf_store_batch_count(pipe->batches[p]) > 0)
                        pf_store_batch_meta(pipe->batches[p], PF_CHANGELOG_META, changelog_next[p]);
                err = pf_store_batch_write(pipe->stores[p], pipe->batches[p], errstr, errstr_size);
                if (err)
                        goto done;
        }
        /* Committed and written: these histories are what the stores now hold. */
        for (size_t i = 0; i < pipe->dirty; i++)
                if (pipe->stores[pipe->overlay[i].partition])
                        pf_hcache_put(pipe->hcache, pipe->overlay[i].partition,
                                      pipe->overlay[i].key, &pipe->overlay[i].hist);
done:
        if (err) /* some stores may hold the batch, others not: forget what the cache knows */
                pf_hcache_clear(pipe->hcache);
        pf_pipeline_discard(pipe);
        return err;
}

pf_err_t pf_pipeline_restore_begin(pf_pipeline_t *pipe, int32_t partition, int64_t *from_offset,
                                   char *errstr, size_t errstr_size) {
        int found;
        pf_store_t *store = pipeline_store_get(pipe, partition, errstr, errstr_size);
        if (!store)
                return PF_ERR_STATE;
        pf_hcache_drop_partition(pipe->hcache, partition); /* restore writes behind the cache */
        pf_err_t err = pf_store_meta_get(store, PF_CHANGELOG_META, from_offset, &found, errstr,
                                         errstr_size);
        if (err)
                return err;
        if (!found)
                *from_offset = -2; /* RD_KAFKA_OFFSET_BEGINNING */
        return PF_OK;
}

pf_err_t pf_pipeline_restore_record(pf_pipeline_t *pipe, int32_t partition, const void *key,
                                    size_t key_len, const void *value, size_t value_len,
                                    char *errstr, size_t errstr_size) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS || !pipe->stores[partition]) {
                snprintf(errstr, errstr_size, "restore of partition %d not begun", (int)partition);
                return PF_ERR_INTERNAL;
        }
        pf_store_batch_t *batch = pipeline_batch(pipe, partition);
        if (!batch)
                return PF_ERR_NOMEM;
        if (key && key_len == PF_PIPELINE_ORDER_KEY_LEN &&
            memcmp(key, PF_PIPELINE_ORDER_KEY, key_len) == 0)
                return pf_store_batch_blob(batch, PF_ORDER_META, value, value ? value_len : 0);
        if (pf_store_batch_put_raw(batch, key, key_len, value, value_len)) {
                snprintf(errstr, errstr_size,
                         "changelog record of partition %d is not a valid "
                         "history; skipped",
                         (int)partition);
                return PF_ERR_INVALID_VALUE;
        }
        return PF_OK;
}

pf_err_t pf_pipeline_restore_flush(pf_pipeline_t *pipe, int32_t partition, int64_t next_offset,
                                   char *errstr, size_t errstr_size) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS || !pipe->stores[partition])
                return PF_ERR_INTERNAL;
        pf_store_batch_t *batch = pipeline_batch(pipe, partition);
        if (!batch)
                return PF_ERR_NOMEM;
        if (next_offset >= 0)
                pf_store_batch_meta(batch, PF_CHANGELOG_META, next_offset);
        return pf_store_batch_write(pipe->stores[partition], batch, errstr, errstr_size);
}

void pf_pipeline_flags_out(const pf_pipeline_t *pipe, const pf_flags_rec_t **recs, size_t *n) {
        *recs = pipe->flags_out;
        *n = pipe->flags_n;
}

const pf_result_t *pf_pipeline_last_result(const pf_pipeline_t *pipe) {
        return &pipe->res;
}

const char *pf_pipeline_ruleset_version(const pf_pipeline_t *pipe) {
        return pipe->conf.ruleset ? pf_ruleset_version(pipe->conf.ruleset)
                                  : pipe->conf.rules.version;
}

pf_err_t pf_pipeline_set_ruleset(pf_pipeline_t *pipe, const pf_ruleset_t *ruleset) {
        pf_rule_caps_t *caps = NULL;
        if (ruleset && !(caps = pf_rule_caps_new(ruleset)))
                return PF_ERR_NOMEM;
        pf_rule_caps_destroy(pipe->caps);
        pipe->caps = caps;
        pipe->conf.ruleset = ruleset;
        return PF_OK;
}

const pf_rule_caps_t *pf_pipeline_rule_caps(const pf_pipeline_t *pipe, const pf_ruleset_t **rs) {
        *rs = pipe->conf.ruleset;
        return pipe->caps;
}

void pf_pipeline_set_timing(pf_pipeline_t *pipe, pf_pipeline_timing_t *timing) {
        pipe->timing = timing;
}

void pf_pipeline_set_registry(pf_pipeline_t *pipe, pf_registry_t *registry) {
        pf_codec_set_registry(pipe->codec, registry);
}

void pf_pipeline_cache_stats(const pf_pipeline_t *pipe, pf_hcache_stats_t *stats) {
        pf_hcache_stats(pipe->hcache, stats);
}

const pf_event_t *pf_pipeline_event(const pf_pipeline_t *pipe) {
        return &pipe->ev;
}

pf_err_t pf_pipeline_order_put(pf_pipeline_t *pipe, int32_t partition, const void *blob,
                               size_t len) {
        if (partition < 0 || partition >= PF_PIPELINE_MAX_PARTITIONS || !pipe->stores[partition])
                return PF_ERR_INTERNAL;
        pf_store_batch_t *batch = pipeline_batch(pipe, partition);
        if (!batch)
                return PF_ERR_NOMEM;
        return pf_store_batch_blob(batch, PF_ORDER_META, blob, len);
}

pf_err_t pf_pipeline_order_get(pf_pipeline_t *pipe, int32_t partition, void *buf, size_t cap,
                               size_t *len, int *found, char *errstr, size_t errstr_size) {
        pf_store_t *store = pipeline_store_get(pipe, partition, errstr, errstr_size);
        if (!store)
                return PF_ERR_STATE;
        return pf_store_blob_get(store, PF_ORDER_META, buf, cap, len, found, errstr, errstr_size);
}
