/*
 * h_offboardings: the four offboarding routes (contract §12).
 *
 * As in h_customers.c, everything that can be checked without the
 * database is checked first and reported together.  These routes read the
 * client before anything else (client_auth_confirm) instead of carrying a
 * client check in their statements: they are rare next to the customer
 * routes, and it keeps every statement of db_offboardings.c one shape.
 */
#include <stdio.h>
#include <string.h>

#include "client_auth.h"
#include "cursor.h"
#include "db_offboardings.h"
#include "handler.h"
#include "handlers.h"
#include "keyset_page.h"
#include "log.h"
#include "offboarding_json.h"
#include "query.h"
#include "response.h"
#include "validate.h"

static void not_found(struct request *r, const char *code, const char *what, const struct uuid *id)
{
	char text[UUID_STR_LEN + 1];

	uuid_format(id, text);
	api_err_set(&r->err, 404, code, "%s %s not found", what, text);
}

/* The contract's answer to a refused write. */
static void refused(struct request *r, enum offb_refusal why)
{
	switch (why) {
	case OFFB_NOT_APPLICABLE:
		api_err_detail(&r->err, "reason", "NOT_APPLICABLE", NULL,
		               "does not apply to the customer's entity type");
		break;
	case OFFB_IN_PROGRESS:
		api_err_set(&r->err, 409, "OFFBOARDING_IN_PROGRESS",
		            "The customer already has an offboarding in progress");
		break;
	case OFFB_CUSTOMER_OFFBOARDED:
		api_err_set(&r->err, 409, "CUSTOMER_OFFBOARDED", "The customer is offboarded");
		break;
	default:
		api_err_set(
		        &r->err, 409, "OFFBOARDING_NOT_CANCELABLE",
		        "Only an ordinary offboarding that is not executed yet can be canceled");
	}
}

void h_offboardings_create(struct request *r, const char *arg)
{
	struct uuid requestor, customer, id;
	enum offb_reason reason = REASON_PARTNER_ORDINARY;
	enum offb_refusal why;
	struct audit_ctx who;
	char text[UUID_STR_LEN + 1];
	json_t *body;
	int has_requestor, rc;

	(void)arg;
	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 1,
	                     &has_requestor, &requestor, &r->err);
	if (request_read_json(r) < 0)
		goto fail;
	if (validate_offboarding_new(r->json, &customer, &reason, &r->err) < 0 || r->err.status ||
	    client_auth_confirm(r) < 0)
		goto fail;
	who = handler_audit(r, &requestor);
	rc = db_offboarding_create(r->db, &who, &customer, reason,
	                           r->cfg->offboarding_notice_months, &id, &why);
	if (rc == DB_NOT_FOUND)
		not_found(r, "CUSTOMER_NOT_FOUND", "Customer", &customer);
	else if (rc == DB_CONFLICT)
		refused(r, why);
	else if (rc != DB_OK)
		api_err_db(&r->err, rc);
	if (rc != DB_OK)
		goto fail;
	uuid_format(&id, text);
	body = json_pack("{s:s}", "offboardingId", text);
	response_json(r, 200, body, NULL);
	json_decref(body);
	return;
fail:
	handler_fail(r);
}

static int page_add(const struct offboarding_row *row, void *arg)
{
	return keyset_page_add(arg, &row->id, offboarding_json(row));
}

/* The query and its cursor: 0 and *q, or -1 with r->err set. */
static int list_query(struct request *r, struct offb_filter *f, struct uuid *after,
                      unsigned char fhash[32], struct offb_query *q)
{
	if (query_parse_offboardings(r->query, f, &r->err) < 0)
		return -1;
	cursor_offb_filter_hash(f, fhash);
	if (f->cursor && keyset_cursor_parse(r, f->cursor, fhash, after) < 0)
		return -1;
	*q = (struct offb_query){r->partner_id,
	                         f->has_customer ? &f->customer : NULL,
	                         f->has_status,
	                         f->status,
	                         f->cursor ? after : NULL,
	                         f->limit + 1};
	return 0;
}

void h_offboardings_list(struct request *r, const char *arg)
{
	struct offb_filter f;
	struct offb_query q;
	struct keyset_page p;
	struct uuid after;
	unsigned char fhash[32];
	int rc;

	(void)arg;
	if (list_query(r, &f, &after, fhash, &q) < 0 || client_auth_confirm(r) < 0)
		goto fail;
	if (keyset_page_init(&p, f.limit) < 0) {
		handler_internal_error(r, "offboardings: out of memory");
		return;
	}
	rc = db_offboarding_list(r->db, &q, page_add, &p);
	if (rc == DB_OK && p.failed) {
		log_error("offboardings: out of memory rendering a page");
		rc = DB_ERROR;
	}
	if (rc != DB_OK) {
		api_err_db(&r->err, rc);
		keyset_page_release(&p);
		goto fail;
	}
	keyset_page_answer(r, &p, fhash, NULL);
	keyset_page_release(&p);
	return;
fail:
	handler_fail(r);
}

/* The {offboardingId} path segment; a detail in r->err when it is not a UUID. */
static int parse_offb_id(struct request *r, const char *arg, struct uuid *id)
{
	if (uuid_parse(arg, strlen(arg), id) == 0)
		return 0;
	api_err_detail(&r->err, "offboardingId", "INVALID_FORMAT", NULL, "must be a UUID");
	return -1;
}

void h_offboarding_get(struct request *r, const char *arg)
{
	struct offboarding_row row;
	struct uuid id;
	json_t *body;
	int rc;

	if (parse_offb_id(r, arg, &id) < 0 || client_auth_confirm(r) < 0)
		goto fail;
	rc = db_offboarding_get(r->db, r->partner_id, &id, &row);
	if (rc == DB_NOT_FOUND)
		not_found(r, "OFFBOARDING_NOT_FOUND", "Offboarding", &id);
	else if (rc != DB_OK)
		api_err_db(&r->err, rc);
	if (rc != DB_OK)
		goto fail;
	body = offboarding_json(&row);
	response_json(r, 200, body, NULL);
	json_decref(body);
	return;
fail:
	handler_fail(r);
}

/* The cancellation's body: none at all, or {}.  0 or -1 with r->err set. */
static int empty_body(struct request *r)
{
	const char *len = request_param(r, "CONTENT_LENGTH");

	if (!len || !*len || !strcmp(len, "0"))
		return 0;
	if (request_read_json(r) < 0)
		return -1;
	return validate_empty_object(r->json, &r->err);
}

void h_offboarding_cancel(struct request *r, const char *arg)
{
	struct uuid requestor, id;
	enum offb_refusal why;
	struct audit_ctx who;
	int has_requestor, rc;

	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 1,
	                     &has_requestor, &requestor, &r->err);
	parse_offb_id(r, arg, &id);
	if (empty_body(r) < 0 || r->err.status || client_auth_confirm(r) < 0)
		goto fail;
	who = handler_audit(r, &requestor);
	rc = db_offboarding_cancel(r->db, &who, &id, &why);
	if (rc == DB_NOT_FOUND)
		not_found(r, "OFFBOARDING_NOT_FOUND", "Offboarding", &id);
	else if (rc == DB_CONFLICT)
		refused(r, why);
	handler_accepted(r, rc);
	return;
fail:
	handler_fail(r);
}
