/*
 * keyset_page: see keyset_page.h.
 */
#include "keyset_page.h"
#include "cursor.h"
#include "handler.h"
#include "response.h"

int keyset_page_init(struct keyset_page *p, unsigned limit)
{
	*p = (struct keyset_page){.limit = limit, .data = json_array()};
	return p->data ? 0 : -1;
}

void keyset_page_release(struct keyset_page *p)
{
	json_decref(p->data);
	p->data = NULL;
}

int keyset_page_add(struct keyset_page *p, const struct uuid *id, json_t *item)
{
	if (p->n == p->limit) {
		json_decref(item);
		p->more = 1;
		return 1;
	}
	/* A row that cannot be rendered must not be skipped by the cursor. */
	if (json_array_append_new(p->data, item) != 0) {
		p->failed = 1;
		return 1;
	}
	p->last = *id;
	p->n++;
	return 0;
}

int keyset_cursor_parse(struct request *r, const char *cursor, const unsigned char fhash[32],
                        struct uuid *after)
{
	if (cursor_decode(r->cfg->cursor_secret, r->cfg->cursor_secret_len, r->partner_id, fhash,
	                  cursor, after) == 0)
		return 0;
	api_err_set(&r->err, 400, "INVALID_CURSOR",
	            "The cursor is not valid for this partner and these filters");
	api_err_detail(&r->err, "cursor", "INVALID_CURSOR", NULL,
	               "tampered, truncated, or made for other filters");
	return -1;
}

void keyset_page_answer(struct request *r, const struct keyset_page *p,
                        const unsigned char fhash[32], const struct uuid *resume)
{
	char cursor[CURSOR_TEXT_MAX];
	json_t *body, *next = json_null();

	if (p->more || resume) {
		if (cursor_encode(r->cfg->cursor_secret, r->cfg->cursor_secret_len, r->partner_id,
		                  fhash, p->more ? &p->last : resume, cursor) != 0) {
			handler_internal_error(r, "cursor_encode failed (RNG or HMAC)");
			return;
		}
		next = json_string(cursor);
	}
	body = json_pack("{s:O, s:{s:o, s:I}}", "data", p->data, "pagination", "cursor", next,
	                 "limit", (json_int_t)p->limit);
	response_json(r, 200, body, NULL);
	json_decref(body);
}
