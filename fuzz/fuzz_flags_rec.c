/**
 * @file fuzz_flags_rec.c
 * @brief libFuzzer target: pf_flags_rec_parse() on untrusted records of the flags topic, and the
 * table fed with what parses.
 *
 * The input is one record: the first byte is the key's length, the key follows, the rest is the
 * value (an input whose first byte exceeds what follows is skipped). Besides what the sanitizers
 * catch, it checks the records' contract: whatever parses re-encodes (pf_flags_rec_flag(),
 * pf_flags_rec_progress()) to exactly the input bytes, and a table fed the record answers as the
 * header says: a flag at f is visible to another traveller at t exactly when f < t - delay and
 * never to its own, and the gate opens at t exactly when t - delay <= the progress.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined fuzz/fuzz_flags_rec.c workers/flags.c
 *        -o fuzz_flags_rec
 * Run:   ./fuzz_flags_rec fuzz/corpus/flags_rec
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../workers/flags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** f < t - delay, without overflow. */
static int before(int64_t f, int64_t t, int64_t delay) {
        return f < t && (uint64_t)t - (uint64_t)f > (uint64_t)delay;
}

static void check_flag(const pf_flags_rec_t *rec, int64_t delay) {
        pf_flags_t *f = pf_flags_new(delay);
        if (!f)
                return;
        if (pf_flags_add(f, rec->digest, rec->flagger, rec->kind, rec->time) != 0)
                abort();
        if (pf_flags_count(f) != 1)
                abort();
        int64_t ts[] = {INT64_MIN,     INT64_MIN + 1, -1,        0,        1,
                        INT64_MAX - 1, INT64_MAX,     rec->time, rec->time};
        if (rec->time <= INT64_MAX - 1 - delay) {
                ts[7] = rec->time + delay;
                ts[8] = rec->time + delay + 1;
        }
        for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
                if (pf_flags_visible(f, rec->digest, rec->flagger, ts[i]))
                        abort(); /* its own flag */
                if (pf_flags_visible(f, rec->digest, rec->flagger + 1, ts[i]) !=
                    before(rec->time, ts[i], delay))
                        abort();
                if (pf_flags_visible(f, rec->digest + 1, rec->flagger + 1, ts[i]) ||
                    pf_flags_visible(f, 0, rec->flagger + 1, ts[i]))
                        abort(); /* another digest */
        }
        pf_flags_destroy(f);
}

static void check_progress(const pf_flags_rec_t *rec, int64_t delay) {
        pf_flags_t *f = pf_flags_new(delay);
        if (!f)
                return;
        pf_flags_set_parts(f, rec->partition + 1);
        if (rec->partition > 0 && pf_flags_progress_min(f) != PF_FLAGS_NONE)
                abort(); /* unknown partitions hold the gate */
        for (int32_t p = 0; p < rec->partition; p++)
                pf_flags_progress(f, p, INT64_MAX);
        pf_flags_progress(f, rec->partition, rec->time);
        int64_t m = pf_flags_progress_min(f);
        if (m != rec->time && !(rec->time == INT64_MIN && m == PF_FLAGS_NONE))
                abort();
        pf_flags_progress(f, rec->partition, INT64_MIN); /* lower: ignored */
        if (pf_flags_progress_min(f) != m)
                abort();
        int64_t ts[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX, m, m};
        if (m <= INT64_MAX - 1 - delay) {
                ts[7] = m + delay;
                ts[8] = m + delay + 1;
        }
        for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
                int want = m != PF_FLAGS_NONE && !before(m, ts[i], delay);
                if (pf_flags_may_apply(f, ts[i]) != want)
                        abort();
        }
        pf_flags_destroy(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || data[0] > size - 1)
                return 0;
        size_t key_len = data[0], val_len = size - 1 - key_len;
        /* exact-size copies, so that reading past either length is caught */
        uint8_t *key = malloc(key_len ? key_len : 1), *val = malloc(val_len ? val_len : 1);
        if (!key || !val)
                abort();
        memcpy(key, data + 1, key_len);
        memcpy(val, data + 1 + key_len, val_len);

        pf_flags_rec_t rec;
        if (pf_flags_rec_parse(key, key_len, val, val_len, &rec) == 0) {
                if (rec.progress) {
                        uint8_t k[PF_FLAGS_PG_KEY_LEN], v[PF_FLAGS_PG_VAL_LEN];
                        if (key_len != sizeof(k) || val_len != sizeof(v) || rec.partition < 0 ||
                            rec.partition >= PF_FLAGS_MAX_PARTS)
                                abort();
                        pf_flags_rec_progress(k, v, rec.partition, rec.time);
                        if (memcmp(k, key, key_len) != 0 || memcmp(v, val, val_len) != 0)
                                abort(); /* not canonical */
                        check_progress(&rec, 0);
                        check_progress(&rec, PF_FLAGS_DELAY_MS);
                        check_progress(&rec, INT64_MAX);
                } else {
                        uint8_t k[PF_FLAGS_KEY_LEN], v[PF_FLAGS_VAL_LEN];
                        if (key_len != sizeof(k) || val_len != sizeof(v) || rec.digest == 0 ||
                            rec.kind < PF_FLAG_PHONE || rec.kind > PF_FLAG_BOOKING)
                                abort();
                        pf_flags_rec_flag(k, v, rec.digest, rec.flagger, rec.kind, rec.time);
                        if (memcmp(k, key, key_len) != 0 || memcmp(v, val, val_len) != 0)
                                abort(); /* not canonical */
                        check_flag(&rec, 0);
                        check_flag(&rec, PF_FLAGS_DELAY_MS);
                        check_flag(&rec, INT64_MAX);
                }
        }
        /* a tombstone never parses */
        if (pf_flags_rec_parse(key, key_len, NULL, 0, &rec) == 0)
                abort();
        free(key);
        free(val);
        return 0;
}
