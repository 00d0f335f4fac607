/*
 * handler: what every handler does when it does not succeed.
 *
 * Conventions, for handlers and the helpers they call (the whole request
 * side follows them):
 *   - a function that returns int returns 0 on success and -1 on failure
 *     with r->err set; it has not answered, its caller does;
 *   - a function whose name ends in _or_respond has answered on failure
 *     (returns -1) and the caller just returns;
 *   - one named *_fail (handler_fail, token_fail) or answer_* always
 *     answers;
 *   - a handler answers exactly once, through response.c, and returns
 *     nothing;
 *   - functions returning enum db_rc (db_*.h) answer nothing; map a code
 *     without a meaning of its own with api_err_db (api_err.h).
 */
#ifndef HANDLER_H
#define HANDLER_H

#include "db_customers.h"
#include "request.h"

/*
 * Answers with r->err, unless the client was not confirmed yet
 * (r->client_unconfirmed) and reading it now refuses the request: then
 * with that 401 or 403, which comes before any other error.
 */
void handler_fail(struct request *r);

/*
 * Logs the cause (printf-style; the log line carries the request id) and
 * answers the standard 500 (through handler_fail, so an unconfirmed
 * client is read first).  OpenSSL's first queued error, if any, is
 * logged with it and the queue cleared.  For failures of our own making (out of
 * memory, a key that will not render), not for a database result.
 */
void handler_internal_error(struct request *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/*
 * The 202 of a write whose enum db_rc is rc: an empty 202 on DB_OK,
 * otherwise handler_fail with r->err, which the caller may have set for
 * rc already (a 404 of its own); when it has not, api_err_db maps rc.
 */
void handler_accepted(struct request *r, int rc);

/*
 * Who writes, for the audit row of a write by a client confirmed in
 * this request (r->client_unconfirmed clear: no check in the write's
 * transaction).  Borrows r and requestor (NULL when absent).
 */
struct audit_ctx handler_audit(const struct request *r, const struct uuid *requestor);

#endif
