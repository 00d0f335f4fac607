/*
 * h_labels: the partner-wide label routes (contract §11).
 *
 * {labelName} arrives decoded once (path.c splits the raw path before it
 * decodes a segment, so "%2F" is a '/' inside the label).  Every handler
 * reads the client first when the worker let the request run unconfirmed
 * (client_auth.h): these routes' statements carry no client check, and a
 * rename of many customers is not the place to save one round trip.
 *
 * The page cursor is the list's (cursor.c) with the last label's
 * dictionary id as its position and a fixed filter hash of its own, so a
 * customer-list cursor is refused here and the other way round.  A
 * dictionary entry keeps its name for ever (db_partner_labels.c), so the
 * id is a stable keyset position in name order.
 */
#include <stdio.h>
#include <string.h>

#include "client_auth.h"
#include "cursor.h"
#include "db_partner_labels.h"
#include "handler.h"
#include "handlers.h"
#include "keyset_page.h"
#include "log.h"
#include "query.h"
#include "response.h"
#include "validate.h"

/* The filter hash of every labels cursor: a constant no SHA-256 of a list filter equals. */
static const unsigned char LABELS_FHASH[32] = "customers-fcgi customer-labels";

/* ---- GET /roles/customer-labels ---------------------------------------------- */

struct label_page {
	unsigned limit, n;
	int more, failed;
	uint64_t last;
	json_t *data;
};

static int label_add(uint64_t id, const char *name, size_t len, uint64_t count, void *arg)
{
	struct label_page *p = arg;

	if (p->n == p->limit) {
		p->more = 1; /* the (limit+1)th label only tells that a next page exists */
		return 1;
	}
	if (json_array_append_new(p->data, json_pack("{s:s%, s:I}", "label", name, len,
	                                             "customersCount", (json_int_t)count))) {
		p->failed = 1;
		return 1;
	}
	p->last = id;
	p->n++;
	return 0;
}

static void position(uint64_t id, struct uuid *u)
{
	memset(u, 0, sizeof(*u));
	for (int i = 0; i < 8; i++)
		u->b[i] = (unsigned char)(id >> (56 - 8 * i));
}

static uint64_t position_id(const struct uuid *u)
{
	uint64_t id = 0;

	for (int i = 0; i < 8; i++)
		id = id << 8 | u->b[i];
	return id;
}

/* The cursor's label id into *after (0 without one); -1 with r->err for a bad one. */
static int page_after(struct request *r, const char *cursor, uint64_t *after)
{
	struct uuid u;

	*after = 0;
	if (!cursor)
		return 0;
	if (keyset_cursor_parse(r, cursor, LABELS_FHASH, &u) < 0)
		return -1;
	*after = position_id(&u);
	return 0;
}

/* RFC 8288: the next page, under the service's mount prefix. */
static void answer_labels(struct request *r, const struct label_page *p)
{
	char cursor[CURSOR_TEXT_MAX], link[256];
	const char *hdrs[] = {link, NULL};
	struct uuid u;

	position(p->last, &u);
	if (p->more && cursor_encode(r->cfg->cursor_secret, r->cfg->cursor_secret_len,
	                             r->partner_id, LABELS_FHASH, &u, cursor) != 0) {
		handler_internal_error(r, "cursor_encode failed (RNG or HMAC)");
		return;
	}
	if (p->more)
		snprintf(link, sizeof(link),
		         "Link: <%s/roles/customer-labels?limit=%u&cursor=%s>; rel=\"next\"",
		         r->cfg->prefix, p->limit, cursor);
	response_json(r, 200, p->data, p->more ? hdrs : NULL);
}

void h_labels_list(struct request *r, const char *arg)
{
	struct label_page p = {0};
	struct list_filter f;
	uint64_t after;
	int rc;

	(void)arg;
	if (query_parse_labels(r->query, &f, &r->err) < 0 || client_auth_confirm(r) < 0 ||
	    page_after(r, f.cursor, &after) < 0)
		goto fail;
	p.limit = f.limit;
	p.data = json_array();
	rc = db_partner_labels_page(r->db, r->partner_id, after, f.limit + 1, label_add, &p);
	if (rc == DB_OK && (p.failed || !p.data)) {
		log_error("labels: out of memory rendering a page");
		rc = DB_ERROR;
	}
	if (rc == DB_OK)
		answer_labels(r, &p);
	json_decref(p.data);
	if (rc == DB_OK)
		return;
	api_err_db(&r->err, rc);
fail:
	handler_fail(r);
}

/* ---- the writes ------------------------------------------------------------------ */

/* Requestor-ID and {labelName}, each reported; the audit context once both are read. */
static void write_begin(struct request *r, const char *arg, struct uuid *requestor)
{
	const char *param = NULL, *code;
	int present;

	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 1, &present,
	                     requestor, &r->err);
	code = validate_label(arg, strlen(arg), &param);
	if (code)
		api_err_detail(&r->err, "labelName", code, param, "is not a valid label");
}

static void label_not_found(struct request *r)
{
	api_err_set(&r->err, 404, "LABEL_NOT_FOUND", "No customer carries this label");
}

/* {"name": label}: nothing else.  0 and *name, or -1 (reported). */
static int rename_body(struct request *r, const char **name, size_t *len)
{
	const json_t *body = r->json, *j = json_object_get(body, "name");
	const char *param = NULL, *code, *key;
	json_t *v;

	if (!json_is_object(body)) {
		api_err_detail(&r->err, "body", "INVALID_TYPE", "object", "must be a JSON object");
		return -1;
	}
	json_object_foreach ((json_t *)body, key, v)
		if (strcmp(key, "name") != 0)
			api_err_detail(&r->err, key, "UNKNOWN_FIELD", NULL, "unknown field");
	if (!j)
		api_err_detail(&r->err, "name", "REQUIRED", NULL, "is required");
	else if (!json_is_string(j))
		api_err_detail(&r->err, "name", "INVALID_TYPE", "string", "must be a string");
	else if ((code = validate_label(json_string_value(j), json_string_length(j), &param)))
		api_err_detail(&r->err, "name", code, param, "is not a valid label");
	if (r->err.status)
		return -1;
	*name = json_string_value(j);
	*len = json_string_length(j);
	return 0;
}

static void label_move(struct request *r, const struct uuid *requestor, const char *from,
                       const char *to, size_t to_len)
{
	struct audit_ctx who = handler_audit(r, requestor);
	int rc;

	if (client_auth_confirm(r) < 0)
		goto fail;
	rc = db_partner_label_move(r->db, &who, from, strlen(from), to, to_len);
	if (rc == DB_NOT_FOUND)
		label_not_found(r);
	handler_accepted(r, rc);
	return;
fail:
	handler_fail(r);
}

void h_label_rename(struct request *r, const char *arg)
{
	struct uuid requestor;
	const char *name = NULL;
	size_t len = 0;

	write_begin(r, arg, &requestor);
	if (request_read_json(r) < 0 || rename_body(r, &name, &len) < 0 || r->err.status) {
		handler_fail(r);
		return;
	}
	label_move(r, &requestor, arg, name, len);
}

void h_label_delete(struct request *r, const char *arg)
{
	struct uuid requestor;

	write_begin(r, arg, &requestor);
	if (r->err.status) {
		handler_fail(r);
		return;
	}
	label_move(r, &requestor, arg, NULL, 0);
}

/* ---- PATCH /roles/customer-labels/{labelName}/customers ---------------------------- */

/* The body: 1..ASSIGN_IDS_MAX unique UUIDs, each problem at "[i]".  0 or -1 (reported). */
static int assign_body(struct request *r, struct uuid *ids, size_t *n)
{
	const json_t *body = r->json, *j;
	char field[24], first[32];
	size_t i, k;

	if (!json_is_array(body)) {
		api_err_detail(&r->err, "body", "INVALID_TYPE", "array", "must be a JSON array");
		return -1;
	}
	*n = json_array_size(body);
	if (*n == 0 || *n > ASSIGN_IDS_MAX) {
		api_err_detail(&r->err, "body", "INVALID_SIZE", "1..1000",
		               "must hold 1 to 1000 customer ids");
		return -1;
	}
	json_array_foreach (body, i, j) {
		snprintf(field, sizeof(field), "[%zu]", i);
		if (!json_is_string(j) ||
		    uuid_parse(json_string_value(j), json_string_length(j), &ids[i]) != 0) {
			api_err_detail(&r->err, field, "INVALID_FORMAT", NULL, "must be a UUID");
			continue;
		}
		for (k = 0; k < i && memcmp(ids[k].b, ids[i].b, 16) != 0; k++)
			;
		snprintf(first, sizeof(first), "%zu", k);
		if (k < i)
			api_err_detail(&r->err, field, "DUPLICATE", first,
			               "duplicates an earlier id");
	}
	return r->err.status ? -1 : 0;
}

static const struct {
	int status;
	const char *code, *message, *detail_code, *detail;
} refusals[] = {
        [ASSIGN_NOT_FOUND] = {400, "CUSTOMERS_NOT_FOUND", "Some customers were not found",
                              "NOT_FOUND", "no such customer"},
        [ASSIGN_TOO_MANY] = {400, "TOO_MANY_LABELS",
                             "Some customers would carry more than 16 labels", "TOO_MANY_LABELS",
                             "would carry more than 16 labels"},
        [ASSIGN_OFFBOARDED] = {409, "CUSTOMER_OFFBOARDED", "Some customers are offboarded",
                               "CUSTOMER_OFFBOARDED", "the customer is offboarded"},
};

/* One errorDetails entry per refused id (more than api_err holds, so built here). */
static void answer_refusal(struct request *r, const struct assign_result *res,
                           const struct uuid *ids)
{
	json_t *list = json_array(), *extra;
	char text[UUID_STR_LEN + 1];
	enum assign_refusal k = res->refusal;

	api_err_set(&r->err, refusals[k].status, refusals[k].code, "%s", refusals[k].message);
	for (size_t i = 0; list && i < res->nbad; i++) {
		json_t *e = json_pack("{s:s, s:s}", "code", refusals[k].detail_code, "message",
		                      refusals[k].detail);

		uuid_format(&ids[res->bad[i]], text);
		if (e && k == ASSIGN_TOO_MANY)
			json_object_set_new(e, "parameter", json_string("16"));
		json_array_append_new(list, json_pack("{s:s, s:[o]}", "field", text, "errors", e));
	}
	extra = json_pack("{s:o}", "errorDetails", list);
	response_error(r, extra);
	json_decref(extra);
}

static struct uuid assign_ids[ASSIGN_IDS_MAX];
static struct assign_result assign_res;

void h_label_assign(struct request *r, const char *arg)
{
	struct uuid requestor;
	struct audit_ctx who;
	size_t n = 0;
	int rc;

	write_begin(r, arg, &requestor);
	if (request_read_json(r) < 0 || assign_body(r, assign_ids, &n) < 0 || r->err.status ||
	    client_auth_confirm(r) < 0)
		goto fail;
	who = handler_audit(r, &requestor);
	rc = db_partner_label_assign(r->db, &who, arg, strlen(arg), assign_ids, n, &assign_res);
	if (rc != DB_OK) {
		api_err_db(&r->err, rc);
		goto fail;
	}
	if (assign_res.refusal != ASSIGN_OK)
		answer_refusal(r, &assign_res, assign_ids);
	else
		response_empty(r, 202, NULL);
	return;
fail:
	handler_fail(r);
}
