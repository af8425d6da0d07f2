/**
 * @file fuzz_watchlist_line.c
 * @brief libFuzzer target: arbitrary bytes as a watchlist file, in JSON Lines and in CSV mode.
 *
 * pf_watchlist_load_file() reads a path, so the bytes go to a memfd (no disk) reopened through
 * /proc/self/fd. The first input byte picks the mode: odd is CSV (the CSV header is prepended,
 * which is how the loader recognises CSV without a ".csv" name), even is JSON Lines. Checks, beyond
 * memory safety: the result is one of the documented codes; every error message starts with "path:"
 * and names a line; on error nothing is loaded (all or nothing); on success the stats agree with
 * what was loaded, and a traveller screened against the result does not crash.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../workers/screen.h"
#include "../workers/watchlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__);          \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

static const char fuzz_csv_header[] = "entry_id,list,category,severity,given_names,surname,"
                                      "date_of_birth,nationality,doc_type,doc_number,"
                                      "doc_issuing_country\n";

typedef struct fuzz_errs_s {
        const char *prefix;
        size_t count;
} fuzz_errs_t;

static void fuzz_on_error(void *opaque, const char *message) {
        fuzz_errs_t *errs = opaque;
        size_t n = strlen(errs->prefix);

        FUZZ_CHECK(strncmp(message, errs->prefix, n) == 0);
        errs->count++;
}

/** Loads @p head then @p data as a watchlist file into a fresh watchlist. */
static void fuzz_load(const char *head, const uint8_t *data, size_t size) {
        char path[64], errstr[256];
        int fd = memfd_create("pf_fuzz_wl", 0);
        pf_watchlist_t *wl;
        fuzz_errs_t errs = {.prefix = path};
        size_t loaded = 99;
        pf_wl_stats_t stats;
        pf_err_t err;

        if (fd < 0)
                return;
        if ((head[0] && write(fd, head, strlen(head)) != (ssize_t)strlen(head)) ||
            (size > 0 && write(fd, data, size) != (ssize_t)size)) {
                close(fd);
                return;
        }
        /* reopened by path: a new file description, read from the start */
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        wl = pf_watchlist_new(errstr, sizeof(errstr));
        FUZZ_CHECK(wl != NULL);
        err = pf_watchlist_load_file(wl, path, fuzz_on_error, &errs, &loaded);
        FUZZ_CHECK(err == PF_OK || err == PF_ERR_INVALID_VALUE || err == PF_ERR_NOMEM ||
                   err == PF_ERR_IO);
        pf_watchlist_stats(wl, &stats);
        if (err != PF_OK) {
                FUZZ_CHECK(loaded == 0 && stats.entries == 0 && stats.names == 0 &&
                           stats.documents == 0);
                FUZZ_CHECK(err != PF_ERR_INVALID_VALUE || errs.count > 0);
        } else {
                pf_screener_t *scr;
                /* Latin, Arabic-script and mixed travellers: the Latin ones meet entries
                 * written in Arabic script through pf_abjad_fits() */
                static const pf_screen_subject_t subjects[] = {
                        {.given_names = "John",
                         .surname = "Smith",
                         .date_of_birth = "1980-01-01",
                         .doc_number = "A1",
                         .doc_country = "GB"},
                        {.given_names = "Hussein Abdul Rahman", .surname = "Al Hassan"},
                        {.given_names = "Aisha", .surname = "Mansour", .date_of_birth = "1980"},
                        {.given_names = "\xD8\xAD\xD8\xB3\xD9\x86", .surname = "Yaqoub"},
                };
                pf_match_t m[PF_RESULT_MAX_MATCHES];
                size_t count;

                FUZZ_CHECK(errs.count == 0 && stats.entries <= loaded);
                scr = pf_screener_new(wl, 0.0, errstr, sizeof(errstr));
                FUZZ_CHECK(scr != NULL);
                for (size_t k = 0; k < sizeof(subjects) / sizeof(subjects[0]); k++) {
                        FUZZ_CHECK(pf_screen_subject(scr, &subjects[k], m, PF_RESULT_MAX_MATCHES,
                                                     &count, NULL) == PF_OK);
                        for (size_t i = 0; i < count; i++)
                                FUZZ_CHECK(m[i].confidence >= 0.0 && m[i].confidence <= 1.0);
                }
                pf_screener_destroy(scr);
        }
        pf_watchlist_destroy(wl);
        close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* The first byte picks the mode, so that the corpus keeps both. */
        if (size == 0)
                return 0;
        if (data[0] & 1)
                fuzz_load(fuzz_csv_header, data + 1, size - 1); /* CSV: known by its header */
        else
                fuzz_load("", data + 1, size - 1);
        return 0;
}
