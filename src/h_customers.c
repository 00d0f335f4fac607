/*
 * h_customers: the four customer routes.
 *
 * Each handler validates everything it can before touching the database,
 * reports all problems of a request together, and maps database results
 * to the contract's statuses.  Rows are read into one per-worker buffer
 * (a struct customer_row is 32 KiB, too big for the stack of every call).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "client_auth.h"
#include "cursor.h"
#include "customer_json.h"
#include "db_customers.h"
#include "handler.h"
#include "handlers.h"
#include "if_match.h"
#include "keyset_page.h"
#include "log.h"
#include "query.h"
#include "response.h"
#include "validate.h"

static struct customer_row row_buf;

/* The check the answering statement makes for an unconfirmed client (router.c), else NULL. */
static const struct client_check *check_for(const struct request *r, struct client_check *buf)
{
	if (!r->client_unconfirmed)
		return NULL;
	buf->client_id = r->client_id;
	buf->scope = scope_name(r->route_scope);
	return buf;
}

static struct audit_ctx audit_for(const struct request *r, const struct uuid *requestor,
                                  struct client_check *buf)
{
	struct audit_ctx who = handler_audit(r, requestor);

	who.check = check_for(r, buf);
	return who;
}

/* The {customerId} path segment; adds a detail to r->err when it is not a UUID. */
static int parse_customer_id(struct request *r, const char *arg, struct uuid *id)
{
	if (uuid_parse(arg, strlen(arg), id) == 0)
		return 0;
	api_err_detail(&r->err, "customerId", "INVALID_FORMAT", NULL, "must be a UUID");
	return -1;
}

static void not_found(struct request *r, const struct uuid *id)
{
	char text[UUID_STR_LEN + 1];

	uuid_format(id, text);
	api_err_set(&r->err, 404, "CUSTOMER_NOT_FOUND", "Customer %s not found", text);
}

static void already_exists(struct request *r, const struct customer_new *c,
                           const struct uuid *existing)
{
	char entity[UUID_STR_LEN + 1], customer[UUID_STR_LEN + 1], why[96];

	uuid_format(&c->entity_id, entity);
	uuid_format(existing, customer);
	api_err_set(&r->err, 409, "CUSTOMER_ALREADY_EXISTS",
	            "Entity %s already has the customer role as customer %s", entity, customer);
	snprintf(why, sizeof(why), "already a customer: %s", customer);
	api_err_detail(&r->err, "entityId", "ALREADY_EXISTS", NULL, why);
}

static void answer_id(struct request *r, const struct uuid *id)
{
	char text[UUID_STR_LEN + 1];
	json_t *body;

	uuid_format(id, text);
	body = json_pack("{s:s}", "customerId", text);
	response_json(r, 200, body, NULL);
	json_decref(body);
}

void h_customers_create(struct request *r, const char *arg)
{
	struct customer_new c;
	struct uuid requestor, id, existing;
	struct client_check check;
	struct audit_ctx who;
	int has_requestor, rc;

	(void)arg;
	if (request_read_json(r) < 0)
		goto fail;
	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 0,
	                     &has_requestor, &requestor, &r->err);
	if (validate_customer_new(r->json, &c, &r->err) < 0 || r->err.status)
		goto fail;
	who = audit_for(r, has_requestor ? &requestor : NULL, &check);
	rc = db_customer_create(r->db, &who, &c, &id, &existing);
	if (rc == DB_CONFLICT)
		already_exists(r, &c, &existing);
	else if (rc != DB_OK)
		api_err_db(&r->err, rc);
	if (rc != DB_OK)
		goto fail;
	answer_id(r, &id);
	return;
fail:
	handler_fail(r);
}

static int page_add(const struct customer_row *row, void *arg)
{
	return keyset_page_add(arg, &row->id, customer_json(row));
}

void h_customers_list(struct request *r, const char *arg)
{
	struct list_filter f;
	struct client_check check;
	struct keyset_page p;
	struct list_stop stop = {0};
	struct list_query q;
	struct uuid after;
	unsigned char fhash[32];
	int rc;

	(void)arg;
	if (query_parse_list(r->query, &f, &r->err) < 0)
		goto fail;
	cursor_filter_hash(&f, fhash);
	if (f.cursor && keyset_cursor_parse(r, f.cursor, fhash, &after) < 0)
		goto fail;
	if (keyset_page_init(&p, f.limit) < 0) {
		handler_internal_error(r, "list: out of memory");
		return;
	}
	q = (struct list_query){r->partner_id, check_for(r, &check), &f, f.cursor ? &after : NULL,
	                        f.limit + 1,   r->cfg->scan_limit};
	rc = db_customer_list(r->db, &q, &row_buf, page_add, &p, &stop);
	if (rc == DB_OK && p.failed) {
		log_error("list: out of memory rendering a page");
		rc = DB_ERROR;
	}
	if (rc != DB_OK)
		api_err_db(&r->err, rc);
	/* no row also when the client check failed: read the client before answering empty */
	if (rc != DB_OK || (p.n == 0 && client_auth_confirm(r) < 0)) {
		keyset_page_release(&p);
		goto fail;
	}
	/* A page cut short by [list] scan_limit continues below where its walk stopped. */
	keyset_page_answer(r, &p, fhash, stop.early ? &stop.resume : NULL);
	keyset_page_release(&p);
	return;
fail:
	handler_fail(r);
}

void h_customer_get(struct request *r, const char *arg)
{
	char etag[32], header[48];
	const char *hdrs[] = {header, NULL};
	struct client_check check;
	struct uuid id;
	json_t *body;
	int rc;

	if (parse_customer_id(r, arg, &id) < 0)
		goto fail;
	rc = db_customer_get(r->db, r->partner_id, check_for(r, &check), &id, &row_buf);
	if (rc == DB_NOT_FOUND)
		not_found(r, &id);
	else if (rc != DB_OK)
		api_err_db(&r->err, rc);
	if (rc != DB_OK)
		goto fail;
	customer_etag(&row_buf, etag);
	snprintf(header, sizeof(header), "ETag: %s", etag);
	body = customer_json(&row_buf);
	response_json(r, 200, body, hdrs);
	json_decref(body);
	return;
fail:
	handler_fail(r);
}

void h_customer_patch(struct request *r, const char *arg)
{
	struct uuid requestor, id;
	struct label_set labels;
	struct client_check check;
	struct if_match if_match;
	struct audit_ctx who;
	int has_requestor, has_labels, changed, rc;

	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 1,
	                     &has_requestor, &requestor, &r->err);
	parse_customer_id(r, arg, &id);
	if (request_read_json(r) < 0)
		goto fail;
	if (validate_labels_patch(r->json, &has_labels, &labels, &r->err) < 0 || r->err.status)
		goto fail;
	who = audit_for(r, &requestor, &check);
	rc = db_customer_set_labels(r->db, &who, &id, has_labels ? &labels : NULL,
	                            if_match_parse(request_param(r, "HTTP_IF_MATCH"), &if_match),
	                            &changed);
	if (rc == DB_NOT_FOUND)
		not_found(r, &id);
	else if (rc == DB_PRECONDITION)
		api_err_set(&r->err, 412, "PRECONDITION_FAILED",
		            "The customer changed since the given If-Match; read it again");
	else if (rc == DB_CONFLICT)
		api_err_set(&r->err, 409, "CUSTOMER_OFFBOARDED",
		            "The customer is offboarded and can no longer be changed");
	handler_accepted(r, rc);
	return;
fail:
	handler_fail(r);
}
