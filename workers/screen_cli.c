/**
 * @file screen_cli.c
 * @brief `paxflow screen`: JSON Lines travellers in, one JSON line of matches out per traveller.
 */
#include "screen_cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gtas.h"
#include "screen.h"
#include "watchlist.h"

#define PF_SCREEN_CLI_LINE_MAX (64 * 1024)

const char *const pf_screen_cli_help =
        "Usage: paxflow screen --watchlist FILE [--threshold X] [--matcher paxflow|gtas]\n"
        "\n"
        "Screens travellers read as JSON Lines on stdin against a watchlist file and writes one\n"
        "JSON line per traveller on stdout, in input order.\n"
        "\n"
        "Options:\n"
        "  --watchlist FILE  watchlist as JSON Lines (.jsonl) or CSV (.csv); every line is\n"
        "                    validated and nothing is loaded if one is bad (errors name\n"
        "                    file:line on stderr, exit status 1)\n"
        "  --threshold X     lowest confidence reported, 0..1 (default 0.85)\n"
        "  --matcher M       paxflow (default) or gtas (GTAS QuickMatch baseline)\n"
        "  --help            this text\n"
        "\n"
        "Watchlist line (JSON): entry_id, list, category (strings, required); severity\n"
        "  (LOW|MEDIUM|HIGH|CRITICAL); names: [{given_names, surname}] (any script);\n"
        "  date_of_birth (YYYY-MM-DD|YYYY-MM|YYYY|null); nationality (ISO 3166 alpha-2/3);\n"
        "  documents: [{number, issuing_country, type}]; valid_from, valid_until (ms|null).\n"
        "  An entry needs a name or a document.\n"
        "Watchlist CSV header: entry_id,list,category,severity,given_names,surname,\n"
        "  date_of_birth,nationality,doc_type,doc_number,doc_issuing_country\n"
        "  (one name and/or document per row; rows with one entry_id form one entry).\n"
        "\n"
        "Input line (one traveller; absent or null = unknown):\n"
        "  id             any JSON value, echoed back\n"
        "  given_names    string, any script\n"
        "  surname        string, any script\n"
        "  date_of_birth  \"YYYY-MM-DD\", \"YYYY-MM\" or \"YYYY\"\n"
        "  gender         \"M\", \"F\", \"X\" or \"U\" (accepted, not used for matching)\n"
        "  nationality    ISO 3166 alpha-2 or alpha-3\n"
        "  document       {\"number\": string, \"issuing_country\": alpha-2/3, \"type\": string}\n"
        "\n"
        "Output line:\n"
        "  {\"id\": <id>, \"matches\": [{\"entry_id\": string, \"list\": string,\n"
        "   \"kind\": \"DOCUMENT\"|\"NAME_DOB\"|\"NAME\", \"confidence\": number}, ...]}\n"
        "  matches are sorted by confidence, highest first, at most 8, one per entry.\n"
        "  kind: DOCUMENT (listed document, confidence 1.0); NAME_DOB (name, both dates of\n"
        "  birth known): confidence estimates the probability of the same person (at 0.85 and\n"
        "  above, 99.9 % right on the evaluation set); NAME (name, a date of birth unknown on a\n"
        "  side): confidence measures the names alone (an identical name scores about 0.97),\n"
        "  not identity - a namesake cannot be told apart without a date; check it.\n"
        "  A traveller line that cannot be read gives {\"id\": <id or null>, \"error\": string}\n"
        "  on stdout and \"stdin:LINE: reason\" on stderr; processing continues. A field that\n"
        "  is present but unusable (bad date, unknown country) is reported the same way.\n"
        "\n"
        "Exit status: 0 done, 1 the watchlist failed to load, 2 usage error.\n";

static void pf_screen_cli_wl_error(void *opaque, const char *message) {
        fprintf((FILE *)opaque, "%s\n", message);
}

/** Reads a string field: absent/null -> NULL; *bad when present with another type. */
static const char *pf_screen_cli_str(json_t *obj, const char *key, const char **bad) {
        json_t *v = json_object_get(obj, key);

        if (v == NULL || json_is_null(v))
                return NULL;
        if (!json_is_string(v)) {
                *bad = key;
                return NULL;
        }
        return json_string_value(v);
}

static void pf_screen_cli_error(FILE *out, FILE *err, size_t line, json_t *id, const char *why) {
        char *id_text = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        json_t *msg = json_string(why);
        char *msg_text = msg ? json_dumps(msg, JSON_ENCODE_ANY) : NULL;

        fprintf(err, "stdin:%zu: %s\n", line, why);
        fprintf(out, "{\"id\":%s,\"error\":%s}\n", id_text ? id_text : "null",
                msg_text ? msg_text : "\"error\"");
        free(id_text);
        free(msg_text);
        json_decref(msg);
}

typedef struct pf_screen_cli_s {
        pf_screen_matcher_t matcher;
        pf_screener_t *scr;
        pf_gtas_t *gtas;
} pf_screen_cli_t;

/** Screens one input line. */
static void pf_screen_cli_line(pf_screen_cli_t *cli, size_t line, const char *text, size_t len,
                               FILE *out, FILE *err) {
        pf_screen_subject_t subj = {0};
        pf_match_t matches[PF_RESULT_MAX_MATCHES];
        size_t count = 0;
        unsigned bad_fields = 0;
        const char *bad = NULL;
        json_error_t jerr;
        json_t *root = json_loadb(text, len, 0, &jerr), *id = NULL, *doc;
        char *id_text;
        char why[128];

        if (root == NULL || !json_is_object(root)) {
                snprintf(why, sizeof(why), root ? "not a JSON object" : "invalid JSON at column %d",
                         jerr.column);
                pf_screen_cli_error(out, err, line, NULL, why);
                goto done;
        }
        id = json_object_get(root, "id");
        subj.given_names = pf_screen_cli_str(root, "given_names", &bad);
        subj.surname = pf_screen_cli_str(root, "surname", &bad);
        subj.date_of_birth = pf_screen_cli_str(root, "date_of_birth", &bad);
        subj.nationality = pf_screen_cli_str(root, "nationality", &bad);
        (void)pf_screen_cli_str(root, "gender", &bad);
        doc = json_object_get(root, "document");
        if (doc != NULL && !json_is_null(doc)) {
                if (!json_is_object(doc)) {
                        bad = "document";
                } else {
                        subj.doc_number = pf_screen_cli_str(doc, "number", &bad);
                        subj.doc_country = pf_screen_cli_str(doc, "issuing_country", &bad);
                        (void)pf_screen_cli_str(doc, "type", &bad);
                }
        }
        if (bad != NULL) {
                snprintf(why, sizeof(why), "%s has the wrong type", bad);
                pf_screen_cli_error(out, err, line, id, why);
                goto done;
        }
        if (cli->matcher == PF_SCREEN_MATCHER_GTAS)
                pf_gtas_subject(cli->gtas, &subj, matches, PF_RESULT_MAX_MATCHES, &count);
        else
                pf_screen_subject(cli->scr, &subj, matches, PF_RESULT_MAX_MATCHES, &count,
                                  &bad_fields);
        if (bad_fields != 0) {
                snprintf(why, sizeof(why), "unusable %s%s%s%s", bad_fields & 1 ? "name " : "",
                         bad_fields & 2 ? "date_of_birth " : "", bad_fields & 4 ? "document " : "",
                         bad_fields & 8 ? "nationality" : "");
                pf_screen_cli_error(out, err, line, id, why);
                goto done;
        }
        id_text = id ? json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        fprintf(out, "{\"id\":%s,\"matches\":[", id_text ? id_text : "null");
        free(id_text);
        for (size_t i = 0; i < count; i++) {
                json_t *eid = json_string(matches[i].entry_id),
                       *list = json_string(matches[i].list);
                char *eid_text = eid ? json_dumps(eid, JSON_ENCODE_ANY) : NULL;
                char *list_text = list ? json_dumps(list, JSON_ENCODE_ANY) : NULL;

                fprintf(out, "%s{\"entry_id\":%s,\"list\":%s,\"kind\":\"%s\",\"confidence\":%.4f}",
                        i ? "," : "", eid_text ? eid_text : "null", list_text ? list_text : "null",
                        pf_match_kind_name(matches[i].kind), matches[i].confidence);
                free(eid_text);
                free(list_text);
                json_decref(eid);
                json_decref(list);
        }
        fputs("]}\n", out);
done:
        json_decref(root);
}

int pf_screen_cli_run_matcher(const char *watchlist_path, double threshold,
                              pf_screen_matcher_t matcher, FILE *in, FILE *out, FILE *err) {
        pf_screen_cli_t cli = {.matcher = matcher};
        pf_watchlist_t *wl = NULL;
        char errstr[256], *buf = NULL;
        size_t loaded = 0, line = 0, len;
        int rc = 1, c;

        if (!(threshold >= 0.0 && threshold <= 1.0) || watchlist_path == NULL) {
                fprintf(err, "screen: --threshold must be in [0, 1] and --watchlist is required\n");
                return 2;
        }
        wl = pf_watchlist_new(errstr, sizeof(errstr));
        if (wl == NULL) {
                fprintf(err, "screen: %s\n", errstr);
                return 1;
        }
        if (pf_watchlist_load_file(wl, watchlist_path, pf_screen_cli_wl_error, err, &loaded) !=
            PF_OK) {
                fprintf(err, "screen: watchlist %s not loaded\n", watchlist_path);
                goto done;
        }
        if (matcher == PF_SCREEN_MATCHER_GTAS)
                cli.gtas = pf_gtas_new(wl, errstr, sizeof(errstr));
        else
                cli.scr = pf_screener_new(wl, threshold, errstr, sizeof(errstr));
        buf = malloc(PF_SCREEN_CLI_LINE_MAX + 1);
        if ((cli.gtas == NULL && cli.scr == NULL) || buf == NULL) {
                fprintf(err, "screen: %s\n", buf ? errstr : "out of memory");
                goto done;
        }
        for (;;) {
                bool too_long = false, any = false;

                len = 0;
                while ((c = getc(in)) != EOF) {
                        any = true;
                        if (c == '\n')
                                break;
                        if (len < PF_SCREEN_CLI_LINE_MAX)
                                buf[len++] = (char)c;
                        else
                                too_long = true;
                }
                if (!any)
                        break;
                line++;
                if (len > 0 && buf[len - 1] == '\r')
                        len--;
                buf[len] = '\0';
                if (too_long)
                        pf_screen_cli_error(out, err, line, NULL, "line too long");
                else if (strspn(buf, " \t") != len)
                        pf_screen_cli_line(&cli, line, buf, len, out, err);
        }
        fflush(out);
        rc = 0;
done:
        free(buf);
        pf_gtas_destroy(cli.gtas);
        pf_screener_destroy(cli.scr);
        pf_watchlist_destroy(wl);
        return rc;
}

int pf_screen_cli_run(const char *watchlist_path, double threshold, FILE *in, FILE *out,
                      FILE *err) {
        return pf_screen_cli_run_matcher(watchlist_path, threshold, PF_SCREEN_MATCHER_PAXFLOW, in,
                                         out, err);
}

int pf_screen_cli_main(int argc, char **argv, FILE *in, FILE *out, FILE *err) {
        const char *path = NULL;
        double threshold = PF_SCREEN_THRESHOLD_DEFAULT;
        pf_screen_matcher_t matcher = PF_SCREEN_MATCHER_PAXFLOW;

        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];

                if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
                        fputs(pf_screen_cli_help, out);
                        return 0;
                }
                if (i + 1 >= argc) {
                        fprintf(err, "screen: unknown option or missing value: %s\n%s", arg,
                                pf_screen_cli_help);
                        return 2;
                }
                if (strcmp(arg, "--watchlist") == 0) {
                        path = argv[++i];
                } else if (strcmp(arg, "--threshold") == 0) {
                        char *end;

                        errno = 0;
                        threshold = strtod(argv[++i], &end);
                        if (errno != 0 || *end != '\0' || end == argv[i]) {
                                fprintf(err, "screen: --threshold: not a number\n");
                                return 2;
                        }
                } else if (strcmp(arg, "--matcher") == 0) {
                        const char *m = argv[++i];

                        if (strcmp(m, "paxflow") == 0) {
                                matcher = PF_SCREEN_MATCHER_PAXFLOW;
                        } else if (strcmp(m, "gtas") == 0) {
                                matcher = PF_SCREEN_MATCHER_GTAS;
                        } else {
                                fprintf(err, "screen: --matcher must be paxflow or gtas\n");
                                return 2;
                        }
                } else {
                        fprintf(err, "screen: unknown option %s\n%s", arg, pf_screen_cli_help);
                        return 2;
                }
        }
        if (path == NULL) {
                fprintf(err, "screen: --watchlist is required\n%s", pf_screen_cli_help);
                return 2;
        }
        return pf_screen_cli_run_matcher(path, threshold, matcher, in, out, err);
}
