/**
 * @file mkevents.c
 * @brief Test tool: writes a paxflow event file of canary travellers whose names, document
 *        numbers, phones and e-mails are distinctive strings, so that a test can grep every
 *        output of a run for them. Usage: pf_mkevents OUT.pfev COUNT
 *        Canaries: surname QXCANARY<n>SURNAME, given names ZQ<n>GIVEN, document PRIVDOC<n>X,
 *        phone +999555<n>, e-mail canary<n>@privacy.invalid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "evfile.h"

static void canary_event(pf_event_t *ev, int n, int push) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "canary-%d-%d", n, push);
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
        snprintf(ev->traveller.given_names, PF_NAME_MAX, "ZQ%dGIVEN", n);
        snprintf(ev->traveller.surname, PF_NAME_MAX, "QXCANARY%dSURNAME", n);
        snprintf(ev->traveller.date_of_birth, PF_DOB_MAX, "1977-07-%02d", 1 + n % 28);
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
        if (argc != 3) {
                fprintf(stderr, "usage: %s OUT.pfev COUNT\n", argv[0]);
                return 2;
        }
        int count = (int)strtol(argv[2], NULL, 10);
        pf_schemas_t *schemas = pf_schemas_new(errstr, sizeof(errstr));
        pf_codec_t *codec = schemas ? pf_codec_new(schemas, NULL, errstr, sizeof(errstr)) : NULL;
        pf_evfile_t *out = codec ? pf_evfile_create(argv[1], errstr, sizeof(errstr)) : NULL;
        if (!out) {
                fprintf(stderr, "%s\n", errstr);
                return 1;
        }
        pf_event_t ev;
        for (int n = 0; n < count; n++) {
                for (int push = 0; push < 5; push++) {
                        const uint8_t *buf;
                        size_t len;
                        canary_event(&ev, n, push);
                        if (pf_codec_encode_event(codec, &ev, 2, &buf, &len))
                                return 1;
                        pf_evfile_write(out, push < 4 ? 1 : 0, ev.event_id, strlen(ev.event_id),
                                        buf, len);
                }
        }
        pf_evfile_close(out);
        pf_codec_destroy(codec);
        pf_schemas_destroy(schemas);
        return 0;
}
