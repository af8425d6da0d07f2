/**
 * @file fuzz_hist_decode.c
 * @brief libFuzzer target: pf_hist_decode() on untrusted bytes.
 *
 * Besides what the sanitizers catch, it checks the codec's contract: whatever decodes must
 * encode (pf_hist_encode() accepts every history pf_hist_decode() returns), and the encoding is
 * canonical, so re-encoding gives back exactly the input bytes, which decode to the same history.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined fuzz/fuzz_hist_decode.c state/hist.c
 *        workers/err.c -o fuzz_hist_decode
 * Run:   ./fuzz_hist_decode fuzz/corpus/hist_decode
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../state/hist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        pf_hist_t hist, again;
        size_t len;

        if (pf_hist_decode(data, size, &hist) != PF_OK)
                return 0;
        len = pf_hist_encode(&hist, buf, sizeof(buf));
        if (len == 0)
                abort(); /* decoded but not encodable */
        if (len != size || memcmp(buf, data, size) != 0)
                abort(); /* not canonical */
        if (pf_hist_decode(buf, len, &again) != PF_OK)
                abort();
        if (memcmp(&again, &hist, sizeof(hist)) != 0)
                abort(); /* decode is not a function of the bytes */
        return 0;
}
