/**
 * @file evfile.c
 * @brief The paxflow event file.
 */
#define _POSIX_C_SOURCE 200809L
#include "evfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PF_EVFILE_MAGIC "PFEVENT1"

struct pf_evfile_s {
        FILE *fp;           /* writer */
        const uint8_t *map; /* reader */
        size_t size, pos;
};

pf_evfile_t *pf_evfile_create(const char *path, char *errstr, size_t errstr_size) {
        pf_evfile_t *f = calloc(1, sizeof(*f));
        if (!f || !(f->fp = fopen(path, "wb"))) {
                snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
                free(f);
                return NULL;
        }
        setvbuf(f->fp, NULL, _IOFBF, 1 << 20);
        fwrite(PF_EVFILE_MAGIC, 1, 8, f->fp);
        return f;
}

static void evfile_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

int pf_evfile_write(pf_evfile_t *f, uint8_t topic, const void *key, size_t key_len,
                    const void *value, size_t value_len) {
        uint8_t hdr[5];
        if (key_len > UINT32_MAX || value_len > UINT32_MAX) {
                errno = EFBIG;
                return -1;
        }
        hdr[0] = topic;
        evfile_be32(hdr + 1, (uint32_t)key_len);
        if (fwrite(hdr, 1, 5, f->fp) != 5 || fwrite(key, 1, key_len, f->fp) != key_len)
                return -1;
        evfile_be32(hdr, (uint32_t)value_len);
        if (fwrite(hdr, 1, 4, f->fp) != 4 || fwrite(value, 1, value_len, f->fp) != value_len)
                return -1;
        return 0;
}

pf_evfile_t *pf_evfile_open(const char *path, char *errstr, size_t errstr_size) {
        struct stat st;
        pf_evfile_t *f = calloc(1, sizeof(*f));
        int fd = open(path, O_RDONLY);
        if (!f || fd < 0 || fstat(fd, &st)) {
                snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
                goto err;
        }
        f->size = (size_t)st.st_size;
        if (f->size < 8) {
                snprintf(errstr, errstr_size, "%s: not a paxflow event file (too short)", path);
                goto err;
        }
        void *map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
                snprintf(errstr, errstr_size, "%s: mmap: %s", path, strerror(errno));
                goto err;
        }
        f->map = map;
        close(fd);
        fd = -1;
        if (memcmp(f->map, PF_EVFILE_MAGIC, 8) != 0) {
                snprintf(errstr, errstr_size, "%s: not a paxflow event file (bad magic)", path);
                goto err;
        }
        f->pos = 8;
        return f;
err:
        if (fd >= 0)
                close(fd);
        pf_evfile_close(f);
        return NULL;
}

static uint32_t evfile_rd32(const uint8_t *p) {
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int pf_evfile_next(pf_evfile_t *f, uint8_t *topic, const void **key, size_t *key_len,
                   const void **value, size_t *value_len) {
        size_t left = f->size - f->pos;
        if (left == 0)
                return 0;
        if (left < 5)
                return -1;
        const uint8_t *p = f->map + f->pos;
        size_t kl = evfile_rd32(p + 1);
        if (kl > left - 5 || left - 5 - kl < 4)
                return -1;
        size_t vl = evfile_rd32(p + 5 + kl);
        if (vl > left - 9 - kl)
                return -1;
        *topic = p[0];
        *key = p + 5;
        *key_len = kl;
        *value = p + 9 + kl;
        *value_len = vl;
        f->pos += 9 + kl + vl;
        return 1;
}

void pf_evfile_rewind(pf_evfile_t *f) {
        f->pos = 8;
}

int pf_evfile_close(pf_evfile_t *f) {
        int rc = 0;
        if (!f)
                return 0;
        if (f->fp && fclose(f->fp))
                rc = -1;
        if (f->map)
                munmap((void *)(uintptr_t)f->map, f->size);
        free(f);
        return rc;
}
