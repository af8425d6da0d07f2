/**
 * @file evfile.h
 * @brief The paxflow event file: recorded or generated messages with their topic role and key.
 *
 * Layout: the 8-byte magic "PFEVENT1", then records of
 *   u8 topic role (0 = events.api, 1 = events.pnr), u32 BE key length, key, u32 BE value length,
 *   value (the message value, normally the Confluent wire format).
 * Readers map the file and check every length against what is left.
 */
#ifndef PF_EVFILE_H
#define PF_EVFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct pf_evfile_s pf_evfile_t;

/** @brief Creates (truncates) @p path for writing. @returns NULL with errstr on failure. */
pf_evfile_t *pf_evfile_create(const char *path, char *errstr, size_t errstr_size);

/** @brief Appends one record. @returns 0 or -1 (errno set). */
int pf_evfile_write(pf_evfile_t *f, uint8_t topic, const void *key, size_t key_len,
                    const void *value, size_t value_len);

/** @brief Maps @p path for reading. @returns NULL with errstr on failure or a bad magic. */
pf_evfile_t *pf_evfile_open(const char *path, char *errstr, size_t errstr_size);

/**
 * @brief Reads the next record; pointers point into the mapping and stay valid until close.
 * @returns 1 for a record, 0 at the end, or -1 (PF_ERR_TRUNCATED) for a damaged file.
 */
int pf_evfile_next(pf_evfile_t *f, uint8_t *topic, const void **key, size_t *key_len,
                   const void **value, size_t *value_len);

/** @brief Rewinds a reader to its first record. */
void pf_evfile_rewind(pf_evfile_t *f);

/** @brief Flushes and closes (a writer) or unmaps (a reader). @returns 0 or -1. NULL is a no-op. */
int pf_evfile_close(pf_evfile_t *f);

#endif /* PF_EVFILE_H */
