/*
 * test_customer_json: the Customer object, compared as exact compact JSON
 * text (so key order counts), plus the time format and the ETag (read back
 * by test_if_match).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "customer_json.h"
#include "tap.h"

#define T2026 INT64_C(1795718919123) /* 2026-11-26T18:48:39.123Z */

static struct customer_row row;

static void base_row(void)
{
	const char *id = "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
	const char *entity = "11111111-2222-4333-8444-555555555555";

	memset(&row, 0, sizeof(row));
	uuid_parse(id, strlen(id), &row.id);
	uuid_parse(entity, strlen(entity), &row.entity_id);
	row.entity_type = ENTITY_NATURAL_PERSON;
	row.status = STATUS_CREATED;
	row.created_ms = T2026;
	row.modified_ms = T2026 + 1;
	row.cancellation_ms = -1;
	row.version = 1;
}

static void add_label(const char *s)
{
	row.labels.v[row.labels.n] = s;
	row.labels.len[row.labels.n] = strlen(s);
	row.labels.n++;
}

static void check_json(const char *want, const char *name)
{
	json_t *j = customer_json(&row);
	char *got = j ? json_dumps(j, JSON_COMPACT) : NULL;

	is_str(got, want, name);
	free(got);
	json_decref(j);
}

#define HEAD                                                                                       \
	"{\"customerId\":\"0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d\","                                \
	"\"entityId\":\"11111111-2222-4333-8444-555555555555\","

static void test_minimal(void)
{
	base_row();
	check_json(HEAD "\"entityType\":\"NATURAL_PERSON\",\"customerStatus\":\"CREATED\","
	                "\"labels\":[],\"refAccounts\":[],"
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\",\"cancellationDate\":null}",
	           "no labels, no ref accounts, cancellationDate null");
}

static void test_full(void)
{
	base_row();
	row.entity_type = ENTITY_JOINT_PERSON;
	row.status = STATUS_OFFBOARDING;
	row.cancellation_ms = T2026 + 86400000;
	add_label("berlin");
	add_label("vip");
	add_label("\xc3\xa9t\xc3\xa9 \"q\"");
	row.nref = 2;
	row.ref[0] = (struct ref_account){"DE89370400440532013000", "COBADEFFXXX", "Commerzbank",
	                                  "Erika Mustermann", 1};
	row.ref[1] = (struct ref_account){"GB82WEST12345698765432", NULL, NULL, "Max", 0};
	check_json(HEAD "\"entityType\":\"JOINT_PERSON\",\"customerStatus\":\"OFFBOARDING\","
	                "\"labels\":[\"berlin\",\"vip\",\"\xc3\xa9t\xc3\xa9 \\\"q\\\"\"],"
	                "\"refAccounts\":[{\"iban\":\"DE89370400440532013000\","
	                "\"bic\":\"COBADEFFXXX\",\"bankName\":\"Commerzbank\","
	                "\"ownerName\":\"Erika Mustermann\",\"type\":\"PRIMARY\"},"
	                "{\"iban\":\"GB82WEST12345698765432\",\"ownerName\":\"Max\","
	                "\"type\":\"OTHER\"}],"
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\","
	                "\"cancellationDate\":\"2026-11-27T18:48:39.123Z\"}",
	           "full row: labels in row order, ref accounts in order, optional fields omitted");
}

static void test_optional_fields(void)
{
	base_row();
	row.status = STATUS_ACTIVE;
	row.entity_type = ENTITY_LEGAL_ENTITY;
	row.nref = 1;
	row.ref[0] = (struct ref_account){"DE89370400440532013000", NULL, "Bank", "Owner", 0};
	check_json(HEAD "\"entityType\":\"LEGAL_ENTITY\",\"customerStatus\":\"ACTIVE\","
	                "\"labels\":[],\"refAccounts\":[{\"iban\":\"DE89370400440532013000\","
	                "\"bankName\":\"Bank\",\"ownerName\":\"Owner\",\"type\":\"OTHER\"}],"
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\",\"cancellationDate\":null}",
	           "bic omitted, bankName kept");
	row.ref[0].bic = "COBADEFF";
	row.ref[0].bank_name = NULL;
	row.status = STATUS_OFFBOARDED;
	row.cancellation_ms = 0;
	check_json(HEAD "\"entityType\":\"LEGAL_ENTITY\",\"customerStatus\":\"OFFBOARDED\","
	                "\"labels\":[],\"refAccounts\":[{\"iban\":\"DE89370400440532013000\","
	                "\"bic\":\"COBADEFF\",\"ownerName\":\"Owner\",\"type\":\"OTHER\"}],"
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\","
	                "\"cancellationDate\":\"1970-01-01T00:00:00.000Z\"}",
	           "bankName omitted, bic kept; a cancellationDate at ms 0 is a date, not null");
}

/* Ten accounts of the maximum: all come out, in order. */
static void test_max_ref_accounts(void)
{
	static const char *const owners[REF_ACCOUNTS_MAX] = {"o0", "o1", "o2", "o3", "o4",
	                                                     "o5", "o6", "o7", "o8", "o9"};
	json_t *j, *arr;
	size_t i;
	int in_order = 1;

	base_row();
	row.nref = REF_ACCOUNTS_MAX;
	for (i = 0; i < REF_ACCOUNTS_MAX; i++)
		row.ref[i] =
		        (struct ref_account){"DE89370400440532013000", NULL, NULL, owners[i], 0};
	j = customer_json(&row);
	arr = json_object_get(j, "refAccounts");
	is_int(json_array_size(arr), REF_ACCOUNTS_MAX, "ten ref accounts");
	for (i = 0; i < json_array_size(arr); i++) {
		const char *o =
		        json_string_value(json_object_get(json_array_get(arr, i), "ownerName"));

		in_order = in_order && o && strcmp(o, owners[i]) == 0;
	}
	ok(in_order, "ref accounts keep their order");
	json_decref(j);
}

static void test_rfc3339(void)
{
	static const struct {
		int line;
		int64_t ms;
		const char *want;
	} c[] = {
	        {__LINE__, 0, "1970-01-01T00:00:00.000Z"},
	        {__LINE__, 999, "1970-01-01T00:00:00.999Z"},
	        {__LINE__, 1000, "1970-01-01T00:00:01.000Z"},
	        {__LINE__, -1, "1969-12-31T23:59:59.999Z"},
	        {__LINE__, -1000, "1969-12-31T23:59:59.000Z"},
	        {__LINE__, -1001, "1969-12-31T23:59:58.999Z"},
	        {__LINE__, T2026, "2026-11-26T18:48:39.123Z"},
	        {__LINE__, INT64_C(1767225599999), "2025-12-31T23:59:59.999Z"},
	        {__LINE__, INT64_C(1767225600000), "2026-01-01T00:00:00.000Z"},
	        {__LINE__, INT64_C(1709164800000), "2024-02-29T00:00:00.000Z"},
	        {__LINE__, INT64_C(253402300799999), "9999-12-31T23:59:59.999Z"},
	        {__LINE__, INT64_MAX, "9999-12-31T23:59:59.999Z"},
	        {__LINE__, INT64_C(-62167219200000), "0000-01-01T00:00:00.000Z"},
	        {__LINE__, INT64_MIN, "0000-01-01T00:00:00.000Z"},
	};
	char out[25], name[64];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(out, 'X', sizeof(out));
		rfc3339_ms(c[i].ms, out);
		snprintf(name, sizeof(name), "line %d: rfc3339_ms(%lld)", c[i].line,
		         (long long)c[i].ms);
		is_str(out, c[i].want, name);
	}
}

static void test_etag(void)
{
	char a[32], b[32];

	base_row();
	row.version = 3;
	customer_etag(&row, a);
	is_str(a, "\"v3\"", "ETag is the quoted version");
	row.version = 4;
	customer_etag(&row, b);
	ok(strcmp(a, b) != 0, "ETag changes with the version");
	row.version = UINT32_MAX;
	customer_etag(&row, a);
	is_str(a, "\"v4294967295\"", "largest version fits");
}

/* jansson's allocator, failing after `budget` allocations (jansson test_chaos). */
static int budget;

static void *chaos_malloc(size_t size)
{
	if (budget-- <= 0)
		return NULL;
	return malloc(size);
}

/* Every allocation failure gives NULL (no crash, no leak under ASan), until one succeeds. */
static void test_oom(void)
{
	int n, nulls = 0, done = 0;

	base_row();
	add_label("vip");
	row.nref = 1;
	row.ref[0] = (struct ref_account){"DE89370400440532013000", "COBADEFF", "B", "O", 1};
	json_set_alloc_funcs(chaos_malloc, free);
	for (n = 0; n < 1000 && !done; n++) {
		json_t *j;

		budget = n;
		j = customer_json(&row);
		if (j)
			done = 1;
		else
			nulls++;
		json_decref(j);
	}
	json_set_alloc_funcs(malloc, free);
	ok(done, "customer_json succeeds once allocations do");
	ok(nulls > 10, "every earlier allocation failure was survived");
}

int main(void)
{
	test_minimal();
	test_full();
	test_optional_fields();
	test_max_ref_accounts();
	test_rfc3339();
	test_etag();
	test_oom();
	return done_testing();
}
