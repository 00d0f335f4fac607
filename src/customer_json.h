/*
 * customer_json: the Customer object of the contract, from a customer row
 * (struct customer_row, model.h).
 *
 * Labels come out in the row's (byte) order, refAccounts in input order,
 * absent optional ref-account fields are omitted, cancellationDate is null
 * unless set.  Pure: unit-tested without a database.
 */
#ifndef CUSTOMER_JSON_H
#define CUSTOMER_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "model.h"

/* New reference (caller owns, json_decref); NULL only on out of memory. */
json_t *customer_json(const struct customer_row *row);

/* "2026-11-26T18:48:39.123Z" and a NUL into out[25]. */
void rfc3339_ms(int64_t ms, char out[25]);

/*
 * The ETag header value for a row (if_match.c reads it back): a quoted
 * string, NUL-terminated, into out[32].
 */
void customer_etag(const struct customer_row *row, char out[32]);

#endif
