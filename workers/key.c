/**
 * @file key.c
 * @brief Keyed BLAKE2b traveller keys and digests (libsodium crypto_generichash).
 *
 * The secret lives in one heap block that is mlock()ed when the system allows it (best effort:
 * containers often have a tiny RLIMIT_MEMLOCK) and wiped on destroy. The hashing functions use a
 * crypto_generichash_state on the stack and stream the parts into it, so no buffer ever holds the
 * concatenated personal data.
 */
#define _POSIX_C_SOURCE 200809L /* open, fstat, read, XSI strerror_r */

#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define PF_KEY_DIGEST_HASH_BYTES 16 /* crypto_generichash_BYTES_MIN; the digest keeps 8 */
#define PF_KEY_COUNTRY_MAX       3  /* "FRA" */

/* Domain tags; each ends in its NUL so no tag is a prefix of another's input. */
static const uint8_t pf_key_tag_trav[] = {'t', 'r', 'a', 'v', '\0'};
static const uint8_t pf_key_tag_dig[] = {'d', 'i', 'g', '\0'};

struct pf_key_s {
        uint8_t secret[PF_KEY_SECRET_MAX];
        size_t secret_len;
        bool locked; /* secret[] is mlock()ed */
};

/* Static checks of the assumptions the layout relies on. */
_Static_assert(PF_KEY_SECRET_MIN >= crypto_generichash_KEYBYTES_MIN, "secret too short");
_Static_assert(PF_KEY_SECRET_MAX <= crypto_generichash_KEYBYTES_MAX, "secret too long");
_Static_assert(PF_KEY_BYTES >= crypto_generichash_BYTES_MIN, "key too short");
_Static_assert(PF_KEY_HEX_SIZE == 2 * PF_KEY_BYTES + 1, "hex size");

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
pf_key_errstr(char *errstr, size_t errstr_size, const char *fmt, ...) {
        va_list ap;

        if (errstr == NULL || errstr_size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
}

pf_key_t *pf_key_new(const uint8_t *secret, size_t secret_len, char *errstr, size_t errstr_size) {
        pf_key_t *key = NULL;

        if (sodium_init() < 0) {
                pf_key_errstr(errstr, errstr_size, "libsodium failed to initialise");
                goto err;
        }
        if (secret == NULL || secret_len < PF_KEY_SECRET_MIN || secret_len > PF_KEY_SECRET_MAX) {
                pf_key_errstr(errstr, errstr_size,
                              "secret is %zu bytes long; it must be %d to %d bytes",
                              secret == NULL ? (size_t)0 : secret_len, PF_KEY_SECRET_MIN,
                              PF_KEY_SECRET_MAX);
                goto err;
        }
        key = calloc(1, sizeof(*key));
        if (key == NULL) {
                pf_key_errstr(errstr, errstr_size, "out of memory allocating the key");
                goto err;
        }
        key->locked = sodium_mlock(key->secret, sizeof(key->secret)) == 0;
        memcpy(key->secret, secret, secret_len);
        key->secret_len = secret_len;
        return key;

err:
        pf_key_destroy(key);
        return NULL;
}

void pf_key_destroy(pf_key_t *key) {
        if (key == NULL)
                return;
        sodium_memzero(key->secret, sizeof(key->secret));
        if (key->locked)
                sodium_munlock(key->secret, sizeof(key->secret));
        free(key);
}

/**
 * @brief Reads at most @p cap bytes of @p fd into @p buf.
 * @returns the number of bytes read, or -1 with errno set.
 */
static ssize_t pf_key_read_all(int fd, uint8_t *buf, size_t cap) {
        size_t n = 0;

        while (n < cap) {
                ssize_t r = read(fd, buf + n, cap - n);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -1;
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        return (ssize_t)n;
}

pf_key_t *pf_key_new_from_file(const char *path, char *errstr, size_t errstr_size) {
        uint8_t buf[PF_KEY_SECRET_MAX + 3]; /* "\r\n" + one byte to detect "too long" */
        char why[128];
        pf_key_t *key = NULL;
        struct stat st;
        ssize_t n = 0;
        size_t len;
        int fd = -1;

        if (path == NULL) {
                pf_key_errstr(errstr, errstr_size, "no secret file given");
                goto done;
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) != 0) {
                if (strerror_r(errno, why, sizeof(why)) != 0)
                        snprintf(why, sizeof(why), "errno %d", errno);
                pf_key_errstr(errstr, errstr_size, "secret file \"%s\": %s", path, why);
                goto done;
        }
        if (!S_ISREG(st.st_mode)) {
                pf_key_errstr(errstr, errstr_size, "secret file \"%s\" is not a regular file",
                              path);
                goto done;
        }
        n = pf_key_read_all(fd, buf, sizeof(buf));
        if (n < 0) {
                if (strerror_r(errno, why, sizeof(why)) != 0)
                        snprintf(why, sizeof(why), "errno %d", errno);
                pf_key_errstr(errstr, errstr_size, "secret file \"%s\": %s", path, why);
                goto done;
        }
        len = (size_t)n;
        if (len > 0 && buf[len - 1] == '\n') {
                len--;
                if (len > 0 && buf[len - 1] == '\r')
                        len--;
        }
        if (len < PF_KEY_SECRET_MIN || len > PF_KEY_SECRET_MAX) {
                pf_key_errstr(errstr, errstr_size,
                              "secret file \"%s\" holds %s%zu bytes (without the trailing "
                              "newline); it must hold %d to %d",
                              path, (size_t)n == sizeof(buf) ? "more than " : "",
                              (size_t)n == sizeof(buf) ? (size_t)PF_KEY_SECRET_MAX : len,
                              PF_KEY_SECRET_MIN, PF_KEY_SECRET_MAX);
                goto done;
        }
        key = pf_key_new(buf, len, errstr, errstr_size);

done:
        sodium_memzero(buf, sizeof(buf));
        if (fd >= 0)
                close(fd);
        return key;
}

/**
 * @brief Length of the NUL-terminated string in a fixed field of @p size bytes.
 * @returns PF_ERR_INVALID_VALUE when the field holds no NUL (never reads past it).
 */
static pf_err_t pf_key_field_len(const char *field, size_t size, size_t *len) {
        const char *nul = memchr(field, '\0', size);

        if (nul == NULL)
                return PF_ERR_INVALID_VALUE;
        *len = (size_t)(nul - field);
        return PF_OK;
}

/** @returns true for "", "YYYY", "YYYY-MM" and "YYYY-MM-DD" (digits and dashes only). */
static bool pf_key_dob_shape_ok(const char *dob, size_t len) {
        if (len != 0 && len != 4 && len != 7 && len != 10)
                return false;
        for (size_t i = 0; i < len; i++) {
                bool dash = i == 4 || i == 7;

                if (dash ? dob[i] != '-' : (dob[i] < '0' || dob[i] > '9'))
                        return false;
        }
        return true;
}

/** @brief Normalises the name in a fixed event field into @p out. */
static pf_err_t pf_key_norm_field(pf_norm_t *norm, const char *field, size_t field_size, char *out,
                                  size_t out_size, size_t *out_len) {
        size_t in_len;
        pf_err_t err;

        err = pf_key_field_len(field, field_size, &in_len);
        if (err != PF_OK)
                return err;
        return pf_norm_name(norm, field, in_len, out, out_size, out_len);
}

pf_err_t pf_key_traveller(const pf_key_t *key, pf_norm_t *norm, const pf_event_t *ev,
                          uint8_t out[PF_KEY_BYTES]) {
        static const uint8_t nul = 0;
        char surname[PF_NORM_NAME_OUT_SIZE];
        char given[PF_NORM_NAME_OUT_SIZE];
        size_t surname_len, given_len, dob_len;
        crypto_generichash_state state;
        pf_err_t err;
        int rc;

        if (out != NULL)
                memset(out, 0, PF_KEY_BYTES);
        if (key == NULL || norm == NULL || ev == NULL || out == NULL)
                return PF_ERR_INTERNAL;

        err = pf_key_norm_field(norm, ev->traveller.surname, sizeof(ev->traveller.surname), surname,
                                sizeof(surname), &surname_len);
        if (err != PF_OK)
                return err;
        err = pf_key_norm_field(norm, ev->traveller.given_names, sizeof(ev->traveller.given_names),
                                given, sizeof(given), &given_len);
        if (err == PF_ERR_MISSING_FIELD)
                given_len = 0; /* mononymous traveller */
        else if (err != PF_OK)
                return err;
        err = pf_key_field_len(ev->traveller.date_of_birth, sizeof(ev->traveller.date_of_birth),
                               &dob_len);
        if (err != PF_OK || !pf_key_dob_shape_ok(ev->traveller.date_of_birth, dob_len))
                return PF_ERR_INVALID_VALUE;

        rc = crypto_generichash_init(&state, key->secret, key->secret_len, PF_KEY_BYTES);
        rc |= crypto_generichash_update(&state, pf_key_tag_trav, sizeof(pf_key_tag_trav));
        rc |= crypto_generichash_update(&state, (const uint8_t *)surname, surname_len);
        rc |= crypto_generichash_update(&state, &nul, 1);
        rc |= crypto_generichash_update(&state, (const uint8_t *)given, given_len);
        rc |= crypto_generichash_update(&state, &nul, 1);
        rc |= crypto_generichash_update(&state, (const uint8_t *)ev->traveller.date_of_birth,
                                        dob_len);
        rc |= crypto_generichash_final(&state, out, PF_KEY_BYTES);
        if (rc != 0) {
                memset(out, 0, PF_KEY_BYTES);
                return PF_ERR_INTERNAL;
        }
        return PF_OK;
}

uint64_t pf_key_digest(const pf_key_t *key, const char *domain, const void *data, size_t len) {
        static const uint8_t nul = 0;
        uint8_t hash[PF_KEY_DIGEST_HASH_BYTES];
        crypto_generichash_state state;
        uint64_t digest = 0;
        int rc;

        if (key == NULL || (data == NULL && len > 0))
                return 0;
        if (domain == NULL)
                domain = "";
        rc = crypto_generichash_init(&state, key->secret, key->secret_len, sizeof(hash));
        rc |= crypto_generichash_update(&state, pf_key_tag_dig, sizeof(pf_key_tag_dig));
        rc |= crypto_generichash_update(&state, (const uint8_t *)domain, strlen(domain));
        rc |= crypto_generichash_update(&state, &nul, 1);
        if (len > 0)
                rc |= crypto_generichash_update(&state, data, len);
        rc |= crypto_generichash_final(&state, hash, sizeof(hash));
        if (rc != 0)
                return 0;
        for (size_t i = 0; i < sizeof(digest); i++)
                digest |= (uint64_t)hash[i] << (8 * i);
        return digest;
}

pf_err_t pf_key_digest_doc(const pf_key_t *key, const char *number, size_t number_len,
                           const char *issuing_country, uint64_t *out) {
        /* docnum + '|' + country: PF_NORM_DOCNUM_IN_MAX + 1 + 3, plus the NUL */
        char data[PF_NORM_DOCNUM_IN_MAX + 1 + PF_KEY_COUNTRY_MAX + 1];
        size_t len, country_len = 0;
        pf_err_t err;

        if (out != NULL)
                *out = 0;
        if (key == NULL || issuing_country == NULL || out == NULL)
                return PF_ERR_INTERNAL;
        while (country_len <= PF_KEY_COUNTRY_MAX && issuing_country[country_len] != '\0')
                country_len++;
        if (country_len > PF_KEY_COUNTRY_MAX)
                return PF_ERR_INVALID_VALUE;
        err = pf_norm_docnum(number, number_len, data, PF_NORM_DOCNUM_IN_MAX + 1, &len);
        if (err != PF_OK)
                return err;
        data[len++] = '|';
        memcpy(data + len, issuing_country, country_len);
        len += country_len;
        *out = pf_key_digest(key, "doc", data, len);
        return PF_OK;
}

void pf_key_hex(const uint8_t key[PF_KEY_BYTES], char out[PF_KEY_HEX_SIZE]) {
        sodium_bin2hex(out, PF_KEY_HEX_SIZE, key, PF_KEY_BYTES);
}
