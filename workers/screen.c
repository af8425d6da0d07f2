/**
 * @file screen.c
 * @brief Name preparation (tokens, joins, particles, skeletons, blocking keys) and the screener.
 *
 * See screen.h for the matching model and the meaning of the confidence.
 */
#include "screen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#define PF_SCREEN_SEEN_CAP      8192 /**< power of two, > 2 * PF_SCREEN_CANDIDATES_MAX */
#define PF_SCREEN_FOUND_MAX     256
#define PF_SCREEN_QKEYS_MAX     256   /**< blocking keys of a traveller */
#define PF_SCREEN_BATCH         32    /**< candidates fetched ahead of scoring */
#define PF_SCREEN_ALIGN_MIN     0.80f /**< unit pairs less similar than this are not aligned */
#define PF_SCREEN_TYPO_YEAR_MIN 5     /**< consonants a typo key needs to be made under a year */
#define PF_SCREEN_ABJAD_SAME    0.97  /**< an Arabic-script name and a Latin spelling that fits */
#define PF_SCREEN_ABJAD_NEAR    0.88  /**< the same, one consonant apart (JMAL / GAMAL) */

/* Name score penalties (screen.h): a token left without a partner. */
#define PF_PEN_T_GIVEN   0.03 /**< the traveller's given name (an extra middle name) */
#define PF_PEN_T_SURNAME 0.10 /**< the traveller's surname */
#define PF_PEN_W_GIVEN   0.02 /**< the listed given name (the list has more names) */
#define PF_PEN_W_SURNAME 0.12 /**< the listed surname */
#define PF_PEN_CONFLICT  0.08 /**< both sides keep a token the other lacks */
#define PF_PEN_ONE_TOKEN 0.08 /**< one strong token out of several */

/* --- Tokens -------------------------------------------------------------------------------- */

static const char *const pf_particles[] = {
        "AL",    "EL",  "UL",  "UD", "BIN", "BINT", "IBN",  "BEN", "BNT", "BN",
        "VAN",   "DER", "DEN", "DE", "DI",  "DA",   "DOS",  "DAS", "DU",  "DEL",
        "DELLA", "VON", "ZU",  "LA", "LOS", "LAS",  "OULD", "TER", "TEN", "EZ",
        "ES",    "AZ",  "AS",  "AD", "AR",  "AT",   NULL};

static bool pf_is_particle(const char *tok, size_t len) {
        if (len < 2 || len > 5)
                return false;
        for (const char *const *p = pf_particles; *p; p++) {
                if ((*p)[0] == tok[0] && strlen(*p) == len && memcmp(*p, tok, len) == 0)
                        return true;
        }
        return false;
}

/* --- Skeletons ----------------------------------------------------------------------------- */

/** Appends @p c to the skeleton unless it repeats the last letter. */
static inline void pf_skel_put(char *out, size_t cap, size_t *n, char c) {
        if (*n > 0 && out[*n - 1] == c)
                return;
        if (*n + 1 < cap)
                out[(*n)++] = c;
}

static inline bool pf_is_vowel(char c) {
        return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/*
 * One pass, one switch per letter with at most three letters of lookahead (no table scans).
 * Classes: S (sibilants and affricates: S Z C(E/I/Y) SH SCH SHCH CH ZH TS TZ CZ SZ DZ DZH DJ,
 * J before a vowel, X at the start or before I+vowel or U, QI), K (K G C CK GH QU Q), T (T D
 * TH DH), P (P B), F (F V W-initial PH), L M N R; KH and lone H, vowels, Y, W and J elsewhere
 * are dropped. Word-initial MP, NT, GK (Greek passports for B, D, G) read P, T, K; GK inside a
 * word reads NK (as NG does). Doubles collapse.
 */
size_t pf_screen_skeleton(const char *tok, size_t len, char *out, size_t cap) {
        size_t n = 0;

        for (size_t i = 0; i < len;) {
                char c = tok[i], c1 = i + 1 < len ? tok[i + 1] : 0,
                     c2 = i + 2 < len ? tok[i + 2] : 0;
                char c3 = i + 3 < len ? tok[i + 3] : 0, cls = '-';
                size_t step = 1;

                switch (c) {
                case 'S':
                        cls = 'S';
                        if (c1 == 'H')
                                step = (c2 == 'C' && c3 == 'H') ? 4 : 2;
                        else if (c1 == 'C' && c2 == 'H')
                                step = 3;
                        else if (c1 == 'Z')
                                step = 2;
                        break;
                case 'C':
                        if (c1 == 'H' || c1 == 'Z') {
                                cls = 'S';
                                step = 2;
                        } else if (c1 == 'K') {
                                cls = 'K';
                                step = 2;
                        } else if (c1 == 'E' || c1 == 'I' || c1 == 'Y') {
                                cls = 'S';
                        } else {
                                /* pinyin C- (Wade-Giles TS-) in a short syllable: CAI, CAO,
                                 * CUI, CONG; CARL, COLE stay K */
                                char end = tok[len - 1];

                                cls = (i == 0 && len <= 4 &&
                                       (c1 == 'A' || c1 == 'O' || c1 == 'U') &&
                                       (end == 'I' || end == 'O' || end == 'N' || end == 'G'))
                                              ? 'S'
                                              : 'K';
                        }
                        break;
                case 'D':
                        if (c1 == 'Z') {
                                cls = 'S';
                                step = c2 == 'H' ? 3 : 2;
                        } else if (c1 == 'J') {
                                cls = 'S';
                                step = 2;
                        } else {
                                cls = 'T';
                                step = c1 == 'H' ? 2 : 1;
                        }
                        break;
                case 'Z':
                        cls = 'S';
                        step = c1 == 'H' ? 2 : 1;
                        break;
                case 'T':
                        if (c1 == 'S' || c1 == 'Z') {
                                cls = 'S';
                                step = 2;
                        } else {
                                cls = 'T';
                                step = c1 == 'H' ? 2 : 1;
                        }
                        break;
                case 'K':
                        if (c1 == 'H') {
                                step = 2; /* KH: dropped, as H */
                        } else if (c1 == 'S') {
                                cls = 'X';
                                step = 2;
                        } else {
                                cls = 'K';
                        }
                        break;
                case 'G':
                        cls = 'K';
                        if (c1 == 'H') {
                                step = 2;
                        } else if (c1 == 'K') {
                                step = 2;
                                if (i > 0)
                                        pf_skel_put(out, cap, &n, 'N');
                        }
                        break;
                case 'P':
                        cls = c1 == 'H' ? 'F' : 'P';
                        step = c1 == 'H' ? 2 : 1;
                        break;
                case 'B':
                        cls = 'P';
                        break;
                case 'Q':
                        cls = c1 == 'I' ? 'S' : 'K';
                        step = c1 == 'U' ? 2 : 1;
                        break;
                case 'M':
                        cls = 'M';
                        if (i == 0 && c1 == 'P') {
                                cls = 'P';
                                step = 2;
                        }
                        break;
                case 'N':
                        cls = 'N';
                        if (i == 0 && c1 == 'T') {
                                cls = 'T';
                                step = 2;
                        }
                        break;
                case 'X': /* pinyin X- (Wade-Giles HS-), also inside joined syllables */
                        cls = (i == 0 || c1 == 'U' || c1 == 'I') ? 'S' : 'X';
                        break;
                case 'J': /* JA-, DJ-, pinyin J-, Arabic JMAL: an affricate; SERGEJ: a glide */
                        cls = (i > 0 && tok[i - 1] != 'A' && pf_is_vowel(tok[i - 1]) &&
                               !pf_is_vowel(c1))
                                      ? '-'
                                      : 'S';
                        break;
                case 'W':
                        cls = i == 0 ? 'F' : '-';
                        break;
                case 'F':
                case 'V':
                        cls = 'F';
                        break;
                case 'L':
                case 'R':
                        cls = c;
                        break;
                default: /* vowels, Y, H */
                        break;
                }
                if (cls == 'X') {
                        pf_skel_put(out, cap, &n, 'K');
                        pf_skel_put(out, cap, &n, 'S');
                } else if (cls != '-') {
                        pf_skel_put(out, cap, &n, cls);
                }
                i += step;
        }
        if (cap > 0)
                out[n < cap ? n : cap - 1] = '\0';
        return n < cap ? n : (cap > 0 ? cap - 1 : 0);
}

/* --- Prepared names ------------------------------------------------------------------------ */

/**
 * Letter counts as a thermometer code: bit 2c for a letter c seen once, bit 2c + 1 for twice;
 * bit 63 when a letter comes three times or more. popcount(a & b) is then the number of
 * letters two strings can share, counted with repeats (up to two), which bounds Jaro.
 */
static uint64_t pf_letter_sig(const char *s, size_t len) {
        uint64_t sig = 0;

        for (size_t i = 0; i < len; i++) {
                unsigned c = (unsigned)(unsigned char)s[i] - 'A';
                uint64_t one;

                if (c >= 26)
                        continue;
                one = 1ULL << (2 * c);
                if (!(sig & one))
                        sig |= one;
                else if (!(sig & one << 1))
                        sig |= one << 1;
                else
                        sig |= 1ULL << 63;
        }
        return sig;
}

/** Appends the tokens of one normalised field to @p sn. */
static void pf_sname_add_field(pf_sname_t *sn, const char *field, uint8_t flags, size_t *used) {
        const char *p = field;

        while (p != NULL && *p != '\0' && sn->count < PF_SNAME_TOKENS_MAX) {
                const char *end = strchr(p, ' ');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                pf_stok_t *tok = &sn->tok[sn->count];
                char *text = sn->buf + *used;
                size_t skel_len;

                if (len > 0 && len <= 255 && *used + 2 * len + 2 <= PF_SNAME_BUF) {
                        memcpy(text, p, len);
                        text[len] = '\0';
                        skel_len = pf_screen_skeleton(text, len, text + len + 1, len + 1);
                        tok->text = text;
                        tok->len = (uint8_t)len;
                        tok->skel = text + len + 1;
                        tok->skel_len = (uint8_t)skel_len;
                        tok->flags = flags;
                        tok->first = tok->last = (uint8_t)sn->count;
                        tok->sig = pf_letter_sig(text, len);
                        if (len == 1)
                                tok->flags |= PF_STOK_INITIAL;
                        else if (pf_is_particle(text, len))
                                tok->flags |= PF_STOK_PARTICLE;
                        *used += 2 * len + 2;
                        sn->count++;
                }
                p = end ? end + 1 : NULL;
        }
}

/** Adds the joins of 2 and 3 adjacent tokens of one field (initials excluded). */
static void pf_sname_add_joins(pf_sname_t *sn, size_t *used) {
        for (unsigned span = 2; span <= 3; span++) {
                for (unsigned i = 0; i + span <= sn->count; i++) {
                        unsigned u = sn->count + sn->joins;
                        uint8_t field = sn->tok[i].flags & PF_STOK_SURNAME;
                        char *text = sn->buf + *used;
                        size_t len = 0, skel_len;
                        bool ok = u < PF_SNAME_UNITS_MAX;

                        for (unsigned k = i; ok && k < i + span; k++) {
                                const pf_stok_t *tok = &sn->tok[k];

                                ok = !(tok->flags & PF_STOK_INITIAL) &&
                                     (tok->flags & PF_STOK_SURNAME) == field &&
                                     len + tok->len <= PF_SNAME_JOIN_LEN &&
                                     *used + 2 * (len + tok->len) + 2 <= PF_SNAME_BUF;
                                if (ok) {
                                        memcpy(text + len, tok->text, tok->len);
                                        len += tok->len;
                                }
                        }
                        if (!ok)
                                continue;
                        text[len] = '\0';
                        skel_len = pf_screen_skeleton(text, len, text + len + 1, len + 1);
                        sn->tok[u].text = text;
                        sn->tok[u].len = (uint8_t)len;
                        sn->tok[u].skel = text + len + 1;
                        sn->tok[u].skel_len = (uint8_t)skel_len;
                        sn->tok[u].flags = (uint8_t)(PF_STOK_JOIN | field |
                                                     (sn->tok[i].flags & PF_STOK_ABJAD));
                        sn->tok[u].first = (uint8_t)i;
                        sn->tok[u].last = (uint8_t)(i + span - 1);
                        sn->tok[u].sig = pf_letter_sig(text, len);
                        *used += 2 * len + 2;
                        sn->joins++;
                }
        }
}

pf_err_t pf_sname_prepare(pf_sname_t *sn, const char *given, const char *surname) {
        return pf_sname_prepare_abjad(sn, given, surname, false, false);
}

pf_err_t pf_sname_prepare_abjad(pf_sname_t *sn, const char *given, const char *surname,
                                bool given_abjad, bool surname_abjad) {
        size_t used = 0;
        bool all_particles = true;

        sn->count = 0;
        sn->joins = 0;
        pf_sname_add_field(sn, given, given_abjad ? PF_STOK_ABJAD : 0, &used);
        pf_sname_add_field(sn, surname, PF_STOK_SURNAME | (surname_abjad ? PF_STOK_ABJAD : 0),
                           &used);
        if (sn->count == 0)
                return PF_ERR_MISSING_FIELD;
        /* A name made only of particles ("DE LA") keeps them as ordinary tokens. */
        for (unsigned i = 0; i < sn->count; i++)
                all_particles = all_particles && (sn->tok[i].flags & PF_STOK_PARTICLE);
        if (all_particles) {
                for (unsigned i = 0; i < sn->count; i++)
                        sn->tok[i].flags &= (uint8_t)~PF_STOK_PARTICLE;
        }
        pf_sname_add_joins(sn, &used);
        return PF_OK;
}

/*
 * Serialized form: [count][joins], then per unit [flags][len][skel_len] text skeleton, and for
 * a join [first][last] before its text.
 */
size_t pf_sname_serialize(const pf_sname_t *sn, uint8_t *out, size_t cap) {
        size_t n = 0;

        if (cap < 2)
                return 0;
        out[n++] = (uint8_t)sn->count;
        out[n++] = (uint8_t)sn->joins;
        for (unsigned i = 0; i < sn->count + sn->joins; i++) {
                const pf_stok_t *tok = &sn->tok[i];
                bool join = (tok->flags & PF_STOK_JOIN) != 0;

                if (n + 5 + tok->len + tok->skel_len > cap)
                        return 0;
                out[n++] = tok->flags;
                out[n++] = tok->len;
                out[n++] = tok->skel_len;
                if (join) {
                        out[n++] = tok->first;
                        out[n++] = tok->last;
                }
                memcpy(out + n, tok->text, tok->len);
                n += tok->len;
                memcpy(out + n, tok->skel, tok->skel_len);
                n += tok->skel_len;
        }
        return n;
}

const uint8_t *pf_sname_view(pf_sname_t *sn, const uint8_t *in) {
        sn->count = in[0];
        sn->joins = in[1];
        in += 2;
        for (unsigned i = 0; i < sn->count + sn->joins; i++) {
                pf_stok_t *tok = &sn->tok[i];

                tok->flags = in[0];
                tok->len = in[1];
                tok->skel_len = in[2];
                in += 3;
                if (tok->flags & PF_STOK_JOIN) {
                        tok->first = in[0];
                        tok->last = in[1];
                        in += 2;
                } else {
                        tok->first = tok->last = (uint8_t)i;
                }
                tok->text = (const char *)in;
                tok->skel = tok->text + tok->len;
                tok->sig = 0; /* computed when needed (pf_unit_sim()) */
                in += tok->len + tok->skel_len;
        }
        return in;
}

/* --- Blocking keys ------------------------------------------------------------------------- */

static uint64_t pf_key_hash(char kind, const char *a, size_t alen, const char *b, size_t blen) {
        uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)(unsigned char)kind;

        h *= 0x100000001b3ULL;
        for (size_t i = 0; i < alen; i++)
                h = (h ^ (unsigned char)a[i]) * 0x100000001b3ULL;
        h = (h ^ '|') * 0x100000001b3ULL;
        for (size_t i = 0; i < blen; i++)
                h = (h ^ (unsigned char)b[i]) * 0x100000001b3ULL;
        h ^= h >> 31;
        h *= 0x9e3779b97f4a7c15ULL;
        return h ^ (h >> 29);
}

/*
 * Blocking. A candidate can only reach the threshold in one of three ways (see the
 * confidence model in screen.h), and each has its keys:
 *  - a near-identical name, whatever the dates: FULL keys, the set of the name's token
 *    skeletons (also without one of its given names, and with each field's tokens joined);
 *  - a good name and dates that agree: PAIR keys (two units), posted only by entries with a
 *    date; the date packed in each posting drops the candidates born years apart unread;
 *  - a weaker name (a typo, one unit and an initial, one unit alone) and the same full date
 *    (or the same year when the list has only a year): INITIAL, EDIT and SINGLE keys, tagged
 *    with that date, so that their postings hold only people born that day.
 * MONO keys serve names of one unit.
 */

/** Kinds of blocking keys, in the order they are read. */
typedef enum {
        PF_KEY_FULL = 0, /**< the whole name: its token skeletons as a set */
        PF_KEY_PAIR,     /**< two non-overlapping units */
        PF_KEY_MONO,     /**< the only unit of a one-unit name */
        PF_KEY_INITIAL,  /**< a token's first letter and another unit, date-tagged */
        PF_KEY_EDIT,     /**< two units, one skeleton with a letter deleted, date-tagged */
        PF_KEY_SINGLE,   /**< one unit, tagged with a full date */
        PF_KEY_KINDS
} pf_key_kind_t;

/** A blocking unit: a token or a join, by its key string. */
typedef struct pf_bunit_s {
        char key[PF_SNAME_JOIN_LEN + 2];
        uint8_t len;
        uint8_t first, last; /**< token range */
        bool surname;
} pf_bunit_t;

#define PF_KEYSET_SLOTS 512 /**< > 2 * PF_SCREEN_QKEYS_MAX, a power of two */
#define PF_KEYSET_TAGS  3

typedef struct pf_keyset_s {
        uint64_t *keys;
        uint8_t *kinds;
        size_t n, max;
        uint64_t tags[PF_KEYSET_TAGS]; /**< date tags the weak kinds are made under */
        unsigned tag_count;
        bool edit_year; /**< typo keys are also made under the year (long enough skeletons) */
        uint64_t seen[PF_KEYSET_SLOTS]; /**< keys already added (0 = free) */
} pf_keyset_t;

static uint64_t pf_key_tagged(uint64_t key, uint64_t tag) {
        uint64_t h = key ^ (tag * 0x9E3779B97F4A7C15ULL);

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        return h ^ (h >> 33);
}

/** Date tags: a full date, or a year (partial dates), in two spaces. */
static uint64_t pf_tag_full(int y, int m, int d) {
        return 0x1000000ULL | (uint64_t)y << 9 | (uint64_t)m << 5 | (uint64_t)d;
}

static uint64_t pf_tag_year(int y) {
        return 0x2000000ULL | (uint64_t)y;
}

static void pf_keyset_put(pf_keyset_t *ks, pf_key_kind_t kind, uint64_t key) {
        size_t i = (size_t)(key >> 7) & (PF_KEYSET_SLOTS - 1);

        key |= 1; /* 0 marks a free slot */
        for (; ks->seen[i] != 0; i = (i + 1) & (PF_KEYSET_SLOTS - 1)) {
                if (ks->seen[i] == key)
                        return;
        }
        if (ks->n >= ks->max)
                return;
        ks->seen[i] = key;
        ks->keys[ks->n] = key;
        if (ks->kinds != NULL)
                ks->kinds[ks->n] = (uint8_t)kind;
        ks->n++;
}

static void pf_keyset_add(pf_keyset_t *ks, pf_key_kind_t kind, uint64_t key) {
        if (kind < PF_KEY_INITIAL) {
                pf_keyset_put(ks, kind, key);
                return;
        }
        for (unsigned t = 0; t < ks->tag_count; t++) {
                if ((kind == PF_KEY_SINGLE || (kind == PF_KEY_EDIT && !ks->edit_year)) &&
                    !(ks->tags[t] & 0x1000000ULL))
                        continue; /* one unit, or a typo in short names, needs the full date */
                pf_keyset_put(ks, kind, pf_key_tagged(key, ks->tags[t]));
        }
}

static uint64_t pf_pair_key(const char *a, size_t al, const char *b, size_t bl) {
        int cmp = memcmp(a, b, al < bl ? al : bl);

        if (cmp > 0 || (cmp == 0 && al > bl))
                return pf_key_hash('P', b, bl, a, al);
        return pf_key_hash('P', a, al, b, bl);
}

/** The blocking units of a name: tokens (not particles, not initials) and joins. */
static size_t pf_sname_bunits(const pf_sname_t *sn, pf_bunit_t *units) {
        size_t n = 0;

        for (unsigned i = 0; i < sn->count + sn->joins; i++) {
                const pf_stok_t *tok = &sn->tok[i];
                size_t len;

                if (tok->flags & (PF_STOK_PARTICLE | PF_STOK_INITIAL))
                        continue;
                if (tok->skel_len == 0) {
                        /* no consonant (AYA, HE/HO, YU): the first letter, marked */
                        units[n].key[0] = '*';
                        units[n].key[1] = tok->text[0];
                        units[n].len = 2;
                } else {
                        len = tok->skel_len < PF_SNAME_JOIN_LEN ? tok->skel_len : PF_SNAME_JOIN_LEN;
                        memcpy(units[n].key, tok->skel, len);
                        units[n].len = (uint8_t)len;
                }
                units[n].first = tok->first;
                units[n].last = tok->last;
                units[n].surname = (tok->flags & PF_STOK_SURNAME) != 0;
                n++;
        }
        return n;
}

/**
 * Typo keys of u and v: the pair itself and the pairs with one letter of @p v's skeleton
 * deleted (skeletons of 3+), so that a deletion, insertion or substitution in v meets.
 */
static void pf_keys_edits(pf_keyset_t *ks, const pf_bunit_t *u, const pf_bunit_t *v) {
        char del[PF_SNAME_JOIN_LEN + 2];

        /* under a year alone (a partial date on the list), short skeletons would be met by
         * too many names: there, a typo key counts only with 5 consonants or more */
        ks->edit_year = u->len + v->len >= PF_SCREEN_TYPO_YEAR_MIN;
        pf_keyset_add(ks, PF_KEY_EDIT, pf_pair_key(u->key, u->len, v->key, v->len));
        if (v->len < 3 || v->key[0] == '*')
                return;
        for (size_t i = 0; i < v->len; i++) {
                if (i > 0 && v->key[i] == v->key[i - 1])
                        continue;
                memcpy(del, v->key, i);
                memcpy(del + i, v->key + i + 1, v->len - i - 1u);
                ks->edit_year = u->len + v->len - 1 >= PF_SCREEN_TYPO_YEAR_MIN;
                pf_keyset_add(ks, PF_KEY_EDIT, pf_pair_key(u->key, u->len, del, v->len - 1u));
        }
}

static int pf_bunit_cmp(const void *a, const void *b) {
        const pf_bunit_t *x = *(const pf_bunit_t *const *)a, *y = *(const pf_bunit_t *const *)b;
        int cmp = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

        return cmp != 0 ? cmp : (int)x->len - (int)y->len;
}

/** The FULL key of a set of units (order-free). */
static uint64_t pf_full_key(const pf_bunit_t **set, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL ^ 'F';

        qsort(set, n, sizeof(*set), pf_bunit_cmp);
        for (size_t i = 0; i < n; i++) {
                for (size_t k = 0; k < set[i]->len; k++)
                        h = (h ^ (unsigned char)set[i]->key[k]) * 0x100000001b3ULL;
                h = (h ^ '|') * 0x100000001b3ULL;
        }
        h ^= h >> 31;
        h *= 0x9e3779b97f4a7c15ULL;
        return h ^ (h >> 29);
}

#define PF_FIELD_VARIANTS (PF_SNAME_UNITS_MAX + 2)

/** One field's ways of being written: unit sets, as index ranges into a shared array. */
typedef struct pf_field_variants_s {
        const pf_bunit_t *unit[PF_FIELD_VARIANTS * PF_SNAME_TOKENS_MAX];
        uint8_t start[PF_FIELD_VARIANTS], count[PF_FIELD_VARIANTS];
        bool dropped[PF_FIELD_VARIANTS]; /**< a given name was left out */
        size_t n, used;
} pf_field_variants_t;

/**
 * The variants of one field (@p surname selects it): its tokens; for given names, its tokens
 * without one given name or one compound given name (ABD AL RAHMAN), when another remains;
 * and the field's longest join (ABDULRAHMAN, ALHASSAN) when it joins more than one token.
 */
static void pf_field_variants(pf_field_variants_t *fv, const pf_bunit_t *units, size_t unit_count,
                              bool surname) {
        const pf_bunit_t *longest = NULL;
        size_t tokens = 0;

        fv->n = fv->used = 0;
        fv->start[0] = 0;
        fv->dropped[0] = false;
        for (size_t u = 0; u < unit_count; u++) {
                if (units[u].surname != surname)
                        continue;
                if (units[u].first == units[u].last) {
                        fv->unit[fv->used++] = &units[u];
                        tokens++;
                }
                if (longest == NULL ||
                    units[u].last - units[u].first > longest->last - longest->first)
                        longest = &units[u];
        }
        fv->count[0] = (uint8_t)tokens;
        fv->n = 1;
        for (size_t skip = 0; !surname && tokens >= 2 && skip < unit_count; skip++) {
                size_t start = fv->used, kept = 0;

                if (units[skip].surname || fv->n >= PF_FIELD_VARIANTS - 1)
                        continue;
                for (size_t u = 0; u < unit_count; u++) {
                        if (!units[u].surname && units[u].first == units[u].last &&
                            (units[u].first < units[skip].first ||
                             units[u].first > units[skip].last)) {
                                fv->unit[fv->used++] = &units[u];
                                kept++;
                        }
                }
                if (kept == 0) {
                        fv->used = start;
                        continue;
                }
                fv->start[fv->n] = (uint8_t)start;
                fv->count[fv->n] = (uint8_t)kept;
                fv->dropped[fv->n++] = true;
        }
        if (longest != NULL && longest->first != longest->last) {
                fv->start[fv->n] = (uint8_t)fv->used;
                fv->unit[fv->used++] = longest;
                fv->count[fv->n] = 1;
                fv->dropped[fv->n++] = false;
        }
}

/**
 * FULL keys: the name's units as a set, for every combination of its given names' variants
 * and its surname's (pf_field_variants()): all tokens, a given name missing on one side, a
 * field written as one word (ABDUL RAHMAN / ABDULRAHMAN, AL HASSAN / ALHASSAN). A variant
 * without a given name needs another unit left.
 */
static void pf_keys_full(pf_keyset_t *ks, const pf_bunit_t *units, size_t unit_count) {
        pf_field_variants_t fvg, fvs;
        const pf_bunit_t *set[2 * PF_SNAME_UNITS_MAX];

        pf_field_variants(&fvg, units, unit_count, false);
        pf_field_variants(&fvs, units, unit_count, true);
        for (size_t g = 0; g < fvg.n; g++) {
                for (size_t v = 0; v < fvs.n; v++) {
                        size_t n = 0;

                        for (size_t k = 0; k < fvg.count[g]; k++)
                                set[n++] = fvg.unit[fvg.start[g] + k];
                        for (size_t k = 0; k < fvs.count[v]; k++)
                                set[n++] = fvs.unit[fvs.start[v] + k];
                        if (n == 0 || (fvg.dropped[g] && n < 2))
                                continue;
                        pf_keyset_add(ks, PF_KEY_FULL, pf_full_key(set, n));
                }
        }
}

/**
 * @brief The blocking keys of a name with the date of birth @p dob (pf_wl_dob_pack(), 0
 *        unknown). @p query selects the traveller's side: initials of the name become initial
 *        keys (the index posts every token's first letter instead), and a full date is also
 *        looked up with day and month swapped.
 */
static size_t pf_sname_keys_typed(const pf_sname_t *sn, bool query, uint32_t dob, uint64_t *keys,
                                  uint8_t *kinds, size_t max) {
        pf_bunit_t units[PF_SNAME_UNITS_MAX];
        size_t unit_count = pf_sname_bunits(sn, units), tokens = 0;
        int prec = (int)(dob >> 24), y = (int)(dob >> 9 & 0x7FFF), m = (int)(dob >> 5 & 15),
            d = (int)(dob & 31);
        pf_keyset_t *ks, ks_mem;

        ks = &ks_mem;
        memset(ks->seen, 0, sizeof(ks->seen));
        ks->keys = keys;
        ks->kinds = kinds;
        ks->n = 0;
        ks->max = max;
        ks->tag_count = 0;
        if (prec == 3) {
                ks->tags[ks->tag_count++] = pf_tag_full(y, m, d);
                if (query && d <= 12 && d != m)
                        ks->tags[ks->tag_count++] = pf_tag_full(y, d, m);
        }
        if (prec > 0 && (query || prec < 3))
                ks->tags[ks->tag_count++] = pf_tag_year(y); /* partial dates on the list */
        if (unit_count == 0)
                return 0;
        for (size_t u = 0; u < unit_count; u++)
                tokens += units[u].first == units[u].last;
        pf_keys_full(ks, units, unit_count);
        if (tokens == 1 && unit_count == 1)
                pf_keyset_add(ks, PF_KEY_MONO, pf_key_hash('M', units[0].key, units[0].len, "", 0));
        if (prec == 0)
                return ks->n; /* without a date, only a near-identical name can match */
        for (size_t u = 0; u < unit_count; u++) {
                for (size_t v = u + 1; v < unit_count; v++) {
                        if (units[u].last < units[v].first || units[v].last < units[u].first)
                                pf_keyset_add(ks, PF_KEY_PAIR,
                                              pf_pair_key(units[u].key, units[u].len, units[v].key,
                                                          units[v].len));
                }
        }
        /* initials: "J SMITH" meets JOHN SMITH through (J, SMT) */
        for (unsigned i = 0; i < sn->count; i++) {
                const pf_stok_t *tok = &sn->tok[i];
                bool initial = (tok->flags & PF_STOK_INITIAL) != 0;

                if ((tok->flags & PF_STOK_PARTICLE) || initial != query)
                        continue;
                for (size_t v = 0; v < unit_count; v++) {
                        if (i < units[v].first || i > units[v].last)
                                pf_keyset_add(
                                        ks, PF_KEY_INITIAL,
                                        pf_key_hash('I', tok->text, 1, units[v].key, units[v].len));
                }
        }
        /* typos: a consonant deleted in one of two tokens */
        for (size_t u = 0; u < unit_count; u++) {
                for (size_t v = 0; v < unit_count; v++) {
                        if (u != v && units[u].first == units[u].last &&
                            units[v].first == units[v].last)
                                pf_keys_edits(ks, &units[u], &units[v]);
                }
        }
        for (size_t u = 0; u < unit_count; u++)
                pf_keyset_add(ks, PF_KEY_SINGLE,
                              pf_key_hash('S', units[u].key, units[u].len, "", 0));
        return ks->n;
}

size_t pf_sname_keys(const pf_sname_t *sn, uint32_t dob, uint64_t *keys, size_t max) {
        return pf_sname_keys_typed(sn, false, dob, keys, NULL, max);
}

/* --- Similarities -------------------------------------------------------------------------- */

/** Jaro from the match and transposition counts, then Winkler's boost for a common prefix. */
static double pf_jw_finish(const char *a, size_t alen, const char *b, size_t blen, size_t matches,
                           size_t trans) {
        double m = (double)matches;
        double jaro = (m / (double)alen + m / (double)blen + (m - (double)trans / 2.0) / m) / 3.0;
        size_t prefix = 0;

        if (jaro <= 0.7)
                return jaro;
        while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
                prefix++;
        return jaro + 0.1 * (double)prefix * (1.0 - jaro);
}

/**
 * Jaro-Winkler of two A-Z strings of at most 64 letters, bit-parallel: each letter of @p a
 * takes the first free position of its letter in @p b within the window (the same choice as
 * the textbook loop), found with one mask and a count of trailing zeros.
 */
static double pf_jw_az(const char *a, size_t alen, const char *b, size_t blen) {
        uint64_t pos[32], am = 0, bm = 0, ar, br, span, full;
        size_t window, matches = 0, trans = 0;

        if (alen == 0 || blen == 0)
                return alen == blen ? 1.0 : 0.0;
        window = (alen > blen ? alen : blen) / 2;
        window = window > 0 ? window - 1 : 0;
        /* only the letters of a and b are read: clear those, then mark b's positions */
        for (size_t i = 0; i < alen; i++)
                pos[a[i] & 31] = 0;
        for (size_t j = 0; j < blen; j++)
                pos[b[j] & 31] = 0;
        for (size_t j = 0; j < blen; j++)
                pos[b[j] & 31] |= 1ULL << j;
        /* the window [i - w, i + w] as a mask: span shifted into place, cut to b */
        span = 2 * window + 1 >= 64 ? ~0ULL : (1ULL << (2 * window + 1)) - 1;
        full = blen >= 64 ? ~0ULL : (1ULL << blen) - 1;
        for (size_t i = 0; i < alen; i++) {
                uint64_t win = (i >= window ? span << (i - window) : span >> (window - i)) & full;
                uint64_t cand = pos[a[i] & 31] & win & ~bm;

                if (cand != 0) {
                        bm |= cand & -cand;
                        am |= 1ULL << i;
                        matches++;
                }
        }
        if (matches == 0)
                return 0.0;
        for (ar = am, br = bm; ar != 0; ar &= ar - 1, br &= br - 1)
                trans += a[__builtin_ctzll(ar)] != b[__builtin_ctzll(br)];
        return pf_jw_finish(a, alen, b, blen, matches, trans);
}

/** Jaro-Winkler on bit masks: both strings at most 64 letters. */
static double pf_jaro_winkler64(const char *a, size_t alen, const char *b, size_t blen) {
        uint64_t am = 0, bm = 0;
        size_t window, matches = 0, trans = 0;

        window = (alen > blen ? alen : blen) / 2;
        window = window > 0 ? window - 1 : 0;
        for (size_t i = 0; i < alen; i++) {
                size_t lo = i > window ? i - window : 0,
                       hi = i + window + 1 < blen ? i + window + 1 : blen;

                for (size_t j = lo; j < hi; j++) {
                        if (!(bm >> j & 1) && a[i] == b[j]) {
                                am |= 1ULL << i;
                                bm |= 1ULL << j;
                                matches++;
                                break;
                        }
                }
        }
        if (matches == 0)
                return 0.0;
        {
                uint64_t ar = am, br = bm;

                while (ar != 0) {
                        size_t i = (size_t)__builtin_ctzll(ar), j = (size_t)__builtin_ctzll(br);

                        trans += a[i] != b[j];
                        ar &= ar - 1;
                        br &= br - 1;
                }
        }
        return pf_jw_finish(a, alen, b, blen, matches, trans);
}

double pf_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen) {
        bool am[256] = {false}, bm[256] = {false};
        size_t window, matches = 0, trans = 0, k = 0;

        if (alen == 0 || blen == 0)
                return alen == blen ? 1.0 : 0.0;
        if (alen <= 64 && blen <= 64) {
                bool az = true;

                for (size_t i = 0; i < alen; i++)
                        az = az && a[i] >= 'A' && a[i] <= 'Z';
                for (size_t j = 0; j < blen; j++)
                        az = az && b[j] >= 'A' && b[j] <= 'Z';
                return az ? pf_jw_az(a, alen, b, blen) : pf_jaro_winkler64(a, alen, b, blen);
        }
        if (alen > 255)
                alen = 255;
        if (blen > 255)
                blen = 255;
        window = (alen > blen ? alen : blen) / 2;
        window = window > 0 ? window - 1 : 0;
        for (size_t i = 0; i < alen; i++) {
                size_t lo = i > window ? i - window : 0,
                       hi = i + window + 1 < blen ? i + window + 1 : blen;

                for (size_t j = lo; j < hi; j++) {
                        if (!bm[j] && a[i] == b[j]) {
                                am[i] = bm[j] = true;
                                matches++;
                                break;
                        }
                }
        }
        if (matches == 0)
                return 0.0;
        for (size_t i = 0; i < alen; i++) {
                if (!am[i])
                        continue;
                while (!bm[k])
                        k++;
                if (a[i] != b[k])
                        trans++;
                k++;
        }
        return pf_jw_finish(a, alen, b, blen, matches, trans);
}

/** @returns true if @p a and @p b differ by one insertion, deletion, substitution or swap. */
static bool pf_one_edit(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0;

        if (alen > blen)
                return pf_one_edit(b, blen, a, alen);
        if (blen - alen > 1)
                return false;
        while (i < alen && a[i] == b[i])
                i++;
        if (alen == blen) {
                if (i == alen)
                        return true;
                if (i + 1 < alen && a[i] == b[i + 1] && a[i + 1] == b[i] &&
                    memcmp(a + i + 2, b + i + 2, alen - i - 2) == 0)
                        return true;
                return memcmp(a + i + 1, b + i + 1, alen - i - 1) == 0;
        }
        return memcmp(a + i, b + i + 1, alen - i) == 0;
}

/** Consonant classes that transliteration swaps: K/S (G J C Q), S/T (TH S), P/F (B V). */
static bool pf_skel_close(char x, char y) {
        if (x > y) {
                char t = x;

                x = y;
                y = t;
        }
        return (x == 'K' && y == 'S') || (x == 'S' && y == 'T') || (x == 'F' && y == 'P');
}

/**
 * @returns true if two skeletons differ by one inserted or deleted consonant, or by one
 *          consonant swapped for a close one (pf_skel_close()).
 */
static bool pf_skel_near(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0;

        if (alen > blen)
                return pf_skel_near(b, blen, a, alen);
        if (blen - alen > 1)
                return false;
        while (i < alen && a[i] == b[i])
                i++;
        if (alen == blen)
                return i == alen || (pf_skel_close(a[i], b[i]) &&
                                     memcmp(a + i + 1, b + i + 1, alen - i - 1) == 0);
        return memcmp(a + i, b + i + 1, alen - i) == 0;
}

/**
 * @brief Similarity of two units (tokens or joins) in [0, 1].
 * @param fuzzy set when the similarity rests on spelling alone (the skeletons differ): a
 *              different name (KHALIL/KHALID) looks the same as a typo.
 */
/** Population count without the libgcc call a baseline x86-64 build makes of the builtin. */
static inline unsigned pf_popcount(uint64_t x) {
        x = x - ((x >> 1) & 0x5555555555555555ULL);
        x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
        x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
        return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

static inline bool pf_eq(const char *a, const char *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (a[i] != b[i])
                        return false;
        }
        return true;
}

static inline bool pf_is_consonant(char c) {
        return c >= 'A' && c <= 'Z' && !pf_is_vowel(c) && c != 'Y';
}

/**
 * @returns true if two tokens are the masculine and feminine forms of a name, which the
 *          skeleton (vowels dropped) cannot tell apart: the feminine form is the other plus A
 *          (DANIEL/DANIELA, EVGENII/EVGENIIA, SOROKIN/SOROKINA), or, for given names, it ends
 *          in A where the other ends in O or a consonant other than H (OLEG/OLGA, MARIO/MARIA;
 *          HAMZA/HAMZAH is one name).
 */
static bool pf_gendered_pair(const pf_stok_t *a, const pf_stok_t *b) {
        const pf_stok_t *f = a, *m = b;
        char last;

        if (a->len < 3 || b->len < 3 || ((a->flags | b->flags) & PF_STOK_JOIN))
                return false;
        if ((a->text[a->len - 1] == 'A') == (b->text[b->len - 1] == 'A'))
                return false;
        if (b->text[b->len - 1] == 'A') {
                f = b;
                m = a;
        }
        if (f->len == m->len + 1 && pf_eq(f->text, m->text, m->len))
                return true;
        if ((a->flags | b->flags) & PF_STOK_SURNAME)
                return false;
        last = m->text[m->len - 1];
        return last == 'O' || (pf_is_consonant(last) && last != 'H');
}

/** A run of vowels in a token: the vowel classes it can stand for, and whether it is long. */
typedef struct pf_vgroup_s {
        uint8_t mask; /**< 1 a, 2 i, 4 u */
        bool long_;   /**< a written long vowel: a long digraph (EE, OU, AI...) or a Y (AY) */
} pf_vgroup_t;

#define PF_VGROUPS_MAX 24

/** Latin digraphs that write a long vowel: EE, EI, IE, II, AI, AA, OO, OU, UU. */
static bool pf_long_digraph(char x, char y) {
        switch (x) {
        case 'E':
                return y == 'E' || y == 'I';
        case 'I':
                return y == 'E' || y == 'I';
        case 'A':
                return y == 'I' || y == 'A';
        case 'O':
                return y == 'O' || y == 'U';
        case 'U':
                return y == 'U';
        default:
                return false;
        }
}

/** The vowel runs of a token; @p abjad: the Arabic-script romanisation's A, I and U. */
static size_t pf_vgroups(const char *t, size_t len, bool abjad, pf_vgroup_t *g) {
        uint8_t lmask[PF_VGROUPS_MAX];
        size_t n = 0;
        bool in = false;

        for (size_t i = 0; i < len && n < PF_VGROUPS_MAX; i++) {
                char c = t[i];
                uint8_t m = c == 'A'            ? 1
                            : c == 'I'          ? 2
                            : c == 'U'          ? 4
                            : abjad             ? 0
                            : c == 'E'          ? 1 | 2
                            : c == 'O'          ? 1 | 4
                            : c == 'Y' && i > 0 ? 2
                                                : 0;

                if (m == 0) {
                        in = false;
                        continue;
                }
                if (!in) {
                        g[n].mask = 0;
                        g[n].long_ = false;
                        lmask[n] = 0;
                        n++;
                        in = true;
                } else if (!abjad && pf_long_digraph(t[i - 1], c)) {
                        g[n - 1].long_ = true;
                }
                g[n - 1].mask |= m;
                /* written long, E reads I (EE, EI) and O reads U (OO, OU) */
                lmask[n - 1] |= c == 'E' ? 2 : c == 'O' ? 4 : m;
                if (c == 'Y' && !abjad)
                        g[n - 1].long_ = true;
        }
        for (size_t k = 0; k < n; k++) {
                if (g[k].long_)
                        g[k].mask = lmask[k];
        }
        return n;
}

/**
 * @returns true if a Latin spelling @p l can be the Arabic-script name romanised as @p ab
 *          (consonants and long vowels, PF_STOK_ABJAD), their consonants being alike already.
 *          The vowel runs are aligned in order: each I or U of @p ab (a long vowel written
 *          with a letter) needs a run of @p l that can stand for it, each long run of @p l
 *          (EE, OU, AI, a Y) needs a vowel of @p ab, and the rest may stand alone: the short
 *          vowels the script does not write, and its A, which Latin spellings render as A, E,
 *          U or nothing (ABDUL / ABDEL / ABD AL). HASAN and HASSAN fit HSN; HUSSEIN (EI) does
 *          not, but fits HSIN.
 */
static bool pf_abjad_fits(const pf_stok_t *ab, const pf_stok_t *l) {
        pf_vgroup_t ga[PF_VGROUPS_MAX], gl[PF_VGROUPS_MAX];
        size_t na = pf_vgroups(ab->text, ab->len, true, ga);
        size_t nl = pf_vgroups(l->text, l->len, false, gl);
        /* ok[i][j]: ga[i..] and gl[j..] align */
        bool ok[PF_VGROUPS_MAX + 1][PF_VGROUPS_MAX + 1];

        for (size_t i = na + 1; i-- > 0;) {
                for (size_t j = nl + 1; j-- > 0;) {
                        bool v = i == na && j == nl;

                        if (!v && i < na && j < nl && (gl[j].mask & ga[i].mask) == ga[i].mask)
                                v = ok[i + 1][j + 1];
                        if (!v && i < na && ga[i].mask == 1)
                                v = ok[i + 1][j];
                        if (!v && j < nl && !gl[j].long_)
                                v = ok[i][j + 1];
                        ok[i][j] = v;
                }
        }
        return ok[0][0];
}

static double pf_unit_sim(const pf_stok_t *a, const pf_stok_t *b, uint64_t *bsig, bool *fuzzy) {
        double jw, sim;
        bool same_skel, near;

        *fuzzy = false;
        if ((a->flags | b->flags) & PF_STOK_INITIAL) {
                if ((a->flags | b->flags) & PF_STOK_JOIN)
                        return 0.0;
                return a->text[0] == b->text[0] ? 0.85 : 0.0;
        }
        if (a->len == b->len && pf_eq(a->text, b->text, a->len))
                return 1.0;
        same_skel = a->skel_len == b->skel_len && pf_eq(a->skel, b->skel, a->skel_len);
        near = !same_skel && a->skel_len >= 2 && b->skel_len >= 2 &&
               a->skel_len + b->skel_len >= 5 &&
               pf_skel_near(a->skel, a->skel_len, b->skel, b->skel_len);
        if (!same_skel && !near) {
                /* skeletons differ: worth Jaro-Winkler only if it can reach the alignment
                 * threshold (a bound from the letters the two share) */
                double m, j;

                *fuzzy = true;
                if (*bsig == 0)
                        *bsig = pf_letter_sig(b->text, b->len);
                if (!((a->sig | *bsig) >> 63)) {
                        m = (double)pf_popcount(a->sig & *bsig);
                        m = m < a->len ? m : a->len;
                        m = m < b->len ? m : b->len;
                        j = (m / a->len + m / b->len + 1.0) / 3.0;
                        if (m == 0.0 ||
                            (j > 0.7 ? j + 0.4 * (1.0 - j) : j) < PF_SCREEN_ALIGN_MIN - 1e-3)
                                return 0.0;
                }
        }
        jw = a->len <= 64 && b->len <= 64 ? pf_jw_az(a->text, a->len, b->text, b->len)
                                          : pf_jaro_winkler(a->text, a->len, b->text, b->len);
        sim = jw;
        if (same_skel) {
                /* the same consonants: a spelling or transliteration variant */
                bool shorter = a->len <= 4 && b->len <= 4; /* XU/HSU, LI/LEE, HE/HO */
                double boost = a->skel_len >= 3 ? 0.80 + 0.15 * jw
                               : (a->skel_len == 2 || (a->skel_len == 1 && shorter))
                                       ? 0.80 + 0.15 * jw
                               : a->skel_len == 1                      ? 0.75 + 0.15 * jw
                               : (shorter && a->text[0] == b->text[0]) ? 0.80 + 0.15 * jw
                                                                       : 0.0;

                if (boost > sim)
                        sim = boost;
        } else {
                *fuzzy = true;
                if (near) {
                        /* one consonant apart: OSMAN/UTHMAN, GAMAL/JAMAL, a typo */
                        double boost = 0.72 + 0.15 * jw;

                        if (boost > sim)
                                sim = boost;
                }
        }
        if ((same_skel || near) && ((a->flags ^ b->flags) & PF_STOK_ABJAD)) {
                if (pf_abjad_fits(a->flags & PF_STOK_ABJAD ? a : b,
                                  a->flags & PF_STOK_ABJAD ? b : a)) {
                        /* the Latin spelling only adds the short vowels Arabic script omits */
                        double abjad = same_skel ? PF_SCREEN_ABJAD_SAME : PF_SCREEN_ABJAD_NEAR;

                        if (abjad > sim)
                                sim = abjad;
                } else {
                        /* a long vowel the script does not write (HUSSEIN / HSN): another
                         * name with the same consonants, worth its letters only */
                        *fuzzy = true;
                        sim = jw;
                }
        }
        if (a->len >= 4 && b->len >= 4 && sim < 0.90 &&
            pf_one_edit(a->text, a->len, b->text, b->len))
                sim = 0.90;
        if (sim >= PF_SCREEN_ALIGN_MIN - 1e-3 && pf_gendered_pair(a, b)) {
                *fuzzy = true;
                return 0.0; /* another name, not another spelling */
        }
        return sim;
}

/**
 * A memo of unit similarities for one traveller: candidate units recur (common given names,
 * the same surname in many entries), so their similarities to the traveller's units are kept,
 * keyed by a hash of the unit's text. Cleared for each traveller (epoch).
 */
#define PF_MEMO_SLOTS 256 /**< a power of two */
#define PF_MEMO_UNITS 8   /**< travellers with more units do not use the memo */

typedef struct pf_memo_slot_s {
        uint64_t key;
        uint32_t epoch;
        uint32_t fuzzy; /**< bit a: pf_unit_sim()'s fuzzy flag against traveller unit a */
        float sim[PF_MEMO_UNITS];
} pf_memo_slot_t;

typedef struct pf_memo_s {
        uint32_t epoch;
        pf_memo_slot_t slot[PF_MEMO_SLOTS];
} pf_memo_t;

static uint64_t pf_unit_hash(const pf_stok_t *u) {
        uint64_t h = 0xcbf29ce484222325ULL ^ (u->flags & PF_STOK_JOIN);

        for (size_t i = 0; i < u->len; i++)
                h = (h ^ (unsigned char)u->text[i]) * 0x100000001b3ULL;
        return h | 1;
}

static inline uint32_t pf_unit_mask(const pf_stok_t *u) {
        return ((2u << u->last) - 1) & ~((1u << u->first) - 1);
}

/**
 * @brief Token alignment score (order-free, joins against tokens) of two names.
 * @param fuzzy set when an aligned pair rests on spelling alone (pf_unit_sim()).
 * @param memo  similarities already computed for this traveller @p t, or NULL.
 */
static double pf_name_score(const pf_sname_t *t, const pf_sname_t *w, bool *fuzzy,
                            pf_memo_t *memo) {
        float sim[PF_SNAME_UNITS_MAX][PF_SNAME_UNITS_MAX],
                rank[PF_SNAME_UNITS_MAX][PF_SNAME_UNITS_MAX];
        uint64_t fz[PF_SNAME_UNITS_MAX], wsig[PF_SNAME_UNITS_MAX];
        uint32_t tmask[PF_SNAME_UNITS_MAX], wmask[PF_SNAME_UNITS_MAX];
        unsigned ti[PF_SNAME_UNITS_MAX], wi[PF_SNAME_UNITS_MAX], tn = 0, wn = 0;
        uint32_t tused = 0, wused = 0;
        double sum = 0.0, weight = 0.0, penalty = 0.0;
        unsigned strong = 0, matched = 0, initials = 0, ttok = 0, wtok = 0, tleft = 0, wleft = 0;
        unsigned solid = 0; /* aligned pairs that are more than spelling (equal or same skeleton) */

        for (unsigned i = 0; i < t->count + t->joins; i++) {
                if (!(t->tok[i].flags & PF_STOK_PARTICLE)) {
                        tmask[tn] = pf_unit_mask(&t->tok[i]);
                        ti[tn++] = i;
                        ttok += i < t->count;
                }
        }
        for (unsigned j = 0; j < w->count + w->joins; j++) {
                if (!(w->tok[j].flags & PF_STOK_PARTICLE)) {
                        wsig[wn] = w->tok[j].sig;
                        wmask[wn] = pf_unit_mask(&w->tok[j]);
                        wi[wn++] = j;
                        wtok += j < w->count;
                }
        }
        if (ttok == 0 || wtok == 0)
                return 0.0;
        if (memo != NULL && tn > PF_MEMO_UNITS)
                memo = NULL;
        for (unsigned a = 0; a < tn; a++)
                fz[a] = 0;
        for (unsigned b = 0; b < wn; b++) {
                const pf_stok_t *wb = &w->tok[wi[b]];
                pf_memo_slot_t *slot = NULL;
                uint64_t key = 0;

                if (memo != NULL) {
                        key = pf_unit_hash(wb);
                        slot = &memo->slot[(key >> 17) & (PF_MEMO_SLOTS - 1)];
                        if (slot->epoch == memo->epoch && slot->key == key) {
                                for (unsigned a = 0; a < tn; a++) {
                                        sim[a][b] = slot->sim[a];
                                        fz[a] |= (uint64_t)(slot->fuzzy >> a & 1) << b;
                                }
                                continue;
                        }
                        slot->epoch = memo->epoch;
                        slot->key = key;
                        slot->fuzzy = 0;
                }
                for (unsigned a = 0; a < tn; a++) {
                        bool f;

                        sim[a][b] = (float)pf_unit_sim(&t->tok[ti[a]], wb, &wsig[b], &f);
                        fz[a] |= (uint64_t)f << b;
                        if (slot != NULL) {
                                slot->sim[a] = sim[a][b];
                                slot->fuzzy |= (uint32_t)f << a;
                        }
                }
        }
        /* Greedy alignment, best pair first; on a tie the pair within one field (surname with
         * surname) goes first, so that CHEN CHING / CHEN keeps its surname for the surname. */
        for (unsigned a = 0; a < tn; a++) {
                for (unsigned b = 0; b < wn; b++)
                        rank[a][b] =
                                sim[a][b] < PF_SCREEN_ALIGN_MIN - 1e-4f
                                        ? -1.0f
                                        : sim[a][b] +
                                                  (((t->tok[ti[a]].flags ^ w->tok[wi[b]].flags) &
                                                    PF_STOK_SURNAME)
                                                           ? 0.f
                                                           : 2e-3f);
        }
        *fuzzy = false;
        for (;;) {
                float best = 0.0f, top = 0.0f;
                unsigned ba = 0, bb = 0;
                bool any = false;
                const pf_stok_t *x, *y;
                uint32_t xm, ym;
                double wgt;

                for (unsigned a = 0; a < tn; a++) {
                        if (tmask[a] & tused)
                                continue;
                        for (unsigned b = 0; b < wn; b++) {
                                if (rank[a][b] > top && !(wmask[b] & wused)) {
                                        top = rank[a][b];
                                        best = sim[a][b];
                                        ba = a;
                                        bb = b;
                                        any = true;
                                }
                        }
                }
                if (!any)
                        break;
                x = &t->tok[ti[ba]];
                y = &w->tok[wi[bb]];
                xm = tmask[ba];
                ym = wmask[bb];
                tused |= xm;
                wused |= ym;
                if ((fz[ba] >> bb & 1) && !((x->flags | y->flags) & PF_STOK_SURNAME))
                        *fuzzy = true; /* given names alike, not the same: a sibling? */
                if (!(fz[ba] >> bb & 1))
                        solid++;
                wgt = ((x->flags | y->flags) & PF_STOK_INITIAL)
                              ? 2.0
                              : (double)(x->len > y->len ? x->len : y->len);
                sum += best * wgt;
                weight += wgt;
                matched++;
                if ((x->flags | y->flags) & PF_STOK_INITIAL)
                        initials++;
                else if (best >= 0.85f)
                        strong++;
        }
        if (solid == 0)
                *fuzzy = true; /* no unit agrees beyond spelling: names only alike */
        if (matched == 0 || strong == 0)
                return 0.0;
        for (unsigned i = 0; i < t->count; i++) {
                if (!(t->tok[i].flags & PF_STOK_PARTICLE) && !(tused >> i & 1)) {
                        penalty += (t->tok[i].flags & PF_STOK_SURNAME) ? PF_PEN_T_SURNAME
                                                                       : PF_PEN_T_GIVEN;
                        tleft++;
                }
        }
        for (unsigned j = 0; j < w->count; j++) {
                if (!(w->tok[j].flags & PF_STOK_PARTICLE) && !(wused >> j & 1)) {
                        penalty += (w->tok[j].flags & PF_STOK_SURNAME) ? PF_PEN_W_SURNAME
                                                                       : PF_PEN_W_GIVEN;
                        wleft++;
                }
        }
        /* Both sides keep a name the other lacks: a conflict, not a missing middle name. */
        if (tleft > 0 && wleft > 0)
                penalty += PF_PEN_CONFLICT;
        /* One strong token out of several is weak evidence (a shared surname). */
        if (strong == 1 && initials == 0 && matched == 1 && (ttok > 1 || wtok > 1))
                penalty += PF_PEN_ONE_TOKEN;
        return sum / weight - penalty;
}

double pf_screen_name_score(const pf_sname_t *t, const pf_sname_t *w) {
        bool fuzzy;

        return pf_name_score(t, w, &fuzzy, NULL);
}

/** The DOB term of the log-odds (screen.h); *known is false when a side has no date. */
static double pf_dob_term(int tp, int ty, int tm, int td, uint32_t packed, bool *known) {
        int wp = (int)(packed >> 24), wy = (int)(packed >> 9 & 0x7FFF),
            wm = (int)(packed >> 5 & 15), wd = (int)(packed & 31);
        int dy = ty > wy ? ty - wy : wy - ty;

        *known = tp != 0 && wp != 0;
        if (!*known)
                return PF_DOB_UNKNOWN;
        if (tp == 3 && wp == 3) {
                if (dy == 0 && tm == wm && td == wd)
                        return PF_DOB_EXACT;
                if (dy == 0 && tm == wd && td == wm)
                        return PF_DOB_SWAPPED;
                if (dy == 0 && tm == wm)
                        return PF_DOB_SAME_MONTH;
                if (dy == 1 && tm == wm && td == wd)
                        return PF_DOB_YEAR_OFF;
                return PF_DOB_MISMATCH;
        }
        if (dy == 0) {
                if (tp >= 2 && wp >= 2 && tm != wm)
                        return PF_DOB_PARTIAL_MONTH;
                return PF_DOB_PARTIAL;
        }
        return dy == 1 ? PF_DOB_PARTIAL_YEAR_OFF : PF_DOB_MISMATCH;
}

static double pf_confidence(double name_score, double dob, double nat) {
        double logit = PF_SCREEN_SLOPE * (name_score - PF_SCREEN_PIVOT) + dob + nat;

        return 1.0 / (1.0 + exp(-logit));
}

/* --- The screener -------------------------------------------------------------------------- */

/** A posting list looked up for the traveller, to be read. */
typedef struct pf_screen_list_s {
        const pf_wl_post_t *posts;
        size_t count;
        pf_wl_post_t one; /**< an inline list of one */
        uint8_t kind;
} pf_screen_list_t;

typedef struct pf_found_s {
        const pf_wl_rec_t *rec;
        pf_match_kind_t kind;
        double confidence;
} pf_found_t;

struct pf_screener_s {
        const pf_watchlist_t *wl;
        pf_norm_t *norm;
        double threshold;
        double logit_min; /**< log-odds of the threshold, a little lower (rounding) */
        uint32_t epoch;
        pf_screen_stats_t stats;
        uint32_t seen_id[PF_SCREEN_SEEN_CAP];
        uint32_t seen_epoch[PF_SCREEN_SEEN_CAP];
        pf_found_t found[PF_SCREEN_FOUND_MAX];
        size_t found_count;
        pf_sname_t traveller;
        pf_sname_t candidate;
        char given[PF_NORM_NAME_OUT_SIZE];
        char surname[PF_NORM_NAME_OUT_SIZE];
        uint64_t keys[PF_SCREEN_QKEYS_MAX];
        uint8_t kinds[PF_SCREEN_QKEYS_MAX];
        pf_screen_list_t lists[PF_SCREEN_QKEYS_MAX];
        uint32_t cand[PF_SCREEN_CANDIDATES_MAX];
        pf_memo_t memo;
        const pf_wl_rec_t *docs[PF_SCREEN_FOUND_MAX];
};

pf_screener_t *pf_screener_new(const pf_watchlist_t *wl, double threshold, char *errstr,
                               size_t errstr_size) {
        pf_screener_t *scr;

        if (wl == NULL || !(threshold >= 0.0 && threshold <= 1.0)) {
                snprintf(errstr, errstr_size, "threshold must be in [0, 1]");
                return NULL;
        }
        scr = calloc(1, sizeof(*scr));
        if (scr == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                return NULL;
        }
        scr->norm = pf_norm_new(errstr, errstr_size);
        if (scr->norm == NULL) {
                free(scr);
                return NULL;
        }
        scr->wl = wl;
        scr->threshold = threshold;
        scr->logit_min = threshold <= 0.0   ? -INFINITY
                         : threshold >= 1.0 ? INFINITY
                                            : log(threshold / (1.0 - threshold)) - 1e-9;
        return scr;
}

void pf_screener_destroy(pf_screener_t *scr) {
        if (scr == NULL)
                return;
        pf_norm_destroy(scr->norm);
        free(scr);
}

/** Records a match, keeping the best one per entry. */
static void pf_screen_found(pf_screener_t *scr, const pf_wl_rec_t *rec, pf_match_kind_t kind,
                            double confidence) {
        for (size_t i = 0; i < scr->found_count; i++) {
                pf_found_t *f = &scr->found[i];

                if (f->rec == rec) {
                        if (confidence > f->confidence ||
                            (confidence == f->confidence && kind < f->kind)) {
                                f->confidence = confidence;
                                f->kind = kind;
                        }
                        return;
                }
        }
        if (scr->found_count < PF_SCREEN_FOUND_MAX) {
                scr->found[scr->found_count].rec = rec;
                scr->found[scr->found_count].kind = kind;
                scr->found[scr->found_count].confidence = confidence;
                scr->found_count++;
        }
}

/** @returns true the first time @p id is seen in this query. */
static bool pf_screen_first_sight(pf_screener_t *scr, uint32_t id) {
        size_t mask = PF_SCREEN_SEEN_CAP - 1, i = (size_t)(id * 2654435761u) & mask;

        for (; scr->seen_epoch[i] == scr->epoch; i = (i + 1) & mask) {
                if (scr->seen_id[i] == id)
                        return false;
        }
        scr->seen_epoch[i] = scr->epoch;
        scr->seen_id[i] = id;
        return true;
}

static void pf_screen_document(pf_screener_t *scr, const pf_screen_subject_t *subj, unsigned *bad) {
        char key[3 + PF_WL_DOCNUM_MAX + 1];
        size_t num_len, in_len, found;

        if (subj->doc_number == NULL || subj->doc_number[0] == '\0')
                return;
        in_len = strlen(subj->doc_number);
        if (in_len > PF_WL_DOCNUM_MAX || subj->doc_country == NULL ||
            pf_country_alpha3(subj->doc_country, key) != PF_OK ||
            pf_norm_docnum(subj->doc_number, in_len, key + 3, sizeof(key) - 3, &num_len) != PF_OK) {
                *bad |= 4;
                return;
        }
        found = pf_watchlist_doc_find(scr->wl, key, 3 + num_len, scr->docs, PF_SCREEN_FOUND_MAX);
        for (size_t i = 0; i < found && i < PF_SCREEN_FOUND_MAX; i++)
                pf_screen_found(scr, scr->docs[i], PF_MATCH_DOCUMENT, 1.0);
}

/** Normalises one traveller name field; "" when absent or unusable. */
static bool pf_screen_norm(pf_screener_t *scr, const char *in, char *out, size_t cap) {
        size_t len = in ? strlen(in) : 0, out_len;
        pf_err_t err;

        out[0] = '\0';
        if (len == 0)
                return true;
        err = pf_norm_name_passport(scr->norm, in, len, out, cap, &out_len);
        return err == PF_OK || err == PF_ERR_MISSING_FIELD;
}

/** Most postings read per key kind (longer lists of that kind are skipped). */
static const uint32_t pf_screen_postings_max[PF_KEY_KINDS] = {
        [PF_KEY_FULL] = PF_SCREEN_PAIR_POSTINGS_MAX,
        [PF_KEY_PAIR] = PF_SCREEN_PAIR_POSTINGS_MAX,
        [PF_KEY_MONO] = PF_SCREEN_PAIR_POSTINGS_MAX,
        [PF_KEY_INITIAL] = PF_SCREEN_EDIT_POSTINGS_MAX,
        [PF_KEY_EDIT] = PF_SCREEN_EDIT_POSTINGS_MAX,
        [PF_KEY_SINGLE] = PF_SCREEN_SINGLE_POSTINGS_MAX};

/**
 * @brief Whether a packed date (pf_wl_dob_pack()) is certainly a mismatch for the traveller's
 *        (pf_dob_term() would say PF_DOB_MISMATCH): years two or more apart, or full dates a
 *        year apart in different months. Cheap, and read from the posting: no entry is touched.
 */
static inline bool pf_screen_dob_apart(const int *tdob, uint32_t packed) {
        int wp = (int)(packed >> 24), wy = (int)(packed >> 9 & 0x7FFF),
            wm = (int)(packed >> 5 & 15);
        int wd = (int)(packed & 31), dy;

        if (packed == 0 || tdob[3] == 0)
                return false;
        dy = tdob[0] > wy ? tdob[0] - wy : wy - tdob[0];
        if (dy >= 2)
                return true;
        if (wp == 3 && tdob[3] == 3) { /* pf_dob_term(): full dates on both sides */
                if (dy == 1)
                        return wm != tdob[1] || wd != tdob[2];
                return wm != tdob[1] && !(wm == tdob[2] && wd == tdob[1]);
        }
        return false;
}

/** Scores one candidate name; records a match at or above the threshold. */
static void pf_screen_candidate(pf_screener_t *scr, uint32_t name_id, const int *tdob,
                                const char *nat, bool prefilter) {
        const pf_wl_name_info_t *info = pf_watchlist_name_info(scr->wl, name_id);
        double dob, natt, ns, conf;
        bool known, fuzzy;

        if (info == NULL)
                return;
        dob = pf_dob_term(tdob[3], tdob[0], tdob[1], tdob[2], info->dob, &known);
        if (prefilter && dob <= PF_DOB_MISMATCH)
                return;
        natt = (nat[0] && info->nationality[0])
                       ? (memcmp(nat, info->nationality, 3) == 0 ? PF_SCREEN_NAT_SAME
                                                                 : PF_SCREEN_NAT_OTHER)
                       : 0.0;
        pf_sname_view(&scr->candidate, info->blob);
        ns = pf_name_score(&scr->traveller, &scr->candidate, &fuzzy, &scr->memo);
        scr->stats.scored++;
        if (fuzzy && dob > PF_DOB_SIBLING_CAP)
                dob = PF_DOB_SIBLING_CAP; /* a close but different name: twins, siblings */
        if (PF_SCREEN_SLOPE * (ns - PF_SCREEN_PIVOT) + dob + natt < scr->logit_min)
                return; /* below the threshold: no exp() */
        conf = pf_confidence(ns, dob, natt);
        if (conf >= scr->threshold) {
                const pf_wl_rec_t *rec = pf_watchlist_name_rec(scr->wl, name_id);

                if (rec != NULL)
                        pf_screen_found(scr, rec, known ? PF_MATCH_NAME_DOB : PF_MATCH_NAME, conf);
        }
}

static void pf_screen_names(pf_screener_t *scr, const pf_screen_subject_t *subj, unsigned *bad) {
        int tdob[4]; /* year, month, day, precision */
        char nat[4] = "";
        size_t key_count, candidates = 0, lists = 0;
        bool prefilter = scr->threshold >= 0.4;

        if (!pf_screen_norm(scr, subj->given_names, scr->given, sizeof(scr->given)) ||
            !pf_screen_norm(scr, subj->surname, scr->surname, sizeof(scr->surname)) ||
            pf_sname_prepare_abjad(
                    &scr->traveller, scr->given, scr->surname,
                    subj->given_names &&
                            pf_norm_has_arabic(subj->given_names, strlen(subj->given_names)),
                    subj->surname && pf_norm_has_arabic(subj->surname, strlen(subj->surname))) !=
                    PF_OK) {
                if ((subj->given_names && subj->given_names[0]) ||
                    (subj->surname && subj->surname[0]))
                        *bad |= 1;
                return;
        }
        if (pf_dob_parse(subj->date_of_birth, &tdob[0], &tdob[1], &tdob[2], &tdob[3]) != PF_OK) {
                *bad |= 2;
                tdob[3] = 0;
        }
        if (subj->nationality != NULL && subj->nationality[0] != '\0' &&
            pf_country_alpha3(subj->nationality, nat) != PF_OK)
                *bad |= 8;
        key_count = pf_sname_keys_typed(&scr->traveller, true,
                                        pf_wl_dob_pack(tdob[3], tdob[0], tdob[1], tdob[2]),
                                        scr->keys, scr->kinds, PF_SCREEN_QKEYS_MAX);
        for (size_t k = 0; k < key_count; k++)
                pf_watchlist_prefetch_key(scr->wl, scr->keys[k]);
        if (++scr->memo.epoch == 0) {
                memset(scr->memo.slot, 0, sizeof(scr->memo.slot));
                scr->memo.epoch = 1;
        }
        if (++scr->epoch == 0) {
                memset(scr->seen_epoch, 0, sizeof(scr->seen_epoch));
                scr->epoch = 1;
        }
        /* Key kinds from the most selective; long postings of the weak kinds are skipped. All
         * the lists are looked up (and their first postings fetched) before any is read; the
         * candidates are collected, then scored with their names fetched ahead. */
        for (int kind = 0; kind < PF_KEY_KINDS; kind++) {
                for (size_t k = 0; k < key_count; k++) {
                        pf_screen_list_t *l = &scr->lists[lists];

                        if (scr->kinds[k] != kind)
                                continue;
                        pf_watchlist_postings(scr->wl, scr->keys[k], &l->posts, &l->count, &l->one);
                        scr->stats.keys++;
                        if (l->count > pf_screen_postings_max[kind]) {
                                scr->stats.skipped++;
                                continue;
                        }
                        if (l->count > 1) {
                                __builtin_prefetch(l->posts);
                                __builtin_prefetch((const char *)l->posts + 64);
                        }
                        l->kind = (uint8_t)kind;
                        lists++;
                }
        }
        for (size_t li = 0; li < lists && candidates < PF_SCREEN_CANDIDATES_MAX; li++) {
                const pf_screen_list_t *l = &scr->lists[li];

                scr->stats.postings += l->count;
                scr->stats.by_kind[l->kind][0] += l->count;
                for (size_t p = 0; p < l->count && candidates < PF_SCREEN_CANDIDATES_MAX; p++) {
                        if (p + 16 < l->count && (p & 7) == 0)
                                __builtin_prefetch(&l->posts[p + 16]);
                        if (prefilter && pf_screen_dob_apart(tdob, l->posts[p].dob))
                                continue;
                        if (!pf_screen_first_sight(scr, l->posts[p].id))
                                continue;
                        scr->cand[candidates++] = l->posts[p].id;
                        scr->stats.by_kind[l->kind][1]++;
                }
        }
        scr->stats.candidates += candidates;
        /* In batches: fetch the name infos, then the names, then score (the misses overlap). */
        for (size_t b = 0; b < candidates; b += PF_SCREEN_BATCH) {
                size_t e = b + PF_SCREEN_BATCH < candidates ? b + PF_SCREEN_BATCH : candidates;

                for (size_t i = b; i < e; i++)
                        pf_watchlist_prefetch_name(scr->wl, scr->cand[i]);
                for (size_t i = b; i < e; i++) {
                        const pf_wl_name_info_t *info =
                                pf_watchlist_name_info(scr->wl, scr->cand[i]);

                        if (info != NULL) {
                                __builtin_prefetch(info->blob);
                                __builtin_prefetch(info->blob + 64);
                        }
                }
                for (size_t i = b; i < e; i++)
                        pf_screen_candidate(scr, scr->cand[i], tdob, nat, prefilter);
        }
}

static int pf_found_cmp(const void *a, const void *b) {
        const pf_found_t *x = a, *y = b;

        if (x->confidence != y->confidence)
                return x->confidence > y->confidence ? -1 : 1;
        return strcmp(x->rec->entry_id, y->rec->entry_id);
}

pf_err_t pf_screen_subject(pf_screener_t *scr, const pf_screen_subject_t *subj, pf_match_t *matches,
                           size_t max, size_t *count, unsigned *bad_fields) {
        unsigned bad = 0;
        size_t n;

        if (count != NULL)
                *count = 0;
        if (bad_fields != NULL)
                *bad_fields = 0;
        if (scr == NULL || subj == NULL || (matches == NULL && max > 0) || count == NULL)
                return PF_ERR_INTERNAL;
        scr->found_count = 0;
        scr->stats.subjects++;
        pf_screen_document(scr, subj, &bad);
        pf_screen_names(scr, subj, &bad);
        qsort(scr->found, scr->found_count, sizeof(scr->found[0]), pf_found_cmp);
        n = scr->found_count < max ? scr->found_count : max;
        for (size_t i = 0; i < n; i++) {
                const pf_found_t *f = &scr->found[i];

                snprintf(matches[i].entry_id, sizeof(matches[i].entry_id), "%s", f->rec->entry_id);
                snprintf(matches[i].list, sizeof(matches[i].list), "%s", f->rec->list);
                matches[i].kind = f->kind;
                matches[i].confidence = f->confidence;
        }
        *count = n;
        if (bad_fields != NULL)
                *bad_fields = bad;
        return PF_OK;
}

pf_err_t pf_screen_event(pf_screener_t *scr, const pf_event_t *ev, pf_result_t *res) {
        pf_screen_subject_t subj = {0};
        size_t count = 0;
        pf_err_t err;

        if (ev == NULL || res == NULL)
                return PF_ERR_INTERNAL;
        subj.given_names = ev->traveller.given_names;
        subj.surname = ev->traveller.surname;
        subj.date_of_birth = ev->traveller.date_of_birth;
        subj.nationality = ev->traveller.nationality;
        if (ev->has_document) {
                subj.doc_number = ev->document.number;
                subj.doc_country = ev->document.issuing_country;
        }
        err = pf_screen_subject(scr, &subj, res->matches, PF_RESULT_MAX_MATCHES, &count, NULL);
        res->match_count = (uint32_t)count;
        return err;
}

void pf_screener_stats(const pf_screener_t *scr, pf_screen_stats_t *stats) {
        *stats = scr->stats;
}

const char *pf_match_kind_name(pf_match_kind_t kind) {
        switch (kind) {
        case PF_MATCH_DOCUMENT:
                return "DOCUMENT";
        case PF_MATCH_NAME_DOB:
                return "NAME_DOB";
        case PF_MATCH_NAME:
                return "NAME";
        }
        return "NAME";
}
