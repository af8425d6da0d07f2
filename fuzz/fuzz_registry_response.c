/**
 * @file fuzz_registry_response.c
 * @brief libFuzzer target for the body of a schema registry's `GET /schemas/ids/{id}` answer: any
 *        bytes give PF_OK with a NUL-free schema string, or an error with an empty schema, never a
 *        crash, a leak or an over-read (the input is not NUL-terminated).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char errstr[256];
        char *schema = NULL;
        pf_err_t err = pf_registry_parse_response((const char *)data, size, &schema, errstr,
                                                  sizeof(errstr));
        if (err == PF_OK) {
                if (!schema || !schema[0] || strlen(schema) > size)
                        abort();
        } else if (schema) {
                abort();
        }
        free(schema);
        return 0;
}
