/*
 * validate: pure checks of untrusted input against the contract.
 *
 * No I/O and no allocation.  Each validator reports every problem it finds
 * as a field detail in err (so a client sees all of them at once) and
 * returns -1 if there was any, 0 otherwise.  Strings put into the output
 * structs are borrowed from the json_t they came from.
 */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#include "api_err.h"
#include "model.h"

/*
 * Label text (section 8): 1-64 code points of valid UTF-8, no control
 * characters (C0, DEL, C1), no leading or trailing white space.
 * Returns NULL when valid, else a static error code ("TOO_LONG",
 * "INVALID_FORMAT", "BLANK" ...); *param gets the static limit text or NULL.
 */
const char *validate_label(const char *s, size_t len, const char **param);

/* ISO 13616: pattern ^[A-Z]{2}[0-9A-Z]{14,31}$, <= 33 chars, mod-97 == 1. */
int iban_valid(const char *s, size_t len);
/* ^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$ */
int bic_valid(const char *s, size_t len);

/*
 * A JSON array of labels at path `field` ("labels"): at most LABELS_MAX,
 * unique, each valid.  On success out is filled and sorted.
 */
int validate_label_array(const json_t *arr, const char *field, struct label_set *out,
                         struct api_err *err);

/* POST /roles/customers body (section 2); unknown fields are errors. */
int validate_customer_new(const json_t *body, struct customer_new *out, struct api_err *err);

/*
 * PATCH body (section 5): {} or {"labels": [...]}; other fields are errors.
 * *has_labels is 0 for the no-op {}.
 */
int validate_labels_patch(const json_t *body, int *has_labels, struct label_set *out,
                          struct api_err *err);

/*
 * A UUID given in header `name` (e.g. "Requestor-ID"); value NULL means
 * absent.  required: absence is an error.  *present tells if one was given.
 */
int validate_uuid_header(const char *name, const char *value, int required, int *present,
                         struct uuid *out, struct api_err *err);

/*
 * POST /roles/offboardings body (§12): roleType CUSTOMER, roleId a UUID,
 * reason one of the reasons; all required, nothing else.  0 or -1.
 */
int validate_offboarding_new(const json_t *body, struct uuid *role_id, enum offb_reason *reason,
                             struct api_err *err);

/* A body that must be {} (the cancellation's).  0 or -1. */
int validate_empty_object(const json_t *body, struct api_err *err);

/* X-Request-ID we may reuse: 1-64 chars of [A-Za-z0-9._-]. 1 or 0. */
int request_id_sane(const char *s);

#endif
