/**
 * @file test_rulelang.c
 * @brief The rule compiler: the shipped default set compiles, every broken file in
 *        tests/data/rules/bad/ is rejected at the line:col its "# expect:" comment names, and
 *        inline cases cover the grammar and the limits.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rulelang.h"

/** @returns the repository root (from this file's path), with a trailing '/'. */
static void repo_path(char *out, size_t size, const char *rel) {
        const char *me = __FILE__;
        const char *cut = strstr(me, "tests/workers/test_rulelang.c");

        snprintf(out, size, "%.*s%s", cut ? (int)(cut - me) : 0, me, rel);
}

static char *read_file(const char *path, size_t *len) {
        FILE *f = fopen(path, "rb");
        char *buf = malloc(PF_RULELANG_FILE_MAX + 1);

        assert_non_null(f);
        assert_non_null(buf);
        *len = fread(buf, 1, PF_RULELANG_FILE_MAX, f);
        buf[*len] = '\0';
        fclose(f);
        return buf;
}

static void test_default_compiles(void **state) {
        char path[1024], err[512], id[8];
        size_t len;
        char *text;
        pf_ruleset_t *rs;

        (void)state;
        repo_path(path, sizeof(path), "rules/default.rules");
        text = read_file(path, &len);
        rs = pf_ruleset_compile(text, len, "default.rules", err, sizeof(err));
        if (!rs)
                print_message("%s\n", err);
        assert_non_null(rs);
        assert_string_equal(pf_ruleset_version(rs), "2026-11-30.2");
        assert_int_equal(pf_ruleset_rule_count(rs), 18);
        for (uint32_t i = 0; i < 18; i++) {
                snprintf(id, sizeof(id), "R%02u", i + 1);
                assert_string_equal(pf_ruleset_rule_id(rs, i), id);
        }
        assert_null(pf_ruleset_rule_id(rs, 18));
        pf_ruleset_destroy(rs);
        /* Every prefix either compiles or fails cleanly (no crash, no leak under ASan). */
        for (size_t n = 0; n < len; n += 7) {
                rs = pf_ruleset_compile(text, n, "p", err, sizeof(err));
                if (!rs)
                        assert_non_null(strstr(err, "p:"));
                pf_ruleset_destroy(rs);
        }
        free(text);
}

static void test_bad_files(void **state) {
        char dir[1024], path[1400], err[512], want_pos[320], *text;
        struct dirent *de;
        DIR *d;
        int seen = 0;

        (void)state;
        repo_path(dir, sizeof(dir), "tests/data/rules/bad");
        d = opendir(dir);
        assert_non_null(d);
        while ((de = readdir(d)) != NULL) {
                size_t nlen = strlen(de->d_name), len;
                int line, col, off = 0;
                const char *msg;

                if (nlen < 7 || strcmp(de->d_name + nlen - 6, ".rules") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                text = read_file(path, &len);
                print_message("bad file: %s\n", de->d_name);
                assert_int_equal(sscanf(text, "# expect: %d:%d %n", &line, &col, &off), 2);
                assert_true(off > 0);
                msg = text + off;
                char *nl = strchr(text, '\n');
                char want_msg[256];
                snprintf(want_msg, sizeof(want_msg), "%.*s", (int)(nl - msg), msg);
                assert_null(pf_ruleset_compile(text, len, de->d_name, err, sizeof(err)));
                snprintf(want_pos, sizeof(want_pos), "%s:%d:%d: ", de->d_name, line, col);
                print_message("  got: %s\n", err);
                assert_true(strncmp(err, want_pos, strlen(want_pos)) == 0);
                assert_non_null(strstr(err, want_msg));
                free(text);
                seen++;
        }
        closedir(d);
        assert_true(seen >= 7);
}

/** Inline cases: text (after a ruleset line) and the expected "line:col" or NULL = compiles. */
static const struct {
        const char *text;
        const char *want; /**< "L:C: substring" or NULL */
} inline_cases[] = {
        {"", NULL},
        {"rule A version 1 category X weight 0 when true reason \"\"", NULL},
        {"rule A version 1 category X weight 5 cap 10 per 1h when true reason \"a "
         "{event.carrier}\"",
         NULL},
        {"list l = [\"B\", \"A\"] rule A version 1 category X weight 5 when "
         "event.carrier in l reason \"x\"",
         NULL},
        {"rule A version 1 category X weight 5 let n = count(trips within 30d) when n > 1 and "
         "distinct(trip.destination_country of trips within 90d) >= 2 reason \"{n}\"",
         NULL},
        {"rule A version 1 category X weight 5 when max(leg.arrival of legs) - "
         "min(leg.departure of legs) > 2d reason \"x {leg.origin_airport}\"",
         NULL},
        {"rule A version 1 category X weight 5 when 1 reason \"x\"",
         "2:43: 'when' needs a boolean"},
        {"rule A version 1 category x weight 5 when true reason \"x\"", "2:27: capitals"},
        {"rule A version 1 category X weight 5 when true reason \"{trip.carrier}\"",
         "2:57: no aggregate over trips"},
        {"rule A version 1 category X weight 5 when true reason \"a } b\"", "2:58: unmatched '}'"},
        {"rule A version 1 category X weight 5 when true reason \"a {b\"",
         "2:58: unterminated '{'"},
        {"rule A version 1 category X weight 5 when exists(legs within 3d) reason \"x\"",
         "2:55: 'within' applies to trips only"},
        {"rule A version 1 category X weight 5 when event.carrier < \"LH\" reason \"x\"",
         "2:57: only be compared with == or !="},
        {"rule A version 1 category X weight 5 when event.carrier == 3 reason \"x\"",
         "2:57: type mismatch"},
        {"rule A version 1 category X weight 5 when not 3 reason \"x\"", "2:47: 'not' needs"},
        {"rule A version 1 category X weight 5 when true and 3 reason \"x\"",
         "2:52: 'and' needs booleans"},
        {"rule A version 1 category X weight 5 when foo reason \"x\"", "2:43: unknown name 'foo'"},
        {"rule A version 1 category X weight 5 when sum(legs) > 1 reason \"x\"",
         "2:43: unknown aggregate 'sum'"},
        {"rule A version 1 category X weight 5 when 12x reason \"x\"", "2:45: duration unit"},
        {"rule A version 1 category X weight 5 when true reason \"x\" junk",
         "2:59: expected 'rule'"},
        {"rule A version 1 category X weight 5 when ((((((((((((((((((((((((((((((((((true"
         "))))))))))))))))))))))))))))))))) reason \"x\"",
         "nested too deeply"},
        {"list l = [] ", "2:11: expected a quoted list entry"},
        {"rule A version 1 category X weight 5 when true reason \"x\" ! ", "2:59: unexpected '!'"},
};

static void test_inline(void **state) {
        char text[2048], err[512], want[64];

        (void)state;
        for (size_t i = 0; i < sizeof(inline_cases) / sizeof(inline_cases[0]); i++) {
                pf_ruleset_t *rs;
                const char *want_msg;

                snprintf(text, sizeof(text), "ruleset \"t\"\n%s", inline_cases[i].text);
                rs = pf_ruleset_compile(text, strlen(text), "f", err, sizeof(err));
                print_message("inline case %zu: %s\n", i, rs ? "compiles" : err);
                if (!inline_cases[i].want) {
                        assert_non_null(rs);
                        pf_ruleset_destroy(rs);
                        continue;
                }
                assert_null(rs);
                want_msg = strchr(inline_cases[i].want, ' ');
                if (inline_cases[i].want[0] >= '0' && inline_cases[i].want[0] <= '9') {
                        snprintf(want, sizeof(want), "f:%.*s",
                                 (int)(want_msg - inline_cases[i].want), inline_cases[i].want);
                        assert_true(strncmp(err, want, strlen(want)) == 0);
                        assert_non_null(strstr(err, want_msg + 1));
                } else {
                        assert_non_null(strstr(err, inline_cases[i].want));
                }
        }
}

static void test_header_errors(void **state) {
        char err[256];
        const char *no_ruleset = "rule A version 1 category X weight 5 when true reason \"x\"";

        (void)state;
        assert_null(pf_ruleset_compile(no_ruleset, strlen(no_ruleset), NULL, err, sizeof(err)));
        assert_string_equal(err, "<rules>:1:1: a rule file starts with 'ruleset \"<version>\"'");
        assert_null(pf_ruleset_compile(NULL, 3, "x", err, sizeof(err)));
        pf_rulelang_limits_t lim = {30LL * 86400000};
        const char *w = "ruleset \"v\" rule A version 1 category X weight 5 when "
                        "exists(trips within 31d) reason \"x\"";
        assert_null(pf_ruleset_compile_limits(w, strlen(w), "w", &lim, err, sizeof(err)));
        assert_non_null(strstr(err, "(30 days)"));
        pf_ruleset_destroy(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_compiles),
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_inline),
                cmocka_unit_test(test_header_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
