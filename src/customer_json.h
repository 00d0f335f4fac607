/*
 * customer_json: the Customer object of the contract, from a database row.
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

/* Row buffer: big enough for 16 labels and 10 ref accounts of maximal size. */
#define CUSTOMER_ROW_BUF 32768

/* One customer as read from the database; strings point into buf. */
struct customer_row {
	struct uuid id;
	struct uuid entity_id;
	enum entity_type entity_type;
	enum customer_status status;
	int64_t created_ms;
	int64_t modified_ms;
	int64_t cancellation_ms; /* -1: null */
	uint32_t version;        /* feeds the ETag */
	struct label_set labels; /* sorted, point into buf */
	size_t nref;
	struct ref_account ref[REF_ACCOUNTS_MAX]; /* point into buf */
	char buf[CUSTOMER_ROW_BUF];
};

/* New reference (caller owns, json_decref); NULL only on out of memory. */
json_t *customer_json(const struct customer_row *row);

/* "2026-11-26T18:48:39.123Z" and a NUL into out[25]. */
void rfc3339_ms(int64_t ms, char out[25]);

/* The ETag header value for a row: a quoted string, NUL-terminated, into out[32]. */
void customer_etag(const struct customer_row *row, char out[32]);

/*
 * 1 if an If-Match header (NULL: absent) lets a write to a customer at
 * `version` go ahead: absent or "*", or any strong tag of ours in the list
 * equal to its ETag (RFC 9110 13.1.1: strong comparison, so weak tags never
 * match); a malformed list matches nothing.
 */
int customer_if_match_ok(const char *header, uint32_t version);

#endif
