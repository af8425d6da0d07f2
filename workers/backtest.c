/**
 * @file backtest.c
 * @brief `paxflow rules backtest`: replays recorded events through a candidate rule set and the
 *        active one, side by side, publishing nothing.
 *
 * Events come from a paxflow event file (gen --out) or from the event topics (read_committed, to
 * their current end). They are applied in (sent_at, event id) order, the order the workers apply
 * each traveller's events in (order.h), so history rules see the same past as in a live run and
 * the per-rule counts can be compared with the live run's hits. Each rule set runs in its own
 * pipeline with a throw-away state directory; the watchlist is the deployment's (its topic) or a
 * file (--watchlist). Per-event hits can be written out (--hits) for a detection report.
 */
#define _XOPEN_SOURCE 700
#include "backtest.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "consume.h"
#include "evfile.h"
#include "kafka.h"
#include "log.h"
#include "pipeline.h"
#include "rules_cli.h"

#define BT_MAX_RULES 64

/** One valid event, located in the event file. */
typedef struct bt_event_s {
        int64_t sent_at;
        const uint8_t *value;
        size_t len;
        char id[PF_EVENT_ID_MAX];
        char key[PF_KEY_HEX_SIZE];
} bt_event_t;

/** A set of 64-bit values (traveller key prefixes), open addressing. */
typedef struct bt_set_s {
        uint64_t *slots; /* 0 = free (a zero prefix is stored as 1) */
        size_t cap, n;
} bt_set_t;

static int bt_set_add(bt_set_t *s, uint64_t v) {
        if (!v)
                v = 1;
        if ((s->n + 1) * 2 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 1024;
                uint64_t *slots = calloc(cap, sizeof(*slots));
                if (!slots)
                        return -1;
                for (size_t i = 0; i < s->cap; i++) {
                        uint64_t x = s->slots[i];
                        if (!x)
                                continue;
                        size_t j = (size_t)(x * 0x9e3779b97f4a7c15ULL) & (cap - 1);
                        while (slots[j])
                                j = (j + 1) & (cap - 1);
                        slots[j] = x;
                }
                free(s->slots);
                s->slots = slots;
                s->cap = cap;
        }
        size_t j = (size_t)(v * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);
        while (s->slots[j]) {
                if (s->slots[j] == v)
                        return 0;
                j = (j + 1) & (s->cap - 1);
        }
        s->slots[j] = v;
        s->n++;
        return 0;
}

/** What one rule set did over the events. */
typedef struct bt_tally_s {
        char version[64];
        uint32_t nrules;
        char rule[BT_MAX_RULES][16];
        uint64_t hits[BT_MAX_RULES];
        uint64_t suppressed[BT_MAX_RULES]; /* by the rule's cap */
        bt_set_t travellers[BT_MAX_RULES];
        uint64_t bands[PF_BAND__COUNT];
        uint64_t scores[11]; /* 0-9, 10-19, ..., 90-99, 100 */
        uint64_t results, dead;
        double seconds;
} bt_tally_t;

static void bt_tally_free(bt_tally_t *t) {
        for (uint32_t i = 0; i < BT_MAX_RULES; i++)
                free(t->travellers[i].slots);
}

static int bt_rule_index(bt_tally_t *t, const char *id) {
        for (uint32_t i = 0; i < t->nrules; i++)
                if (strcmp(t->rule[i], id) == 0)
                        return (int)i;
        if (t->nrules == BT_MAX_RULES)
                return -1;
        snprintf(t->rule[t->nrules], sizeof(t->rule[0]), "%s", id);
        return (int)t->nrules++;
}

static uint64_t bt_key_prefix(const char *hex) {
        uint64_t v = 0;
        for (int i = 0; i < 16 && hex[i]; i++)
                v = v << 4 | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
        return v;
}

static int bt_cmp(const void *a, const void *b) {
        const bt_event_t *x = a, *y = b;
        if (x->sent_at != y->sent_at)
                return x->sent_at < y->sent_at ? -1 : 1;
        return strcmp(x->id, y->id);
}

static double bt_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bt_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

/** Writes one event's hits as a JSON line (event ids are the generator's or the gateway's:
 *  printable, but quoted characters are escaped all the same). */
static void bt_hits_line(FILE *out, const char *set, const pf_result_t *res, int64_t sent_at,
                         pf_band_t band) {
        fprintf(out, "{\"set\":\"%s\",\"event_id\":\"", set);
        for (const char *p = res->event_id; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fputc('\\', out);
                if ((unsigned char)*p >= 0x20)
                        fputc(*p, out);
        }
        fprintf(out, "\",\"sent_at\":%lld,\"score\":%d,\"band\":\"%s\",\"hits\":[",
                (long long)sent_at, (int)res->score, pf_band_name(band));
        for (uint32_t h = 0; h < res->hit_count; h++)
                fprintf(out, "%s\"%s\"", h ? "," : "", res->hits[h].rule_id);
        fputs("],\"matches\":[", out); /* watchlist entry ids: not personal data */
        for (uint32_t m = 0; m < res->match_count && m < PF_RESULT_MAX_MATCHES; m++) {
                fputs(m ? ",\"" : "\"", out);
                for (const char *p = res->matches[m].entry_id; *p; p++) {
                        if (*p == '"' || *p == '\\')
                                fputc('\\', out);
                        if ((unsigned char)*p >= 0x20)
                                fputc(*p, out);
                }
                fputc('"', out);
        }
        fputs("]}\n", out);
}

/** Runs every event through one pipeline scoring with @p rs (NULL: the built-in rules); writes
 *  each event's hits to @p hits_out (NULL: not) under the name @p set. */
static int bt_run(const pf_pipeline_conf_t *base, const pf_ruleset_t *rs, const char *dir,
                  const bt_event_t *evs, size_t n, bt_tally_t *t, FILE *hits_out, const char *set) {
        char errstr[512];
        pf_pipeline_conf_t pc = *base;
        pc.state_dir = dir;
        pc.ruleset = rs;
        pf_pipeline_t *pipe = pf_pipeline_new(&pc, errstr, sizeof(errstr));
        if (!pipe) {
                pf_log_error("backtest", "%s", errstr);
                return -1;
        }
        snprintf(t->version, sizeof(t->version), "%s", pf_pipeline_ruleset_version(pipe));
        double t0 = bt_now();
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++) {
                const uint8_t *out;
                size_t out_len;
                pf_band_t band;
                if (pf_pipeline_dirty(pipe) >= PF_PIPELINE_OVERLAY_MAX - 1 &&
                    pf_pipeline_apply(pipe, NULL, 0, errstr, sizeof(errstr))) {
                        pf_log_error("backtest", "state: %s", errstr);
                        rc = -1;
                        break;
                }
                pf_err_t err = pf_stage2_process(pipe, 0, evs[i].key, PF_KEY_BYTES * 2,
                                                 evs[i].value, evs[i].len, 0, &out, &out_len, &band,
                                                 errstr, sizeof(errstr));
                if (err == PF_ERR_STATE || err == PF_ERR_INTERNAL) {
                        pf_log_error("backtest", "state: %s", errstr);
                        rc = -1;
                        break;
                }
                if (err) {
                        t->dead++;
                        continue;
                }
                const pf_result_t *res = pf_pipeline_last_result(pipe);
                if (hits_out && res->hit_count)
                        bt_hits_line(hits_out, set, res, evs[i].sent_at, band);
                t->results++;
                t->bands[band]++;
                t->scores[res->score >= 100 ? 10 : res->score < 0 ? 0 : res->score / 10]++;
                uint64_t who = bt_key_prefix(evs[i].key);
                for (uint32_t h = 0; h < res->hit_count; h++) {
                        int r = bt_rule_index(t, res->hits[h].rule_id);
                        if (r < 0)
                                continue;
                        t->hits[r]++;
                        if (bt_set_add(&t->travellers[r], who))
                                rc = -1;
                }
        }
        if (!rc && pf_pipeline_apply(pipe, NULL, 0, errstr, sizeof(errstr)))
                rc = -1;
        t->seconds = bt_now() - t0;
        const pf_ruleset_t *used = NULL;
        const pf_rule_caps_t *caps = pf_pipeline_rule_caps(pipe, &used);
        for (uint32_t r = 0; caps && used && r < pf_ruleset_rule_count(used); r++) {
                uint64_t sup = pf_rule_caps_suppressed(caps, r);
                int k = sup ? bt_rule_index(t, pf_ruleset_rule_id(used, r)) : -1;
                if (k >= 0)
                        t->suppressed[k] += sup;
        }
        if (hits_out) {
                fprintf(hits_out,
                        "{\"set\":\"%s\",\"version\":\"%s\",\"events\":%zu,"
                        "\"suppressed\":{",
                        set, t->version, n);
                for (uint32_t r = 0, first = 1; r < t->nrules; r++)
                        if (t->suppressed[r]) {
                                fprintf(hits_out, "%s\"%s\":%llu", first ? "" : ",", t->rule[r],
                                        (unsigned long long)t->suppressed[r]);
                                first = 0;
                        }
                fputs("}}\n", hits_out);
                if (fflush(hits_out))
                        rc = -1;
        }
        pf_pipeline_destroy(pipe);
        nftw(dir, bt_rm, 16, FTW_DEPTH | FTW_PHYS);
        return rc;
}

/** One rule set's replay, run on a thread of its own (pipelines are single-threaded objects;
 *  what they share -- schemas, key, watchlist, the events -- is read-only). */
typedef struct bt_job_s {
        const pf_pipeline_conf_t *base;
        const pf_ruleset_t *rs;
        char dir[640];
        const bt_event_t *evs;
        size_t n;
        bt_tally_t *tally;
        FILE *hits; /* NULL: no per-event output */
        const char *set;
        int rc;
} bt_job_t;

static void *bt_job_run(void *opaque) {
        bt_job_t *j = opaque;
        j->rc = bt_run(j->base, j->rs, j->dir, j->evs, j->n, j->tally, j->hits, j->set);
        return NULL;
}

static void bt_wl_error(void *opaque, const char *message) {
        (void)opaque;
        fprintf(stderr, "paxflow rules backtest: watchlist: %s\n", message);
}

/** Appends the whole of @p in (rewound) to @p out. @returns 0 or -1. */
static int bt_append(FILE *out, FILE *in) {
        char buf[65536];
        size_t n;
        rewind(in);
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                if (fwrite(buf, 1, n, out) != n)
                        return -1;
        return ferror(in) ? -1 : 0;
}

/** Pass 1 over a slice of the records: validate, derive the key, note the order key. */
typedef struct bt_prep_s {
        const pf_pipeline_conf_t *base;
        const void **values;
        const size_t *lens;
        size_t n;
        bt_event_t *out; /* [n] */
        size_t valid, invalid;
        int rc;
} bt_prep_t;

static void *bt_prep_run(void *opaque) {
        char errstr[512];
        bt_prep_t *p = opaque;
        pf_pipeline_t *pipe = pf_pipeline_new(p->base, errstr, sizeof(errstr));
        if (!pipe) {
                pf_log_error("backtest", "%s", errstr);
                p->rc = -1;
                return NULL;
        }
        for (size_t i = 0; i < p->n; i++) {
                char hex[PF_KEY_HEX_SIZE];
                if (pf_stage1_process(pipe, p->values[i], p->lens[i], hex, errstr,
                                      sizeof(errstr))) {
                        p->invalid++;
                        continue;
                }
                const pf_event_t *ev = pf_pipeline_event(pipe);
                bt_event_t *e = &p->out[p->valid++];
                e->sent_at = ev->sent_at;
                e->value = p->values[i];
                e->len = p->lens[i];
                memcpy(e->id, ev->event_id, sizeof(e->id));
                memcpy(e->key, hex, sizeof(e->key));
        }
        pf_pipeline_destroy(pipe);
        return NULL;
}

/* ------------------------------------------------------------------ sources */

typedef struct bt_read_s {
        pf_evfile_t *out;
        uint8_t topic;
        int failed;
        /* global tables */
        pf_codec_t *codec;
        pf_wl_storage_t *st;
        pf_watchlist_t *wl;
        char *rules; /* the last rule set text on the rules topic, NULL after a tombstone */
        size_t rules_len;
} bt_read_t;

static void bt_read_event(void *opaque, const rd_kafka_message_t *msg) {
        bt_read_t *r = opaque;
        if (pf_evfile_write(r->out, r->topic, msg->key, msg->key_len, msg->payload, msg->len))
                r->failed = 1;
}

static void bt_read_watchlist(void *opaque, const rd_kafka_message_t *msg) {
        bt_read_t *r = opaque;
        char errstr[256], id[PF_WL_ID_MAX];
        if (!msg->payload) {
                if (msg->key && msg->key_len > 0 && msg->key_len < sizeof(id)) {
                        memcpy(id, msg->key, msg->key_len);
                        id[msg->key_len] = '\0';
                        pf_watchlist_delete(r->wl, id);
                }
                return;
        }
        if (pf_codec_decode_watchlist(r->codec, msg->payload, msg->len, r->st, errstr,
                                      sizeof(errstr)) == PF_OK)
                pf_watchlist_upsert(r->wl, &r->st->entry, errstr, sizeof(errstr));
}

static void bt_read_rules(void *opaque, const rd_kafka_message_t *msg) {
        bt_read_t *r = opaque;
        free(r->rules);
        r->rules = NULL;
        r->rules_len = 0;
        if (msg->payload && (r->rules = malloc(msg->len + 1))) {
                memcpy(r->rules, msg->payload, msg->len);
                r->rules[msg->len] = '\0';
                r->rules_len = msg->len;
        }
}

static void bt_print(const bt_tally_t *cand, const bt_tally_t *act, size_t travellers) {
        printf("\n%-8s %12s %10s   %12s %10s\n", "rule", "candidate", "travellers", "active",
               "travellers");
        printf("%-8s %23s   %23s\n", "", cand->version, act->version);
        /* every rule either set knows, in the candidate's order, then the active's own */
        for (int pass = 0; pass < 2; pass++) {
                const bt_tally_t *a = pass ? act : cand, *b = pass ? cand : act;
                for (uint32_t i = 0; i < a->nrules; i++) {
                        int j = -1;
                        for (uint32_t k = 0; k < b->nrules; k++)
                                if (strcmp(b->rule[k], a->rule[i]) == 0)
                                        j = (int)k;
                        if (pass && j >= 0)
                                continue; /* printed in the first pass */
                        const bt_tally_t *c = pass ? b : a, *d = pass ? a : b;
                        int ci = pass ? j : (int)i, di = pass ? (int)i : j;
                        printf("%-8s", a->rule[i]);
                        if (ci >= 0)
                                printf(" %12llu %9.3f%%", (unsigned long long)c->hits[ci],
                                       100.0 * (double)c->travellers[ci].n / (double)travellers);
                        else
                                printf(" %12s %10s", "-", "-");
                        if (di >= 0)
                                printf("   %12llu %9.3f%%\n", (unsigned long long)d->hits[di],
                                       100.0 * (double)d->travellers[di].n / (double)travellers);
                        else
                                printf("   %12s %10s\n", "-", "-");
                }
        }
        for (int pass = 0; pass < 2; pass++) {
                const bt_tally_t *t = pass ? act : cand;
                for (uint32_t i = 0; i < t->nrules; i++)
                        if (t->suppressed[i])
                                printf("caps: %s suppressed %llu hits of %s (its cap)\n",
                                       pass ? "active" : "candidate",
                                       (unsigned long long)t->suppressed[i], t->rule[i]);
        }
        printf("\n%-8s %12s %10s   %12s %10s\n", "band", "candidate", "", "active", "");
        for (int b = 0; b < PF_BAND__COUNT; b++)
                printf("%-8s %12llu %9.3f%%   %12llu %9.3f%%\n", pf_band_name((pf_band_t)b),
                       (unsigned long long)cand->bands[b],
                       cand->results ? 100.0 * (double)cand->bands[b] / (double)cand->results : 0,
                       (unsigned long long)act->bands[b],
                       act->results ? 100.0 * (double)act->bands[b] / (double)act->results : 0);
        printf("\n%-8s %12s   %12s\n", "score", "candidate", "active");
        for (int s = 0; s <= 10; s++) {
                char label[16];
                snprintf(label, sizeof(label), s == 10 ? "100" : "%d-%d", s * 10, s * 10 + 9);
                printf("%-8s %12llu   %12llu\n", label, (unsigned long long)cand->scores[s],
                       (unsigned long long)act->scores[s]);
        }
}

int pf_rules_backtest(const pf_conf_t *conf, const char *candidate_path,
                      const pf_backtest_opts_t *opts) {
        const char *events_path = opts->events;
        const char *against = opts->against ? opts->against : "active";
        FILE *hits_out = NULL, *hits_part[2] = {NULL, NULL};
        char errstr[1024], topic[256], tmpdir[] = "/tmp/paxflow-backtest.XXXXXX", path[600];
        int status = 1;
        pf_ruleset_t *cand_rs = NULL, *act_rs = NULL;
        pf_schemas_t *schemas = NULL;
        pf_key_t *key = NULL;
        pf_evfile_t *file = NULL;
        bt_event_t *evs = NULL;
        bt_tally_t *tally = calloc(2, sizeof(*tally));
        bt_set_t everyone = {0};
        bt_read_t rd = {0};
        const void **values = NULL;
        size_t *lens = NULL;
        int have_tmp = 0;

        if (!tally || !(cand_rs = pf_rules_load_file(candidate_path, errstr, sizeof(errstr)))) {
                fprintf(stderr, "%s\n", tally ? errstr : "out of memory");
                goto done;
        }
        if (!pf_conf_str(conf, "secret.file")[0]) {
                fprintf(stderr, "paxflow rules backtest: secret.file is required (traveller keys "
                                "are a keyed hash)\n");
                status = 2;
                goto done;
        }
        if (!(key = pf_key_new_from_file(pf_conf_str(conf, "secret.file"), errstr,
                                         sizeof(errstr))) ||
            !(schemas = pf_schemas_new(errstr, sizeof(errstr))) ||
            !(rd.wl = pf_watchlist_new(errstr, sizeof(errstr))) ||
            !(rd.codec = pf_codec_new(schemas, NULL, errstr, sizeof(errstr))) ||
            !(rd.st = malloc(sizeof(*rd.st)))) {
                fprintf(stderr, "paxflow rules backtest: %s\n", errstr);
                goto done;
        }
        if (!mkdtemp(tmpdir)) {
                perror("paxflow rules backtest: mkdtemp");
                goto done;
        }
        have_tmp = 1;
        int64_t timeout = pf_conf_int(conf, "timeout.ms");
        /* The watchlist (a file, or the deployment's topic), and (against "active") the rule
         * set of the rules topic. */
        if (opts->watchlist) {
                size_t loaded = 0;
                if (pf_watchlist_load_file(rd.wl, opts->watchlist, bt_wl_error, NULL, &loaded)) {
                        fprintf(stderr, "paxflow rules backtest: watchlist %s not loaded\n",
                                opts->watchlist);
                        goto done;
                }
        } else {
                pf_topic_name(conf, PF_TOPIC_WATCHLIST, topic, sizeof(topic));
                if (pf_consume_topic(conf, topic, timeout, bt_read_watchlist, &rd)) {
                        fprintf(stderr,
                                "paxflow rules backtest: cannot read the watchlist topic %s "
                                "(or use --watchlist FILE)\n",
                                topic);
                        goto done;
                }
        }
        if (opts->hits) {
                if (!(hits_out = fopen(opts->hits, "w"))) {
                        fprintf(stderr, "paxflow rules backtest: %s: %s\n", opts->hits,
                                strerror(errno));
                        goto done;
                }
                for (int i = 0; i < 2; i++)
                        if (!(hits_part[i] = tmpfile())) {
                                fprintf(stderr, "paxflow rules backtest: tmpfile: %s\n",
                                        strerror(errno));
                                goto done;
                        }
        }
        if (strcmp(against, "active") == 0) {
                pf_topic_name(conf, PF_TOPIC_RULES, topic, sizeof(topic));
                if (pf_consume_topic(conf, topic, timeout, bt_read_rules, &rd)) {
                        fprintf(stderr,
                                "paxflow rules backtest: cannot read the rules topic %s (use "
                                "--against builtin or --against FILE)\n",
                                topic);
                        goto done;
                }
                if (rd.rules && !(act_rs = pf_ruleset_compile(rd.rules, rd.rules_len, topic, errstr,
                                                              sizeof(errstr)))) {
                        fprintf(stderr, "paxflow rules backtest: the active rule set: %s\n",
                                errstr);
                        goto done;
                }
        } else if (strcmp(against, "builtin") != 0 &&
                   !(act_rs = pf_rules_load_file(against, errstr, sizeof(errstr)))) {
                fprintf(stderr, "%s\n", errstr);
                goto done;
        }
        /* The events: a file as it is, or the event topics copied into one. */
        if (!events_path) {
                snprintf(path, sizeof(path), "%s/events.pfev", tmpdir);
                if (!(rd.out = pf_evfile_create(path, errstr, sizeof(errstr)))) {
                        fprintf(stderr, "paxflow rules backtest: %s\n", errstr);
                        goto done;
                }
                for (uint8_t t = 0; t < 2 && !rd.failed; t++) {
                        pf_topic_name(conf, t ? PF_TOPIC_EVENTS_PNR : PF_TOPIC_EVENTS_API, topic,
                                      sizeof(topic));
                        rd.topic = t;
                        if (pf_consume_topic(conf, topic, timeout, bt_read_event, &rd))
                                rd.failed = 1;
                }
                if (pf_evfile_close(rd.out) || rd.failed) {
                        rd.out = NULL;
                        fprintf(stderr,
                                "paxflow rules backtest: reading the event topics failed\n");
                        goto done;
                }
                rd.out = NULL;
                events_path = path;
        }
        if (!(file = pf_evfile_open(events_path, errstr, sizeof(errstr)))) {
                fprintf(stderr, "paxflow rules backtest: %s\n", errstr);
                goto done;
        }
        pf_pipeline_conf_t pc;
        pf_pipeline_conf_defaults(&pc);
        pc.schemas = schemas;
        pc.key = key;
        pc.state_dir = tmpdir;
        pc.codec.max_message_bytes = (size_t)pf_conf_int(conf, "max.message.bytes");
        pc.retention_ms = pf_conf_int(conf, "history.retention.days") * 24 * 3600 * 1000;
        pc.flags_local = 1; /* one pass in event-time order: a flag is known once raised */
        pc.flags_delay_ms = pf_conf_int(conf, "flags.delay.ms");
        pc.watchlist = rd.wl;
        pc.screen_threshold = pf_conf_double(conf, "screen.threshold");
        if (pf_bands_from_conf(conf, &pc.bands, errstr, sizeof(errstr))) {
                fprintf(stderr, "paxflow rules backtest: %s\n", errstr);
                status = 2;
                goto done;
        }
        /* Pass 1, on two threads: validate, derive the keys; then put the events in event-time
         * order. */
        double t0 = bt_now();
        size_t total = 0, cap = 0, n = 0, invalid = 0;
        uint8_t tp;
        const void *k, *v;
        size_t kl, vl;
        int more;
        while ((more = pf_evfile_next(file, &tp, &k, &kl, &v, &vl)) == 1) {
                if (tp > 1)
                        continue;
                if (total == cap) {
                        cap = cap ? cap * 2 : 65536;
                        const void **gv = realloc(values, cap * sizeof(*values));
                        size_t *gl = gv ? realloc(lens, cap * sizeof(*lens)) : NULL;
                        if (gv)
                                values = gv;
                        if (gl)
                                lens = gl;
                        if (!gv || !gl) {
                                fprintf(stderr, "paxflow rules backtest: out of memory\n");
                                goto done;
                        }
                }
                values[total] = v;
                lens[total++] = vl;
        }
        if (more < 0) {
                fprintf(stderr, "paxflow rules backtest: %s is damaged\n", events_path);
                goto done;
        }
        if (!(evs = malloc((total ? total : 1) * sizeof(*evs)))) {
                fprintf(stderr, "paxflow rules backtest: out of memory\n");
                goto done;
        }
        bt_prep_t prep[2];
        pthread_t th[2];
        size_t half = total / 2;
        for (int i = 0; i < 2; i++) {
                prep[i] = (bt_prep_t){&pc,
                                      values + (i ? half : 0),
                                      lens + (i ? half : 0),
                                      i ? total - half : half,
                                      evs + (i ? half : 0),
                                      0,
                                      0,
                                      0};
                if (pthread_create(&th[i], NULL, bt_prep_run, &prep[i]))
                        bt_prep_run(&prep[i]), th[i] = 0;
        }
        for (int i = 0; i < 2; i++)
                if (th[i])
                        pthread_join(th[i], NULL);
        if (prep[0].rc || prep[1].rc)
                goto done;
        /* close the gap between the two halves' valid events */
        memmove(evs + prep[0].valid, evs + half, prep[1].valid * sizeof(*evs));
        n = prep[0].valid + prep[1].valid;
        invalid = prep[0].invalid + prep[1].invalid;
        for (size_t i = 0; i < n; i++)
                if (bt_set_add(&everyone, bt_key_prefix(evs[i].key)))
                        goto done;
        qsort(evs, n, sizeof(*evs), bt_cmp);
        double prep_s = bt_now() - t0;
        /* The candidate and the active set, side by side on two threads. */
        bt_job_t jobs[2] = {{&pc, cand_rs, "", evs, n, &tally[0], hits_part[0], "candidate", 0},
                            {&pc, act_rs, "", evs, n, &tally[1], hits_part[1], "active", 0}};
        snprintf(jobs[0].dir, sizeof(jobs[0].dir), "%s/candidate", tmpdir);
        snprintf(jobs[1].dir, sizeof(jobs[1].dir), "%s/active", tmpdir);
        double t1 = bt_now();
        for (int i = 0; i < 2; i++)
                if (pthread_create(&th[i], NULL, bt_job_run, &jobs[i]))
                        bt_job_run(&jobs[i]), th[i] = 0;
        for (int i = 0; i < 2; i++)
                if (th[i])
                        pthread_join(th[i], NULL);
        double runs_s = bt_now() - t1;
        if (jobs[0].rc || jobs[1].rc)
                goto done;
        if (hits_out) {
                int bad = bt_append(hits_out, hits_part[0]) || bt_append(hits_out, hits_part[1]);
                bad |= fclose(hits_out) != 0;
                hits_out = NULL;
                if (bad) {
                        fprintf(stderr, "paxflow rules backtest: writing %s failed\n", opts->hits);
                        goto done;
                }
        }
        printf("backtest: %zu events (%zu travellers, %zu invalid skipped) from %s\n", n,
               everyone.n, invalid, events_path == path ? "the event topics" : events_path);
        printf("candidate %s (%s): %.2f s, %.0f events/s; active %s: %.2f s (side by side: "
               "%.2f s); decode and order %.2f s; nothing published\n",
               tally[0].version, candidate_path, tally[0].seconds,
               tally[0].seconds > 0 ? (double)n / tally[0].seconds : 0.0, tally[1].version,
               tally[1].seconds, runs_s, prep_s);
        bt_print(&tally[0], &tally[1], everyone.n ? everyone.n : 1);
        status = 0;
done:
        if (hits_out)
                fclose(hits_out);
        for (int i = 0; i < 2; i++)
                if (hits_part[i])
                        fclose(hits_part[i]);
        if (rd.out)
                pf_evfile_close(rd.out);
        pf_evfile_close(file);
        free(values);
        free(lens);
        if (have_tmp)
                nftw(tmpdir, bt_rm, 16, FTW_DEPTH | FTW_PHYS);
        if (tally) {
                bt_tally_free(&tally[0]);
                bt_tally_free(&tally[1]);
        }
        free(tally);
        free(everyone.slots);
        free(evs);
        free(rd.rules);
        free(rd.st);
        pf_codec_destroy(rd.codec);
        pf_watchlist_destroy(rd.wl);
        pf_ruleset_destroy(cand_rs);
        pf_ruleset_destroy(act_rs);
        pf_schemas_destroy(schemas);
        pf_key_destroy(key);
        return status;
}
