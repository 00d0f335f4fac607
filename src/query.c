/*
 * query: the query strings of the list and the event feed, decoded in
 * place into their filters.
 *
 * The string is cut at '&' and each piece at its first '=' before any
 * decoding, so an escaped "%26" or "%3D" stays data.  Name and value are
 * then percent-decoded once, and the name is looked up in a const table
 * that says how to read its value (allowlisted, typed parameters as in
 * kore); each route has its table.  Problems do not stop the walk: each lands in err as a detail on
 * the parameter it concerns, so a client sees all of them at once.  A bad
 * cursor also sets errorCode INVALID_CURSOR when it is the only problem,
 * to match the answer for a cursor whose MAC fails later on.
 *
 * Names that reach err are reduced to printable ASCII, because a decoded
 * name can hold any byte and the error envelope must stay valid JSON.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "query.h"
#include "validate.h"

#define CURSOR_PARAM_MAX 256

/* The literal limit in the details below. */
_Static_assert(LABELS_MAX == 16, "labels detail says 16");

struct qparam;

/* Walk state: what was seen, and whether anything was wrong. */
struct qparse {
	const struct qparam *params; /* the route's table */
	size_t nparams;
	struct list_filter *f;    /* the list's, or NULL */
	struct feed_filter *feed; /* the feed's, or NULL */
	struct offb_filter *o;    /* the offboardings', or NULL */
	unsigned limit_min, limit_max;
	unsigned *limit;
	const char **cursor;
	struct api_err *err;
	unsigned seen;         /* bit per table entry */
	unsigned dup_reported; /* bit per table entry */
	size_t item_index;     /* position of the next labels=, for "labels[i]" */
	int too_many_labels;
	int bad_cursor;
	int failed;
};

struct qparam {
	const char *name;
	int repeatable;
	void (*parse)(struct qparse *q, const char *field, char *value, size_t len);
};

static void q_fail(struct qparse *q, const char *field, const char *code, const char *param,
                   const char *message)
{
	q->failed = 1;
	api_err_detail(q->err, field, code, param, message);
}

long query_unescape(char *s, int plus_is_space)
{
	size_t i = 0, o = 0;

	while (s[i] != '\0') {
		char c = s[i++];

		if (c == '%') {
			int hi = OPENSSL_hexchar2int((unsigned char)s[i]);
			int lo = hi < 0 ? -1 : OPENSSL_hexchar2int((unsigned char)s[i + 1]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		s[o++] = c;
	}
	s[o] = '\0';
	return (long)o;
}

static void parse_limit(struct qparse *q, const char *field, char *value, size_t len)
{
	unsigned long v = 0;
	char range[24], why[64];
	size_t i;

	if (len == 0 || strspn(value, "0123456789") != len) {
		q_fail(q, field, "INVALID_FORMAT", NULL, "must be an integer");
		return;
	}
	/* Saturate: only "is it within the range" matters, never the exact big value. */
	for (i = 0; i < len && v <= q->limit_max; i++)
		v = v * 10 + (unsigned long)(value[i] - '0');
	if (v < q->limit_min || v > q->limit_max) {
		snprintf(range, sizeof(range), "%u..%u", q->limit_min, q->limit_max);
		snprintf(why, sizeof(why), "must be between %u and %u", q->limit_min, q->limit_max);
		q_fail(q, field, "OUT_OF_RANGE", range, why);
		return;
	}
	*q->limit = (unsigned)v;
}

/* Only the shape here; the MAC is checked once partner and filters are known. */
static void parse_cursor(struct qparse *q, const char *field, char *value, size_t len)
{
	(void)field;
	if (len == 0 || len > CURSOR_PARAM_MAX) {
		q->bad_cursor = 1;
		q->failed = 1;
		return;
	}
	*q->cursor = value;
}

/* A UUID value into *out, *present set; INVALID_FORMAT otherwise. */
static void uuid_value(struct qparse *q, const char *field, const char *value, size_t len,
                       struct uuid *out, int *present)
{
	if (uuid_parse(value, len, out) != 0) {
		q_fail(q, field, "INVALID_FORMAT", NULL, "must be a UUID");
		return;
	}
	*present = 1;
}

static void parse_entity(struct qparse *q, const char *field, char *value, size_t len)
{
	uuid_value(q, field, value, len, &q->f->entity_id, &q->f->has_entity);
}

static void parse_status(struct qparse *q, const char *field, char *value, size_t len)
{
	if (customer_status_parse(value, len, &q->f->status) != 0) {
		q_fail(q, field, "INVALID_VALUE", NULL,
		       "must be one of CREATED, ACTIVE, OFFBOARDING, OFFBOARDED");
		return;
	}
	q->f->has_status = 1;
}

static void parse_type(struct qparse *q, const char *field, char *value, size_t len)
{
	if (entity_type_parse(value, len, &q->f->type) != 0) {
		q_fail(q, field, "INVALID_VALUE", NULL,
		       "must be one of NATURAL_PERSON, LEGAL_ENTITY, JOINT_PERSON");
		return;
	}
	q->f->has_type = 1;
}

static void parse_label(struct qparse *q, const char *field, char *value, size_t len)
{
	struct label_set *set = &q->f->labels;
	const char *param = NULL;
	const char *code;

	code = validate_label(value, len, &param);
	if (code) {
		q_fail(q, field, code, param, "is not a valid label");
		return;
	}
	if (label_set_find(set, value, len) >= 0)
		return;
	if (set->n == LABELS_MAX) {
		q->too_many_labels = 1;
		return;
	}
	set->v[set->n] = value;
	set->len[set->n] = len;
	set->n++;
}

/* One eventType of the repeatable parameter; a repeated one changes nothing. */
static void parse_event_type(struct qparse *q, const char *field, char *value, size_t len)
{
	enum event_type t;

	if (event_type_parse(value, len, &t) != 0) {
		q_fail(q, field, "INVALID_VALUE", NULL,
		       "must be one of CUSTOMER_NOTIFICATION, LABELS_UPDATE_NOTIFICATION, "
		       "OFFBOARDING_NOTIFICATION");
		return;
	}
	q->feed->types |= 1u << t;
}

static const struct qparam list_params[] = {
        {"limit", 0, parse_limit},           /* 1..100, default 20 */
        {"cursor", 0, parse_cursor},         /* opaque; MAC checked by the handler */
        {"entityId", 0, parse_entity},       /* uuid */
        {"customerStatus", 0, parse_status}, /* enum customer_status */
        {"customerType", 0, parse_type},     /* enum entity_type */
        {"labels", 1, parse_label},          /* repeatable, a set of at most 16 */
};

/* GET /roles/customer-labels (contract §11). */
/* A page and nothing else (customer labels, a webhook's deliveries). */
static const struct qparam page_params[] = {
        {"limit", 0, parse_limit},   /* 1..max, the route's default */
        {"cursor", 0, parse_cursor}, /* opaque; MAC checked by the handler */
};

static const struct qparam feed_params[] = {
        {"limit", 0, parse_limit},          /* 1..1000, default 100 */
        {"cursor", 0, parse_cursor},        /* opaque; MAC checked by the handler */
        {"eventType", 1, parse_event_type}, /* repeatable, a set */
};

static void parse_role_type(struct qparse *q, const char *field, char *value, size_t len)
{
	if (len != 8 || memcmp(value, "CUSTOMER", 8) != 0)
		q_fail(q, field, "INVALID_VALUE", NULL, "must be CUSTOMER");
}

static void parse_role_id(struct qparse *q, const char *field, char *value, size_t len)
{
	uuid_value(q, field, value, len, &q->o->customer, &q->o->has_customer);
}

static void parse_offb_status(struct qparse *q, const char *field, char *value, size_t len)
{
	if (offb_status_parse(value, len, &q->o->status) != 0) {
		q_fail(q, field, "INVALID_VALUE", NULL,
		       "must be one of CREATED, APPROVED, CANCELED");
		return;
	}
	q->o->has_status = 1;
}

static const struct qparam offb_params[] = {
        {"limit", 0, parse_limit},                   /* 1..100, default 20 */
        {"cursor", 0, parse_cursor},                 /* opaque; MAC checked by the handler */
        {"offboardingRoleType", 0, parse_role_type}, /* CUSTOMER, the only role */
        {"roleId", 0, parse_role_id},                /* uuid */
        {"status", 0, parse_offb_status},            /* enum offb_status */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A parameter name fit for an error detail: printable ASCII, '?' for anything else. */
static void safe_name(const char *name, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)name[i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
}

static const struct qparam *param_find(const struct qparse *q, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < q->nparams; i++) {
		if (strcmp(q->params[i].name, name) == 0) {
			*index = i;
			return &q->params[i];
		}
	}
	return NULL;
}

/* Decodes and looks up a name; NULL (reported) if bad, unknown or repeated. */
static const struct qparam *pair_param(struct qparse *q, char *name, char field[64])
{
	const struct qparam *p;
	size_t idx = 0;
	unsigned bit;

	safe_name(name, field, 64);
	if (query_unescape(name, 1) < 0) {
		q_fail(q, field, "INVALID_ENCODING", NULL, "bad percent-encoding in the name");
		return NULL;
	}
	safe_name(name, field, 64);
	p = param_find(q, name, &idx);
	if (!p) {
		q_fail(q, field, "UNKNOWN_PARAMETER", NULL, "unknown parameter");
		return NULL;
	}
	bit = 1u << idx;
	if (!p->repeatable && (q->seen & bit)) {
		if (!(q->dup_reported & bit))
			q_fail(q, field, "DUPLICATE_PARAMETER", NULL, "given more than once");
		q->dup_reported |= bit;
		return NULL;
	}
	q->seen |= bit;
	return p;
}

/* name and value are cut out but still encoded. */
static void parse_pair(struct qparse *q, char *name, char *value)
{
	const struct qparam *p;
	char field[64];
	long vlen;

	p = pair_param(q, name, field);
	if (!p)
		return;
	/* Each occurrence of a repeatable parameter is its own item: "labels[2]". */
	if (p->repeatable)
		snprintf(field, sizeof(field), "%s[%zu]", p->name, q->item_index++);
	vlen = query_unescape(value, 1);
	if (vlen < 0) {
		q_fail(q, field, "INVALID_ENCODING", NULL, "bad percent-encoding in the value");
		return;
	}
	p->parse(q, field, value, (size_t)vlen);
}

/* Problems that can only be judged once every parameter was read. */
static void finish(struct qparse *q)
{
	if (q->too_many_labels)
		q_fail(q, "labels", "TOO_MANY_ITEMS", "16", "at most 16 labels");
	if (q->bad_cursor) {
		/* The same words as h_customers.c uses for a cursor whose MAC fails. */
		api_err_set(q->err, 400, "INVALID_CURSOR",
		            "The cursor is not valid for this partner and these filters");
		api_err_detail(q->err, "cursor", "INVALID_CURSOR", NULL,
		               "tampered, truncated, or made for other filters");
	}
}

/* Cuts qs into pairs and parses each with q's table. */
static void walk(struct qparse *q, char *qs)
{
	char *piece = qs;

	while (piece && *piece != '\0') {
		char *next = strchr(piece, '&');
		char *eq;

		if (next)
			*next++ = '\0';
		if (*piece != '\0') {
			eq = strchr(piece, '=');
			if (eq)
				*eq++ = '\0';
			parse_pair(q, piece, eq ? eq : piece + strlen(piece));
		}
		piece = next;
	}
	finish(q);
}

/* Walks qs for one route whose table and filter are already in q: limit
 * in [min, max], default def, into *limit; the cursor into *cursor. */
static int parse_route(struct qparse *q, char *qs, unsigned *limit, const char **cursor,
                       unsigned min, unsigned max, unsigned def)
{
	q->limit_min = min;
	q->limit_max = max;
	q->limit = limit;
	q->cursor = cursor;
	*limit = def;
	walk(q, qs);
	return q->failed ? -1 : 0;
}

int query_parse_list(char *qs, struct list_filter *out, struct api_err *err)
{
	struct qparse q = {
	        .params = list_params, .nparams = NELEM(list_params), .f = out, .err = err};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = parse_route(&q, qs, &out->limit, &out->cursor, LIST_LIMIT_MIN, LIST_LIMIT_MAX,
	                 LIST_LIMIT_DEFAULT);
	label_set_sort(&out->labels);
	return rc;
}

int query_parse_feed(char *qs, struct feed_filter *out, struct api_err *err)
{
	struct qparse q = {
	        .params = feed_params, .nparams = NELEM(feed_params), .feed = out, .err = err};

	memset(out, 0, sizeof(*out));
	return parse_route(&q, qs, &out->limit, &out->cursor, FEED_LIMIT_MIN, FEED_LIMIT_MAX,
	                   FEED_LIMIT_DEFAULT);
}

int query_parse_page(char *qs, unsigned max, unsigned def, unsigned *limit, const char **cursor,
                     struct api_err *err)
{
	struct qparse q = {.params = page_params, .nparams = NELEM(page_params), .err = err};

	*cursor = NULL;
	return parse_route(&q, qs, limit, cursor, 1, max, def);
}

int query_parse_none(char *qs, struct api_err *err)
{
	struct qparse q = {.params = NULL, .nparams = 0, .err = err};

	walk(&q, qs);
	return q.failed ? -1 : 0;
}

int query_parse_labels(char *qs, struct list_filter *out, struct api_err *err)
{
	memset(out, 0, sizeof(*out));
	return query_parse_page(qs, LABEL_PAGE_MAX, LABEL_PAGE_MAX, &out->limit, &out->cursor, err);
}

int query_parse_offboardings(char *qs, struct offb_filter *out, struct api_err *err)
{
	struct qparse q = {
	        .params = offb_params, .nparams = NELEM(offb_params), .o = out, .err = err};

	memset(out, 0, sizeof(*out));
	return parse_route(&q, qs, &out->limit, &out->cursor, LIST_LIMIT_MIN, LIST_LIMIT_MAX,
	                   LIST_LIMIT_DEFAULT);
}
