/*
 * response: the only writers of an answer.  Every answer carries
 * X-Request-ID; every error goes through response_error(), the single
 * place that builds the contract's envelope and the headers that belong
 * to a status (WWW-Authenticate, Allow, Retry-After).
 */
#ifndef RESPONSE_H
#define RESPONSE_H

#include <jansson.h>

#include "request.h"

/* Extra headers for one answer: each "Name: value", NULL-terminated list; borrowed. */

/* Writes status, headers and body (borrowed; not freed here). */
void response_json(struct request *r, int status, const json_t *body, const char *const *headers);

/* Writes a status with no body (202). */
void response_empty(struct request *r, int status, const char *const *headers);

/* Writes r->err as the error envelope; `extra` adds members to it (borrowed, may be NULL). */
void response_error(struct request *r, const json_t *extra);

/* Starts a streamed JSON answer: status line and headers only. */
void response_begin(struct request *r, int status, const char *const *headers);
/* Appends raw bytes to a streamed answer. */
void response_write(struct request *r, const char *s, size_t len);
/* Appends a JSON value (borrowed), compact. */
void response_write_json(struct request *r, const json_t *v);

/* Standard reason phrase and the contract's responseType for a status. */
const char *response_reason(int status);
const char *response_type(int status);

#endif
