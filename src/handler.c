/*
 * handler: the shared failure paths of handler.h.  An internal error
 * also logs what OpenSSL queued, if anything: most of our own failures
 * (HMAC, signatures, random bytes, key rendering) come from there, and the
 * queue would otherwise be lost or misattributed to the next request.
 */
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>

#include "client_auth.h"
#include "db.h"
#include "handler.h"
#include "log.h"
#include "response.h"

void handler_fail(struct request *r)
{
	client_auth_confirm(r);
	response_error(r, NULL);
}

void handler_internal_error(struct request *r, const char *fmt, ...)
{
	char cause[256], ssl[256] = "";
	unsigned long e = ERR_get_error();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	if (e)
		ERR_error_string_n(e, ssl, sizeof(ssl));
	ERR_clear_error();
	log_error("%s%s%s", cause, e ? "; OpenSSL: " : "", ssl);
	api_err_set(&r->err, 500, "INTERNAL_ERROR", "Internal error; see the service log");
	handler_fail(r);
}

void handler_accepted(struct request *r, int rc)
{
	if (rc == DB_OK) {
		response_empty(r, 202, NULL);
		return;
	}
	if (!r->err.status)
		api_err_db(&r->err, rc);
	handler_fail(r);
}

struct audit_ctx handler_audit(const struct request *r, const struct uuid *requestor)
{
	struct audit_ctx who = {r->partner_id, r->client_id, requestor, r->request_id, NULL};

	return who;
}
