/**
 * @file bench_core.c
 * @brief `paxflow bench core`: the whole per-event pipeline without Kafka, on one core.
 *
 * Events come pre-encoded from a paxflow event file (`paxflow gen --out`). Before timing, the
 * bench builds a synthetic watchlist of N names (plus one document each) and writes histories for
 * M synthetic travellers into the state store, so that lookups run against a store and a list of
 * a realistic size. Then each event goes through stage 1 (decode, key) and stage 2 (decode,
 * history, screening, rules, encode) as in a worker, with the state applied in batches as a
 * commit would. The stage breakdown comes from two clock reads per stage (their cost, about 40 ns
 * per event in all, is inside the figures). Synthetic names only: no personal data.
 */
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu */
#include "bench_core.h"

#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "evfile.h"
#include "pipeline.h"
#include "rules_cli.h"

static double bc_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bc_rng = 0x9E3779B97F4A7C15ULL;
static uint64_t bc_rand(void) {
        bc_rng ^= bc_rng << 13;
        bc_rng ^= bc_rng >> 7;
        bc_rng ^= bc_rng << 17;
        return bc_rng;
}

static const char *const bc_syl[] = {"KA",  "LO",  "MIR", "SAN", "TO",  "VEL", "RA",  "NI", "DU",
                                     "BER", "HAS", "ZO",  "PEL", "GRA", "TIN", "MOR", "SU", "LEK"};
#define BC_SYL (sizeof(bc_syl) / sizeof(bc_syl[0]))

static void bc_name(char *out, size_t cap, int parts) {
        size_t n = 0;
        out[0] = '\0';
        for (int i = 0; i < parts && n + 4 < cap; i++)
                n += (size_t)snprintf(out + n, cap - n, "%s", bc_syl[bc_rand() % BC_SYL]);
}

static int bc_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

int pf_bench_core(const char *events_path, size_t names, size_t travellers, const char *rules_path,
                  size_t limit, size_t cache_mb) {
        static const uint8_t secret[] = "paxflow bench core secret (synthetic)";
        char errstr[1024], dir[] = "/tmp/paxflow-bench-core.XXXXXX";
        int status = 1;
        pf_schemas_t *schemas = NULL;
        pf_key_t *key = NULL;
        pf_watchlist_t *wl = NULL;
        pf_ruleset_t *rs = NULL;
        pf_pipeline_t *pipe = NULL;
        pf_evfile_t *file = NULL;
        int have_dir = 0;
        cpu_set_t cpus;

        CPU_ZERO(&cpus); /* one core: the one we started on */
        CPU_SET(sched_getcpu(), &cpus);
        (void)sched_setaffinity(0, sizeof(cpus), &cpus);
        if (!(file = pf_evfile_open(events_path, errstr, sizeof(errstr))) ||
            !(schemas = pf_schemas_new(errstr, sizeof(errstr))) ||
            !(key = pf_key_new(secret, sizeof(secret) - 1, errstr, sizeof(errstr))) ||
            !(wl = pf_watchlist_new(errstr, sizeof(errstr))) ||
            (rules_path && !(rs = pf_rules_load_file(rules_path, errstr, sizeof(errstr))))) {
                fprintf(stderr, "paxflow bench core: %s\n", errstr);
                goto done;
        }
        if (!mkdtemp(dir)) {
                perror("paxflow bench core: mkdtemp");
                goto done;
        }
        have_dir = 1;
        double t0 = bc_now();
        for (size_t e = 0; e < names; e++) {
                char id[32], given[32], surname[40], dob[16], num[16];
                bc_name(given, sizeof(given), 2);
                bc_name(surname, sizeof(surname), 2 + (int)(bc_rand() % 2));
                snprintf(id, sizeof(id), "BENCH%zu", e);
                snprintf(dob, sizeof(dob), "%04d-%02d-%02d", 1950 + (int)(bc_rand() % 55),
                         1 + (int)(bc_rand() % 12), 1 + (int)(bc_rand() % 28));
                snprintf(num, sizeof(num), "X%08llu", (unsigned long long)(bc_rand() % 100000000));
                pf_wl_name_t nm = {given, surname};
                pf_wl_doc_t doc = {"PASSPORT", num, "XXX"};
                pf_wl_entry_t entry = {.entry_id = id,
                                       .list = "BENCH",
                                       .category = "BENCH",
                                       .severity = PF_WL_SEVERITY_HIGH,
                                       .names = &nm,
                                       .name_count = 1,
                                       .date_of_birth = dob,
                                       .docs = &doc,
                                       .doc_count = 1,
                                       .valid_from = PF_WL_DATE_NONE,
                                       .valid_until = PF_WL_DATE_NONE};
                if (pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr))) {
                        fprintf(stderr, "paxflow bench core: watchlist: %s\n", errstr);
                        goto done;
                }
        }
        double wl_s = bc_now() - t0;
        pf_pipeline_conf_t pc;
        pf_pipeline_conf_defaults(&pc);
        pc.schemas = schemas;
        pc.key = key;
        pc.state_dir = dir;
        pc.watchlist = names ? wl : NULL;
        pc.ruleset = rs;
        pc.hist_cache_bytes = cache_mb << 20;
        pc.flags_local = 1;
        if (!(pipe = pf_pipeline_new(&pc, errstr, sizeof(errstr)))) {
                fprintf(stderr, "paxflow bench core: %s\n", errstr);
                goto done;
        }
        /* Histories for synthetic travellers: one trip each, written as commits would. */
        t0 = bc_now();
        pf_store_t *store = NULL;
        int64_t ignore;
        if (pf_pipeline_restore_begin(pipe, 0, &ignore, errstr, sizeof(errstr)) ||
            !(store = pf_pipeline_store(pipe, 0))) {
                fprintf(stderr, "paxflow bench core: store: %s\n", errstr);
                goto done;
        }
        pf_store_batch_t *batch = pf_store_batch_new();
        pf_hist_t hist;
        pf_trip_t trip;
        memset(&trip, 0, sizeof(trip));
        memcpy(trip.carrier, "XX", 3);
        memcpy(trip.flight_number, "1", 2);
        memcpy(trip.origin_airport, "AAA", 4);
        memcpy(trip.origin_country, "XXX", 4);
        memcpy(trip.destination_airport, "BBB", 4);
        memcpy(trip.destination_country, "YYY", 4);
        for (size_t t = 0; t < travellers && batch; t++) {
                uint8_t k[PF_KEY_BYTES];
                for (int i = 0; i < PF_KEY_BYTES; i += 8) {
                        uint64_t r = bc_rand();
                        memcpy(k + i, &r, 8);
                }
                pf_hist_init(&hist);
                trip.departure_ms = 1764460800000LL - (int64_t)(bc_rand() % (300LL * 86400000));
                pf_hist_add_trip(&hist, &trip, 400LL * 86400000);
                if (pf_store_batch_put(batch, k, PF_KEY_BYTES, &hist) ||
                    ((t + 1) % 50000 == 0 &&
                     pf_store_batch_write(store, batch, errstr, sizeof(errstr)))) {
                        fprintf(stderr, "paxflow bench core: prefill: %s\n", errstr);
                        pf_store_batch_destroy(batch);
                        goto done;
                }
        }
        if (!batch || pf_store_batch_write(store, batch, errstr, sizeof(errstr))) {
                pf_store_batch_destroy(batch);
                fprintf(stderr, "paxflow bench core: prefill failed\n");
                goto done;
        }
        pf_store_batch_destroy(batch);
        double fill_s = bc_now() - t0;

        /* The timed pass. */
        pf_pipeline_timing_t timing;
        memset(&timing, 0, sizeof(timing));
        pf_pipeline_set_timing(pipe, &timing);
        uint8_t tp;
        const void *k, *v;
        size_t kl, vl, n = 0, bad = 0;
        double apply_s = 0;
        int more = 0;
        t0 = bc_now();
        while ((!limit || n + bad < limit) &&
               (more = pf_evfile_next(file, &tp, &k, &kl, &v, &vl)) == 1) {
                char hex[PF_KEY_HEX_SIZE];
                const uint8_t *out;
                size_t out_len;
                pf_band_t band;
                if (tp > 1)
                        continue;
                if (pf_stage1_process(pipe, v, vl, hex, errstr, sizeof(errstr))) {
                        bad++;
                        continue;
                }
                pf_err_t err = pf_stage2_process(pipe, 0, hex, PF_KEY_BYTES * 2, v, vl, 0, &out,
                                                 &out_len, &band, errstr, sizeof(errstr));
                if (err == PF_ERR_STATE || err == PF_ERR_INTERNAL) {
                        fprintf(stderr, "paxflow bench core: %s\n", errstr);
                        goto done;
                }
                n++;
                if (pf_pipeline_dirty(pipe) >= PF_PIPELINE_OVERLAY_MAX / 4) {
                        double a = bc_now();
                        if (pf_pipeline_apply(pipe, NULL, 0, errstr, sizeof(errstr)))
                                goto done;
                        apply_s += bc_now() - a;
                }
        }
        double a = bc_now();
        if (pf_pipeline_apply(pipe, NULL, 0, errstr, sizeof(errstr)))
                goto done;
        apply_s += bc_now() - a;
        double total = bc_now() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        static const char *const stage_names[PF_STAGE__COUNT] = {
                "decode (stage 1)", "traveller key",   "decode (stage 2)", "history",
                "screening",        "rules and score", "encode result"};
        printf("# paxflow bench core\n\n");
        printf("%zu events from %s (%zu invalid skipped), one core; watchlist %zu names (built in "
               "%.1f s); %zu prefilled traveller histories (written in %.1f s); rules: %s\n\n",
               n, events_path, bad, names, wl_s, travellers, fill_s,
               rs ? pf_ruleset_version(rs) : "built-in");
        printf("| | events/s | ns/event |\n|---|---|---|\n");
        printf("| **whole pipeline** | **%.0f** | **%.0f** |\n", n ? (double)n / total : 0.0,
               n ? total / (double)n * 1e9 : 0.0);
        double staged = 0;
        for (int s = 0; s < PF_STAGE__COUNT; s++) {
                printf("| %s | | %.0f |\n", stage_names[s],
                       n ? (double)timing.ns[s] / (double)n : 0.0);
                staged += (double)timing.ns[s] / 1e9;
        }
        printf("| state batches written (commit) | | %.0f |\n",
               n ? apply_s / (double)n * 1e9 : 0.0);
        printf("| other (file, loop) | | %.0f |\n",
               n ? (total - staged - apply_s) / (double)n * 1e9 : 0.0);
        pf_hcache_stats_t hc;
        pf_pipeline_cache_stats(pipe, &hc);
        printf("\nHistory cache (%zu MiB): %llu hits, %llu misses (hit rate %.1f %%), %llu too "
               "large "
               "to cache\n",
               cache_mb, (unsigned long long)hc.hits, (unsigned long long)hc.misses,
               hc.hits + hc.misses ? 100.0 * (double)hc.hits / (double)(hc.hits + hc.misses) : 0.0,
               (unsigned long long)hc.too_large);
        printf("\nPeak RSS: %.0f MiB\n", (double)ru.ru_maxrss / 1024.0);
        status = more < 0 ? 1 : 0;
done:
        pf_pipeline_destroy(pipe);
        if (have_dir)
                nftw(dir, bc_rm, 16, FTW_DEPTH | FTW_PHYS);
        pf_evfile_close(file);
        pf_ruleset_destroy(rs);
        pf_watchlist_destroy(wl);
        pf_key_destroy(key);
        pf_schemas_destroy(schemas);
        return status;
}
