/*
 * request: one FastCGI request as the handlers see it.
 *
 * Ownership: the worker owns one struct request and reuses it; everything
 * a request makes lives in it and is released by request_release() after
 * the answer is sent.  Strings from libfcgi (method, headers) are borrowed
 * until FCGX_Finish_r.  The path and query are copied into fixed buffers,
 * the body into the worker's body buffer (cfg->max_body); what a request
 * allocates (jansson values, OpenSSL contexts) is freed before the next.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <fcgiapp.h>
#include <jansson.h>
#include <stdint.h>

#include "api_err.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "path.h"

#define REQUEST_PATH_MAX 2048
#define REQUEST_QUERY_MAX 8192
#define REQUEST_ID_MAX 64
#define REQUEST_ALLOW_MAX 48

struct request {
	FCGX_Request *fcgi;       /* borrowed from the worker */
	const struct config *cfg; /* borrowed, worker lifetime */
	struct db *db;            /* borrowed, worker lifetime */

	const char *method;            /* borrowed from libfcgi */
	char path[REQUEST_PATH_MAX];   /* raw, then split in place into segments */
	struct path segments;          /* decoded once each, prefix stripped */
	char query[REQUEST_QUERY_MAX]; /* raw (still escaped) */
	char request_id[REQUEST_ID_MAX + 1];

	char *body; /* the worker's buffer; NUL-terminated after request_read_body */
	size_t body_cap;
	size_t body_len;
	json_t *json; /* owned: parsed body, freed by request_release */

	/* Set by the dispatcher once the bearer token is accepted. */
	uint64_t partner_id;
	char client_id[CLIENT_ID_MAX + 1];
	unsigned scopes;
	unsigned route_scope;   /* the scope bit the route needs, 0 for none */
	int client_unconfirmed; /* partner and scopes as this worker last read them (client_auth.h)
	                         */

	int route;                     /* index in routes[] (routes.h), -1 for none; for metrics */
	char allow[REQUEST_ALLOW_MAX]; /* methods of the matched path, for 405 */
	const char *need_scope;        /* static: scope the route needs, for 403 */
	int status;                    /* status of the answer sent, for metrics and logs */
	unsigned retry_after;          /* seconds for Retry-After on a 429 */
	struct api_err err;
};

/*
 * Fills r from the FastCGI environment: method, path (from REQUEST_URI,
 * else SCRIPT_NAME + PATH_INFO; split into segments, each percent-decoded
 * once; cfg->prefix stripped), query, request id.  -1 with r->err set when the path is
 * unusable (too long, bad escape, outside the prefix).
 */
int request_init(struct request *r, FCGX_Request *fcgi, const struct config *cfg, struct db *db,
                 char *body_buf, size_t body_cap);

/* Frees what the request owns (parsed JSON) and clears per-request state. */
void request_release(struct request *r);

/* A request header by CGI name ("HTTP_AUTHORIZATION"); borrowed, NULL if absent. */
const char *request_param(const struct request *r, const char *name);

/* The Authorization header (also as Apache's REDIRECT_ copy); borrowed, NULL if absent. */
const char *request_authorization(const struct request *r);

/*
 * Reads the body for a JSON route: 415 unless Content-Type is `type`
 * (parameters such as charset allowed), 413 above cfg->max_body.  0 or -1
 * with r->err set.
 */
int request_read_body(struct request *r, const char *type);

/* Reads the body and parses it as JSON into r->json (400 MALFORMED_JSON). 0 or -1. */
int request_read_json(struct request *r);

#endif
