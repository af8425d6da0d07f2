/**
 * @file test_score.c
 * @brief Band thresholds from the settings: applied to scores, and refused unless they rise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../workers/config.h"
#include "../../workers/score.h"

static pf_band_t band_of(const pf_bands_t *bands, int weight) {
        pf_result_t res;
        memset(&res, 0, sizeof(res));
        if (weight > 0) {
                res.hit_count = 1;
                res.hits[0].weight = weight;
        }
        pf_score_apply(bands, &res);
        return res.band;
}

static void test_defaults_and_custom(void **state) {
        (void)state;
        char errstr[256];
        pf_conf_t *conf = pf_conf_new();
        pf_bands_t bands;
        assert_int_equal(pf_bands_from_conf(conf, &bands, errstr, sizeof(errstr)), 0);
        assert_int_equal(band_of(&bands, 0), PF_BAND_NONE);
        assert_int_equal(band_of(&bands, 45), PF_BAND_MEDIUM);
        assert_int_equal(band_of(&bands, 60), PF_BAND_HIGH);
        assert_int_equal(pf_conf_set(conf, "band.medium.min", "50", errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_conf_set(conf, "band.high.min", "70", errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_bands_from_conf(conf, &bands, errstr, sizeof(errstr)), 0);
        assert_int_equal(band_of(&bands, 45), PF_BAND_LOW); /* below the raised MEDIUM */
        assert_int_equal(band_of(&bands, 60), PF_BAND_MEDIUM);
        assert_int_equal(band_of(&bands, 70), PF_BAND_HIGH);
        pf_conf_destroy(conf);
}

static void test_must_rise(void **state) {
        (void)state;
        char errstr[256];
        pf_conf_t *conf = pf_conf_new();
        pf_bands_t bands;
        assert_int_equal(pf_conf_set(conf, "band.critical.min", "60", errstr, sizeof(errstr)),
                         PF_OK);
        assert_int_equal(pf_bands_from_conf(conf, &bands, errstr, sizeof(errstr)), -1);
        assert_non_null(strstr(errstr, "band.critical.min"));
        assert_non_null(strstr(errstr, "band.high.min"));
        pf_conf_destroy(conf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_and_custom),
                cmocka_unit_test(test_must_rise),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
