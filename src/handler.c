/*
 * handler: the shared failure paths of handler.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "client_auth.h"
#include "handler.h"
#include "log.h"
#include "response.h"

void handler_db_error(struct request *r, int rc)
{
	api_err_db(&r->err, rc);
}

void handler_fail(struct request *r)
{
	client_auth_confirm(r);
	response_error(r, NULL);
}

void handler_internal_error(struct request *r, const char *fmt, ...)
{
	char cause[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	log_error("%s", cause);
	api_err_set(&r->err, 500, "INTERNAL_ERROR", "Internal error; see the service log");
	response_error(r, NULL);
}
