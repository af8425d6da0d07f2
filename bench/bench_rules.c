/**
 * @file bench_rules.c
 * @brief Cost of a rule set per event: the generator's traffic for a hub, applied in sent_at
 *        order to in-memory traveller histories, evaluated by the compiled rule set.
 *
 * Usage: bench_rules [RULEFILE] [--hours H] [--reps R]   (defaults: rules/default.rules, 2, 7)
 *
 * Each repetition rebuilds the histories from empty and goes through every event twice over: once
 * doing everything but the rule evaluation (history update, rule input), once with it. The cost of
 * the rule set is the difference, per event; the built-in C rules are measured the same way.
 * Medians over the repetitions; one core; nothing touches the disk. Prints Markdown.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "key.h"
#include "normalize.h"
#include "pipeline.h"
#include "ruleeval.h"
#include "rules.h"
#include "rules_cli.h"

typedef struct bench_s {
        pf_event_t *evs;
        uint32_t *who; /* traveller index per event */
        size_t n, cap;
        pf_key_t *key;
        pf_norm_t *norm;
        uint8_t (*keys)[PF_KEY_BYTES];
        size_t travellers;
        uint32_t *slots; /* open addressing over keys, UINT32_MAX = free */
        size_t nslots;
} bench_t;

static uint32_t bench_traveller(bench_t *b, const uint8_t key[PF_KEY_BYTES]) {
        uint64_t h;
        memcpy(&h, key, sizeof(h));
        size_t i = (size_t)h & (b->nslots - 1);
        while (b->slots[i] != UINT32_MAX) {
                if (memcmp(b->keys[b->slots[i]], key, PF_KEY_BYTES) == 0)
                        return b->slots[i];
                i = (i + 1) & (b->nslots - 1);
        }
        memcpy(b->keys[b->travellers], key, PF_KEY_BYTES);
        b->slots[i] = (uint32_t)b->travellers;
        return (uint32_t)b->travellers++;
}

static int bench_event(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                       int schema_version) {
        (void)topic;
        (void)key;
        (void)schema_version;
        bench_t *b = opaque;
        uint8_t k[PF_KEY_BYTES];
        if (pf_key_traveller(b->key, b->norm, ev, k))
                return 0;
        if (b->n == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 65536;
                b->evs = realloc(b->evs, b->cap * sizeof(*b->evs));
                b->who = realloc(b->who, b->cap * sizeof(*b->who));
                if (!b->evs || !b->who)
                        return -1;
        }
        b->who[b->n] = bench_traveller(b, k);
        b->evs[b->n++] = *ev;
        return 0;
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/** mode 0: no evaluation; 1: the rule set; 2: the built-in C rules. @returns seconds. */
static double bench_pass(const bench_t *b, pf_hist_t *hists, const pf_ruleset_t *rs,
                         pf_rule_caps_t *caps, const pf_rules_conf_t *builtin, int mode,
                         uint64_t *hits) {
        static pf_result_t res;
        for (size_t t = 0; t < b->travellers; t++)
                pf_hist_init(&hists[t]);
        double t0 = now_s();
        for (size_t i = 0; i < b->n; i++) {
                const pf_event_t *ev = &b->evs[i];
                pf_hist_t *h = &hists[b->who[i]];
                pf_trip_t trip;
                pf_trip_from_event(ev, &trip);
                pf_hist_add_trip(h, &trip, 400LL * 24 * 3600 * 1000);
                if (ev->traveller.nationality[0])
                        pf_hist_add_nationality(h, ev->traveller.nationality);
                res.hit_count = 0;
                res.match_count = 0;
                pf_rule_input_t in;
                pf_rule_input_fill(&in, ev, h, &res);
                in.caps = caps;
                if (mode == 1)
                        pf_ruleset_eval(rs, &in, &res);
                else if (mode == 2)
                        pf_rules_eval(builtin, ev, h, &res);
                *hits += res.hit_count;
        }
        return now_s() - t0;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
        const char *path = "rules/default.rules";
        int hours = 2, reps = 7;
        char errstr[1024];
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
                        hours = atoi(argv[++i]);
                else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
                        reps = atoi(argv[++i]);
                else if (argv[i][0] != '-')
                        path = argv[i];
                else {
                        fprintf(stderr, "usage: bench_rules [RULEFILE] [--hours H] [--reps R]\n");
                        return 2;
                }
        }
        if (hours < 1 || reps < 1 || reps > 101)
                return 2;
        pf_ruleset_t *rs = pf_rules_load_file(path, errstr, sizeof(errstr));
        if (!rs) {
                fprintf(stderr, "%s\n", errstr);
                return 1;
        }
        static const uint8_t secret[] = "bench secret, not for production";
        bench_t b = {0};
        b.key = pf_key_new(secret, sizeof(secret) - 1, errstr, sizeof(errstr));
        b.norm = pf_norm_new(errstr, sizeof(errstr));
        b.nslots = 1u << 22;
        b.slots = malloc(b.nslots * sizeof(*b.slots));
        b.keys = malloc((b.nslots / 2) * sizeof(*b.keys));
        if (!b.key || !b.norm || !b.slots || !b.keys)
                return 1;
        memset(b.slots, 0xff, b.nslots * sizeof(*b.slots));
        pf_gen_conf_t gc;
        pf_gen_conf_defaults(&gc);
        gc.hours = hours;
        gc.bad_payloads = 0;
        pf_gen_sink_t sink = {.opaque = &b, .event = bench_event};
        pf_gen_stats_t gs;
        if (pf_gen_run(&gc, &sink, &gs, errstr, sizeof(errstr))) {
                fprintf(stderr, "gen: %s\n", errstr);
                return 1;
        }
        pf_hist_t *hists = malloc(b.travellers * sizeof(*hists));
        pf_rule_caps_t *caps = pf_rule_caps_new(rs);
        pf_rules_conf_t builtin;
        pf_rules_conf_defaults(&builtin);
        if (!hists || !caps)
                return 1;
        double *t[3];
        uint64_t hits[3] = {0, 0, 0};
        for (int m = 0; m < 3; m++)
                t[m] = malloc((size_t)reps * sizeof(double));
        for (int r = 0; r < reps; r++)
                for (int m = 0; m < 3; m++) { /* interleaved, so drift hits every mode alike */
                        uint64_t h = 0;
                        t[m][r] = bench_pass(&b, hists, rs, caps, &builtin, m, &h);
                        hits[m] = h;
                }
        double med[3];
        for (int m = 0; m < 3; m++) {
                qsort(t[m], (size_t)reps, sizeof(double), cmp_double);
                med[m] = t[m][reps / 2];
        }
        double n = (double)b.n;
        printf("| rule set | rules | events | travellers | hits | ns/event (median of %d) |\n",
               reps);
        printf("|---|---|---|---|---|---|\n");
        printf("| %s (%s) | %u | %zu | %zu | %llu | %.0f |\n", pf_ruleset_version(rs), path,
               pf_ruleset_rule_count(rs), b.n, b.travellers, (unsigned long long)hits[1],
               (med[1] - med[0]) / n * 1e9);
        printf("| built-in C rules | 5 | %zu | %zu | %llu | %.0f |\n", b.n, b.travellers,
               (unsigned long long)hits[2], (med[2] - med[0]) / n * 1e9);
        printf("\nBaseline (history update and rule input, no evaluation): %.0f ns/event.\n",
               med[0] / n * 1e9);
        for (int m = 0; m < 3; m++)
                free(t[m]);
        free(hists);
        pf_rule_caps_destroy(caps);
        pf_ruleset_destroy(rs);
        free(b.evs);
        free(b.who);
        free(b.slots);
        free(b.keys);
        pf_norm_destroy(b.norm);
        pf_key_destroy(b.key);
        return 0;
}
