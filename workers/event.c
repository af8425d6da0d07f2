/**
 * @file event.c
 * @brief Helpers of the decoded PassengerEvent.
 */
#include "event.h"

#include <string.h>

void pf_event_clear(pf_event_t *ev) {
        memset(ev, 0, sizeof(*ev));
        ev->traveller.gender = PF_GENDER_U;
        ev->document.issue_date = PF_DATE_NONE;
        ev->document.expiry_date = PF_DATE_NONE;
        ev->booking.card_holder_is_traveller = -1;
        ev->booking.payment_type = PF_PAY_UNKNOWN;
}

const char *pf_source_name(pf_source_t v) {
        return v == PF_SOURCE_PNR ? "PNR" : "API";
}

const char *pf_push_kind_name(pf_push_kind_t v) {
        static const char *names[PF_PUSH__COUNT] = {"T72H",      "T48H",    "T24H",
                                                    "DEPARTURE", "CHECKIN", "ADHOC"};
        return (unsigned)v < PF_PUSH__COUNT ? names[v] : "?";
}
