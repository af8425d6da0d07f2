/**
 * @file mkevents.c
 * @brief Test tool: writes a paxflow event file of canary travellers whose names, document
 *        numbers, phones and e-mails are distinctive strings, so that a test can grep every
 *        output of a run for them. Usage: pf_mkevents OUT.pfev COUNT [EVENT_ID_TAG]
 *        Traveller n: surname canary_surnames[n % 40] (with a second word from n / 40), given
 *        name canary_given[n % 40], document PRIVDOC<n>X, phone +999555<n>, e-mail
 *        canary<n>@privacy.invalid, frequent flyer FFCANARY<n>. Names differ in letters, not
 *        only digits, since name matching ignores digits. Event ids: <tag>-<n>-<push>.
 *        Every personal value written is listed, one per line, in OUT.pfev.values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "evfile.h"

static const char *canary_surnames[40] = {
        "Abernathyx",    "Bolkonskaya",    "Cavendrake",    "Dragomirova",    "Eskelinenov",
        "Fairweatherly", "Gudmundsdottir", "Hohenstaufer",  "Ibarguengoitia", "Jablonowska",
        "Kirkegaardsen", "Lindqvistova",   "Montmorencyx",  "Nakamichiyo",    "Oyelaranwa",
        "Pemberthyxon",  "Quetzalcoyotl",  "Rasmussenova",  "Szczepankiewa",  "Thistlewaite",
        "Uhlenbrockel",  "Vanderploegh",   "Wolstenholmer", "Xochimilcova",   "Yevtushenkova",
        "Zimmerwaldix",  "Blenkinsoppa",   "Crabtreevale",  "Dunwoodyhall",   "Featherstonha",
        "Grimsdottirov", "Hawksmoorely",   "Ingleborough",  "Jorgensentix",   "Knatchbullow",
        "Loxleyhaven",   "Mortimerovna",   "Northcliffey",  "Ormsbygoreth",   "Pettigrewson"};
static const char *canary_given[40] = {
        "Aurelianox",  "Bartholomewa", "Cunegonda",   "Desideriox",  "Eulaliana",   "Florentinox",
        "Gwendolinea", "Hildebrandt",  "Ignatiuska",  "Jovanniqua",  "Kunigundea",  "Leopoldinex",
        "Maximilianx", "Nepomukina",   "Ottokarina",  "Perpetuax",   "Quirinalda",  "Radegundix",
        "Sigismundax", "Theodolinda",  "Ulrikaxa",    "Valentiniax", "Wenceslava",  "Xenophona",
        "Yolantheia",  "Zephyrinox",   "Adalbertina", "Brunhildea",  "Casimirovna", "Dorotheax",
        "Engelbertx",  "Fridolinea",   "Gotthardina", "Hyacinthex",  "Isidorovna",  "Josaphatx",
        "Kasimirina",  "Ludmillaxa",   "Meinradina",  "Norbertinex"};

static void canary_surname(int n, char *out, size_t size) {
        if (n < 40)
                snprintf(out, size, "%s", canary_surnames[n]);
        else
                snprintf(out, size, "%s %s", canary_surnames[n % 40],
                         canary_surnames[(n / 40) % 40]);
}

static void canary_event(pf_event_t *ev, const char *tag, int n, int push) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "%s-%d-%d", tag, n, push);
        ev->source = push < 4 ? PF_SOURCE_PNR : PF_SOURCE_API;
        ev->push_kind = push < 4 ? (pf_push_kind_t)push : PF_PUSH_CHECKIN;
        int64_t dep = 1796036400000LL + (int64_t)n * 60000;
        ev->sent_at = dep - (int64_t)(4 - push) * 24 * 3600 * 1000 + 1;
        snprintf(ev->carrier, sizeof(ev->carrier), "LH");
        snprintf(ev->flight.number, sizeof(ev->flight.number), "9%03d", n % 1000);
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.origin_country, 4, "DEU");
        snprintf(ev->flight.destination_airport, 4, "MAD");
        snprintf(ev->flight.destination_country, 4, "ESP");
        ev->flight.scheduled_departure = dep;
        ev->flight.scheduled_arrival = dep + 9000000;
        ev->flight.direction = PF_DIR_OUTBOUND;
        snprintf(ev->traveller.given_names, PF_NAME_MAX, "%s", canary_given[n % 40]);
        canary_surname(n, ev->traveller.surname, PF_NAME_MAX);
        snprintf(ev->traveller.date_of_birth, PF_DOB_MAX, "1977-07-%02u", 1u + (unsigned)n % 28u);
        ev->traveller.gender = PF_GENDER_X;
        snprintf(ev->traveller.nationality, 4, "DEU");
        ev->has_document = true;
        ev->document.type = PF_DOC_PASSPORT;
        snprintf(ev->document.number, PF_DOCNUM_MAX, "PRIVDOC%dX", n);
        snprintf(ev->document.issuing_country, 4, "DEU");
        if (push < 4) {
                ev->has_booking = true;
                snprintf(ev->booking.record_locator, 8, "CN%04d", n % 10000);
                ev->booking.booked_at = dep - 10LL * 24 * 3600 * 1000;
                ev->booking.payment_type = PF_PAY_CARD;
                ev->booking.card_holder_is_traveller = 1;
                ev->booking.trip_type = PF_TRIP_RETURN;
                snprintf(ev->booking.contact_phone, 64, "+999555%d", n);
                snprintf(ev->booking.contact_email, PF_CONTACT_MAX, "canary%d@privacy.invalid", n);
                snprintf(ev->booking.frequent_flyer_id, 32, "FFCANARY%d", n);
        }
}

int main(int argc, char **argv) {
        char errstr[256];
        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: %s OUT.pfev COUNT [EVENT_ID_TAG]\n", argv[0]);
                return 2;
        }
        int count = (int)strtol(argv[2], NULL, 10);
        const char *tag = argc == 4 ? argv[3] : "canary";
        pf_schemas_t *schemas = pf_schemas_new(errstr, sizeof(errstr));
        pf_codec_t *codec = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
        pf_evfile_t *out = codec ? pf_evfile_create(argv[1], errstr, sizeof(errstr)) : NULL;
        if (!out) {
                fprintf(stderr, "%s\n", errstr);
                return 1;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s.values", argv[1]);
        FILE *values = fopen(path, "w");
        if (!values) {
                perror(path);
                return 1;
        }
        pf_event_t ev;
        for (int n = 0; n < count; n++) {
                canary_event(&ev, tag, n, 0);
                fprintf(values, "%s\n%s\n%s\n%s\n%s\n%s\n", ev.traveller.surname,
                        ev.traveller.given_names, ev.document.number, ev.booking.contact_phone,
                        ev.booking.contact_email, ev.booking.frequent_flyer_id);
                for (int push = 0; push < 5; push++) {
                        const uint8_t *buf;
                        size_t len;
                        canary_event(&ev, tag, n, push);
                        if (pf_codec_encode_event(codec, &ev, 2, &buf, &len))
                                return 1;
                        pf_evfile_write(out, push < 4 ? 1 : 0, ev.event_id, strlen(ev.event_id),
                                        buf, len);
                }
        }
        pf_evfile_close(out);
        fclose(values);
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
        return 0;
}
