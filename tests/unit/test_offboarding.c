/*
 * test_offboarding: the pure parts of contract §12 — the reasons and which
 * entity types they fit, the Offboarding object as exact compact JSON text
 * (key order counts), and the query of GET /roles/offboardings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_err.h"
#include "offboarding_json.h"
#include "query.h"
#include "tap.h"

#define T2026 INT64_C(1795718919123) /* 2026-11-26T18:48:39.123Z */
#define UUID_A "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
#define UUID_B "11111111-2222-4333-8444-555555555555"
#define UUID_C "22222222-3333-4444-8555-666666666666"

/* Every reason of §12: its name, whether it is ordinary, the types it fits. */
static void test_reasons(void)
{
	static const struct {
		const char *name;
		int ordinary, person, legal, joint;
	} r[] = {
	        {"CANCELLATION_BY_PARTNER_ORDINARY", 1, 1, 1, 1},
	        {"CUSTOMER_REQUEST_IMMEDIATE", 0, 1, 1, 1},
	        {"CANCELLATION_BY_PARTNER_IMMEDIATE", 0, 1, 1, 1},
	        {"DEATH_IMMEDIATE", 0, 1, 0, 1},
	        {"DISSOLUTION_IMMEDIATE", 0, 0, 1, 0},
	        {"INSOLVENCY_IMMEDIATE", 0, 0, 1, 0},
	        {"COMPANY_STRUCTURE_CHANGES_IMMEDIATE", 0, 0, 1, 0},
	};
	char name[96];

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		enum offb_reason got;

		snprintf(name, sizeof(name), "reason %s", r[i].name);
		if (offb_reason_parse(r[i].name, strlen(r[i].name), &got) != 0) {
			ok(0, name);
			continue;
		}
		is_str(offb_reason_name(got), r[i].name, name);
		is_int(offb_reason_ordinary(got), r[i].ordinary, name);
		is_int(offb_reason_applies(got, ENTITY_NATURAL_PERSON), r[i].person, name);
		is_int(offb_reason_applies(got, ENTITY_LEGAL_ENTITY), r[i].legal, name);
		is_int(offb_reason_applies(got, ENTITY_JOINT_PERSON), r[i].joint, name);
	}
}

static void test_reason_refused(void)
{
	static const char *bad[] = {"", "DEATH", "death_immediate", "DEATH_IMMEDIATE ",
	                            "CANCELLATION_BY_PARTNER_ORDINARYX"};
	enum offb_reason r;
	enum offb_status s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(offb_reason_parse(bad[i], strlen(bad[i]), &r), -1,
		       "an unknown reason is refused");
	is_int(offb_status_parse("APPROVED", 8, &s), 0, "status APPROVED parses");
	is_int(s, OFFB_APPROVED, "status APPROVED is OFFB_APPROVED");
	is_int(offb_status_parse("approved", 8, &s), -1, "statuses are case-sensitive");
	is_int(offb_status_parse("APPROVE", 7, &s), -1, "a prefix is not a status");
}

static void base_row(struct offboarding_row *row)
{
	memset(row, 0, sizeof(*row));
	uuid_parse(UUID_A, strlen(UUID_A), &row->id);
	uuid_parse(UUID_B, strlen(UUID_B), &row->customer_id);
	uuid_parse(UUID_C, strlen(UUID_C), &row->requestor_id);
	row->reason = REASON_PARTNER_ORDINARY;
	row->status = OFFB_CREATED;
	row->created_ms = T2026;
	row->modified_ms = T2026 + 1;
	row->cancellation_ms = T2026 + 2;
	row->executed_ms = -1;
}

static void check_json(const struct offboarding_row *row, const char *want, const char *name)
{
	json_t *j = offboarding_json(row);
	char *got = j ? json_dumps(j, JSON_COMPACT) : NULL;

	is_str(got, want, name);
	free(got);
	json_decref(j);
}

#define HEAD                                                                                       \
	"{\"offboardingId\":\"" UUID_A "\",\"roleType\":\"CUSTOMER\",\"roleId\":\"" UUID_B "\","

static void test_json(void)
{
	struct offboarding_row row;

	base_row(&row);
	check_json(&row,
	           HEAD "\"reason\":\"CANCELLATION_BY_PARTNER_ORDINARY\",\"status\":\"CREATED\","
	                "\"requestorId\":\"" UUID_C "\","
	                "\"cancellationDate\":\"2026-11-26T18:48:39.125Z\","
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\",\"executedOn\":null}",
	           "a scheduled offboarding: executedOn null");
	row.reason = REASON_DEATH_IMMEDIATE;
	row.status = OFFB_APPROVED;
	row.cancellation_ms = T2026;
	row.executed_ms = T2026 + 4000;
	check_json(&row,
	           HEAD "\"reason\":\"DEATH_IMMEDIATE\",\"status\":\"APPROVED\","
	                "\"requestorId\":\"" UUID_C "\","
	                "\"cancellationDate\":\"2026-11-26T18:48:39.123Z\","
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\","
	                "\"executedOn\":\"2026-11-26T18:48:43.123Z\"}",
	           "an executed offboarding: executedOn set");
	row.status = OFFB_CANCELED;
	row.executed_ms = -1;
	row.cancellation_ms = -1;
	check_json(&row,
	           HEAD "\"reason\":\"DEATH_IMMEDIATE\",\"status\":\"CANCELED\","
	                "\"requestorId\":\"" UUID_C "\",\"cancellationDate\":null,"
	                "\"createdOn\":\"2026-11-26T18:48:39.123Z\","
	                "\"modifiedOn\":\"2026-11-26T18:48:39.124Z\",\"executedOn\":null}",
	           "a missing time is null, never 1970");
}

/* Whole query strings and the first detail each must give (field NULL: must parse). */
static void test_query_refused(void)
{
	static const struct {
		int line;
		const char *qs;
		const char *field, *code, *param;
	} c[] = {
	        {__LINE__, "", NULL, NULL, NULL},
	        {__LINE__, "offboardingRoleType=CUSTOMER", NULL, NULL, NULL},
	        {__LINE__, "status=CANCELED&roleId=" UUID_B "&limit=100&cursor=x", NULL, NULL,
	         NULL},
	        {__LINE__, "offboardingRoleType=SUPPLIER", "offboardingRoleType", "INVALID_VALUE",
	         ""},
	        {__LINE__, "offboardingRoleType=customer", "offboardingRoleType", "INVALID_VALUE",
	         ""},
	        {__LINE__, "roleId=123", "roleId", "INVALID_FORMAT", ""},
	        {__LINE__, "roleId=", "roleId", "INVALID_FORMAT", ""},
	        {__LINE__, "status=EXECUTED", "status", "INVALID_VALUE", ""},
	        {__LINE__, "status=created", "status", "INVALID_VALUE", ""},
	        {__LINE__, "limit=0", "limit", "OUT_OF_RANGE", "1..100"},
	        {__LINE__, "limit=101", "limit", "OUT_OF_RANGE", "1..100"},
	        {__LINE__, "limit=x", "limit", "INVALID_FORMAT", ""},
	        {__LINE__, "cursor=", "cursor", "INVALID_CURSOR", ""},
	        {__LINE__, "status=CREATED&status=CREATED", "status", "DUPLICATE_PARAMETER", ""},
	        {__LINE__, "customerStatus=ACTIVE", "customerStatus", "UNKNOWN_PARAMETER", ""},
	        {__LINE__, "labels=a", "labels", "UNKNOWN_PARAMETER", ""},
	};
	char buf[160], name[160];
	struct offb_filter f;
	struct api_err err;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc;

		snprintf(buf, sizeof(buf), "%s", c[i].qs);
		snprintf(name, sizeof(name), "line %d: offboardings query \"%s\"", c[i].line,
		         c[i].qs);
		api_err_clear(&err);
		rc = query_parse_offboardings(buf, &f, &err);
		is_int(rc, c[i].field ? -1 : 0, name);
		if (!c[i].field || rc == 0)
			continue;
		is_str(err.details[0].field, c[i].field, name);
		is_str(err.details[0].code, c[i].code, name);
		is_str(err.details[0].parameter, c[i].param, name);
	}
}

static void test_query_values(void)
{
	char buf[160];
	struct offb_filter f;
	struct api_err err;
	char text[UUID_STR_LEN + 1];

	api_err_clear(&err);
	buf[0] = '\0';
	is_int(query_parse_offboardings(buf, &f, &err), 0, "offboardings: empty query");
	is_int((int)f.limit, 20, "offboardings: limit defaults to 20");
	ok(!f.has_customer && !f.has_status && f.cursor == NULL, "offboardings: no filter");
	snprintf(buf, sizeof(buf), "%s",
	         "roleId=11111111-2222-4333-8444-555555555555&status=APPROVED&limit=7&cursor=Ab_-");
	is_int(query_parse_offboardings(buf, &f, &err), 0, "offboardings: every parameter");
	ok(f.has_customer, "offboardings: roleId given");
	uuid_format(&f.customer, text);
	is_str(text, UUID_B, "offboardings: the roleId");
	ok(f.has_status && f.status == OFFB_APPROVED, "offboardings: status APPROVED");
	is_int((int)f.limit, 7, "offboardings: limit 7");
	is_str(f.cursor, "Ab_-", "offboardings: the cursor");
}

int main(void)
{
	test_reasons();
	test_reason_refused();
	test_json();
	test_query_refused();
	test_query_values();
	return done_testing();
}
