/**
 * @file event.h
 * @brief The decoded PassengerEvent: a fixed-width C struct, no heap.
 *
 * Every string is a bounded, NUL-terminated copy; a value longer than its field is rejected at
 * decode time (PF_ERR_INVALID_VALUE), never truncated. The struct mirrors
 * schemas/passenger_event.v2.avsc. Holds personal data: never log it.
 */
#ifndef PF_EVENT_H
#define PF_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define PF_EVENT_ID_MAX 64
#define PF_NAME_MAX     128 /* bytes of UTF-8 */
#define PF_DOCNUM_MAX   32
#define PF_CONTACT_MAX  128
#define PF_LEGS_MAX     16
#define PF_DOB_MAX      11 /* "YYYY-MM-DD" + NUL */

/** Sentinel for an absent date (days since epoch). */
#define PF_DATE_NONE INT32_MIN

typedef enum { PF_SOURCE_API = 0, PF_SOURCE_PNR = 1 } pf_source_t;
typedef enum {
        PF_PUSH_T72H = 0,
        PF_PUSH_T48H,
        PF_PUSH_T24H,
        PF_PUSH_DEPARTURE,
        PF_PUSH_CHECKIN,
        PF_PUSH_ADHOC,
        PF_PUSH__COUNT
} pf_push_kind_t;
typedef enum { PF_DIR_INBOUND = 0, PF_DIR_OUTBOUND = 1 } pf_direction_t;
typedef enum { PF_GENDER_M = 0, PF_GENDER_F, PF_GENDER_X, PF_GENDER_U } pf_gender_t;
typedef enum {
        PF_DOC_PASSPORT = 0,
        PF_DOC_ID_CARD,
        PF_DOC_VISA,
        PF_DOC_RESIDENCE_PERMIT,
        PF_DOC_OTHER
} pf_doc_type_t;
typedef enum {
        PF_PAY_CASH = 0,
        PF_PAY_CARD,
        PF_PAY_INVOICE,
        PF_PAY_MILES,
        PF_PAY_OTHER,
        PF_PAY_UNKNOWN
} pf_payment_t;
typedef enum { PF_TRIP_ONE_WAY = 0, PF_TRIP_RETURN, PF_TRIP_MULTI_CITY } pf_trip_type_t;

typedef struct pf_leg_s {
        char carrier[4];
        char flight_number[8];
        char origin_airport[4];
        char origin_country[4];
        char destination_airport[4];
        char destination_country[4];
        int64_t departure; /**< ms since epoch */
        int64_t arrival;
} pf_leg_t;

typedef struct pf_event_s {
        char event_id[PF_EVENT_ID_MAX];
        pf_source_t source;
        pf_push_kind_t push_kind;
        int64_t sent_at; /**< ms since epoch: the event time */
        char carrier[4];
        struct {
                char number[8];
                char origin_airport[4];
                char origin_country[4];
                char destination_airport[4];
                char destination_country[4];
                int64_t scheduled_departure;
                int64_t scheduled_arrival;
                pf_direction_t direction;
        } flight;
        struct {
                char given_names[PF_NAME_MAX];
                char surname[PF_NAME_MAX];
                char date_of_birth[PF_DOB_MAX]; /**< "" when unknown */
                pf_gender_t gender;
                char nationality[4]; /**< "" when unknown */
                char residence[4];   /**< "" when unknown (v1 events) */
        } traveller;
        bool has_document;
        struct {
                pf_doc_type_t type;
                char number[PF_DOCNUM_MAX];
                char issuing_country[4];
                int32_t issue_date; /**< days since epoch or PF_DATE_NONE */
                int32_t expiry_date;
        } document;
        bool has_booking;
        struct {
                char record_locator[8];
                int64_t booked_at;
                pf_payment_t payment_type;
                int8_t card_holder_is_traveller; /**< 1, 0, or -1 when unknown */
                char agency_id[16];              /**< "" when direct */
                char agency_country[4];
                pf_trip_type_t trip_type;
                uint32_t leg_count;
                pf_leg_t legs[PF_LEGS_MAX];
                int32_t co_traveller_count;
                int32_t bag_count;
                int32_t bag_weight_kg;
                char contact_phone[64];
                char contact_email[PF_CONTACT_MAX];
                char frequent_flyer_id[32];
        } booking;
} pf_event_t;

/** @brief Resets @p ev to an empty event (absent optional parts, PF_DATE_NONE dates). */
void pf_event_clear(pf_event_t *ev);

/** @returns the symbol name of an enum value, as in the schema (static strings). */
const char *pf_source_name(pf_source_t v);
const char *pf_push_kind_name(pf_push_kind_t v);

#endif /* PF_EVENT_H */
