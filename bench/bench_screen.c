/**
 * @file bench_screen.c
 * @brief Screening benchmark: builds a synthetic watchlist of N names and M documents, then
 *        times the screening of K travellers (half matching variants, half not) on one core.
 *
 * Usage: bench_screen [--names N] [--docs M] [--travellers K] [--seed S]
 *        defaults: 100000 names, 1000000 documents, 20000 travellers.
 *
 * Names: given names from a list of common ones (so that their postings are long, as in a real
 * list), surnames made of 2-4 random syllables; dates of birth 70 % full, 20 % year only,
 * 10 % absent. Documents: 9-character alphanumerics spread over the entries (at most 16 per
 * entry; document-only entries are added when there are more documents than names allow).
 * Matching travellers are variants of a listed name (a typo, a dropped middle name, tokens
 * reordered, an initial, a date a year off or absent); non-matching travellers are fresh names
 * from the same generator. Each traveller is timed alone (clock_gettime around one call).
 * Prints the figures as Markdown, with the screener's counters (pf_screener_stats(): keys
 * looked up, postings read, candidate names scored, by kind of blocking key); nothing is
 * written to disk. BENCH_SHOW_FP=1 prints each unlisted traveller that got a match, and the
 * entry, on stderr (the names are synthetic).
 */
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screen.h"
#include "watchlist.h"

static const char *const bench_given[] = {
        "MOHAMMED", "AHMED",   "ALI",      "OMAR",   "YUSUF",    "IBRAHIM",   "HASSAN",  "KHALID",
        "JOHN",     "MICHAEL", "DAVID",    "JAMES",  "ROBERT",   "MARIA",     "ANNA",    "ELENA",
        "OLGA",     "IVAN",    "SERGEI",   "DMITRI", "VLADIMIR", "ALEXANDER", "NIKOLAI", "PAVEL",
        "WEI",      "LI",      "JUN",      "MING",   "HUI",      "YAN",       "JOSE",    "JUAN",
        "CARLOS",   "LUIS",    "ANA",      "SOFIA",  "FATIMA",   "AISHA",     "ZAINAB",  "LEILA",
        "PETER",    "THOMAS",  "ANDREAS",  "STEFAN", "MARKUS",   "KATARINA",  "IRINA",   "SVETLANA",
        "ABDUL",    "RAHMAN",  "AMIR",     "REZA",   "MEHDI",    "NADIA",     "SARA",    "HANA",
        "GIORGOS",  "NIKOS",   "DIMITRIS", "KOSTAS", "JEAN",     "PIERRE",    "MARIE",   "LOUIS",
};
#define BENCH_GIVEN_COUNT (sizeof(bench_given) / sizeof(bench_given[0]))

static const char *const bench_syll[] = {
        "BA", "KO",  "RI", "MA", "SHE", "TA",  "LO",  "VI", "NA", "DRA", "GU", "PE", "ZO", "HA",
        "MI", "KAR", "SU", "TE", "NO",  "LA",  "BRO", "DO", "FI", "GA",  "JU", "KE", "MU", "NI",
        "RO", "SA",  "TI", "VA", "ZE",  "CHA", "KHA", "PO", "RE", "SO",  "TU", "YA", "WO", "LE",
};
#define BENCH_SYLL_COUNT (sizeof(bench_syll) / sizeof(bench_syll[0]))

/* --- Random numbers (xorshift64*: reproducible across platforms) -------------------------- */

static uint64_t bench_rng = 0x9E3779B97F4A7C15ULL;

static uint64_t bench_rand(void) {
        bench_rng ^= bench_rng >> 12;
        bench_rng ^= bench_rng << 25;
        bench_rng ^= bench_rng >> 27;
        return bench_rng * 2685821657736338717ULL;
}

static size_t bench_below(size_t n) {
        return (size_t)(bench_rand() % n);
}

/* --- Synthetic people ------------------------------------------------------------------------ */

typedef struct bench_person_s {
        char given[48];
        char surname[48];
        char dob[11];
} bench_person_t;

static void bench_surname(char *out, size_t cap) {
        size_t n = 2 + bench_below(3), len = 0;

        out[0] = '\0';
        for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(out + len, cap - len, "%s",
                                        bench_syll[bench_below(BENCH_SYLL_COUNT)]);
        if (bench_below(4) == 0) /* a quarter have a second surname */
                snprintf(out + len, cap - len, " %s%s", bench_syll[bench_below(BENCH_SYLL_COUNT)],
                         bench_syll[bench_below(BENCH_SYLL_COUNT)]);
}

/** Person @p i is a function of @p i alone, so that travellers can be derived again. */
static void bench_person(size_t i, bench_person_t *p) {
        uint64_t saved = bench_rng;
        size_t kind;

        bench_rng = 0x2545F4914F6CDD1DULL ^ ((uint64_t)i * 0x9E3779B97F4A7C15ULL);
        (void)bench_rand();
        if (bench_below(3) == 0)
                snprintf(p->given, sizeof(p->given), "%s %s",
                         bench_given[bench_below(BENCH_GIVEN_COUNT)],
                         bench_given[bench_below(BENCH_GIVEN_COUNT)]);
        else
                snprintf(p->given, sizeof(p->given), "%s",
                         bench_given[bench_below(BENCH_GIVEN_COUNT)]);
        bench_surname(p->surname, sizeof(p->surname));
        kind = bench_below(10);
        if (kind < 7)
                snprintf(p->dob, sizeof(p->dob), "%d-%02d-%02d", 1940 + (int)bench_below(65),
                         1 + (int)bench_below(12), 1 + (int)bench_below(28));
        else if (kind < 9)
                snprintf(p->dob, sizeof(p->dob), "%d", 1940 + (int)bench_below(65));
        else
                p->dob[0] = '\0';
        bench_rng = saved;
}

static void bench_docnum(size_t d, char out[16]) {
        static const char alnum[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
        uint64_t h = (uint64_t)d * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;

        for (int i = 0; i < 9; i++) {
                h ^= h >> 29;
                h *= 0xBF58476D1CE4E5B9ULL;
                out[i] = alnum[(h >> 40) % (sizeof(alnum) - 1)];
        }
        out[9] = '\0';
}

static const char *const bench_countries[] = {"GBR", "FRA", "DEU", "RUS", "CHN", "EGY",
                                              "USA", "IRN", "PAK", "TUR", "BRA", "IND"};

/* --- Measurements -------------------------------------------------------------------------- */

static double bench_now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/** @returns the resident set size in MiB, from /proc/self/statm. */
static double bench_rss_mib(void) {
        FILE *fp = fopen("/proc/self/statm", "r");
        unsigned long size = 0, resident = 0;

        if (fp == NULL)
                return 0.0;
        if (fscanf(fp, "%lu %lu", &size, &resident) != 2)
                resident = 0;
        fclose(fp);
        return (double)resident * 4096.0 / (1024.0 * 1024.0);
}

static int bench_cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/** Sorts @p v and returns the quantile @p q (nearest rank). */
static double bench_quantile(double *v, size_t n, double q) {
        size_t i;

        qsort(v, n, sizeof(*v), bench_cmp_double);
        i = (size_t)(q * (double)n);
        return v[i < n ? i : n - 1];
}

/* --- Traveller variants --------------------------------------------------------------------- */

/** A matching variant of person @p p into @p subj (strings in @p buf). */
static void bench_variant(const bench_person_t *p, pf_screen_subject_t *subj, char buf[3][64]) {
        size_t kind = bench_below(6);

        snprintf(buf[0], 64, "%s", p->given);
        snprintf(buf[1], 64, "%s", p->surname);
        snprintf(buf[2], 64, "%s", p->dob);
        switch (kind) {
        case 0: { /* typo in the surname */
                size_t len = strlen(buf[1]), i = 1 + bench_below(len - 1);

                if (buf[1][i] != ' ')
                        buf[1][i] = buf[1][i] == 'A' ? 'E' : 'A';
                break;
        }
        case 1: { /* missing middle name */
                char *space = strchr(buf[0], ' ');

                if (space != NULL)
                        *space = '\0';
                break;
        }
        case 2: /* given and surname swapped */
                snprintf(buf[0], 64, "%s", p->surname);
                snprintf(buf[1], 64, "%s", p->given);
                break;
        case 3: /* initial */
                buf[0][1] = '\0';
                break;
        case 4: /* year off by one on a full date */
                if (strlen(buf[2]) == 10)
                        buf[2][3] = buf[2][3] == '9' ? '8' : (char)(buf[2][3] + 1);
                break;
        default: /* date unknown */
                buf[2][0] = '\0';
                break;
        }
        subj->given_names = buf[0];
        subj->surname = buf[1];
        subj->date_of_birth = buf[2][0] ? buf[2] : NULL;
}

/* --- Main ------------------------------------------------------------------------------------ */

static bool bench_arg(int argc, char **argv, int *i, const char *name, size_t *out) {
        char *end;
        unsigned long long v;

        if (strcmp(argv[*i], name) != 0)
                return false;
        if (*i + 1 >= argc) {
                fprintf(stderr, "%s needs a value\n", name);
                exit(2);
        }
        v = strtoull(argv[++*i], &end, 10);
        if (*end != '\0' || v == 0) {
                fprintf(stderr, "%s: not a positive number\n", name);
                exit(2);
        }
        *out = (size_t)v;
        return true;
}

int main(int argc, char **argv) {
        size_t names = 100000, docs = 1000000, travellers = 20000, seed = 1;
        size_t entries, doc_next = 0, name_hits = 0, name_false = 0, doc_hits = 0, doc_false = 0;
        double t0, build_s, rss0, rss1, *name_us, *doc_us, *name_cands;
        char errstr[256];
        pf_watchlist_t *wl;
        pf_screener_t *scr;
        pf_wl_stats_t stats;
        cpu_set_t cpus;

        for (int i = 1; i < argc; i++) {
                if (!bench_arg(argc, argv, &i, "--names", &names) &&
                    !bench_arg(argc, argv, &i, "--docs", &docs) &&
                    !bench_arg(argc, argv, &i, "--travellers", &travellers) &&
                    !bench_arg(argc, argv, &i, "--seed", &seed)) {
                        fprintf(stderr,
                                "usage: %s [--names N] [--docs M] [--travellers K] "
                                "[--seed S]\n",
                                argv[0]);
                        return 2;
                }
        }
        bench_rng ^= (uint64_t)seed * 0xD1B54A32D192ED03ULL;
        CPU_ZERO(&cpus); /* one core: the one we started on */
        CPU_SET(sched_getcpu(), &cpus);
        (void)sched_setaffinity(0, sizeof(cpus), &cpus);

        rss0 = bench_rss_mib();
        wl = pf_watchlist_new(errstr, sizeof(errstr));
        if (wl == NULL) {
                fprintf(stderr, "%s\n", errstr);
                return 1;
        }
        entries = names > (docs + 15) / 16 ? names : (docs + 15) / 16;
        t0 = bench_now_us();
        for (size_t e = 0; e < entries; e++) {
                bench_person_t p;
                pf_wl_name_t name;
                pf_wl_doc_t doc_arr[16];
                char nums[16][16], id[24];
                size_t ndocs = docs / entries + (e < docs % entries ? 1 : 0);
                pf_wl_entry_t entry = {.entry_id = id,
                                       .list = "BENCH",
                                       .category = "C",
                                       .severity = PF_WL_SEVERITY_HIGH,
                                       .valid_from = PF_WL_DATE_NONE,
                                       .valid_until = PF_WL_DATE_NONE};

                snprintf(id, sizeof(id), "B%zu", e);
                if (e < names) {
                        bench_person(e, &p);
                        name.given_names = p.given;
                        name.surname = p.surname;
                        entry.names = &name;
                        entry.name_count = 1;
                        entry.date_of_birth = p.dob;
                }
                for (size_t d = 0; d < ndocs; d++, doc_next++) {
                        bench_docnum(doc_next, nums[d]);
                        doc_arr[d].type = "PASSPORT";
                        doc_arr[d].number = nums[d];
                        doc_arr[d].issuing_country =
                                bench_countries[doc_next % (sizeof(bench_countries) /
                                                            sizeof(bench_countries[0]))];
                }
                entry.docs = doc_arr;
                entry.doc_count = ndocs;
                if (pf_watchlist_upsert(wl, &entry, errstr, sizeof(errstr)) != PF_OK) {
                        fprintf(stderr, "entry %zu: %s\n", e, errstr);
                        return 1;
                }
        }
        build_s = (bench_now_us() - t0) / 1e6;
        rss1 = bench_rss_mib();
        pf_watchlist_stats(wl, &stats);

        scr = pf_screener_new(wl, PF_SCREEN_THRESHOLD_DEFAULT, errstr, sizeof(errstr));
        name_us = malloc(travellers * sizeof(double));
        doc_us = malloc(travellers * sizeof(double));
        name_cands = malloc(travellers * sizeof(double));
        if (scr == NULL || name_us == NULL || doc_us == NULL || name_cands == NULL) {
                fprintf(stderr, "screener: %s\n", scr ? "out of memory" : errstr);
                return 1;
        }
        for (size_t k = 0; k < travellers; k++) {
                pf_screen_subject_t subj = {0};
                pf_match_t m[PF_RESULT_MAX_MATCHES];
                char buf[3][64], num[16], fmt[24];
                bench_person_t p;
                size_t count = 0, target = bench_below(names), d;
                bool matching = k % 2 == 0;
                pf_screen_stats_t st0, st1;
                double t;

                /* names */
                if (matching) {
                        bench_person(target, &p);
                        bench_variant(&p, &subj, buf);
                } else {
                        bench_person(names + 1000000 + k, &p); /* never listed */
                        subj.given_names = p.given;
                        subj.surname = p.surname;
                        subj.date_of_birth = p.dob[0] ? p.dob : NULL;
                }
                pf_screener_stats(scr, &st0);
                t = bench_now_us();
                pf_screen_subject(scr, &subj, m, PF_RESULT_MAX_MATCHES, &count, NULL);
                name_us[k] = bench_now_us() - t;
                pf_screener_stats(scr, &st1);
                name_cands[k] = (double)(st1.candidates - st0.candidates);
                if (matching) {
                        char id[24];

                        snprintf(id, sizeof(id), "B%zu", target);
                        for (size_t i = 0; i < count; i++)
                                name_hits += strcmp(m[i].entry_id, id) == 0;
                } else {
                        name_false += count > 0;
                        if (count > 0 && getenv("BENCH_SHOW_FP") != NULL)
                                fprintf(stderr, "FP %s / %s %s -> %s %.3f\n", subj.given_names,
                                        subj.surname, subj.date_of_birth ? subj.date_of_birth : "-",
                                        m[0].entry_id, m[0].confidence);
                }

                /* documents only: a listed number written with a dash, or an unlisted one */
                d = matching ? bench_below(docs) : docs + k;
                bench_docnum(d, num);
                snprintf(fmt, sizeof(fmt), "%.4s-%s", num, num + 4);
                memset(&subj, 0, sizeof(subj));
                subj.doc_number = fmt;
                subj.doc_country =
                        bench_countries[d % (sizeof(bench_countries) / sizeof(bench_countries[0]))];
                t = bench_now_us();
                pf_screen_subject(scr, &subj, m, PF_RESULT_MAX_MATCHES, &count, NULL);
                doc_us[k] = bench_now_us() - t;
                if (matching)
                        doc_hits += count > 0;
                else
                        doc_false += count > 0;
        }

        printf("| figure | value |\n|---|---|\n");
        printf("| names / documents / entries | %zu / %zu / %zu |\n", stats.names, stats.documents,
               stats.entries);
        printf("| blocking keys / posting slots | %zu / %zu |\n", stats.name_keys, stats.postings);
        printf("| build time | %.2f s (%.2f us per entry) |\n", build_s,
               build_s * 1e6 / (double)entries);
        printf("| RSS growth | %.0f MiB (watchlist's own estimate %.0f MiB) |\n", rss1 - rss0,
               (double)stats.memory_bytes / (1024.0 * 1024.0));
        printf("| travellers | %zu (half matching variants) |\n", travellers);
        {
                /* one statement per quantile: the sort must happen before the max is read */
                double name_med = bench_quantile(name_us, travellers, 0.5);
                double name_p99 = bench_quantile(name_us, travellers, 0.99);
                double doc_med = bench_quantile(doc_us, travellers, 0.5);
                double doc_p99 = bench_quantile(doc_us, travellers, 0.99);

                printf("| names: median / p99 / max | %.2f / %.2f / %.2f us |\n", name_med,
                       name_p99, name_us[travellers - 1]);
                printf("| documents: median / p99 / max | %.2f / %.2f / %.2f us |\n", doc_med,
                       doc_p99, doc_us[travellers - 1]);
                double cand_med = bench_quantile(name_cands, travellers, 0.5);
                double cand_p99 = bench_quantile(name_cands, travellers, 0.99);

                printf("| candidate names per traveller: median / p99 / max | %.0f / %.0f / %.0f "
                       "|\n",
                       cand_med, cand_p99, name_cands[travellers - 1]);
        }
        {
                pf_screen_stats_t st;
                double n = (double)travellers * 2.0; /* names and documents calls */

                pf_screener_stats(scr, &st);
                (void)n;
                printf("| per traveller (names): keys / postings read / candidates / scored | "
                       "%.1f / %.1f / %.1f / %.1f |\n",
                       (double)st.keys / (double)travellers,
                       (double)st.postings / (double)travellers,
                       (double)st.candidates / (double)travellers,
                       (double)st.scored / (double)travellers);
                printf("| per traveller, by key kind (full, pair, mono, initial, typo, single): "
                       "postings read / new candidates |");
                for (int k = 0; k < 6; k++)
                        printf(" %.1f/%.1f", (double)st.by_kind[k][0] / (double)travellers,
                               (double)st.by_kind[k][1] / (double)travellers);
                printf(" |\n");
        }
        printf("| name variants found | %zu of %zu |\n", name_hits, (travellers + 1) / 2);
        printf("| unlisted names with a match | %zu of %zu |\n", name_false, travellers / 2);
        printf("| listed documents found / unlisted matched | %zu / %zu |\n", doc_hits, doc_false);
        free(name_us);
        free(doc_us);
        free(name_cands);
        pf_screener_destroy(scr);
        pf_watchlist_destroy(wl);
        return 0;
}
