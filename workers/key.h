/**
 * @file key.h
 * @brief Pseudonymous keys: keyed BLAKE2b (libsodium crypto_generichash) over normalised data.
 *
 * paxflow never stores a traveller's name, document number, phone or e-mail in clear. State is
 * indexed by a traveller key derived from the normalised name and date of birth, and documents and
 * contacts are remembered as keyed 64-bit digests. Without the operator's secret these values
 * cannot be recomputed from a guessed name; with it they are stable across restarts and workers.
 *
 * Inputs hashed (every part is prefix-free, so distinct inputs never hash the same bytes):
 *   traveller key: H16(secret, "trav\0" || surname || "\0" || given_names || "\0" || dob)
 *   digest:        first 8 bytes, little-endian, of H16(secret, "dig\0" || domain || "\0" || data)
 * where H16 is 16-byte keyed BLAKE2b and names are pf_norm_name() forms (A-Z and spaces).
 * Changing either layout changes every key: it is part of the state format.
 *
 * Thread-safety: a pf_key_t is read-only after creation and may be shared by threads; the
 * pf_norm_t passed to pf_key_traveller() is per thread.
 */
#ifndef PF_KEY_H
#define PF_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"
#include "normalize.h"

#define PF_KEY_BYTES      16 /**< traveller key length, raw */
#define PF_KEY_HEX_SIZE   33 /**< 32 hex chars + NUL */
#define PF_KEY_SECRET_MIN 16 /**< shortest accepted secret, bytes */
#define PF_KEY_SECRET_MAX 64 /**< longest accepted secret, bytes (BLAKE2b key limit) */

/** The operator's secret. */
typedef struct pf_key_s pf_key_t;

/**
 * @brief Reads the secret from a regular file: its raw bytes, minus one trailing "\n" or "\r\n".
 *
 * A binary secret that really ends in 0x0A loses that byte: generate secrets as text (for
 * example `head -c 48 /dev/urandom | base64 > secret`). The secret's bytes never appear in
 * errstr; the path and the length may.
 *
 * @returns a key the caller frees with pf_key_destroy(), or NULL with a reason in errstr
 *          (missing or unreadable file, not a regular file, fewer than PF_KEY_SECRET_MIN or more
 *          than PF_KEY_SECRET_MAX bytes, libsodium initialisation failure).
 */
pf_key_t *pf_key_new_from_file(const char *path, char *errstr, size_t errstr_size);

/**
 * @brief Makes a key from @p secret_len bytes at @p secret (copied; the caller wipes its copy).
 * @returns a key the caller frees with pf_key_destroy(), or NULL with a reason in errstr.
 */
pf_key_t *pf_key_new(const uint8_t *secret, size_t secret_len, char *errstr, size_t errstr_size);

/** @brief Wipes the secret (sodium_memzero) and frees the key; NULL is a no-op. */
void pf_key_destroy(pf_key_t *key);

/**
 * @brief Computes the traveller key of @p ev's traveller.
 *
 * H(secret, "trav\0" || norm(surname) || "\0" || norm(given_names) || "\0" || dob), where dob is
 * the date of birth as given ("YYYY-MM-DD", "YYYY-MM", "YYYY" or ""; only its shape is checked).
 * The document is deliberately left out, so that one person seen with different documents keeps
 * one history; note that "1980" and "1980-05-17" are different dobs and so different keys.
 * Given names keep their token order; given names that normalise to nothing count as "".
 *
 * Allocates nothing itself (stack buffers, hash state on the stack); a non-ASCII name goes
 * through ICU, which allocates internally.
 *
 * @param key  the secret (shared, read-only).
 * @param norm this thread's normaliser.
 * @param ev   the event; only ev->traveller is read.
 * @param out  receives the key (zeroes on error).
 *
 * @returns PF_OK;
 *          PF_ERR_MISSING_FIELD the surname normalises to nothing;
 *          PF_ERR_BAD_UTF8      a name is not valid UTF-8;
 *          PF_ERR_INVALID_VALUE a name or the dob is not NUL-terminated in its field, or the dob
 *                               has another shape;
 *          PF_ERR_TOO_LARGE     a normalised name does not fit (not expected with event sizes);
 *          PF_ERR_INTERNAL      a NULL argument or a libsodium/ICU failure.
 */
pf_err_t pf_key_traveller(const pf_key_t *key, pf_norm_t *norm, const pf_event_t *ev,
                          uint8_t out[PF_KEY_BYTES]);

/**
 * @brief Keyed 64-bit digest of @p data in @p domain ("doc", "phone", "email", "card"...).
 *
 * Same data in different domains gives unrelated digests. The value is the first 8 bytes of the
 * hash read as little-endian, so it is the same on every platform and may be stored.
 * For "doc" build the data with pf_key_digest_doc().
 *
 * @param domain a NUL-terminated domain name (NULL counts as "").
 * @param data   @p len bytes; may be NULL when len is 0.
 * @returns the digest (0 only by chance, or if libsodium fails).
 */
uint64_t pf_key_digest(const pf_key_t *key, const char *domain, const void *data, size_t len);

/**
 * @brief Digest of a travel document in domain "doc": data is pf_norm_docnum(number) + "|" +
 * issuing_country, so "AB 123-456" and "ab123456" issued by the same country are one document.
 *
 * @param number          document number bytes (need not be NUL-terminated).
 * @param number_len      bytes in @p number.
 * @param issuing_country NUL-terminated country code as in the event ("FRA"); "" when unknown.
 * @param out             receives the digest (0 on error).
 * @returns PF_OK or an error of pf_norm_docnum(); PF_ERR_INVALID_VALUE when issuing_country is
 *          longer than 3 bytes; PF_ERR_INTERNAL for a NULL argument.
 */
pf_err_t pf_key_digest_doc(const pf_key_t *key, const char *number, size_t number_len,
                           const char *issuing_country, uint64_t *out);

/** @brief Hex-encodes a raw traveller key, lower case, NUL-terminated. */
void pf_key_hex(const uint8_t key[PF_KEY_BYTES], char out[PF_KEY_HEX_SIZE]);

#endif /* PF_KEY_H */
