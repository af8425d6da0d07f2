/**
 * @file watchlist.c
 * @brief The in-memory watchlist: storage, indexes, validation and file loading.
 *
 * Layout: every entry is one malloc'd block (a pf_wl_rec_t followed by its id, serialized names
 * and document keys), reached through a slot array. Three open-addressing tables point into
 * it: entry_id -> slot, document key -> slot (duplicates allowed: two lists may hold the same
 * document), and blocking key -> posting list of (name id, packed date of birth), a list of one
 * kept in the key's cell. A name array maps each name id to its serialized name, date and
 * nationality, so that the screener reads a candidate without its record. Deleted entries leave
 * tombstones in the first two tables and dead name ids in the postings; see
 * pf_wl_maybe_compact().
 */
#include "watchlist.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "normalize.h"
#include "screen.h"

#define PF_WL_EMPTY       UINT32_MAX
#define PF_WL_TOMB        (UINT32_MAX - 1)
#define PF_WL_ERRORS_MAX  1000
#define PF_WL_ERR_MSG_MAX 512

/* --- ISO 3166-1 alpha-2 <-> alpha-3 (plus the ICAO 9303 specials) ---------------------------- */

static const char pf_country_table[] =
        "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW "
        "AXALA AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN "
        "BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG "
        "CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE "
        "DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN "
        "FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL "
        "GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV "
        "HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM "
        "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO "
        "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE "
        "MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS "
        "MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL "
        "NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI "
        "PSPSE PTPRT PWPLW PYPRY QAQAT RERER ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN "
        "SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV "
        "SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON "
        "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN "
        "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM XKRKS YEYEM YTMYT ZAZAF ZMZMB ZWZWE";

/** Alpha-3 codes with no alpha-2: ICAO 9303 nationality codes and Kosovo's UNK. */
static const char pf_country_extra3[] = "GBD GBN GBO GBP GBS UNO UNA UNK XXA XXB XXC XXX EUE XOM";

/* Lookup tables built once from the two strings above: alpha-2 -> offset of its row (+1),
 * and which alpha-3 codes exist. */
static uint16_t pf_country_a2[26 * 26];
static uint8_t pf_country_a3[26 * 26 * 26];
static pthread_once_t pf_country_once = PTHREAD_ONCE_INIT;

static void pf_country_init(void) {
        for (const char *p = pf_country_table; *p; p += p[5] ? 6 : 5) {
                pf_country_a2[(p[0] - 'A') * 26 + (p[1] - 'A')] =
                        (uint16_t)(p - pf_country_table + 1);
                pf_country_a3[((p[2] - 'A') * 26 + (p[3] - 'A')) * 26 + (p[4] - 'A')] = 1;
                if (!p[5])
                        break;
        }
        for (const char *p = pf_country_extra3; *p; p += p[3] ? 4 : 3) {
                pf_country_a3[((p[0] - 'A') * 26 + (p[1] - 'A')) * 26 + (p[2] - 'A')] = 1;
                if (!p[3])
                        break;
        }
}

pf_err_t pf_country_alpha3(const char *code, char out[4]) {
        char up[4] = {0};
        size_t len = code ? strlen(code) : 0;

        out[0] = '\0';
        if (len < 1 || len > 3)
                return PF_ERR_INVALID_VALUE;
        for (size_t i = 0; i < len; i++) {
                char c = code[i];

                if (c >= 'a' && c <= 'z')
                        c = (char)(c - 'a' + 'A');
                if (c < 'A' || c > 'Z')
                        return PF_ERR_INVALID_VALUE;
                up[i] = c;
        }
        if (len == 1) {
                if (up[0] != 'D')
                        return PF_ERR_INVALID_VALUE;
                memcpy(out, "DEU", 4);
                return PF_OK;
        }
        pthread_once(&pf_country_once, pf_country_init);
        if (len == 2) {
                uint16_t row = pf_country_a2[(up[0] - 'A') * 26 + (up[1] - 'A')];

                if (row == 0)
                        return PF_ERR_INVALID_VALUE;
                memcpy(out, pf_country_table + row - 1 + 2, 3);
                out[3] = '\0';
                return PF_OK;
        }
        if (!pf_country_a3[((up[0] - 'A') * 26 + (up[1] - 'A')) * 26 + (up[2] - 'A')])
                return PF_ERR_INVALID_VALUE;
        memcpy(out, up, 4);
        return PF_OK;
}

/* --- Dates of birth ----------------------------------------------------------------------- */

static int pf_wl_digits(const char *s, size_t n) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

pf_err_t pf_dob_parse(const char *s, int *year, int *month, int *day, int *precision) {
        static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        size_t len = s ? strlen(s) : 0;
        int y, m = 0, d = 0;

        *year = *month = *day = *precision = 0;
        if (len == 0)
                return PF_OK;
        if (len != 4 && len != 7 && len != 10)
                return PF_ERR_INVALID_VALUE;
        y = pf_wl_digits(s, 4);
        if (y < 1800 || y > 2100)
                return PF_ERR_INVALID_VALUE;
        if (len >= 7) {
                m = s[4] == '-' ? pf_wl_digits(s + 5, 2) : -1;
                if (m < 1 || m > 12)
                        return PF_ERR_INVALID_VALUE;
        }
        if (len == 10) {
                bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

                d = s[7] == '-' ? pf_wl_digits(s + 8, 2) : -1;
                if (d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
                        return PF_ERR_INVALID_VALUE;
        }
        *year = y;
        *month = m;
        *day = d;
        *precision = len == 4 ? 1 : len == 7 ? 2 : 3;
        return PF_OK;
}

/* --- Hashing ------------------------------------------------------------------------------- */

static uint64_t pf_wl_hash(const char *s, size_t len) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < len; i++) {
                h ^= (unsigned char)s[i];
                h *= 0x100000001b3ULL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
}

/* --- The watchlist ------------------------------------------------------------------------- */

/** A slot of the id and document tables: a hash tag and an entry slot. */
typedef struct pf_wl_cell_s {
        uint32_t tag;  /**< upper hash bits, never 0 */
        uint32_t slot; /**< PF_WL_EMPTY, PF_WL_TOMB or an entry slot */
} pf_wl_cell_t;

typedef struct pf_wl_table_s {
        pf_wl_cell_t *cells;
        size_t cap;  /**< power of two */
        size_t used; /**< live + tombstones */
        size_t live;
} pf_wl_table_t;

/**
 * A posting list of two or more names: pool[off .. off + count), in a block of a power of two
 * slots of the pool.
 */
typedef struct pf_wl_posting_s {
        uint32_t off;
        uint32_t count;
} pf_wl_posting_t;

/** A key cell: 32 bits of the blocking key (placed by those bits alone) and its postings. */
typedef struct pf_wl_keycell_s {
        uint32_t tag; /**< 0 = empty (tags are forced non-zero) */
        uint32_t val; /**< PF_WL_INLINE | name id, or the index of a pf_wl_posting_t */
} pf_wl_keycell_t;

#define PF_WL_INLINE       0x80000000u
#define PF_WL_POOL_CLASSES 32

/** A name id's entry: the public part (pf_wl_name_t) and where its entry lives. */
typedef struct pf_wl_nameref_s {
        pf_wl_name_info_t info;
        uint32_t slot; /**< PF_WL_EMPTY when dead */
} pf_wl_nameref_t;

struct pf_watchlist_s {
        pf_norm_t *norm;
        pf_wl_rec_t **recs; /**< by slot; NULL = free */
        size_t rec_count, rec_cap;
        uint32_t *free_slots;
        size_t free_count, free_cap;
        pf_wl_table_t ids;
        pf_wl_table_t docs;
        pf_wl_keycell_t *keys;
        size_t key_cap, key_count;
        pf_wl_posting_t *postings;
        size_t posting_count, posting_cap;
        pf_wl_post_t *pool; /**< blocks of postings, power-of-two sizes */
        size_t pool_len, pool_cap;
        uint32_t pool_free[PF_WL_POOL_CLASSES]; /**< per size class: first free block + 1, 0 none */
        pf_wl_nameref_t *names;
        size_t name_count, name_cap, dead_names;
        uint32_t *first_name; /**< by slot: the entry's first name id (its names are consecutive) */
        size_t first_name_cap;
        char **interned;
        size_t interned_count, interned_cap;
        size_t live_entries, live_names, live_docs, rec_bytes, posting_slots;
};

static bool pf_wl_grow(void **arr, size_t *cap, size_t need, size_t elem) {
        size_t ncap = *cap ? *cap : 16;
        void *p;

        if (need <= *cap)
                return true;
        while (ncap < need)
                ncap *= 2;
        p = realloc(*arr, ncap * elem);
        if (p == NULL)
                return false;
        *arr = p;
        *cap = ncap;
        return true;
}

static bool pf_wl_table_init(pf_wl_table_t *t, size_t cap) {
        t->cells = malloc(cap * sizeof(*t->cells));
        if (t->cells == NULL)
                return false;
        for (size_t i = 0; i < cap; i++)
                t->cells[i].slot = PF_WL_EMPTY;
        t->cap = cap;
        t->used = t->live = 0;
        return true;
}

static void pf_wl_table_put_raw(pf_wl_table_t *t, uint64_t h, uint32_t slot) {
        size_t mask = t->cap - 1, i = (size_t)h & mask;
        uint32_t tag = (uint32_t)(h >> 32) | 1u;

        while (t->cells[i].slot != PF_WL_EMPTY && t->cells[i].slot != PF_WL_TOMB)
                i = (i + 1) & mask;
        if (t->cells[i].slot == PF_WL_EMPTY)
                t->used++;
        t->cells[i].tag = tag;
        t->cells[i].slot = slot;
        t->live++;
}

/** Makes room for one more insert, rebuilding without tombstones when needed. */
static bool pf_wl_table_reserve(pf_wl_table_t *t, size_t extra) {
        size_t ncap = t->cap;
        pf_wl_cell_t *old = t->cells;
        size_t old_cap = t->cap;

        if ((t->used + extra) * 10 < t->cap * 7)
                return true;
        while ((t->live + extra) * 10 >= ncap * 5)
                ncap *= 2;
        if (!pf_wl_table_init(t, ncap)) {
                t->cells = old;
                t->cap = old_cap;
                return false;
        }
        for (size_t i = 0; i < old_cap; i++) {
                if (old[i].slot != PF_WL_EMPTY && old[i].slot != PF_WL_TOMB) {
                        /* Cells are placed by their tag alone (pf_wl_mixtag()), so the table
                         * can grow without reading the keys back. */
                        uint64_t h = ((uint64_t)old[i].tag << 32) | old[i].tag;

                        pf_wl_table_put_raw(t, h, old[i].slot);
                }
        }
        free(old);
        return true;
}

/** Table hash: derived from the 32-bit tag only, so tables can grow without the keys. */
static uint64_t pf_wl_mixtag(uint64_t h);

static uint64_t pf_wl_mixtag(uint64_t h) {
        uint32_t tag = (uint32_t)(h >> 32) | 1u;

        return ((uint64_t)tag << 32) | tag;
}

static void pf_wl_table_free(pf_wl_table_t *t) {
        free(t->cells);
        t->cells = NULL;
}

pf_watchlist_t *pf_watchlist_new(char *errstr, size_t errstr_size) {
        pf_watchlist_t *wl = calloc(1, sizeof(*wl));

        if (wl == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                return NULL;
        }
        wl->norm = pf_norm_new(errstr, errstr_size);
        if (wl->norm == NULL)
                goto err;
        if (!pf_wl_table_init(&wl->ids, 1024) || !pf_wl_table_init(&wl->docs, 1024))
                goto err_nomem;
        wl->key_cap = 1024;
        wl->keys = calloc(wl->key_cap, sizeof(*wl->keys));
        if (wl->keys == NULL)
                goto err_nomem;
        return wl;
err_nomem:
        snprintf(errstr, errstr_size, "out of memory");
err:
        pf_watchlist_destroy(wl);
        return NULL;
}

void pf_watchlist_destroy(pf_watchlist_t *wl) {
        if (wl == NULL)
                return;
        for (size_t i = 0; i < wl->rec_count; i++)
                free(wl->recs[i]);
        free(wl->recs);
        free(wl->free_slots);
        pf_wl_table_free(&wl->ids);
        pf_wl_table_free(&wl->docs);
        free(wl->postings);
        free(wl->pool);
        free(wl->keys);
        free(wl->names);
        free(wl->first_name);
        for (size_t i = 0; i < wl->interned_count; i++)
                free(wl->interned[i]);
        free(wl->interned);
        pf_norm_destroy(wl->norm);
        free(wl);
}

static const char *pf_wl_intern(pf_watchlist_t *wl, const char *s) {
        char *copy;

        for (size_t i = 0; i < wl->interned_count; i++) {
                if (strcmp(wl->interned[i], s) == 0)
                        return wl->interned[i];
        }
        if (!pf_wl_grow((void **)&wl->interned, &wl->interned_cap, wl->interned_count + 1,
                        sizeof(char *)))
                return NULL;
        copy = malloc(strlen(s) + 1);
        if (copy == NULL)
                return NULL;
        memcpy(copy, s, strlen(s) + 1);
        wl->interned[wl->interned_count++] = copy;
        return copy;
}

/* --- Building a record (validation) --------------------------------------------------------- */

static pf_err_t pf_wl_fail(char *errstr, size_t errstr_size, pf_err_t err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static pf_err_t pf_wl_fail(char *errstr, size_t errstr_size, pf_err_t err, const char *fmt, ...) {
        va_list ap;

        if (errstr != NULL && errstr_size > 0) {
                va_start(ap, fmt);
                vsnprintf(errstr, errstr_size, fmt, ap);
                va_end(ap);
        }
        return err;
}

static bool pf_wl_utf8_ok(const char *s) {
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                unsigned c = *p, n;
                uint32_t cp;

                if (c < 0x80) {
                        p++;
                        continue;
                }
                if (c >= 0xC2 && c <= 0xDF)
                        n = 1, cp = c & 0x1F;
                else if (c >= 0xE0 && c <= 0xEF)
                        n = 2, cp = c & 0x0F;
                else if (c >= 0xF0 && c <= 0xF4)
                        n = 3, cp = c & 0x07;
                else
                        return false;
                for (unsigned i = 1; i <= n; i++) {
                        if ((p[i] & 0xC0) != 0x80)
                                return false;
                        cp = cp << 6 | (p[i] & 0x3F);
                }
                if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
                    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
                        return false;
                p += n + 1;
        }
        return true;
}

/** Checks a required or optional short string field. */
static pf_err_t pf_wl_check_str(const char *s, const char *field, size_t max, bool required,
                                char *errstr, size_t errstr_size) {
        if (s == NULL || s[0] == '\0') {
                if (required)
                        return pf_wl_fail(errstr, errstr_size, PF_ERR_MISSING_FIELD, "missing %s",
                                          field);
                return PF_OK;
        }
        if (!pf_wl_utf8_ok(s))
                return pf_wl_fail(errstr, errstr_size, PF_ERR_BAD_UTF8, "%s is not valid UTF-8",
                                  field);
        if (strlen(s) >= max)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_TOO_LARGE,
                                  "%s is longer than %zu bytes", field, max - 1);
        return PF_OK;
}

/** Normalises one name field into @p out ("" when absent). */
static pf_err_t pf_wl_norm_field(pf_watchlist_t *wl, const char *s, const char *field, size_t i,
                                 char *out, size_t out_size, char *errstr, size_t errstr_size) {
        size_t len = s ? strlen(s) : 0, out_len;
        pf_err_t err;

        out[0] = '\0';
        if (len == 0)
                return PF_OK;
        if (len > PF_WL_NAME_MAX)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_TOO_LARGE,
                                  "names[%zu].%s is longer than %d bytes", i, field,
                                  PF_WL_NAME_MAX);
        err = pf_norm_name_passport(wl->norm, s, len, out, out_size, &out_len);
        if (err == PF_ERR_MISSING_FIELD)
                return PF_OK; /* no letters: treated as absent, checked per name below */
        if (err == PF_ERR_BAD_UTF8)
                return pf_wl_fail(errstr, errstr_size, err, "names[%zu].%s is not valid UTF-8", i,
                                  field);
        if (err != PF_OK)
                return pf_wl_fail(errstr, errstr_size, err, "names[%zu].%s: %s", i, field,
                                  pf_err2str(err));
        return PF_OK;
}

#define PF_WL_NAMES_BYTES                                                                          \
        (PF_WL_NAMES_MAX * (2 + PF_SNAME_TOKENS_MAX * 3 + PF_SNAME_JOINS_MAX * 5 + PF_SNAME_BUF))

/** Scratch for building one record: large, so it lives on the heap once per call. */
typedef struct pf_wl_build_s {
        uint8_t names[PF_WL_NAMES_BYTES];
        uint8_t docs[PF_WL_DOCS_MAX * (2 + 3 + PF_WL_DOCNUM_MAX)];
        char given[PF_NORM_NAME_OUT_SIZE];
        char surname[PF_NORM_NAME_OUT_SIZE];
        pf_sname_t sname;
} pf_wl_build_t;

static uint8_t pf_wl_doc_type(const char *type) {
        static const char *const types[] = {"PASSPORT", "ID_CARD", "VISA", "RESIDENCE_PERMIT"};

        for (uint8_t i = 0; i < 4; i++) {
                if (type != NULL && strcmp(type, types[i]) == 0)
                        return i;
        }
        return 4;
}

/**
 * @brief Validates @p entry and builds its record (one malloc'd block).
 * @returns PF_OK with *out set (caller frees), or an error with errstr filled.
 */
static pf_err_t pf_wl_build(pf_watchlist_t *wl, const pf_wl_entry_t *entry, pf_wl_rec_t **out,
                            char *errstr, size_t errstr_size) {
        pf_wl_build_t *b = NULL;
        size_t names_len = 0, docs_len = 0, id_len, names_kept = 0;
        int y, m, d, prec;
        char nat[4] = "";
        const char *list, *category;
        pf_wl_rec_t *rec;
        pf_err_t err;

        *out = NULL;
        if (entry == NULL)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_INTERNAL, "no entry");
        if ((err = pf_wl_check_str(entry->entry_id, "entry_id", PF_WL_ID_MAX, true, errstr,
                                   errstr_size)) != PF_OK ||
            (err = pf_wl_check_str(entry->list, "list", PF_WL_LIST_MAX, true, errstr,
                                   errstr_size)) != PF_OK ||
            (err = pf_wl_check_str(entry->category, "category", PF_WL_CATEGORY_MAX, true, errstr,
                                   errstr_size)) != PF_OK)
                return err;
        if ((unsigned)entry->severity > PF_WL_SEVERITY_CRITICAL)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_INVALID_VALUE, "bad severity");
        if (pf_dob_parse(entry->date_of_birth, &y, &m, &d, &prec) != PF_OK)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_INVALID_VALUE,
                                  "date_of_birth is not YYYY-MM-DD, YYYY-MM or YYYY");
        if (entry->nationality != NULL && entry->nationality[0] != '\0' &&
            pf_country_alpha3(entry->nationality, nat) != PF_OK)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_INVALID_VALUE,
                                  "nationality is not an ISO 3166 country code");
        if (entry->name_count > PF_WL_NAMES_MAX || entry->doc_count > PF_WL_DOCS_MAX)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_TOO_LARGE,
                                  "more than %d names or %d documents", PF_WL_NAMES_MAX,
                                  PF_WL_DOCS_MAX);
        if (entry->name_count == 0 && entry->doc_count == 0)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_MISSING_FIELD,
                                  "neither names nor documents");
        b = malloc(sizeof(*b));
        if (b == NULL)
                return pf_wl_fail(errstr, errstr_size, PF_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < entry->name_count; i++) {
                const pf_wl_name_t *name = &entry->names[i];
                size_t n;

                if ((err = pf_wl_norm_field(wl, name->given_names, "given_names", i, b->given,
                                            sizeof(b->given), errstr, errstr_size)) != PF_OK ||
                    (err = pf_wl_norm_field(wl, name->surname, "surname", i, b->surname,
                                            sizeof(b->surname), errstr, errstr_size)) != PF_OK)
                        goto done;
                if (pf_sname_prepare_abjad(
                            &b->sname, b->given, b->surname,
                            name->given_names != NULL &&
                                    pf_norm_has_arabic(name->given_names,
                                                       strlen(name->given_names)),
                            name->surname != NULL &&
                                    pf_norm_has_arabic(name->surname, strlen(name->surname))) !=
                    PF_OK) {
                        err = pf_wl_fail(errstr, errstr_size, PF_ERR_MISSING_FIELD,
                                         "names[%zu] has no letters", i);
                        goto done;
                }
                n = pf_sname_serialize(&b->sname, b->names + names_len,
                                       sizeof(b->names) - names_len);
                if (n == 0) {
                        err = pf_wl_fail(errstr, errstr_size, PF_ERR_TOO_LARGE,
                                         "names[%zu] is too long", i);
                        goto done;
                }
                names_len += n;
                names_kept++;
        }
        for (size_t i = 0; i < entry->doc_count; i++) {
                const pf_wl_doc_t *doc = &entry->docs[i];
                char country[4], num[PF_WL_DOCNUM_MAX + 1];
                size_t num_len, in_len = doc->number ? strlen(doc->number) : 0;

                if (in_len == 0) {
                        err = pf_wl_fail(errstr, errstr_size, PF_ERR_MISSING_FIELD,
                                         "documents[%zu].number is missing", i);
                        goto done;
                }
                if (in_len > PF_WL_DOCNUM_MAX) {
                        err = pf_wl_fail(errstr, errstr_size, PF_ERR_TOO_LARGE,
                                         "documents[%zu].number is longer than %d bytes", i,
                                         PF_WL_DOCNUM_MAX);
                        goto done;
                }
                err = pf_norm_docnum(doc->number, in_len, num, sizeof(num), &num_len);
                if (err != PF_OK) {
                        err = pf_wl_fail(errstr, errstr_size,
                                         err == PF_ERR_MISSING_FIELD ? PF_ERR_INVALID_VALUE : err,
                                         "documents[%zu].number: %s", i,
                                         err == PF_ERR_MISSING_FIELD ? "no letter or digit"
                                                                     : pf_err2str(err));
                        goto done;
                }
                if (pf_country_alpha3(doc->issuing_country, country) != PF_OK) {
                        err = pf_wl_fail(errstr, errstr_size, PF_ERR_INVALID_VALUE,
                                         "documents[%zu].issuing_country is not an ISO 3166 "
                                         "country code",
                                         i);
                        goto done;
                }
                b->docs[docs_len++] = (uint8_t)(3 + num_len);
                b->docs[docs_len++] = pf_wl_doc_type(doc->type);
                memcpy(b->docs + docs_len, country, 3);
                memcpy(b->docs + docs_len + 3, num, num_len);
                docs_len += 3 + num_len;
        }
        list = pf_wl_intern(wl, entry->list);
        category = pf_wl_intern(wl, entry->category);
        id_len = strlen(entry->entry_id);
        rec = malloc(sizeof(*rec) + id_len + 1 + names_len + docs_len);
        if (list == NULL || category == NULL || rec == NULL) {
                free(rec);
                err = pf_wl_fail(errstr, errstr_size, PF_ERR_NOMEM, "out of memory");
                goto done;
        }
        memset(rec, 0, sizeof(*rec));
        {
                char *blob = (char *)(rec + 1);

                memcpy(blob, entry->entry_id, id_len + 1);
                memcpy(blob + id_len + 1, b->names, names_len);
                memcpy(blob + id_len + 1 + names_len, b->docs, docs_len);
                rec->entry_id = blob;
                rec->names = (const uint8_t *)blob + id_len + 1;
                rec->docs = rec->names + names_len;
        }
        rec->list = list;
        rec->category = category;
        rec->severity = (uint8_t)entry->severity;
        rec->dob_prec = (uint8_t)prec;
        rec->dob_year = (uint16_t)y;
        rec->dob_month = (uint8_t)m;
        rec->dob_day = (uint8_t)d;
        rec->name_count = (uint8_t)names_kept;
        rec->doc_count = (uint8_t)entry->doc_count;
        memcpy(rec->nationality, nat, 4);
        rec->valid_from = entry->valid_from;
        rec->valid_until = entry->valid_until;
        *out = rec;
        err = PF_OK;
done:
        free(b);
        return err;
}

static size_t pf_wl_rec_size(const pf_wl_rec_t *rec) {
        const uint8_t *p = rec->docs;

        for (unsigned i = 0; i < rec->doc_count; i++)
                p += 2 + p[0];
        return (size_t)(p - (const uint8_t *)rec);
}

/* --- Lookups ------------------------------------------------------------------------------- */

static size_t pf_wl_id_find(const pf_watchlist_t *wl, const char *id) {
        uint64_t h = pf_wl_mixtag(pf_wl_hash(id, strlen(id)));
        size_t mask = wl->ids.cap - 1, i = (size_t)h & mask;
        uint32_t tag = (uint32_t)(h >> 32);

        for (; wl->ids.cells[i].slot != PF_WL_EMPTY; i = (i + 1) & mask) {
                const pf_wl_cell_t *c = &wl->ids.cells[i];

                if (c->slot != PF_WL_TOMB && c->tag == tag &&
                    strcmp(wl->recs[c->slot]->entry_id, id) == 0)
                        return i;
        }
        return SIZE_MAX;
}

size_t pf_watchlist_doc_find(const pf_watchlist_t *wl, const char *key, size_t key_len,
                             const pf_wl_rec_t **out, size_t max) {
        uint64_t h = pf_wl_mixtag(pf_wl_hash(key, key_len));
        size_t mask = wl->docs.cap - 1, i = (size_t)h & mask, found = 0;
        uint32_t tag = (uint32_t)(h >> 32);

        for (; wl->docs.cells[i].slot != PF_WL_EMPTY; i = (i + 1) & mask) {
                const pf_wl_cell_t *c = &wl->docs.cells[i];
                const pf_wl_rec_t *rec;
                const uint8_t *p;
                bool dup = false;

                if (c->slot == PF_WL_TOMB || c->tag != tag)
                        continue;
                rec = wl->recs[c->slot];
                p = rec->docs;
                for (unsigned d = 0; d < rec->doc_count; d++, p += 2 + p[0]) {
                        if (p[0] == key_len && memcmp(p + 2, key, key_len) == 0)
                                break;
                        if (d + 1 == rec->doc_count)
                                dup = true; /* tag collision: not this document */
                }
                for (size_t k = 0; k < found && k < max && !dup; k++)
                        dup = out[k] == rec; /* the same number twice in one entry */
                if (dup)
                        continue;
                if (found < max)
                        out[found] = rec;
                found++;
        }
        return found;
}

static inline uint32_t pf_wl_key_tag(uint64_t key) {
        return (uint32_t)(key >> 32) | 1u;
}

static inline size_t pf_wl_tag_pos(uint32_t tag, size_t mask) {
        uint32_t h = tag;

        h ^= h >> 16;
        h *= 0x7feb352dU;
        h ^= h >> 15;
        h *= 0x846ca68bU;
        h ^= h >> 16;
        return (size_t)h & mask;
}

void pf_watchlist_postings(const pf_watchlist_t *wl, uint64_t key, const pf_wl_post_t **posts,
                           size_t *count, pf_wl_post_t *one) {
        size_t mask = wl->key_cap - 1, i;
        uint32_t tag = pf_wl_key_tag(key);

        for (i = pf_wl_tag_pos(tag, mask); wl->keys[i].tag != 0; i = (i + 1) & mask) {
                if (wl->keys[i].tag == tag) {
                        uint32_t val = wl->keys[i].val;

                        if (val & PF_WL_INLINE) {
                                one->id = val & ~PF_WL_INLINE;
                                one->dob = 0; /* not kept inline: unknown */
                                *posts = one;
                                *count = 1;
                        } else {
                                *posts = wl->pool + wl->postings[val].off;
                                *count = wl->postings[val].count;
                        }
                        return;
                }
        }
        *posts = NULL;
        *count = 0;
}

const pf_wl_rec_t *pf_watchlist_name_entry(const pf_watchlist_t *wl, uint32_t name_id,
                                           unsigned *name_index) {
        const pf_wl_nameref_t *ref;

        if (name_id >= wl->name_count)
                return NULL;
        ref = &wl->names[name_id];
        if (ref->slot == PF_WL_EMPTY)
                return NULL;
        *name_index = ref->info.index;
        return wl->recs[ref->slot];
}

const pf_wl_name_info_t *pf_watchlist_name_info(const pf_watchlist_t *wl, uint32_t name_id) {
        if (name_id >= wl->name_count || wl->names[name_id].slot == PF_WL_EMPTY)
                return NULL;
        return &wl->names[name_id].info;
}

const pf_wl_rec_t *pf_watchlist_name_rec(const pf_watchlist_t *wl, uint32_t name_id) {
        if (name_id >= wl->name_count || wl->names[name_id].slot == PF_WL_EMPTY)
                return NULL;
        return wl->recs[wl->names[name_id].slot];
}

void pf_watchlist_prefetch_key(const pf_watchlist_t *wl, uint64_t key) {
        __builtin_prefetch(&wl->keys[pf_wl_tag_pos(pf_wl_key_tag(key), wl->key_cap - 1)]);
}

void pf_watchlist_prefetch_name(const pf_watchlist_t *wl, uint32_t name_id) {
        if (name_id < wl->name_count)
                __builtin_prefetch(&wl->names[name_id]);
}

/* --- Insert and delete --------------------------------------------------------------------- */

static bool pf_wl_key_rehash(pf_watchlist_t *wl) {
        size_t ncap = wl->key_cap * 2, mask = ncap - 1;
        pf_wl_keycell_t *cells = calloc(ncap, sizeof(*cells));

        if (cells == NULL)
                return false;
        for (size_t i = 0; i < wl->key_cap; i++) {
                size_t j;

                if (wl->keys[i].tag == 0)
                        continue;
                for (j = pf_wl_tag_pos(wl->keys[i].tag, mask); cells[j].tag != 0;
                     j = (j + 1) & mask)
                        ;
                cells[j] = wl->keys[i];
        }
        free(wl->keys);
        wl->keys = cells;
        wl->key_cap = ncap;
        return true;
}

/** Size class of a block of 2^c slots. */
static unsigned pf_wl_pool_class(uint32_t slots) {
        return (unsigned)(31 - __builtin_clz(slots));
}

/** @returns the offset of a free block of 2^c slots, or UINT32_MAX when out of memory. */
static uint32_t pf_wl_pool_alloc(pf_watchlist_t *wl, unsigned c) {
        size_t slots = (size_t)1 << c;
        uint32_t off;

        if (wl->pool_free[c] != 0) {
                off = wl->pool_free[c] - 1;
                wl->pool_free[c] = wl->pool[off].id;
                return off;
        }
        if (wl->pool_len + slots > UINT32_MAX ||
            !pf_wl_grow((void **)&wl->pool, &wl->pool_cap, wl->pool_len + slots,
                        sizeof(pf_wl_post_t)))
                return UINT32_MAX;
        off = (uint32_t)wl->pool_len;
        wl->pool_len += slots;
        return off;
}

static void pf_wl_pool_free(pf_watchlist_t *wl, uint32_t off, unsigned c) {
        wl->pool[off].id = wl->pool_free[c];
        wl->pool_free[c] = off + 1;
}

static bool pf_wl_post(pf_watchlist_t *wl, uint64_t key, uint32_t name_id, uint32_t dob) {
        size_t mask, i;
        uint32_t tag = pf_wl_key_tag(key), val;
        pf_wl_posting_t *post;

        if (name_id & PF_WL_INLINE)
                return false; /* 2^31 names */
        if ((wl->key_count + 1) * 10 >= wl->key_cap * 7 && !pf_wl_key_rehash(wl))
                return false;
        mask = wl->key_cap - 1;
        for (i = pf_wl_tag_pos(tag, mask); wl->keys[i].tag != 0 && wl->keys[i].tag != tag;
             i = (i + 1) & mask)
                ;
        if (wl->keys[i].tag == 0) {
                wl->keys[i].tag = tag;
                wl->keys[i].val = PF_WL_INLINE | name_id;
                wl->key_count++;
                wl->posting_slots++;
                return true;
        }
        val = wl->keys[i].val;
        if (val & PF_WL_INLINE) {
                uint32_t first = val & ~PF_WL_INLINE, off;

                if (first == name_id)
                        return true; /* the same key twice in one name */
                if (!pf_wl_grow((void **)&wl->postings, &wl->posting_cap, wl->posting_count + 1,
                                sizeof(*wl->postings)))
                        return false;
                off = pf_wl_pool_alloc(wl, 1);
                if (off == UINT32_MAX)
                        return false;
                wl->pool[off].id = first;
                wl->pool[off].dob = wl->names[first].info.dob;
                wl->pool[off + 1].id = name_id;
                wl->pool[off + 1].dob = dob;
                wl->postings[wl->posting_count].off = off;
                wl->postings[wl->posting_count].count = 2;
                wl->keys[i].val = (uint32_t)wl->posting_count++;
                wl->posting_slots++;
                return true;
        }
        post = &wl->postings[val];
        if (wl->pool[post->off + post->count - 1].id == name_id)
                return true;
        if ((post->count & (post->count - 1)) == 0) { /* a full block: 2^c slots */
                unsigned c = pf_wl_pool_class(post->count);
                uint32_t off = pf_wl_pool_alloc(wl, c + 1);

                if (off == UINT32_MAX)
                        return false;
                post = &wl->postings[val]; /* the pool may have moved, not the postings */
                memcpy(wl->pool + off, wl->pool + post->off, post->count * sizeof(pf_wl_post_t));
                pf_wl_pool_free(wl, post->off, c);
                post->off = off;
        }
        wl->pool[post->off + post->count].id = name_id;
        wl->pool[post->off + post->count++].dob = dob;
        wl->posting_slots++;
        return true;
}

/** Posts every name of the entry in @p slot. */
static bool pf_wl_index_names(pf_watchlist_t *wl, uint32_t slot) {
        const pf_wl_rec_t *rec = wl->recs[slot];
        const uint8_t *p = rec->names;
        pf_sname_t sn;
        uint64_t keys[PF_SNAME_KEYS_MAX];

        wl->first_name[slot] = (uint32_t)wl->name_count;
        for (unsigned n = 0; n < rec->name_count; n++) {
                size_t key_count;
                uint32_t name_id = (uint32_t)wl->name_count;

                const uint8_t *blob = p;

                p = pf_sname_view(&sn, p);
                if (!pf_wl_grow((void **)&wl->names, &wl->name_cap, wl->name_count + 1,
                                sizeof(*wl->names)))
                        return false;
                wl->names[wl->name_count].slot = slot;
                wl->names[wl->name_count].info.index = (uint16_t)n;
                wl->names[wl->name_count].info.blob = blob;
                wl->names[wl->name_count].info.dob =
                        pf_wl_dob_pack(rec->dob_prec, rec->dob_year, rec->dob_month, rec->dob_day);
                memcpy(wl->names[wl->name_count].info.nationality, rec->nationality, 4);
                wl->name_count++;
                wl->live_names++;
                key_count =
                        pf_sname_keys(&sn, wl->names[name_id].info.dob, keys, PF_SNAME_KEYS_MAX);
                for (size_t k = 0; k < key_count; k++) {
                        if (!pf_wl_post(wl, keys[k], name_id, wl->names[name_id].info.dob))
                                return false;
                }
        }
        return true;
}

/** Rebuilds the name index without dead names once they outnumber the live ones. */
static void pf_wl_maybe_compact(pf_watchlist_t *wl) {
        if (wl->dead_names < 1024 || wl->dead_names < wl->live_names)
                return;
        wl->posting_count = 0;
        wl->posting_slots = 0;
        wl->pool_len = 0;
        memset(wl->pool_free, 0, sizeof(wl->pool_free));
        memset(wl->keys, 0, wl->key_cap * sizeof(*wl->keys));
        wl->key_count = 0;
        wl->name_count = 0;
        wl->live_names = 0;
        wl->dead_names = 0;
        for (size_t s = 0; s < wl->rec_count; s++) {
                if (wl->recs[s] != NULL && !pf_wl_index_names(wl, (uint32_t)s))
                        abort(); /* out of memory while shrinking: nothing sane is left */
        }
}

/** Removes the entry whose id-table cell is @p id_cell: tombstones, dead names, free slot. */
static void pf_wl_remove_cell(pf_watchlist_t *wl, size_t id_cell) {
        uint32_t slot = wl->ids.cells[id_cell].slot;
        pf_wl_rec_t *rec = wl->recs[slot];
        const uint8_t *p = rec->docs;
        uint32_t first = wl->first_name[slot];

        for (unsigned d = 0; d < rec->doc_count; d++, p += 2 + p[0]) {
                uint64_t h = pf_wl_mixtag(pf_wl_hash((const char *)p + 2, p[0]));
                size_t mask = wl->docs.cap - 1, i = (size_t)h & mask;

                for (; wl->docs.cells[i].slot != PF_WL_EMPTY; i = (i + 1) & mask) {
                        if (wl->docs.cells[i].slot == slot) {
                                wl->docs.cells[i].slot = PF_WL_TOMB;
                                wl->docs.live--;
                                wl->live_docs--;
                                break;
                        }
                }
        }
        for (uint32_t id = first; id < first + rec->name_count && id < wl->name_count; id++) {
                if (wl->names[id].slot == slot) {
                        wl->names[id].slot = PF_WL_EMPTY;
                        wl->live_names--;
                        wl->dead_names++;
                }
        }
        rec->dead = true;
        wl->ids.cells[id_cell].slot = PF_WL_TOMB;
        wl->ids.live--;
        wl->live_entries--;
        wl->rec_bytes -= pf_wl_rec_size(rec);
        free(rec);
        wl->recs[slot] = NULL;
        wl->free_slots[wl->free_count++] = slot;
}

/** Reserves room for @p n more entries with @p docs documents in every array and table. */
static bool pf_wl_reserve(pf_watchlist_t *wl, size_t n, size_t docs) {
        size_t slots = wl->rec_count + n;

        return pf_wl_grow((void **)&wl->recs, &wl->rec_cap, slots, sizeof(*wl->recs)) &&
               pf_wl_grow((void **)&wl->first_name, &wl->first_name_cap, slots,
                          sizeof(*wl->first_name)) &&
               pf_wl_grow((void **)&wl->free_slots, &wl->free_cap, slots,
                          sizeof(*wl->free_slots)) &&
               pf_wl_table_reserve(&wl->ids, n) && pf_wl_table_reserve(&wl->docs, docs);
}

/** Inserts a built record (takes ownership), replacing an entry with the same id. */
static pf_err_t pf_wl_insert(pf_watchlist_t *wl, pf_wl_rec_t *rec) {
        size_t cell;
        uint32_t slot;
        const uint8_t *p = rec->docs;

        if (!pf_wl_reserve(wl, 1, rec->doc_count)) {
                free(rec);
                return PF_ERR_NOMEM;
        }
        cell = pf_wl_id_find(wl, rec->entry_id);
        if (cell != SIZE_MAX)
                pf_wl_remove_cell(wl, cell);
        slot = wl->free_count > 0 ? wl->free_slots[--wl->free_count] : (uint32_t)wl->rec_count++;
        wl->recs[slot] = rec;
        pf_wl_table_put_raw(&wl->ids,
                            pf_wl_mixtag(pf_wl_hash(rec->entry_id, strlen(rec->entry_id))), slot);
        for (unsigned d = 0; d < rec->doc_count; d++, p += 2 + p[0])
                pf_wl_table_put_raw(&wl->docs, pf_wl_mixtag(pf_wl_hash((const char *)p + 2, p[0])),
                                    slot);
        wl->live_docs += rec->doc_count;
        wl->live_entries++;
        wl->rec_bytes += pf_wl_rec_size(rec);
        if (!pf_wl_index_names(wl, slot))
                return PF_ERR_NOMEM;
        pf_wl_maybe_compact(wl);
        return PF_OK;
}

pf_err_t pf_watchlist_check(pf_watchlist_t *wl, const pf_wl_entry_t *entry, char *errstr,
                            size_t errstr_size) {
        pf_wl_rec_t *rec;
        pf_err_t err;

        if (wl == NULL)
                return PF_ERR_INTERNAL;
        err = pf_wl_build(wl, entry, &rec, errstr, errstr_size);
        free(rec);
        return err;
}

pf_err_t pf_watchlist_upsert(pf_watchlist_t *wl, const pf_wl_entry_t *entry, char *errstr,
                             size_t errstr_size) {
        pf_wl_rec_t *rec;
        pf_err_t err;

        if (wl == NULL)
                return PF_ERR_INTERNAL;
        err = pf_wl_build(wl, entry, &rec, errstr, errstr_size);
        if (err != PF_OK)
                return err;
        err = pf_wl_insert(wl, rec);
        if (err != PF_OK)
                snprintf(errstr, errstr_size, "out of memory");
        return err;
}

bool pf_watchlist_delete(pf_watchlist_t *wl, const char *entry_id) {
        size_t cell;

        if (wl == NULL || entry_id == NULL)
                return false;
        cell = pf_wl_id_find(wl, entry_id);
        if (cell == SIZE_MAX)
                return false;
        pf_wl_remove_cell(wl, cell);
        pf_wl_maybe_compact(wl);
        return true;
}

void pf_watchlist_stats(const pf_watchlist_t *wl, pf_wl_stats_t *stats) {
        memset(stats, 0, sizeof(*stats));
        if (wl == NULL)
                return;
        stats->entries = wl->live_entries;
        stats->names = wl->live_names;
        stats->documents = wl->live_docs;
        stats->dead_names = wl->dead_names;
        stats->name_keys = wl->key_count;
        stats->postings = wl->posting_slots;
        stats->memory_bytes =
                wl->rec_bytes + wl->rec_cap * (sizeof(void *) + 8) +
                (wl->ids.cap + wl->docs.cap) * sizeof(pf_wl_cell_t) +
                wl->key_cap * sizeof(pf_wl_keycell_t) + wl->posting_cap * sizeof(pf_wl_posting_t) +
                wl->pool_cap * sizeof(pf_wl_post_t) + wl->name_cap * sizeof(pf_wl_nameref_t);
}

/* --- Files --------------------------------------------------------------------------------- */

/** A bounded line reader: lines longer than PF_WL_LINE_MAX are skipped, not buffered. */
typedef struct pf_wl_reader_s {
        FILE *fp;
        char *line; /**< PF_WL_LINE_MAX + 1 bytes */
        size_t len;
        bool too_long;
        bool has_nul;
} pf_wl_reader_t;

/** @returns 1 with a line, 0 at end of file, -1 on a read error. */
static int pf_wl_read_line(pf_wl_reader_t *rd) {
        int c;
        bool any = false;

        rd->len = 0;
        rd->too_long = rd->has_nul = false;
        while ((c = getc(rd->fp)) != EOF) {
                any = true;
                if (c == '\n')
                        break;
                if (c == '\0')
                        rd->has_nul = true;
                if (rd->len < PF_WL_LINE_MAX)
                        rd->line[rd->len++] = (char)c;
                else
                        rd->too_long = true;
        }
        if (ferror(rd->fp))
                return -1;
        if (rd->len > 0 && rd->line[rd->len - 1] == '\r')
                rd->len--;
        rd->line[rd->len] = '\0';
        return any ? 1 : 0;
}

/** The load in progress: staged records, error reporting. */
typedef struct pf_wl_load_s {
        pf_watchlist_t *wl;
        const char *path;
        pf_wl_error_cb_t *on_error;
        void *opaque;
        size_t errors;
        pf_wl_rec_t **staged;
        size_t staged_count, staged_cap, staged_docs;
        bool nomem;
        pf_wl_entry_cb_t *on_entry; /* sees each valid entry as parsed (may be NULL) */
        void *entry_opaque;
} pf_wl_load_t;

static void pf_wl_load_error(pf_wl_load_t *ld, size_t line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void pf_wl_load_error(pf_wl_load_t *ld, size_t line, const char *fmt, ...) {
        char reason[256], msg[PF_WL_ERR_MSG_MAX];
        va_list ap;

        ld->errors++;
        if (ld->on_error == NULL || ld->errors > PF_WL_ERRORS_MAX)
                return;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        snprintf(msg, sizeof(msg), "%s:%zu: %s", ld->path, line, reason);
        ld->on_error(ld->opaque, msg);
}

/** Validates an entry and stages its record; reports the error of @p line otherwise. */
static void pf_wl_stage(pf_wl_load_t *ld, size_t line, const pf_wl_entry_t *entry) {
        char errstr[200];
        pf_wl_rec_t *rec;
        pf_err_t err = pf_wl_build(ld->wl, entry, &rec, errstr, sizeof(errstr));

        if (err == PF_ERR_NOMEM) {
                ld->nomem = true;
                return;
        }
        if (err != PF_OK) {
                pf_wl_load_error(ld, line, "%s", errstr);
                return;
        }
        if (ld->errors > 0 || !pf_wl_grow((void **)&ld->staged, &ld->staged_cap,
                                          ld->staged_count + 1, sizeof(*ld->staged))) {
                ld->nomem = ld->errors == 0;
                free(rec);
                return;
        }
        ld->staged[ld->staged_count++] = rec;
        ld->staged_docs += rec->doc_count;
        if (ld->on_entry != NULL && ld->on_entry(ld->entry_opaque, entry) != 0)
                ld->nomem = true;
}

static const char *pf_wl_json_str(json_t *obj, const char *key, bool *bad) {
        json_t *v = json_object_get(obj, key);

        if (v == NULL || json_is_null(v))
                return NULL;
        if (!json_is_string(v)) {
                *bad = true;
                return NULL;
        }
        return json_string_value(v);
}

static int pf_wl_severity_parse(const char *s) {
        static const char *const names[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL"};

        if (s == NULL)
                return PF_WL_SEVERITY_HIGH;
        for (int i = 0; i < 4; i++) {
                if (strcmp(s, names[i]) == 0)
                        return i;
        }
        return -1;
}

/** Parses one JSON line into an entry and stages it. */
static void pf_wl_json_line(pf_wl_load_t *ld, size_t line, const char *text, size_t len) {
        pf_wl_name_t names[PF_WL_NAMES_MAX];
        pf_wl_doc_t docs[PF_WL_DOCS_MAX];
        pf_wl_entry_t entry = {0};
        json_error_t jerr;
        json_t *root, *arr, *v;
        const char *field = NULL, *sev;
        bool bad = false;
        int severity;

        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (root == NULL) {
                pf_wl_load_error(ld, line, "invalid JSON at column %d", jerr.column);
                return;
        }
        if (!json_is_object(root)) {
                pf_wl_load_error(ld, line, "not a JSON object");
                goto done;
        }
        entry.entry_id = pf_wl_json_str(root, "entry_id", &bad);
        if (bad) {
                field = "entry_id";
                goto bad_type;
        }
        entry.list = pf_wl_json_str(root, "list", &bad);
        if (bad) {
                field = "list";
                goto bad_type;
        }
        entry.category = pf_wl_json_str(root, "category", &bad);
        if (bad) {
                field = "category";
                goto bad_type;
        }
        sev = pf_wl_json_str(root, "severity", &bad);
        if (bad || (severity = pf_wl_severity_parse(sev)) < 0) {
                pf_wl_load_error(ld, line, "severity is not LOW, MEDIUM, HIGH or CRITICAL");
                goto done;
        }
        entry.severity = (pf_wl_severity_t)severity;
        entry.date_of_birth = pf_wl_json_str(root, "date_of_birth", &bad);
        if (bad) {
                field = "date_of_birth";
                goto bad_type;
        }
        entry.nationality = pf_wl_json_str(root, "nationality", &bad);
        if (bad) {
                field = "nationality";
                goto bad_type;
        }
        entry.valid_from = entry.valid_until = PF_WL_DATE_NONE;
        if ((v = json_object_get(root, "valid_from")) != NULL && !json_is_null(v)) {
                if (!json_is_integer(v)) {
                        field = "valid_from";
                        goto bad_type;
                }
                entry.valid_from = json_integer_value(v);
        }
        if ((v = json_object_get(root, "valid_until")) != NULL && !json_is_null(v)) {
                if (!json_is_integer(v)) {
                        field = "valid_until";
                        goto bad_type;
                }
                entry.valid_until = json_integer_value(v);
        }
        arr = json_object_get(root, "names");
        if (arr != NULL && !json_is_null(arr)) {
                if (!json_is_array(arr)) {
                        field = "names";
                        goto bad_type;
                }
                if (json_array_size(arr) > PF_WL_NAMES_MAX) {
                        pf_wl_load_error(ld, line, "more than %d names", PF_WL_NAMES_MAX);
                        goto done;
                }
                for (size_t i = 0; i < json_array_size(arr); i++) {
                        json_t *n = json_array_get(arr, i);

                        if (!json_is_object(n)) {
                                pf_wl_load_error(ld, line, "names[%zu] is not an object", i);
                                goto done;
                        }
                        names[i].given_names = pf_wl_json_str(n, "given_names", &bad);
                        names[i].surname = pf_wl_json_str(n, "surname", &bad);
                        if (bad) {
                                pf_wl_load_error(ld, line, "names[%zu]: a name is not a string", i);
                                goto done;
                        }
                }
                entry.names = names;
                entry.name_count = json_array_size(arr);
        }
        arr = json_object_get(root, "documents");
        if (arr != NULL && !json_is_null(arr)) {
                if (!json_is_array(arr)) {
                        field = "documents";
                        goto bad_type;
                }
                if (json_array_size(arr) > PF_WL_DOCS_MAX) {
                        pf_wl_load_error(ld, line, "more than %d documents", PF_WL_DOCS_MAX);
                        goto done;
                }
                for (size_t i = 0; i < json_array_size(arr); i++) {
                        json_t *d = json_array_get(arr, i);

                        if (!json_is_object(d)) {
                                pf_wl_load_error(ld, line, "documents[%zu] is not an object", i);
                                goto done;
                        }
                        docs[i].number = pf_wl_json_str(d, "number", &bad);
                        docs[i].issuing_country = pf_wl_json_str(d, "issuing_country", &bad);
                        docs[i].type = pf_wl_json_str(d, "type", &bad);
                        if (bad) {
                                pf_wl_load_error(ld, line,
                                                 "documents[%zu]: a field is not a string", i);
                                goto done;
                        }
                }
                entry.docs = docs;
                entry.doc_count = json_array_size(arr);
        }
        pf_wl_stage(ld, line, &entry);
        goto done;
bad_type:
        pf_wl_load_error(ld, line, "%s has the wrong type", field);
done:
        json_decref(root);
}

/* CSV ------------------------------------------------------------------------------------- */

#define PF_WL_CSV_COLS 11
static const char pf_wl_csv_header[] = "entry_id,list,category,severity,given_names,surname,"
                                       "date_of_birth,nationality,doc_type,doc_number,"
                                       "doc_issuing_country";

/**
 * @brief Splits an RFC 4180 line in place into exactly PF_WL_CSV_COLS fields.
 * @returns NULL, or a static reason.
 */
static const char *pf_wl_csv_split(char *line, size_t len, char **fields) {
        size_t r = 0, w = 0, col = 0;
        bool ended = false; /* the last field ran to the end of the line */

        while (col < PF_WL_CSV_COLS) {
                fields[col] = line + w;
                if (r < len && line[r] == '"') {
                        r++;
                        for (;;) {
                                if (r >= len)
                                        return "unterminated quoted field";
                                if (line[r] == '"') {
                                        if (r + 1 < len && line[r + 1] == '"') {
                                                line[w++] = '"';
                                                r += 2;
                                                continue;
                                        }
                                        r++;
                                        break;
                                }
                                line[w++] = line[r++];
                        }
                        if (r < len && line[r] != ',')
                                return "text after a closing quote";
                } else {
                        while (r < len && line[r] != ',') {
                                if (line[r] == '"')
                                        return "quote inside an unquoted field";
                                line[w++] = line[r++];
                        }
                }
                col++;
                if (r >= len) {
                        line[w] = '\0';
                        ended = true;
                        break;
                }
                line[w++] = '\0';
                r++; /* the comma */
        }
        /* !ended: a comma after the 11th field ("...,k," is 12 columns, the last empty) */
        if (col != PF_WL_CSV_COLS || !ended)
                return "wrong number of columns (want 11)";
        return NULL;
}

/** One CSV row, copied. */
typedef struct pf_wl_csv_row_s {
        size_t line;
        char *buf; /**< the fields, NUL-separated */
        char *f[PF_WL_CSV_COLS];
        bool used;
} pf_wl_csv_row_t;

static bool pf_wl_csv_same(const char *a, const char *b) {
        return a[0] == '\0' || b[0] == '\0' || strcmp(a, b) == 0;
}

/** Nationalities agree when either is empty or both name the same country (EG = EGY). */
static bool pf_wl_csv_same_country(const char *a, const char *b) {
        char a3[4], b3[4];

        if (pf_wl_csv_same(a, b))
                return true;
        return pf_country_alpha3(a, a3) == PF_OK && pf_country_alpha3(b, b3) == PF_OK &&
               strcmp(a3, b3) == 0;
}

static const char *pf_wl_csv_pick(const char *a, const char *b) {
        return a[0] != '\0' ? a : b;
}

/** Groups rows by entry_id (first appearance order) and stages one entry per group. */
static void pf_wl_csv_stage(pf_wl_load_t *ld, pf_wl_csv_row_t *rows, size_t count) {
        pf_wl_name_t names[PF_WL_NAMES_MAX];
        pf_wl_doc_t docs[PF_WL_DOCS_MAX];
        size_t *order = malloc((count ? count : 1) * sizeof(size_t));

        /* Sort row indexes by entry_id, stable, then walk the groups: O(n log n). */
        if (order == NULL) {
                ld->nomem = true;
                return;
        }
        for (size_t i = 0; i < count; i++)
                order[i] = i;
        {
                /* merge sort on order[] */
                size_t *tmp = malloc((count ? count : 1) * sizeof(size_t));

                if (tmp == NULL) {
                        ld->nomem = true;
                        free(order);
                        return;
                }
                for (size_t width = 1; width < count; width *= 2) {
                        for (size_t lo = 0; lo < count; lo += 2 * width) {
                                size_t mid = lo + width < count ? lo + width : count;
                                size_t hi = lo + 2 * width < count ? lo + 2 * width : count;
                                size_t a = lo, b = mid, k = lo;

                                while (a < mid || b < hi) {
                                        if (b >= hi ||
                                            (a < mid &&
                                             strcmp(rows[order[a]].f[0], rows[order[b]].f[0]) <= 0))
                                                tmp[k++] = order[a++];
                                        else
                                                tmp[k++] = order[b++];
                                }
                        }
                        memcpy(order, tmp, count * sizeof(size_t));
                }
                free(tmp);
        }
        for (size_t g = 0; g < count;) {
                pf_wl_csv_row_t *first = &rows[order[g]];
                const char *list = first->f[1], *category = first->f[2];
                const char *sev = first->f[3], *dob = first->f[6], *nat = first->f[7];
                pf_wl_entry_t entry = {0};
                size_t end = g + 1, nn = 0, nd = 0;
                bool bad = false;
                int severity;

                while (end < count && strcmp(rows[order[end]].f[0], first->f[0]) == 0)
                        end++;
                for (size_t i = g; i < end && !bad; i++) {
                        pf_wl_csv_row_t *row = &rows[order[i]];

                        if (!pf_wl_csv_same(row->f[1], list) ||
                            !pf_wl_csv_same(row->f[2], category) ||
                            !pf_wl_csv_same(row->f[3], sev) || !pf_wl_csv_same(row->f[6], dob) ||
                            !pf_wl_csv_same_country(row->f[7], nat)) {
                                pf_wl_load_error(ld, row->line,
                                                 "entry fields disagree with line %zu of the "
                                                 "same entry_id",
                                                 first->line);
                                bad = true;
                                break;
                        }
                        list = pf_wl_csv_pick(list, row->f[1]);
                        category = pf_wl_csv_pick(category, row->f[2]);
                        sev = pf_wl_csv_pick(sev, row->f[3]);
                        dob = pf_wl_csv_pick(dob, row->f[6]);
                        nat = pf_wl_csv_pick(nat, row->f[7]);
                        if (row->f[4][0] != '\0' || row->f[5][0] != '\0') {
                                if (nn == PF_WL_NAMES_MAX) {
                                        pf_wl_load_error(ld, row->line, "more than %d names",
                                                         PF_WL_NAMES_MAX);
                                        bad = true;
                                        break;
                                }
                                names[nn].given_names = row->f[4];
                                names[nn++].surname = row->f[5];
                        }
                        if (row->f[8][0] != '\0' || row->f[9][0] != '\0' || row->f[10][0] != '\0') {
                                if (nd == PF_WL_DOCS_MAX) {
                                        pf_wl_load_error(ld, row->line, "more than %d documents",
                                                         PF_WL_DOCS_MAX);
                                        bad = true;
                                        break;
                                }
                                docs[nd].type = row->f[8];
                                docs[nd].number = row->f[9];
                                docs[nd++].issuing_country = row->f[10];
                        }
                }
                if (!bad && (severity = pf_wl_severity_parse(sev[0] ? sev : NULL)) < 0) {
                        pf_wl_load_error(ld, first->line,
                                         "severity is not LOW, MEDIUM, HIGH or CRITICAL");
                        bad = true;
                }
                if (!bad) {
                        entry.entry_id = first->f[0];
                        entry.list = list;
                        entry.category = category;
                        entry.severity = (pf_wl_severity_t)severity;
                        entry.names = names;
                        entry.name_count = nn;
                        entry.date_of_birth = dob;
                        entry.nationality = nat;
                        entry.docs = docs;
                        entry.doc_count = nd;
                        entry.valid_from = entry.valid_until = PF_WL_DATE_NONE;
                        pf_wl_stage(ld, first->line, &entry);
                }
                g = end;
        }
        free(order);
}

static bool pf_wl_ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/** Reads every line of the file, staging valid entries and reporting bad lines. */
static pf_err_t pf_wl_load_lines(pf_wl_load_t *ld, pf_wl_reader_t *rd) {
        pf_wl_csv_row_t *rows = NULL;
        size_t row_count = 0, row_cap = 0, line = 0;
        bool csv = pf_wl_ends_with(ld->path, ".csv") || pf_wl_ends_with(ld->path, ".CSV");
        pf_err_t err = PF_OK;
        int rc;

        while ((rc = pf_wl_read_line(rd)) == 1) {
                line++;
                if (line == 1 && rd->len >= 3 && memcmp(rd->line, "\xEF\xBB\xBF", 3) == 0) {
                        memmove(rd->line, rd->line + 3, rd->len - 2);
                        rd->len -= 3;
                }
                if (line == 1 && strcmp(rd->line, pf_wl_csv_header) == 0) {
                        csv = true;
                        continue;
                }
                if (line == 1 && csv) {
                        pf_wl_load_error(ld, line, "the first line is not the CSV header");
                        continue;
                }
                if (rd->too_long) {
                        pf_wl_load_error(ld, line, "line longer than %d bytes", PF_WL_LINE_MAX);
                        continue;
                }
                if (rd->has_nul) {
                        pf_wl_load_error(ld, line, "NUL byte in line");
                        continue;
                }
                if (!pf_wl_utf8_ok(rd->line)) {
                        pf_wl_load_error(ld, line, "invalid UTF-8");
                        continue;
                }
                if (strspn(rd->line, " \t") == rd->len)
                        continue;
                if (!csv) {
                        pf_wl_json_line(ld, line, rd->line, rd->len);
                } else {
                        char *f[PF_WL_CSV_COLS];
                        const char *why = pf_wl_csv_split(rd->line, rd->len, f);
                        pf_wl_csv_row_t *row;

                        if (why != NULL) {
                                pf_wl_load_error(ld, line, "%s", why);
                                continue;
                        }
                        if (!pf_wl_grow((void **)&rows, &row_cap, row_count + 1, sizeof(*rows)) ||
                            (rows[row_count].buf = malloc(rd->len + 1)) == NULL) {
                                ld->nomem = true;
                                break;
                        }
                        row = &rows[row_count++];
                        memcpy(row->buf, rd->line, rd->len + 1);
                        row->line = line;
                        for (int c = 0; c < PF_WL_CSV_COLS; c++)
                                row->f[c] = row->buf + (f[c] - rd->line);
                }
                if (ld->nomem)
                        break;
        }
        if (rc < 0)
                err = PF_ERR_IO;
        else if (csv && !ld->nomem)
                pf_wl_csv_stage(ld, rows, row_count);
        for (size_t i = 0; i < row_count; i++)
                free(rows[i].buf);
        free(rows);
        return err;
}

pf_err_t pf_watchlist_load_file(pf_watchlist_t *wl, const char *path, pf_wl_error_cb_t *on_error,
                                void *opaque, size_t *loaded) {
        return pf_watchlist_load_file_visit(wl, path, on_error, opaque, NULL, NULL, loaded);
}

pf_err_t pf_watchlist_load_file_visit(pf_watchlist_t *wl, const char *path,
                                      pf_wl_error_cb_t *on_error, void *opaque,
                                      pf_wl_entry_cb_t *on_entry, void *entry_opaque,
                                      size_t *loaded) {
        pf_wl_load_t ld = {.wl = wl,
                           .path = path,
                           .on_error = on_error,
                           .opaque = opaque,
                           .on_entry = on_entry,
                           .entry_opaque = entry_opaque};
        pf_wl_reader_t rd = {0};
        pf_err_t err;

        if (loaded != NULL)
                *loaded = 0;
        if (wl == NULL || path == NULL)
                return PF_ERR_INTERNAL;
        rd.fp = fopen(path, "rb");
        if (rd.fp == NULL) {
                if (on_error != NULL) {
                        char msg[PF_WL_ERR_MSG_MAX];

                        snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
                        on_error(opaque, msg);
                }
                return PF_ERR_IO;
        }
        rd.line = malloc(PF_WL_LINE_MAX + 1);
        if (rd.line == NULL) {
                fclose(rd.fp);
                return PF_ERR_NOMEM;
        }
        err = pf_wl_load_lines(&ld, &rd);
        fclose(rd.fp);
        free(rd.line);
        if (err == PF_OK && ld.nomem)
                err = PF_ERR_NOMEM;
        if (err == PF_OK && ld.errors > 0)
                err = PF_ERR_INVALID_VALUE;
        if (err == PF_OK && !pf_wl_reserve(wl, ld.staged_count, ld.staged_docs))
                err = PF_ERR_NOMEM;
        if (ld.errors > PF_WL_ERRORS_MAX && on_error != NULL) {
                char msg[PF_WL_ERR_MSG_MAX];

                snprintf(msg, sizeof(msg), "%s: %zu bad lines in all (first %d reported)", path,
                         ld.errors, PF_WL_ERRORS_MAX);
                on_error(opaque, msg);
        }
        for (size_t i = 0; i < ld.staged_count; i++) {
                if (err != PF_OK) {
                        free(ld.staged[i]);
                } else if (pf_wl_insert(wl, ld.staged[i]) != PF_OK) {
                        err = PF_ERR_NOMEM; /* room was reserved; a posting list could not grow */
                }
        }
        free(ld.staged);
        if (err == PF_OK && loaded != NULL)
                *loaded = ld.staged_count;
        return err;
}

void pf_watchlist_foreach(const pf_watchlist_t *wl,
                          void (*fn)(void *opaque, const pf_wl_rec_t *rec), void *opaque) {
        for (size_t i = 0; wl != NULL && i < wl->rec_count; i++) {
                if (wl->recs[i] != NULL)
                        fn(opaque, wl->recs[i]);
        }
}
