/*
 * h_webhooks: the /webhooks routes of contract §13 (scope webhooks:manage).
 *
 * These routes are rare and not on anyone's hot path, so each confirms
 * its client up front (client_auth_confirm) instead of carrying the
 * client check into every statement as the customer routes do.  A URL is
 * checked after the body (every body problem is reported first) and
 * before the database: resolving it is the slow part.  Secrets are made,
 * shown once and sealed here; the database only ever sees them sealed.
 */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_auth.h"
#include "clock.h"
#include "db_webhooks.h"
#include "handler.h"
#include "handlers.h"
#include "keyset_page.h"
#include "log.h"
#include "query.h"
#include "response.h"
#include "validate.h"

#define ROTATION_OVERLAP_MS (24LL * 3600 * 1000)
#define PAGE_DEFAULT 20
#define PAGE_MAX 100

static struct webhook_row row_buf;

static struct webhook_actor actor_of(const struct request *r)
{
	struct webhook_actor who = {r->partner_id, r->client_id, r->request_id};

	return who;
}

/* What every route checks first: the client, an optional Requestor-ID. 0 or -1 (answered). */
static int admit_or_respond(struct request *r)
{
	struct uuid requestor;

	if (client_auth_confirm(r) < 0)
		goto fail;
	validate_uuid_header("Requestor-ID", request_param(r, "HTTP_REQUESTOR_ID"), 0, NULL,
	                     &requestor, &r->err);
	if (!r->err.status)
		return 0;
fail:
	handler_fail(r);
	return -1;
}

static int parse_webhook_id(struct request *r, const char *arg, struct uuid *id)
{
	if (uuid_parse(arg, strlen(arg), id) == 0)
		return 0;
	api_err_detail(&r->err, "webhookId", "INVALID_FORMAT", NULL, "must be a UUID");
	return -1;
}

/* Maps a db_rc; DB_NOT_FOUND is the contract's 404 for unknown and foreign ids alike. */
static void db_failed(struct request *r, int rc, const char *id_text)
{
	if (rc == DB_NOT_FOUND)
		api_err_set(&r->err, 404, "WEBHOOK_NOT_FOUND", "Webhook %s not found", id_text);
	else
		api_err_db(&r->err, rc);
}

static int url_allowed(struct request *r, const char *url)
{
	char why[160];

	if (webhook_url_check(url, (int)r->cfg->wh_allow_private, why, sizeof(why)) == 0)
		return 0;
	api_err_set(&r->err, 400, "URL_NOT_ALLOWED", "The webhook URL is not allowed: %s", why);
	api_err_detail(&r->err, "url", "URL_NOT_ALLOWED", NULL, why);
	return -1;
}

/* A new secret: its text for the answer, sealed for id.  0 or -1 (logged). */
static int secret_make(const struct request *r, const struct uuid *id,
                       char text[WEBHOOK_SECRET_MAX], unsigned char sealed[WEBHOOK_SEALED_LEN])
{
	unsigned char key[WEBHOOK_KEY_LEN], kek[32];
	int rc = -1;

	if (webhook_secret_new(text, key) == 0 &&
	    webhook_crypt_key(r->cfg->cursor_secret, r->cfg->cursor_secret_len, kek) == 0 &&
	    webhook_seal(kek, id, key, sealed) == 0)
		rc = 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(kek, sizeof(kek));
	return rc;
}

static void answer_secret(struct request *r, const struct uuid *id, const char *secret)
{
	char text[UUID_STR_LEN + 1] = "";
	json_t *body;

	if (id)
		uuid_format(id, text);
	body = id ? json_pack("{s:s, s:s}", "webhookId", text, "secret", secret)
	          : json_pack("{s:s}", "secret", secret);
	response_json(r, 200, body, NULL);
	json_decref(body);
}

void h_webhooks_create(struct request *r, const char *arg)
{
	struct webhook_input in;
	struct webhook_actor who = actor_of(r);
	char secret[WEBHOOK_SECRET_MAX];
	unsigned char sealed[WEBHOOK_SEALED_LEN];
	struct uuid id;
	int rc;

	(void)arg;
	if (admit_or_respond(r) < 0)
		return;
	if (request_read_json(r) < 0 || webhook_parse_new(r->json, &in, &r->err) < 0 ||
	    url_allowed(r, in.url) < 0)
		goto fail;
	if (uuid_v7_at(clock_wall_ms(), &id) != 0 || secret_make(r, &id, secret, sealed) != 0) {
		handler_internal_error(r, "webhook secret: RNG or cipher failure");
		return;
	}
	rc = db_webhook_create(r->db, &who, &id, &in, sealed);
	if (rc == DB_CONFLICT)
		api_err_set(&r->err, 409, "WEBHOOK_LIMIT_REACHED",
		            "At most %d webhooks per partner", WEBHOOKS_PER_PARTNER);
	else if (rc != DB_OK)
		api_err_db(&r->err, rc);
	if (rc != DB_OK)
		goto fail;
	answer_secret(r, &id, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return;
fail:
	handler_fail(r);
}

static void list_add(const struct webhook_row *row, void *arg)
{
	json_array_append_new(arg, webhook_json(row));
}

void h_webhooks_list(struct request *r, const char *arg)
{
	json_t *data, *body;
	int rc;

	(void)arg;
	if (admit_or_respond(r) < 0)
		return;
	if (query_parse_none(r->query, &r->err) < 0) {
		handler_fail(r);
		return;
	}
	data = json_array();
	rc = db_webhook_list(r->db, r->partner_id, list_add, data);
	if (rc != DB_OK) {
		json_decref(data);
		api_err_db(&r->err, rc);
		handler_fail(r);
		return;
	}
	body = json_pack("{s:o}", "data", data);
	response_json(r, 200, body, NULL);
	json_decref(body);
}

/* The {webhookId} of arg, read as this partner's into row_buf.  0 or -1 (answered). */
static int webhook_or_respond(struct request *r, const char *arg, struct uuid *id)
{
	int rc;

	if (parse_webhook_id(r, arg, id) < 0)
		goto fail;
	rc = db_webhook_get(r->db, r->partner_id, id, &row_buf);
	if (rc == DB_OK)
		return 0;
	db_failed(r, rc, arg);
fail:
	handler_fail(r);
	return -1;
}

void h_webhook_get(struct request *r, const char *arg)
{
	struct uuid id;
	json_t *body;

	if (admit_or_respond(r) < 0 || webhook_or_respond(r, arg, &id) < 0)
		return;
	body = webhook_json(&row_buf);
	response_json(r, 200, body, NULL);
	json_decref(body);
}

void h_webhook_patch(struct request *r, const char *arg)
{
	struct webhook_input in;
	struct webhook_actor who = actor_of(r);
	struct uuid id;
	int rc;

	if (admit_or_respond(r) < 0)
		return;
	if (parse_webhook_id(r, arg, &id) < 0 || request_read_json(r) < 0 ||
	    webhook_parse_patch(r->json, &in, &r->err) < 0 ||
	    (in.url && url_allowed(r, in.url) < 0))
		goto fail;
	rc = db_webhook_update(r->db, &who, &id, &in);
	if (rc != DB_OK)
		goto db_fail;
	rc = db_webhook_get(r->db, r->partner_id, &id, &row_buf);
	if (rc != DB_OK)
		goto db_fail;
	json_t *body = webhook_json(&row_buf);
	response_json(r, 200, body, NULL);
	json_decref(body);
	return;
db_fail:
	db_failed(r, rc, arg);
fail:
	handler_fail(r);
}

/* The 202 of DELETE and replay, or the failure rc names. */
static void accepted_or_fail(struct request *r, int rc, const char *arg)
{
	if (rc != DB_OK)
		db_failed(r, rc, arg);
	handler_accepted(r, rc);
}

void h_webhook_delete(struct request *r, const char *arg)
{
	struct webhook_actor who = actor_of(r);
	struct uuid id;

	if (admit_or_respond(r) < 0)
		return;
	if (parse_webhook_id(r, arg, &id) < 0) {
		handler_fail(r);
		return;
	}
	accepted_or_fail(r, db_webhook_delete(r->db, &who, &id), arg);
}

void h_webhook_rotate(struct request *r, const char *arg)
{
	struct webhook_actor who = actor_of(r);
	char secret[WEBHOOK_SECRET_MAX];
	unsigned char sealed[WEBHOOK_SEALED_LEN];
	struct uuid id;
	int rc;

	if (admit_or_respond(r) < 0)
		return;
	if (parse_webhook_id(r, arg, &id) < 0)
		goto fail;
	if (secret_make(r, &id, secret, sealed) != 0) {
		handler_internal_error(r, "webhook secret: RNG or cipher failure");
		return;
	}
	rc = db_webhook_rotate(r->db, &who, &id, sealed, clock_wall_ms() + ROTATION_OVERLAP_MS);
	if (rc == DB_OK) {
		answer_secret(r, NULL, secret);
		OPENSSL_cleanse(secret, sizeof(secret));
		return;
	}
	db_failed(r, rc, arg);
fail:
	handler_fail(r);
}

void h_webhook_replay(struct request *r, const char *arg)
{
	struct webhook_actor who = actor_of(r);
	struct uuid id;
	int64_t since;

	if (admit_or_respond(r) < 0)
		return;
	if (parse_webhook_id(r, arg, &id) < 0 || request_read_json(r) < 0 ||
	    webhook_parse_replay(r->json, &since, &r->err) < 0) {
		handler_fail(r);
		return;
	}
	accepted_or_fail(r, db_webhook_replay(r->db, &who, &id, since), arg);
}

/* ---- the deliveries log ---------------------------------------------------- */

static int attempt_add(const struct webhook_attempt *a, void *arg)
{
	return keyset_page_add(arg, &a->id, webhook_attempt_json(a));
}

/* The cursor's filter hash: the subscription it pages through. */
static void deliveries_hash(const struct uuid *id, unsigned char out[32])
{
	unsigned char msg[sizeof("webhook-deliveries") + 16];

	memcpy(msg, "webhook-deliveries", sizeof("webhook-deliveries"));
	memcpy(msg + sizeof("webhook-deliveries"), id->b, 16);
	SHA256(msg, sizeof(msg), out);
}

void h_webhook_deliveries(struct request *r, const char *arg)
{
	struct keyset_page p;
	struct uuid id, before;
	unsigned char fhash[32];
	const char *cursor;
	unsigned limit;
	int rc;

	if (admit_or_respond(r) < 0)
		return;
	if (query_parse_page(r->query, PAGE_MAX, PAGE_DEFAULT, &limit, &cursor, &r->err) < 0) {
		handler_fail(r);
		return;
	}
	if (webhook_or_respond(r, arg, &id) < 0)
		return;
	deliveries_hash(&id, fhash);
	if (cursor && keyset_cursor_parse(r, cursor, fhash, &before) < 0) {
		handler_fail(r);
		return;
	}
	if (keyset_page_init(&p, limit) < 0) {
		handler_internal_error(r, "deliveries: out of memory");
		return;
	}
	rc = db_webhook_attempts(r->db, &id, cursor ? &before : NULL, limit + 1, attempt_add, &p);
	if (rc == DB_OK && p.failed) {
		log_error("deliveries: out of memory rendering a page");
		rc = DB_ERROR;
	}
	if (rc == DB_OK)
		keyset_page_answer(r, &p, fhash, NULL);
	keyset_page_release(&p);
	if (rc == DB_OK)
		return;
	api_err_db(&r->err, rc);
	handler_fail(r);
}
