/*
 * customer_json: a database row -> the contract's Customer object.
 *
 * Keys go in the contract's order; jansson keeps insertion order (since
 * 2.8), so the serialized object reads the same as the contract's example.
 * Every value is created inline and handed over with json_object_set_new /
 * json_array_append_new, which also take care of a NULL from an allocation
 * that failed: the call then fails and we drop the whole object.
 *
 * The ETag is the row's version as a strong tag, "v<version>" in quotes
 * (e.g. "v3"): the version goes up on every change of the customer, so the
 * tag changes with it, and the "v" keeps it from looking like a count a
 * client could do arithmetic with.  if_match.c reads it back from If-Match.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "customer_json.h"

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what four year digits can hold. */
#define RFC3339_MIN_MS INT64_C(-62167219200000)
#define RFC3339_MAX_MS INT64_C(253402300799999)

/* Writes v as exactly width decimal digits, zero-padded. */
static void put_digits(char *p, unsigned v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

void rfc3339_ms(int64_t ms, char out[25])
{
	static const struct tm epoch = {.tm_year = 70, .tm_mday = 1};
	struct tm tm;
	int64_t secs, frac;
	time_t t;

	if (ms < RFC3339_MIN_MS)
		ms = RFC3339_MIN_MS;
	if (ms > RFC3339_MAX_MS)
		ms = RFC3339_MAX_MS;
	/* Floor division: -1 ms is 1969-12-31T23:59:59.999Z, not .-01. */
	secs = ms / 1000;
	frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	t = (time_t)secs;
	if (!gmtime_r(&t, &tm))
		tm = epoch;
	memcpy(out, "0000-00-00T00:00:00.000Z", 25);
	put_digits(out, (unsigned)(tm.tm_year + 1900), 4);
	put_digits(out + 5, (unsigned)(tm.tm_mon + 1), 2);
	put_digits(out + 8, (unsigned)tm.tm_mday, 2);
	put_digits(out + 11, (unsigned)tm.tm_hour, 2);
	put_digits(out + 14, (unsigned)tm.tm_min, 2);
	put_digits(out + 17, (unsigned)tm.tm_sec, 2);
	put_digits(out + 20, (unsigned)frac, 3);
}

void customer_etag(const struct customer_row *row, char out[32])
{
	snprintf(out, 32, "\"v%" PRIu32 "\"", row->version);
}

static int set_str(json_t *obj, const char *key, const char *s)
{
	return json_object_set_new(obj, key, json_string(s));
}

static int set_uuid(json_t *obj, const char *key, const struct uuid *u)
{
	char text[UUID_STR_LEN + 1];

	uuid_format(u, text);
	return set_str(obj, key, text);
}

static int set_time(json_t *obj, const char *key, int64_t ms)
{
	char text[25];

	rfc3339_ms(ms, text);
	return set_str(obj, key, text);
}

/* An optional string: left out when absent. */
static int set_opt_str(json_t *obj, const char *key, const char *s)
{
	return s ? set_str(obj, key, s) : 0;
}

static json_t *labels_json(const struct label_set *labels)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < labels->n; i++) {
		if (json_array_append_new(arr, json_stringn(labels->v[i], labels->len[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *ref_account_json(const struct ref_account *r)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set_str(obj, "iban", r->iban) || set_opt_str(obj, "bic", r->bic) ||
	    set_opt_str(obj, "bankName", r->bank_name) ||
	    set_str(obj, "ownerName", r->owner_name) ||
	    set_str(obj, "type", r->primary ? "PRIMARY" : "OTHER")) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *ref_accounts_json(const struct ref_account *ref, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++) {
		if (json_array_append_new(arr, ref_account_json(&ref[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* A cancellation date before 1970 cannot happen here, so any negative value means null. */
static int set_cancellation(json_t *obj, int64_t ms)
{
	return ms < 0 ? json_object_set_new(obj, "cancellationDate", json_null())
	              : set_time(obj, "cancellationDate", ms);
}

json_t *customer_json(const struct customer_row *row)
{
	size_t nref = row->nref < REF_ACCOUNTS_MAX ? row->nref : REF_ACCOUNTS_MAX;
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	if (set_uuid(obj, "customerId", &row->id) || set_uuid(obj, "entityId", &row->entity_id) ||
	    set_str(obj, "entityType", entity_type_name(row->entity_type)) ||
	    set_str(obj, "customerStatus", customer_status_name(row->status)) ||
	    json_object_set_new(obj, "labels", labels_json(&row->labels)) ||
	    json_object_set_new(obj, "refAccounts", ref_accounts_json(row->ref, nref)) ||
	    set_time(obj, "createdOn", row->created_ms) ||
	    set_time(obj, "modifiedOn", row->modified_ms) ||
	    set_cancellation(obj, row->cancellation_ms)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
