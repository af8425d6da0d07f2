/**
 * @file gtas.c
 * @brief GTAS QuickMatch (gtasDefault) baseline and Double Metaphone (primary code).
 *
 * The Double Metaphone here follows Lawrence Philips' algorithm as commons-codec implements it,
 * primary code only, maximum length 4. Slavo-Germanic and a few rare branches are simplified:
 * they only change alternate codes, which GTAS does not use, or very rare spellings.
 */
#include "gtas.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

#define PF_GTAS_NAME_MAX 384 /**< bytes of a full name or its metaphone string */

/* --- Double Metaphone ---------------------------------------------------------------------- */

typedef struct pf_dm_s {
        const char *w;
        int len;
        char out[5];
        int n;
} pf_dm_t;

static char pf_dm_at(const pf_dm_t *dm, int i) {
        return i >= 0 && i < dm->len ? dm->w[i] : '\0';
}

/** @returns true if the word has, at @p i, one of the NULL-terminated strings. */
static bool pf_dm_any(const pf_dm_t *dm, int i, const char *const *opts) {
        if (i < 0)
                return false;
        for (; *opts; opts++) {
                int n = (int)strlen(*opts);

                if (i + n <= dm->len && memcmp(dm->w + i, *opts, (size_t)n) == 0)
                        return true;
        }
        return false;
}

#define PF_DM_ANY(dm, i, ...) pf_dm_any((dm), (i), (const char *const[]){__VA_ARGS__, NULL})

static void pf_dm_add(pf_dm_t *dm, const char *s) {
        for (; *s && dm->n < 4; s++)
                dm->out[dm->n++] = *s;
}

static bool pf_dm_vowel(char c) {
        return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
}

static bool pf_dm_slavo_germanic(const pf_dm_t *dm) {
        for (int i = 0; i < dm->len; i++) {
                if (dm->w[i] == 'W' || dm->w[i] == 'K' || PF_DM_ANY(dm, i, "CZ", "WITZ"))
                        return true;
        }
        return false;
}

static int pf_dm_c(pf_dm_t *dm, int i) {
        if (i > 1 && !pf_dm_vowel(pf_dm_at(dm, i - 2)) && PF_DM_ANY(dm, i - 1, "ACH") &&
            pf_dm_at(dm, i + 2) != 'I' &&
            (pf_dm_at(dm, i + 2) != 'E' || PF_DM_ANY(dm, i - 2, "BACHER", "MACHER"))) {
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if (i == 0 && PF_DM_ANY(dm, i, "CAESAR")) {
                pf_dm_add(dm, "S");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "CHIA")) {
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "CH")) {
                if (i > 0 && PF_DM_ANY(dm, i, "CHAE")) {
                        pf_dm_add(dm, "K");
                } else if (i == 0 &&
                           (PF_DM_ANY(dm, i + 1, "HARAC", "HARIS") ||
                            PF_DM_ANY(dm, i + 1, "HOR", "HYM", "HIA", "HEM")) &&
                           !PF_DM_ANY(dm, 0, "CHORE")) {
                        pf_dm_add(dm, "K");
                } else if (PF_DM_ANY(dm, 0, "VAN ", "VON ", "SCH") ||
                           PF_DM_ANY(dm, i - 2, "ORCHES", "ARCHIT", "ORCHID") ||
                           PF_DM_ANY(dm, i + 2, "T", "S") ||
                           ((PF_DM_ANY(dm, i - 1, "A", "O", "U", "E") || i == 0) &&
                            (PF_DM_ANY(dm, i + 2, "L", "R", "N", "M", "B", "H", "F", "V", "W",
                                       " ") ||
                             i + 1 == dm->len - 1))) {
                        pf_dm_add(dm, "K");
                } else if (i > 0) {
                        pf_dm_add(dm, PF_DM_ANY(dm, 0, "MC") ? "K" : "X");
                } else {
                        pf_dm_add(dm, "X");
                }
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "CZ") && !PF_DM_ANY(dm, i - 2, "WICZ")) {
                pf_dm_add(dm, "S");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i + 1, "CIA")) {
                pf_dm_add(dm, "X");
                return i + 3;
        }
        if (PF_DM_ANY(dm, i, "CC") && !(i == 1 && pf_dm_at(dm, 0) == 'M')) {
                if (PF_DM_ANY(dm, i + 2, "I", "E", "H") && !PF_DM_ANY(dm, i + 2, "HU")) {
                        if ((i == 1 && pf_dm_at(dm, i - 1) == 'A') ||
                            PF_DM_ANY(dm, i - 1, "UCCEE", "UCCES"))
                                pf_dm_add(dm, "KS");
                        else
                                pf_dm_add(dm, "X");
                        return i + 3;
                }
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "CK", "CG", "CQ")) {
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "CI", "CE", "CY")) {
                pf_dm_add(dm, "S");
                return i + 2;
        }
        pf_dm_add(dm, "K");
        if (PF_DM_ANY(dm, i + 1, " C", " Q", " G"))
                return i + 3;
        if (PF_DM_ANY(dm, i + 1, "C", "K", "Q") && !PF_DM_ANY(dm, i + 1, "CE", "CI"))
                return i + 2;
        return i + 1;
}

static int pf_dm_g(pf_dm_t *dm, int i) {
        char next = pf_dm_at(dm, i + 1);

        if (next == 'H') {
                if (i > 0 && !pf_dm_vowel(pf_dm_at(dm, i - 1))) {
                        pf_dm_add(dm, "K");
                        return i + 2;
                }
                if (i == 0) {
                        pf_dm_add(dm, pf_dm_at(dm, i + 2) == 'I' ? "J" : "K");
                        return i + 2;
                }
                if ((i > 1 && PF_DM_ANY(dm, i - 2, "B", "H", "D")) ||
                    (i > 2 && PF_DM_ANY(dm, i - 3, "B", "H", "D")) ||
                    (i > 3 && PF_DM_ANY(dm, i - 4, "B", "H")))
                        return i + 2;
                if (i > 2 && pf_dm_at(dm, i - 1) == 'U' &&
                    PF_DM_ANY(dm, i - 3, "C", "G", "L", "R", "T"))
                        pf_dm_add(dm, "F");
                else if (i > 0 && pf_dm_at(dm, i - 1) != 'I')
                        pf_dm_add(dm, "K");
                return i + 2;
        }
        if (next == 'N') {
                if (i == 1 && pf_dm_vowel(pf_dm_at(dm, 0)) && !pf_dm_slavo_germanic(dm))
                        pf_dm_add(dm, "KN");
                else if (!PF_DM_ANY(dm, i + 2, "EY") && next != 'Y' && !pf_dm_slavo_germanic(dm))
                        pf_dm_add(dm, "N");
                else
                        pf_dm_add(dm, "KN");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i + 1, "LI") && !pf_dm_slavo_germanic(dm)) {
                pf_dm_add(dm, "KL");
                return i + 2;
        }
        if (i == 0 && (next == 'Y' || PF_DM_ANY(dm, i + 1, "ES", "EP", "EB", "EL", "EY", "IB", "IL",
                                                "IN", "IE", "EI", "ER"))) {
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if ((PF_DM_ANY(dm, i + 1, "ER") || next == 'Y') &&
            !PF_DM_ANY(dm, 0, "DANGER", "RANGER", "MANGER") && !PF_DM_ANY(dm, i - 1, "E", "I") &&
            !PF_DM_ANY(dm, i - 1, "RGY", "OGY")) {
                pf_dm_add(dm, "K");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i + 1, "E", "I", "Y") || PF_DM_ANY(dm, i - 1, "AGGI", "OGGI")) {
                if (PF_DM_ANY(dm, 0, "VAN ", "VON ", "SCH") || PF_DM_ANY(dm, i + 1, "ET"))
                        pf_dm_add(dm, "K");
                else if (PF_DM_ANY(dm, i + 1, "IER"))
                        pf_dm_add(dm, "J");
                else
                        pf_dm_add(dm, "J");
                return i + 2;
        }
        pf_dm_add(dm, "K");
        return next == 'G' ? i + 2 : i + 1;
}

static int pf_dm_s(pf_dm_t *dm, int i) {
        if (PF_DM_ANY(dm, i - 1, "ISL", "YSL"))
                return i + 1;
        if (i == 0 && PF_DM_ANY(dm, i, "SUGAR")) {
                pf_dm_add(dm, "X");
                return i + 1;
        }
        if (PF_DM_ANY(dm, i, "SH")) {
                pf_dm_add(dm, PF_DM_ANY(dm, i + 1, "HEIM", "HOEK", "HOLM", "HOLZ") ? "S" : "X");
                return i + 2;
        }
        if (PF_DM_ANY(dm, i, "SIO", "SIA") || PF_DM_ANY(dm, i, "SIAN")) {
                pf_dm_add(dm, "S"); /* X is only the alternate (non-Slavo-Germanic) */
                return i + 3;
        }
        if ((i == 0 && PF_DM_ANY(dm, i + 1, "M", "N", "L", "W")) || PF_DM_ANY(dm, i + 1, "Z")) {
                pf_dm_add(dm, "S");
                return PF_DM_ANY(dm, i + 1, "Z") ? i + 2 : i + 1;
        }
        if (PF_DM_ANY(dm, i, "SC")) {
                if (pf_dm_at(dm, i + 2) == 'H') {
                        if (PF_DM_ANY(dm, i + 3, "OO", "ER", "EN", "UY", "ED", "EM")) {
                                pf_dm_add(dm, PF_DM_ANY(dm, i + 3, "ER", "EN") ? "X" : "SK");
                        } else if (i == 0 && !pf_dm_vowel(pf_dm_at(dm, 3)) &&
                                   pf_dm_at(dm, 3) != 'W') {
                                pf_dm_add(dm, "X");
                        } else {
                                pf_dm_add(dm, "X");
                        }
                        return i + 3;
                }
                pf_dm_add(dm, PF_DM_ANY(dm, i + 2, "I", "E", "Y") ? "S" : "SK");
                return i + 3;
        }
        if (i == dm->len - 1 && PF_DM_ANY(dm, i - 2, "AI", "OI")) {
                /* French silent S: primary empty */
        } else {
                pf_dm_add(dm, "S");
        }
        return PF_DM_ANY(dm, i + 1, "S", "Z") ? i + 2 : i + 1;
}

size_t pf_double_metaphone(const char *word, size_t len, char out[5]) {
        pf_dm_t dm = {.w = word, .len = (int)(len > 64 ? 64 : len)};
        int i = 0;

        if (PF_DM_ANY(&dm, 0, "GN", "KN", "PN", "WR", "PS"))
                i = 1;
        if (pf_dm_at(&dm, 0) == 'X') {
                pf_dm_add(&dm, "S");
                i = 1;
        }
        while (dm.n < 4 && i < dm.len) {
                char c = dm.w[i];

                switch (c) {
                case 'A':
                case 'E':
                case 'I':
                case 'O':
                case 'U':
                case 'Y':
                        if (i == 0)
                                pf_dm_add(&dm, "A");
                        i++;
                        break;
                case 'B':
                        pf_dm_add(&dm, "P");
                        i += pf_dm_at(&dm, i + 1) == 'B' ? 2 : 1;
                        break;
                case 'C':
                        i = pf_dm_c(&dm, i);
                        break;
                case 'D':
                        if (PF_DM_ANY(&dm, i, "DG")) {
                                if (PF_DM_ANY(&dm, i + 2, "I", "E", "Y")) {
                                        pf_dm_add(&dm, "J");
                                        i += 3;
                                } else {
                                        pf_dm_add(&dm, "TK");
                                        i += 2;
                                }
                        } else {
                                pf_dm_add(&dm, "T");
                                i += PF_DM_ANY(&dm, i, "DT", "DD") ? 2 : 1;
                        }
                        break;
                case 'F':
                        pf_dm_add(&dm, "F");
                        i += pf_dm_at(&dm, i + 1) == 'F' ? 2 : 1;
                        break;
                case 'G':
                        i = pf_dm_g(&dm, i);
                        break;
                case 'H':
                        if ((i == 0 || pf_dm_vowel(pf_dm_at(&dm, i - 1))) &&
                            pf_dm_vowel(pf_dm_at(&dm, i + 1))) {
                                pf_dm_add(&dm, "H");
                                i += 2;
                        } else {
                                i++;
                        }
                        break;
                case 'J':
                        if (PF_DM_ANY(&dm, i, "JOSE") || PF_DM_ANY(&dm, 0, "SAN ")) {
                                pf_dm_add(&dm, (i == 0 &&
                                                (pf_dm_at(&dm, i + 4) == ' ' || dm.len == 4)) ||
                                                               PF_DM_ANY(&dm, 0, "SAN ")
                                                       ? "H"
                                                       : "J");
                        } else if (i == dm.len - 1 ||
                                   PF_DM_ANY(&dm, i + 1, "L", "T", "K", "S", "N", "M", "B", "Z") ||
                                   PF_DM_ANY(&dm, i - 1, "S", "K", "L")) {
                                /* commons-codec: the primary keeps J only at either end */
                                if (i == 0 || i == dm.len - 1)
                                        pf_dm_add(&dm, "J");
                        } else {
                                pf_dm_add(&dm, "J");
                        }
                        i += pf_dm_at(&dm, i + 1) == 'J' ? 2 : 1;
                        break;
                case 'K':
                        pf_dm_add(&dm, "K");
                        i += pf_dm_at(&dm, i + 1) == 'K' ? 2 : 1;
                        break;
                case 'L':
                        pf_dm_add(&dm, "L");
                        i += pf_dm_at(&dm, i + 1) == 'L' ? 2 : 1;
                        break;
                case 'M':
                        pf_dm_add(&dm, "M");
                        i += (pf_dm_at(&dm, i + 1) == 'M' ||
                              (PF_DM_ANY(&dm, i - 1, "UMB") &&
                               (i + 1 == dm.len - 1 || PF_DM_ANY(&dm, i + 2, "ER"))))
                                     ? 2
                                     : 1;
                        break;
                case 'N':
                        pf_dm_add(&dm, "N");
                        i += pf_dm_at(&dm, i + 1) == 'N' ? 2 : 1;
                        break;
                case 'P':
                        if (pf_dm_at(&dm, i + 1) == 'H') {
                                pf_dm_add(&dm, "F");
                                i += 2;
                        } else {
                                pf_dm_add(&dm, "P");
                                i += PF_DM_ANY(&dm, i + 1, "P", "B") ? 2 : 1;
                        }
                        break;
                case 'Q':
                        pf_dm_add(&dm, "K");
                        i += pf_dm_at(&dm, i + 1) == 'Q' ? 2 : 1;
                        break;
                case 'R':
                        if (!(i == dm.len - 1 && !pf_dm_slavo_germanic(&dm) &&
                              PF_DM_ANY(&dm, i - 2, "IE") && !PF_DM_ANY(&dm, i - 4, "ME", "MA")))
                                pf_dm_add(&dm, "R");
                        i += pf_dm_at(&dm, i + 1) == 'R' ? 2 : 1;
                        break;
                case 'S':
                        i = pf_dm_s(&dm, i);
                        break;
                case 'T':
                        if (PF_DM_ANY(&dm, i, "TION", "TIA", "TCH")) {
                                pf_dm_add(&dm, "X");
                                i += 3;
                        } else if (PF_DM_ANY(&dm, i, "TH", "TTH")) {
                                pf_dm_add(&dm,
                                          PF_DM_ANY(&dm, i + 2, "OM", "AM") ||
                                                          PF_DM_ANY(&dm, 0, "VAN ", "VON ", "SCH")
                                                  ? "T"
                                                  : "0");
                                i += 2;
                        } else {
                                pf_dm_add(&dm, "T");
                                i += PF_DM_ANY(&dm, i + 1, "T", "D") ? 2 : 1;
                        }
                        break;
                case 'V':
                        pf_dm_add(&dm, "F");
                        i += pf_dm_at(&dm, i + 1) == 'V' ? 2 : 1;
                        break;
                case 'W':
                        if (PF_DM_ANY(&dm, i, "WR")) {
                                pf_dm_add(&dm, "R");
                                i += 2;
                                break;
                        }
                        if (i == 0 && (pf_dm_vowel(pf_dm_at(&dm, 1)) || PF_DM_ANY(&dm, 0, "WH")))
                                pf_dm_add(&dm, "A");
                        if (PF_DM_ANY(&dm, i, "WICZ", "WITZ")) {
                                pf_dm_add(&dm, "TS");
                                i += 4;
                                break;
                        }
                        i++;
                        break;
                case 'X':
                        if (!(i == dm.len - 1 && (PF_DM_ANY(&dm, i - 3, "IAU", "EAU") ||
                                                  PF_DM_ANY(&dm, i - 2, "AU", "OU"))))
                                pf_dm_add(&dm, "KS");
                        i += PF_DM_ANY(&dm, i + 1, "C", "X") ? 2 : 1;
                        break;
                case 'Z':
                        if (pf_dm_at(&dm, i + 1) == 'H') {
                                pf_dm_add(&dm, "J");
                                i += 2;
                        } else {
                                pf_dm_add(&dm, "S");
                                i += pf_dm_at(&dm, i + 1) == 'Z' ? 2 : 1;
                        }
                        break;
                default:
                        i++;
                        break;
                }
        }
        memcpy(out, dm.out, (size_t)dm.n);
        out[dm.n] = '\0';
        return (size_t)dm.n;
}

/* --- QuickMatch ---------------------------------------------------------------------------- */

typedef struct pf_gtas_rec_s {
        const pf_wl_rec_t *rec;
        char full_name[PF_GTAS_NAME_MAX];
        char metaphones[PF_GTAS_NAME_MAX];
        size_t full_len;
} pf_gtas_rec_t;

struct pf_gtas_s {
        const pf_watchlist_t *wl;
        pf_norm_t *norm;
        pf_gtas_rec_t *recs;
        size_t count, cap;
        bool nomem;
        const pf_wl_rec_t *docs[64];
};

/** Builds GTAS's full_name and metaphones from a prepared name (given tokens, then surname). */
static void pf_gtas_strings(const pf_sname_t *sn, char *full, size_t *full_len, char *meta) {
        size_t f = 0, m = 0;
        bool prev_surname = false;

        for (unsigned i = 0; i < sn->count; i++) {
                const pf_stok_t *tok = &sn->tok[i];
                bool surname = (tok->flags & PF_STOK_SURNAME) != 0;
                char code[5];
                size_t n = pf_double_metaphone(tok->text, tok->len, code);

                if (f + tok->len + 2 >= PF_GTAS_NAME_MAX || m + n + 2 >= PF_GTAS_NAME_MAX)
                        break;
                if (f > 0)
                        full[f++] = ' ';
                memcpy(full + f, tok->text, tok->len);
                f += tok->len;
                /* tokens of one part joined by a space; parts concatenated directly */
                if (m > 0 && surname == prev_surname)
                        meta[m++] = ' ';
                memcpy(meta + m, code, n);
                m += n;
                prev_surname = surname;
        }
        full[f] = '\0';
        meta[m] = '\0';
        *full_len = f;
}

static void pf_gtas_add(void *opaque, const pf_wl_rec_t *rec) {
        pf_gtas_t *gtas = opaque;
        const uint8_t *p = rec->names;
        pf_sname_t sn;

        for (unsigned n = 0; n < rec->name_count; n++) {
                pf_gtas_rec_t *g;

                p = pf_sname_view(&sn, p);
                if (gtas->count == gtas->cap) {
                        size_t ncap = gtas->cap ? gtas->cap * 2 : 256;
                        pf_gtas_rec_t *recs = realloc(gtas->recs, ncap * sizeof(*recs));

                        if (recs == NULL) {
                                gtas->nomem = true;
                                return;
                        }
                        gtas->recs = recs;
                        gtas->cap = ncap;
                }
                g = &gtas->recs[gtas->count++];
                g->rec = rec;
                pf_gtas_strings(&sn, g->full_name, &g->full_len, g->metaphones);
        }
}

pf_gtas_t *pf_gtas_new(const pf_watchlist_t *wl, char *errstr, size_t errstr_size) {
        pf_gtas_t *gtas = calloc(1, sizeof(*gtas));

        if (gtas == NULL) {
                snprintf(errstr, errstr_size, "out of memory");
                return NULL;
        }
        gtas->wl = wl;
        gtas->norm = pf_norm_new(errstr, errstr_size);
        if (gtas->norm == NULL) {
                free(gtas);
                return NULL;
        }
        pf_watchlist_foreach(wl, pf_gtas_add, gtas);
        if (gtas->nomem) {
                snprintf(errstr, errstr_size, "out of memory");
                pf_gtas_destroy(gtas);
                return NULL;
        }
        return gtas;
}

void pf_gtas_destroy(pf_gtas_t *gtas) {
        if (gtas == NULL)
                return;
        pf_norm_destroy(gtas->norm);
        free(gtas->recs);
        free(gtas);
}

static void pf_gtas_found(pf_match_t *matches, size_t max, size_t *count, const pf_wl_rec_t *rec,
                          pf_match_kind_t kind, double confidence) {
        for (size_t i = 0; i < *count; i++) {
                if (strcmp(matches[i].entry_id, rec->entry_id) == 0) {
                        if (confidence > matches[i].confidence) {
                                matches[i].confidence = confidence;
                                matches[i].kind = kind;
                        }
                        return;
                }
        }
        if (*count >= max)
                return;
        snprintf(matches[*count].entry_id, sizeof(matches[*count].entry_id), "%s", rec->entry_id);
        snprintf(matches[*count].list, sizeof(matches[*count].list), "%s", rec->list);
        matches[*count].kind = kind;
        matches[*count].confidence = confidence;
        (*count)++;
}

static int pf_gtas_cmp(const void *a, const void *b) {
        const pf_match_t *x = a, *y = b;

        if (x->confidence != y->confidence)
                return x->confidence > y->confidence ? -1 : 1;
        return strcmp(x->entry_id, y->entry_id);
}

pf_err_t pf_gtas_subject(pf_gtas_t *gtas, const pf_screen_subject_t *subj, pf_match_t *matches,
                         size_t max, size_t *count) {
        char given[PF_NORM_NAME_OUT_SIZE], surname[PF_NORM_NAME_OUT_SIZE];
        char full[PF_GTAS_NAME_MAX], meta[PF_GTAS_NAME_MAX];
        size_t full_len = 0, len;
        int ty = 0, tm = 0, td = 0, tp = 0;
        pf_sname_t sn;

        if (gtas == NULL || subj == NULL || count == NULL)
                return PF_ERR_INTERNAL;
        *count = 0;
        if (subj->doc_number != NULL && subj->doc_number[0] != '\0' && subj->doc_country) {
                char key[64];
                size_t num_len, found;

                if (strlen(subj->doc_number) <= PF_WL_DOCNUM_MAX &&
                    pf_country_alpha3(subj->doc_country, key) == PF_OK &&
                    pf_norm_docnum(subj->doc_number, strlen(subj->doc_number), key + 3,
                                   sizeof(key) - 3, &num_len) == PF_OK) {
                        found = pf_watchlist_doc_find(gtas->wl, key, 3 + num_len, gtas->docs, 64);
                        for (size_t i = 0; i < found && i < 64; i++)
                                pf_gtas_found(matches, max, count, gtas->docs[i], PF_MATCH_DOCUMENT,
                                              1.0);
                }
        }
        given[0] = surname[0] = '\0';
        if (subj->given_names && subj->given_names[0])
                (void)pf_norm_name_passport(gtas->norm, subj->given_names,
                                            strlen(subj->given_names), given, sizeof(given), &len);
        if (subj->surname && subj->surname[0])
                (void)pf_norm_name_passport(gtas->norm, subj->surname, strlen(subj->surname),
                                            surname, sizeof(surname), &len);
        if (pf_sname_prepare(&sn, given, surname) != PF_OK)
                goto done;
        pf_gtas_strings(&sn, full, &full_len, meta);
        if (pf_dob_parse(subj->date_of_birth, &ty, &tm, &td, &tp) != PF_OK || tp != 3)
                goto done; /* GTAS parses yyyy-MM-dd only: no year offset, no hit */
        for (size_t r = 0; r < gtas->count; r++) {
                const pf_gtas_rec_t *g = &gtas->recs[r];
                int dy = ty > g->rec->dob_year ? ty - g->rec->dob_year : g->rec->dob_year - ty;
                double jw;

                if (g->rec->dead || g->rec->dob_prec != 3 || dy > 3)
                        continue;
                jw = pf_jaro_winkler(full, full_len, g->full_name, g->full_len);
                if (jw < 0.95)
                        continue;
                if (strcmp(meta, g->metaphones) == 0)
                        pf_gtas_found(matches, max, count, g->rec, PF_MATCH_NAME_DOB, 0.9);
                else if (dy == 0 && tm == g->rec->dob_month && td == g->rec->dob_day)
                        pf_gtas_found(matches, max, count, g->rec, PF_MATCH_NAME_DOB, 0.8);
        }
done:
        qsort(matches, *count, sizeof(*matches), pf_gtas_cmp);
        return PF_OK;
}
