/*
 * handlers: one function per route.  Each answers exactly once (through
 * response.c) and returns nothing; the dispatcher has already checked the
 * method, the token and the scope.  `arg` is the path parameter (the
 * customer id text) or NULL.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "request.h"

void h_token(struct request *r, const char *arg);
void h_customers_create(struct request *r, const char *arg);
void h_customers_list(struct request *r, const char *arg);
void h_customer_get(struct request *r, const char *arg);
void h_customer_patch(struct request *r, const char *arg);
void h_healthz(struct request *r, const char *arg);
void h_metrics(struct request *r, const char *arg);
void h_jwks(struct request *r, const char *arg);

/* Sets r->err from a database result that is not DB_OK (503 or 500). */
void handler_db_error(struct request *r, int rc);

/*
 * Answers with r->err, unless the client was not confirmed yet
 * (r->client_unconfirmed) and reading it now refuses the request: then
 * with that 401 or 403, which comes before any other error.
 */
void handler_fail(struct request *r);

#endif
