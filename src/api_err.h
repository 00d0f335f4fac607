/*
 * api_err: the one error a request ends with.
 *
 * The request side fills one caller-owned struct api_err and returns -1:
 * the pure parsers (validate, query), the request, router and client_auth
 * layers, and the handlers; response.c renders it as the contract's error
 * envelope.  The struct allocates nothing, so filling it cannot fail
 * and it needs no freeing.  The first status set wins (jansson style);
 * field details accumulate so that all problems of a body are reported
 * together (contract section 2).
 */
#ifndef API_ERR_H
#define API_ERR_H

#include <stddef.h>

#define API_ERR_MAX_DETAILS 64

struct api_err_detail {
	char field[80];     /* "labels[3]", "refAccounts[0].iban", "limit", "Requestor-ID" */
	char code[32];      /* "REQUIRED", "TOO_LONG", "INVALID_FORMAT", ... */
	char parameter[32]; /* "" when the check has no parameter */
	char message[128];
};

struct api_err {
	int status;       /* HTTP status; 0 while no error has been recorded */
	const char *code; /* errorCode, a static string; NULL to omit it */
	char message[192];
	size_t ndetails;
	size_t dropped; /* details past API_ERR_MAX_DETAILS, not kept */
	struct api_err_detail details[API_ERR_MAX_DETAILS];
};

/* Empties err (status 0, no details). */
void api_err_clear(struct api_err *err);

/*
 * Records status, errorCode (static string) and a printf-style message,
 * unless a status is already set (the first error wins).  err may be NULL.
 */
void api_err_set(struct api_err *err, int status, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Adds one field detail.  If no status is set yet it becomes
 * 400 VALIDATION_FAILED "Request validation failed".  parameter may be NULL.
 * err may be NULL.
 */
void api_err_detail(struct api_err *err, const char *field, const char *code, const char *parameter,
                    const char *message);

/*
 * The answer to a failed database call (enum db_rc other than DB_OK, and
 * those a caller has no meaning of its own for): 503 for an unreachable
 * database or a client that changed while the request ran, else 500 (the
 * db module has logged the cause).
 */
void api_err_db(struct api_err *err, int db_rc);

#endif
