/*
 * webhook_json: the JSON of the /webhooks routes: request bodies checked
 * into plain structs (every problem reported, unknown fields refused) and
 * rows rendered.  Pure: the URL's address check is webhook_url's.
 */
#ifndef WEBHOOK_JSON_H
#define WEBHOOK_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "api_err.h"
#include "uuid.h"
#include "webhook_url.h"

#define WEBHOOK_TYPES_MAX 80  /* the SET text of all three types fits */
#define WEBHOOK_DESC_MAX 1024 /* bytes of 255 characters */
#define WEBHOOK_REASON_MAX 256

/* A POST or PATCH body; borrowed strings point into the parsed JSON. */
struct webhook_input {
	const char *url;               /* NULL: absent (PATCH) */
	char types[WEBHOOK_TYPES_MAX]; /* "A,B" (the SET's text); "" = absent (PATCH) */
	const char *description;       /* NULL: absent */
	int enabled;                   /* -1 absent, else 0 or 1 (PATCH) */
};

/* One subscription as stored. */
struct webhook_row {
	struct uuid id;
	char url[WEBHOOK_URL_MAX + 1];
	char types[WEBHOOK_TYPES_MAX];
	char description[WEBHOOK_DESC_MAX];
	uint64_t enabled;
	char disabled_reason[WEBHOOK_REASON_MAX];
	int64_t disabled_on, created_on, modified_on; /* Unix ms; -1 NULL */
};

/* One attempt of the log. */
struct webhook_attempt {
	struct uuid id, event_id;
	uint64_t attempt, http_status, duration_ms; /* http_status 0: none */
	int64_t attempted_on;
	char outcome[20];
	char error[129];
};

/* POST /webhooks: url required, eventTypes required (1-3 distinct), description optional. */
int webhook_parse_new(const json_t *body, struct webhook_input *out, struct api_err *err);

/* PATCH: any of url, eventTypes, description, enabled. */
int webhook_parse_patch(const json_t *body, struct webhook_input *out, struct api_err *err);

/* POST .../replay: {"since": RFC 3339}. */
int webhook_parse_replay(const json_t *body, int64_t *since_ms, struct api_err *err);

/* "2026-11-26T18:48:39.123Z" or with an offset -> Unix ms; 0 or -1. */
int rfc3339_parse(const char *s, int64_t *ms);

/* New references (NULL when out of memory). */
json_t *webhook_json(const struct webhook_row *w);
json_t *webhook_attempt_json(const struct webhook_attempt *a);

#endif
