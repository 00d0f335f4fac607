/*
 * webhook_json: the body checks walk a fixed field table per route; the
 * event types become the SET text of the webhooks table in the order of
 * the type list, so equal sets compare equal as text.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "customer_json.h"
#include "webhook_json.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DESC_CHARS_MAX 255

static const char *const event_types[] = {
        "CUSTOMER_NOTIFICATION",
        "LABELS_UPDATE_NOTIFICATION",
        "OFFBOARDING_NOTIFICATION",
};

static int refuse(struct api_err *err, const char *field, const char *code, const char *message)
{
	api_err_detail(err, field, code, NULL, message);
	return -1;
}

static int unknown_fields(const json_t *body, const char *const *known, struct api_err *err)
{
	const char *key;
	const json_t *v;
	int rc = 0;

	json_object_foreach ((json_t *)body, key, v) {
		size_t i = 0;

		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (!known[i])
			rc = refuse(err, key, "UNKNOWN_FIELD", "unknown field");
	}
	return rc;
}

static int type_index(const json_t *j)
{
	const char *s = json_string_value(j);

	for (size_t i = 0; s && i < ARRAY_SIZE(event_types); i++)
		if (!strcmp(s, event_types[i]))
			return (int)i;
	return -1;
}

/* eventTypes -> SET text, in event_types order; duplicates refused. */
static int parse_types(const json_t *j, char out[WEBHOOK_TYPES_MAX], struct api_err *err)
{
	unsigned seen = 0;
	size_t i;
	const json_t *v;

	if (!json_is_array(j) || json_array_size(j) == 0)
		return refuse(err, "eventTypes", "INVALID_TYPE", "must be a non-empty array");
	json_array_foreach (j, i, v) {
		int t = type_index(v);
		char field[32];

		snprintf(field, sizeof(field), "eventTypes[%zu]", i);
		if (t < 0)
			return refuse(
			        err, field, "INVALID_VALUE",
			        "must be CUSTOMER_NOTIFICATION, LABELS_UPDATE_NOTIFICATION or "
			        "OFFBOARDING_NOTIFICATION");
		if (seen & (1u << t))
			return refuse(err, field, "DUPLICATE", "listed twice");
		seen |= 1u << t;
	}
	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(event_types); i++)
		if (seen & (1u << i))
			snprintf(out + strlen(out), WEBHOOK_TYPES_MAX - strlen(out), "%s%s",
			         out[0] ? "," : "", event_types[i]);
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int parse_description(const json_t *j, const char **out, struct api_err *err)
{
	const char *s = json_string_value(j);

	if (!s)
		return refuse(err, "description", "INVALID_TYPE", "must be a string");
	if (utf8_chars(s) > DESC_CHARS_MAX)
		return refuse(err, "description", "TOO_LONG", "at most 255 characters");
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return refuse(err, "description", "INVALID_CHARACTERS",
			              "must not contain control characters");
	*out = s;
	return 0;
}

static int parse_url(const json_t *j, const char **out, struct api_err *err)
{
	const char *s = json_string_value(j);

	if (!s)
		return refuse(err, "url", "INVALID_TYPE", "must be a string");
	if (strlen(s) > WEBHOOK_URL_MAX)
		return refuse(err, "url", "TOO_LONG", "at most 2048 characters");
	*out = s;
	return 0;
}

/* The members both POST and PATCH may carry; `failed` collects every problem. */
static int parse_members(const json_t *body, struct webhook_input *out, struct api_err *err)
{
	const json_t *j;
	int failed = 0;

	out->url = out->description = NULL;
	out->types[0] = '\0';
	out->enabled = -1;
	if ((j = json_object_get(body, "url")))
		failed |= parse_url(j, &out->url, err);
	if ((j = json_object_get(body, "eventTypes")))
		failed |= parse_types(j, out->types, err);
	if ((j = json_object_get(body, "description")))
		failed |= parse_description(j, &out->description, err);
	return failed ? -1 : 0;
}

static int body_object(const json_t *body, struct api_err *err)
{
	if (json_is_object(body))
		return 0;
	return refuse(err, "body", "INVALID_TYPE", "must be a JSON object");
}

int webhook_parse_new(const json_t *body, struct webhook_input *out, struct api_err *err)
{
	static const char *const known[] = {"url", "eventTypes", "description", NULL};
	int failed;

	if (body_object(body, err))
		return -1;
	failed = parse_members(body, out, err);
	failed |= unknown_fields(body, known, err);
	if (!json_object_get(body, "url"))
		failed = refuse(err, "url", "REQUIRED", "is required");
	if (!json_object_get(body, "eventTypes"))
		failed = refuse(err, "eventTypes", "REQUIRED", "is required");
	return failed ? -1 : 0;
}

int webhook_parse_patch(const json_t *body, struct webhook_input *out, struct api_err *err)
{
	static const char *const known[] = {"url", "eventTypes", "description", "enabled", NULL};
	const json_t *j;
	int failed;

	if (body_object(body, err))
		return -1;
	failed = parse_members(body, out, err);
	failed |= unknown_fields(body, known, err);
	j = json_object_get(body, "enabled");
	if (j && !json_is_boolean(j))
		failed = refuse(err, "enabled", "INVALID_TYPE", "must be true or false");
	else if (j)
		out->enabled = json_is_true(j);
	return failed ? -1 : 0;
}

int webhook_parse_replay(const json_t *body, int64_t *since_ms, struct api_err *err)
{
	static const char *const known[] = {"since", NULL};
	const json_t *j;
	int failed;

	if (body_object(body, err))
		return -1;
	failed = unknown_fields(body, known, err);
	j = json_object_get(body, "since");
	if (!j)
		failed = refuse(err, "since", "REQUIRED", "is required");
	else if (!json_is_string(j) || rfc3339_parse(json_string_value(j), since_ms))
		failed = refuse(err, "since", "INVALID_FORMAT", "must be an RFC 3339 timestamp");
	return failed ? -1 : 0;
}

/* Exactly n decimal digits at s -> *out; 0 or -1. */
static int digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

/* "+hh:mm", "-hh:mm" or "Z" -> seconds east of UTC; -1 if none of them. */
static int zone_offset(const char *s, long *off)
{
	int h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*off = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &h) || s[3] != ':' ||
	    digits(s + 4, 2, &m) || s[6] != '\0' || h > 23 || m > 59)
		return -1;
	*off = (s[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS" into tm (as written: year and month not yet offset). */
static int date_time(const char *s, struct tm *tm)
{
	if (digits(s, 4, &tm->tm_year) || s[4] != '-' || digits(s + 5, 2, &tm->tm_mon) ||
	    s[7] != '-' || digits(s + 8, 2, &tm->tm_mday) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &tm->tm_hour) || s[13] != ':' || digits(s + 14, 2, &tm->tm_min) ||
	    s[16] != ':' || digits(s + 17, 2, &tm->tm_sec))
		return -1;
	return tm->tm_mon < 1 || tm->tm_mon > 12 || tm->tm_mday < 1 || tm->tm_mday > 31 ||
	                       tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60
	               ? -1
	               : 0;
}

int rfc3339_parse(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	int frac = 0, n = 0;
	long off;

	if (strlen(s) < 20 || date_time(s, &tm))
		return -1;
	s += 19;
	if (*s == '.') {
		for (s++; s[n] >= '0' && s[n] <= '9'; n++)
			if (n < 3)
				frac = frac * 10 + (s[n] - '0');
		if (n == 0)
			return -1;
		for (int d = n; d < 3; d++)
			frac *= 10;
		s += n;
	}
	if (zone_offset(s, &off))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return 0;
}

static json_t *time_or_null(int64_t ms)
{
	char text[25];

	if (ms < 0)
		return json_null();
	rfc3339_ms(ms, text);
	return json_string(text);
}

/* "A,B" -> ["A", "B"] */
static json_t *types_json(const char *set)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ARRAY_SIZE(event_types); i++) {
		size_t n = strlen(event_types[i]);
		const char *p = strstr(set, event_types[i]);

		if (p && (p[n] == ',' || p[n] == '\0'))
			json_array_append_new(a, json_string(event_types[i]));
	}
	return a;
}

json_t *webhook_json(const struct webhook_row *w)
{
	char id[UUID_STR_LEN + 1];

	uuid_format(&w->id, id);
	return json_pack("{s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:o}", "webhookId", id, "url",
	                 w->url, "eventTypes", types_json(w->types), "description", w->description,
	                 "enabled", (int)w->enabled, "disabledReason",
	                 w->disabled_reason[0] ? json_string(w->disabled_reason) : json_null(),
	                 "disabledOn", time_or_null(w->disabled_on), "createdOn",
	                 time_or_null(w->created_on), "modifiedOn", time_or_null(w->modified_on));
}

json_t *webhook_attempt_json(const struct webhook_attempt *a)
{
	char id[UUID_STR_LEN + 1];

	uuid_format(&a->event_id, id);
	return json_pack("{s:s, s:I, s:o, s:o, s:I, s:s, s:o}", "eventId", id, "attempt",
	                 (json_int_t)a->attempt, "attemptedOn", time_or_null(a->attempted_on),
	                 "httpStatus",
	                 a->http_status ? json_integer((json_int_t)a->http_status) : json_null(),
	                 "durationMs", (json_int_t)a->duration_ms, "outcome", a->outcome, "error",
	                 a->error[0] ? json_string(a->error) : json_null());
}
