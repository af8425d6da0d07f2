/**
 * @file screen.c
 * @brief Name preparation (tokens, particles, skeletons, blocking keys) and the screener.
 *
 * See screen.h for the matching model and the meaning of the confidence.
 */
#include "screen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#define PF_SCREEN_SEEN_CAP  32768 /**< power of two, > 2 * PF_SCREEN_CANDIDATES_MAX */
#define PF_SCREEN_FOUND_MAX 256
#define PF_SCREEN_KEYS_MAX  (PF_SNAME_KEYS_MAX * 2)

/* --- Tokens -------------------------------------------------------------------------------- */

static const char *const pf_particles[] = {
        "AL",  "EL",   "UL",  "UD",  "BIN", "BINT", "IBN", "BEN",   "BNT", "VAN", "DER", "DEN",
        "DE",  "DI",   "DA",  "DOS", "DAS", "DU",   "DEL", "DELLA", "VON", "ZU",  "LA",  "LOS",
        "LAS", "OULD", "TER", "TEN", "EZ",  "ES",   "AZ",  "AS",    "AD",  "AR",  "AT",  NULL};

static bool pf_is_particle(const char *tok, size_t len) {
        for (const char *const *p = pf_particles; *p; p++) {
                if (strlen(*p) == len && memcmp(*p, tok, len) == 0)
                        return true;
        }
        return false;
}

/** Appends @p c to the skeleton unless it repeats the last letter. */
static void pf_skel_put(char *out, size_t cap, size_t *n, char c) {
        if (*n > 0 && out[*n - 1] == c)
                return;
        if (*n + 1 < cap)
                out[(*n)++] = c;
}

static bool pf_at(const char *s, size_t len, size_t i, const char *lit) {
        size_t n = strlen(lit);

        return i + n <= len && memcmp(s + i, lit, n) == 0;
}

size_t pf_screen_skeleton(const char *tok, size_t len, char *out, size_t cap) {
        /* Digraphs first, longest first: {spelling, class}; class '-' drops the letters. */
        static const struct {
                const char *from;
                char to;
        } digraphs[] = {{"SHCH", 'S'}, {"DZH", 'S'}, {"SCH", 'S'}, {"SH", 'S'}, {"CH", 'S'},
                        {"ZH", 'S'},   {"TS", 'S'},  {"TZ", 'S'},  {"CZ", 'S'}, {"SZ", 'S'},
                        {"DZ", 'S'},   {"DJ", 'S'},  {"KH", '-'},  {"GH", 'K'}, {"PH", 'F'},
                        {"TH", 'T'},   {"DH", 'T'},  {"CK", 'K'},  {"QU", 'K'}, {"KS", 'X'}};
        size_t n = 0;

        for (size_t i = 0; i < len;) {
                char c = tok[i], cls = 0;
                size_t step = 1;

                for (size_t d = 0; d < sizeof(digraphs) / sizeof(digraphs[0]); d++) {
                        if (pf_at(tok, len, i, digraphs[d].from)) {
                                cls = digraphs[d].to;
                                step = strlen(digraphs[d].from);
                                break;
                        }
                }
                if (cls == 0) {
                        switch (c) {
                        case 'B':
                        case 'P':
                                cls = 'P';
                                break;
                        case 'D':
                        case 'T':
                                cls = 'T';
                                break;
                        case 'G':
                        case 'K':
                                cls = 'K';
                                break;
                        case 'Q': /* pinyin QI- is the Wade-Giles CH'I- */
                                cls = i + 1 < len && tok[i + 1] == 'I' ? 'S' : 'K';
                                break;
                        case 'C':
                                cls = (i + 1 < len && (tok[i + 1] == 'E' || tok[i + 1] == 'I' ||
                                                       tok[i + 1] == 'Y'))
                                              ? 'S'
                                              : 'K';
                                break;
                        case 'S':
                        case 'Z':
                                cls = 'S';
                                break;
                        case 'X': /* pinyin X- is the Wade-Giles HS- */
                                cls = i == 0 ? 'S' : 'X';
                                break;
                        case 'J': /* JA-, DJ-, pinyin J-: an affricate; SERGEJ: a glide */
                                cls = i + 1 < len && strchr("AEIOU", tok[i + 1]) ? 'S' : '-';
                                break;
                        case 'W':
                                cls = i == 0 ? 'F' : '-';
                                break;
                        case 'F':
                        case 'V':
                                cls = 'F';
                                break;
                        case 'L':
                        case 'M':
                        case 'N':
                        case 'R':
                                cls = c;
                                break;
                        default: /* vowels, Y, H */
                                cls = '-';
                                break;
                        }
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
        return n;
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

pf_err_t pf_sname_prepare(pf_sname_t *sn, const char *given, const char *surname) {
        size_t used = 0;

        sn->count = 0;
        pf_sname_add_field(sn, given, 0, &used);
        pf_sname_add_field(sn, surname, PF_STOK_SURNAME, &used);
        if (sn->count == 0)
                return PF_ERR_MISSING_FIELD;
        /* A name made only of particles ("DE LA") keeps them as ordinary tokens. */
        for (unsigned i = 0; i < sn->count; i++) {
                if (!(sn->tok[i].flags & PF_STOK_PARTICLE))
                        return PF_OK;
        }
        for (unsigned i = 0; i < sn->count; i++)
                sn->tok[i].flags &= (uint8_t)~PF_STOK_PARTICLE;
        return PF_OK;
}

size_t pf_sname_serialize(const pf_sname_t *sn, uint8_t *out, size_t cap) {
        size_t n = 0;

        if (cap < 1)
                return 0;
        out[n++] = (uint8_t)sn->count;
        for (unsigned i = 0; i < sn->count; i++) {
                const pf_stok_t *tok = &sn->tok[i];

                if (n + 3 + tok->len + tok->skel_len > cap)
                        return 0;
                out[n++] = tok->flags;
                out[n++] = tok->len;
                out[n++] = tok->skel_len;
                memcpy(out + n, tok->text, tok->len);
                n += tok->len;
                memcpy(out + n, tok->skel, tok->skel_len);
                n += tok->skel_len;
        }
        return n;
}

const uint8_t *pf_sname_view(pf_sname_t *sn, const uint8_t *in) {
        sn->count = *in++;
        for (unsigned i = 0; i < sn->count; i++) {
                pf_stok_t *tok = &sn->tok[i];

                tok->flags = in[0];
                tok->len = in[1];
                tok->skel_len = in[2];
                tok->text = (const char *)in + 3;
                tok->skel = tok->text + tok->len;
                in += 3 + tok->len + tok->skel_len;
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

/** A blocking unit: a token or a join of adjacent tokens, by its skeleton. */
typedef struct pf_bunit_s {
        char skel[64];
        size_t skel_len;
        unsigned first, last; /**< token range */
} pf_bunit_t;

/**
 * @brief Keys of a name; pair[i] says whether keys[i] is a pair key (short postings) or a single
 *        key (postings may be long).
 */
static size_t pf_sname_keys_typed(const pf_sname_t *sn, uint64_t *keys, bool *pair, size_t max) {
        pf_bunit_t units[PF_SNAME_TOKENS_MAX * 3];
        size_t unit_count = 0, n = 0;

        for (unsigned i = 0; i < sn->count; i++) {
                const pf_stok_t *tok = &sn->tok[i];

                if (tok->flags & (PF_STOK_PARTICLE | PF_STOK_INITIAL))
                        continue;
                if (tok->skel_len == 0 || tok->skel_len >= sizeof(units[0].skel)) {
                        /* no consonant ("AYA"): the letters themselves, marked */
                        size_t len = tok->len < 62 ? tok->len : 62;

                        units[unit_count].skel[0] = '*';
                        memcpy(units[unit_count].skel + 1, tok->text, len);
                        units[unit_count].skel_len = len + 1;
                } else {
                        memcpy(units[unit_count].skel, tok->skel, tok->skel_len);
                        units[unit_count].skel_len = tok->skel_len;
                }
                units[unit_count].first = units[unit_count].last = i;
                unit_count++;
        }
        /* Joins of 2 and 3 adjacent tokens (particles included, initials not). */
        for (unsigned span = 2; span <= 3; span++) {
                for (unsigned i = 0; i + span <= sn->count; i++) {
                        char joined[256];
                        size_t jlen = 0;
                        bool ok = true;

                        for (unsigned k = i; k < i + span; k++) {
                                const pf_stok_t *tok = &sn->tok[k];

                                if ((tok->flags & PF_STOK_INITIAL) ||
                                    jlen + tok->len >= sizeof(joined)) {
                                        ok = false;
                                        break;
                                }
                                memcpy(joined + jlen, tok->text, tok->len);
                                jlen += tok->len;
                        }
                        if (!ok)
                                continue;
                        units[unit_count].skel_len = pf_screen_skeleton(
                                joined, jlen, units[unit_count].skel, sizeof(units[0].skel));
                        if (units[unit_count].skel_len < 2)
                                continue;
                        units[unit_count].first = i;
                        units[unit_count].last = i + span - 1;
                        unit_count++;
                }
        }
        for (size_t u = 0; u < unit_count && n < max; u++) {
                pair[n] = false;
                keys[n++] = pf_key_hash('S', units[u].skel, units[u].skel_len, "", 0);
        }
        for (size_t u = 0; u < unit_count; u++) {
                for (size_t v = u + 1; v < unit_count && n < max; v++) {
                        const pf_bunit_t *a = &units[u], *b = &units[v];
                        int cmp;

                        if (!(a->last < b->first || b->last < a->first))
                                continue; /* overlapping */
                        cmp = strncmp(a->skel, b->skel,
                                      a->skel_len < b->skel_len ? a->skel_len : b->skel_len);
                        if (cmp > 0 || (cmp == 0 && a->skel_len > b->skel_len)) {
                                const pf_bunit_t *t = a;

                                a = b;
                                b = t;
                        }
                        pair[n] = true;
                        keys[n++] = pf_key_hash('P', a->skel, a->skel_len, b->skel, b->skel_len);
                }
        }
        return n;
}

size_t pf_sname_keys(const pf_sname_t *sn, uint64_t *keys, size_t max) {
        bool pair[PF_SCREEN_KEYS_MAX];

        return pf_sname_keys_typed(sn, keys, pair,
                                   max < PF_SCREEN_KEYS_MAX ? max : PF_SCREEN_KEYS_MAX);
}

/* --- Similarities -------------------------------------------------------------------------- */

double pf_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen) {
        bool am[256] = {false}, bm[256] = {false};
        size_t window, matches = 0, trans = 0, prefix = 0, k = 0;
        double jaro;

        if (alen == 0 || blen == 0)
                return alen == blen ? 1.0 : 0.0;
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
        jaro = ((double)matches / (double)alen + (double)matches / (double)blen +
                ((double)matches - (double)trans / 2.0) / (double)matches) /
               3.0;
        if (jaro <= 0.7)
                return jaro;
        while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
                prefix++;
        return jaro + 0.1 * (double)prefix * (1.0 - jaro);
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

static double pf_tok_sim(const pf_stok_t *a, const pf_stok_t *b) {
        double jw, sim;

        if ((a->flags | b->flags) & PF_STOK_INITIAL)
                return a->text[0] == b->text[0] ? 0.85 : 0.0;
        if (a->len == b->len && memcmp(a->text, b->text, a->len) == 0)
                return 1.0;
        jw = pf_jaro_winkler(a->text, a->len, b->text, b->len);
        sim = jw;
        if (a->skel_len >= 1 && a->skel_len == b->skel_len &&
            memcmp(a->skel, b->skel, a->skel_len) == 0) {
                double boost = (a->skel_len >= 2 ? 0.80 : 0.75) + 0.15 * jw;

                if (boost > sim)
                        sim = boost;
        }
        if (a->len >= 4 && b->len >= 4 && sim < 0.90 &&
            pf_one_edit(a->text, a->len, b->text, b->len))
                sim = 0.90;
        return sim;
}

/** Token alignment score (order-free) of two names. */
static double pf_token_score(const pf_sname_t *t, const pf_sname_t *w) {
        double sim[PF_SNAME_TOKENS_MAX][PF_SNAME_TOKENS_MAX];
        unsigned ti[PF_SNAME_TOKENS_MAX], wi[PF_SNAME_TOKENS_MAX], tn = 0, wn = 0;
        bool tused[PF_SNAME_TOKENS_MAX] = {false}, wused[PF_SNAME_TOKENS_MAX] = {false};
        double sum = 0.0, weight = 0.0, penalty = 0.0;
        unsigned strong = 0, matched = 0, initials = 0;

        for (unsigned i = 0; i < t->count; i++) {
                if (!(t->tok[i].flags & PF_STOK_PARTICLE))
                        ti[tn++] = i;
        }
        for (unsigned j = 0; j < w->count; j++) {
                if (!(w->tok[j].flags & PF_STOK_PARTICLE))
                        wi[wn++] = j;
        }
        if (tn == 0 || wn == 0)
                return 0.0;
        for (unsigned a = 0; a < tn; a++) {
                for (unsigned b = 0; b < wn; b++)
                        sim[a][b] = pf_tok_sim(&t->tok[ti[a]], &w->tok[wi[b]]);
        }
        for (;;) {
                double best = 0.70;
                unsigned ba = 0, bb = 0;
                bool any = false;
                const pf_stok_t *x, *y;
                double wgt;

                for (unsigned a = 0; a < tn; a++) {
                        for (unsigned b = 0; a < tn && !tused[a] && b < wn; b++) {
                                if (!wused[b] && sim[a][b] > best) {
                                        best = sim[a][b];
                                        ba = a;
                                        bb = b;
                                        any = true;
                                }
                        }
                }
                if (!any)
                        break;
                tused[ba] = wused[bb] = true;
                x = &t->tok[ti[ba]];
                y = &w->tok[wi[bb]];
                wgt = ((x->flags | y->flags) & PF_STOK_INITIAL)
                              ? 2.0
                              : (double)(x->len > y->len ? x->len : y->len);
                sum += best * wgt;
                weight += wgt;
                matched++;
                if ((x->flags | y->flags) & PF_STOK_INITIAL)
                        initials++;
                else if (best >= 0.85)
                        strong++;
        }
        if (matched == 0 || strong == 0)
                return 0.0;
        for (unsigned a = 0; a < tn; a++) {
                if (!tused[a])
                        penalty += (t->tok[ti[a]].flags & PF_STOK_SURNAME) ? 0.10 : 0.03;
        }
        for (unsigned b = 0; b < wn; b++) {
                if (!wused[b])
                        penalty += (w->tok[wi[b]].flags & PF_STOK_SURNAME) ? 0.12 : 0.02;
        }
        /* One strong token out of several is weak evidence (a shared surname). */
        if (strong == 1 && initials == 0 && tn > 1 && wn > 1)
                penalty += 0.08;
        return sum / weight - penalty;
}

/** Concatenates the tokens of @p sn (surname first if @p surname_first). */
static size_t pf_concat(const pf_sname_t *sn, bool surname_first, char *out, size_t cap) {
        size_t n = 0;

        for (int pass = 0; pass < 2; pass++) {
                for (unsigned i = 0; i < sn->count; i++) {
                        bool is_surname = (sn->tok[i].flags & PF_STOK_SURNAME) != 0;

                        if (is_surname != (surname_first ? pass == 0 : pass == 1))
                                continue;
                        if (n + sn->tok[i].len >= cap)
                                return n;
                        memcpy(out + n, sn->tok[i].text, sn->tok[i].len);
                        n += sn->tok[i].len;
                }
        }
        out[n] = '\0';
        return n;
}

/** Compares whole-name concatenations: spacing (ABDUL RAHMAN / ABDULRAHMAN) and particles. */
static double pf_concat_score(const pf_sname_t *t, const pf_sname_t *w) {
        char wc[PF_SNAME_BUF], tc[PF_SNAME_BUF], ws[PF_SNAME_BUF], ts[PF_SNAME_BUF];
        size_t wlen = pf_concat(w, false, wc, sizeof(wc)), wsl, best_l = 0;
        double best = 0.0;

        wsl = pf_screen_skeleton(wc, wlen, ws, sizeof(ws));
        for (int order = 0; order < 2; order++) {
                size_t tlen = pf_concat(t, order == 1, tc, sizeof(tc));
                size_t tsl = pf_screen_skeleton(tc, tlen, ts, sizeof(ts));
                double jw = pf_jaro_winkler(tc, tlen, wc, wlen), s = 0.0;

                if (tsl >= 4 && tsl == wsl && memcmp(ts, ws, tsl) == 0)
                        s = 0.80 + 0.15 * jw;
                else if (jw >= 0.95)
                        s = jw - 0.03;
                if (s > best) {
                        best = s;
                        best_l = tlen;
                }
        }
        (void)best_l;
        return best;
}

/**
 * Joins the tokens of each field into one token (HSIAO-MING / XIAOMING, ABDUL RAHMAN /
 * ABDULRAHMAN, VAN DER BERG / VANDERBERG). @returns false when no field has two tokens.
 */
static bool pf_sname_join_fields(const pf_sname_t *in, pf_sname_t *out) {
        char given[PF_SNAME_BUF], surname[PF_SNAME_BUF];
        size_t g = 0, s = 0;
        unsigned gn = 0, sn = 0;

        for (unsigned i = 0; i < in->count; i++) {
                const pf_stok_t *tok = &in->tok[i];
                bool is_surname = (tok->flags & PF_STOK_SURNAME) != 0;
                char *buf = is_surname ? surname : given;
                size_t *n = is_surname ? &s : &g;

                if (*n + tok->len + 1 >= PF_SNAME_BUF / 2)
                        return false;
                memcpy(buf + *n, tok->text, tok->len);
                *n += tok->len;
                if (is_surname)
                        sn++;
                else
                        gn++;
        }
        if (gn < 2 && sn < 2)
                return false;
        given[g] = '\0';
        surname[s] = '\0';
        return pf_sname_prepare(out, given, surname) == PF_OK;
}

static double pf_name_score(const pf_sname_t *t, const pf_sname_t *w, pf_sname_t *scratch) {
        double ts = pf_token_score(t, w), cs;

        if (ts >= 0.95)
                return ts;
        cs = pf_concat_score(t, w);
        if (cs > ts)
                ts = cs;
        if (ts < 0.92 && pf_sname_join_fields(t, scratch)) {
                cs = pf_token_score(scratch, w);
                if (cs > ts)
                        ts = cs;
        }
        if (ts < 0.92 && pf_sname_join_fields(w, scratch)) {
                cs = pf_token_score(t, scratch);
                if (cs > ts)
                        ts = cs;
        }
        return ts;
}

/** The DOB term of the log-odds (screen.h); *known is false when a side has no date. */
static double pf_dob_term(int tp, int ty, int tm, int td, const pf_wl_rec_t *rec, bool *known) {
        int wp = rec->dob_prec, wy = rec->dob_year, wm = rec->dob_month, wd = rec->dob_day;
        int dy = ty > wy ? ty - wy : wy - ty;

        *known = tp != 0 && wp != 0;
        if (!*known)
                return -0.5; /* screen.h: "either side unknown -0.5" */
        if (tp == 3 && wp == 3) {
                if (dy == 0 && tm == wm && td == wd)
                        return 2.5;
                if (dy == 0 && tm == wd && td == wm)
                        return 1.5;
                if (dy == 0 && tm == wm)
                        return -0.5;
                if (dy == 1 && tm == wm && td == wd)
                        return 0.5;
                return -4.0;
        }
        if (dy == 0) {
                if (tp >= 2 && wp >= 2 && tm != wm)
                        return (tp == 3 && wp == 3) ? -4.0 : (tm == wd || td == wm) ? 0.5 : -1.5;
                return 1.5;
        }
        return dy == 1 ? -0.5 : -4.0;
}

static double pf_confidence(double name_score, double dob, double nat) {
        double logit = 30.0 * (name_score - 0.90) + dob + nat;

        return 1.0 / (1.0 + exp(-logit));
}

/* --- The screener -------------------------------------------------------------------------- */

typedef struct pf_found_s {
        const pf_wl_rec_t *rec;
        pf_match_kind_t kind;
        double confidence;
} pf_found_t;

struct pf_screener_s {
        const pf_watchlist_t *wl;
        pf_norm_t *norm;
        double threshold;
        uint32_t epoch;
        uint32_t seen_id[PF_SCREEN_SEEN_CAP];
        uint32_t seen_epoch[PF_SCREEN_SEEN_CAP];
        pf_found_t found[PF_SCREEN_FOUND_MAX];
        size_t found_count;
        pf_sname_t traveller;
        pf_sname_t candidate;
        pf_sname_t joined;
        char given[PF_NORM_NAME_OUT_SIZE];
        char surname[PF_NORM_NAME_OUT_SIZE];
        uint64_t keys[PF_SCREEN_KEYS_MAX];
        bool pair[PF_SCREEN_KEYS_MAX];
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
        err = pf_norm_name(scr->norm, in, len, out, cap, &out_len);
        return err == PF_OK || err == PF_ERR_MISSING_FIELD;
}

static void pf_screen_names(pf_screener_t *scr, const pf_screen_subject_t *subj, unsigned *bad) {
        int ty, tm, td, tp;
        char nat[4] = "";
        size_t key_count, candidates = 0;
        bool prefilter = scr->threshold >= 0.4;

        if (!pf_screen_norm(scr, subj->given_names, scr->given, sizeof(scr->given)) ||
            !pf_screen_norm(scr, subj->surname, scr->surname, sizeof(scr->surname)) ||
            pf_sname_prepare(&scr->traveller, scr->given, scr->surname) != PF_OK) {
                if ((subj->given_names && subj->given_names[0]) ||
                    (subj->surname && subj->surname[0]))
                        *bad |= 1;
                return;
        }
        if (pf_dob_parse(subj->date_of_birth, &ty, &tm, &td, &tp) != PF_OK) {
                *bad |= 2;
                tp = 0;
        }
        if (subj->nationality != NULL && subj->nationality[0] != '\0' &&
            pf_country_alpha3(subj->nationality, nat) != PF_OK)
                *bad |= 8;
        key_count = pf_sname_keys_typed(&scr->traveller, scr->keys, scr->pair, PF_SCREEN_KEYS_MAX);
        if (++scr->epoch == 0) {
                memset(scr->seen_epoch, 0, sizeof(scr->seen_epoch));
                scr->epoch = 1;
        }
        /* Pair keys first (specific), then single keys with short enough postings. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t k = 0; k < key_count; k++) {
                        const uint32_t *ids;
                        size_t count;

                        if (scr->pair[k] != (pass == 0))
                                continue;
                        pf_watchlist_postings(scr->wl, scr->keys[k], &ids, &count);
                        if (pass == 1 && count > PF_SCREEN_SINGLE_POSTINGS_MAX)
                                continue;
                        for (size_t p = 0; p < count; p++) {
                                const pf_wl_rec_t *rec;
                                const uint8_t *blob;
                                unsigned index;
                                double dob, natt, ns, conf;
                                bool known;

                                if (!pf_screen_first_sight(scr, ids[p]))
                                        continue;
                                if (++candidates > PF_SCREEN_CANDIDATES_MAX)
                                        return;
                                rec = pf_watchlist_name_entry(scr->wl, ids[p], &index);
                                if (rec == NULL)
                                        continue;
                                dob = pf_dob_term(tp, ty, tm, td, rec, &known);
                                if (prefilter && dob <= -4.0)
                                        continue;
                                natt = (nat[0] && rec->nationality[0])
                                               ? (memcmp(nat, rec->nationality, 3) == 0 ? 0.3
                                                                                        : -0.7)
                                               : 0.0;
                                blob = rec->names;
                                for (unsigned n = 0; n <= index; n++)
                                        blob = pf_sname_view(&scr->candidate, blob);
                                ns = pf_name_score(&scr->traveller, &scr->candidate, &scr->joined);
                                conf = pf_confidence(ns, dob, natt);
                                if (conf >= scr->threshold)
                                        pf_screen_found(scr, rec,
                                                        known ? PF_MATCH_NAME_DOB : PF_MATCH_NAME,
                                                        conf);
                        }
                }
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
