/**
 * @file fuzz_rulelang.c
 * @brief libFuzzer target: pf_ruleset_compile() on arbitrary text, then one evaluation of
 *        whatever compiles on a fixed event and empty history.
 *
 * Checks beyond the sanitizers: a rejected file always has a "file:line:col: " message.
 *
 * Run: ./fuzz_rulelang fuzz/corpus/rulelang
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../workers/ruleeval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static pf_event_t ev;
        static pf_hist_t hist;
        static pf_result_t res;
        pf_rule_input_t in;
        char err[256];
        pf_ruleset_t *rs;

        rs = pf_ruleset_compile((const char *)data, size, "f", err, sizeof(err));
        if (!rs) {
                if (strncmp(err, "f:", 2) != 0)
                        abort();
                return 0;
        }
        pf_event_clear(&ev);
        pf_hist_init(&hist);
        ev.has_booking = true;
        ev.booking.leg_count = 1;
        pf_rule_input_fill(&in, &ev, &hist, &res);
        res.hit_count = 0;
        pf_ruleset_eval(rs, &in, &res);
        pf_ruleset_destroy(rs);
        return 0;
}
