/*
 * offboarding_json: see offboarding_json.h.
 */
#include "offboarding_json.h"
#include "customer_json.h"

static json_t *time_or_null(int64_t ms)
{
	char text[25];

	if (ms < 0)
		return json_null();
	rfc3339_ms(ms, text);
	return json_string(text);
}

static json_t *uuid_json(const struct uuid *u)
{
	char text[UUID_STR_LEN + 1];

	uuid_format(u, text);
	return json_string(text);
}

json_t *offboarding_json(const struct offboarding_row *row)
{
	return json_pack(
	        "{s:o, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "offboardingId",
	        uuid_json(&row->id), "roleType", "CUSTOMER", "roleId", uuid_json(&row->customer_id),
	        "reason", offb_reason_name(row->reason), "status", offb_status_name(row->status),
	        "requestorId", uuid_json(&row->requestor_id), "cancellationDate",
	        time_or_null(row->cancellation_ms), "createdOn", time_or_null(row->created_ms),
	        "modifiedOn", time_or_null(row->modified_ms), "executedOn",
	        time_or_null(row->executed_ms));
}
