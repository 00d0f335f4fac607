/*
 * validate: the contract's input rules as plain C checks.
 *
 * A body is walked once, field by field in the contract's order and then
 * the object's unknown keys in body order; every problem becomes a detail
 * in err (code, parameter, message per docs) and the walk goes on, so a
 * client sees all of them together.  A struct vctx carries err and a
 * "failed" flag, because err may be NULL and still the result must be -1.
 *
 * Text rules are one scanner (strict UTF-8 decoding, code point count,
 * control and white-space classes) driven by a small rule table: labels
 * forbid white space at either end, names only forbid being all white
 * space.  Lengths always come from json_string_length, so an embedded NUL
 * (possible with JSON_ALLOW_NUL) counts as a control character instead of
 * silently cutting the borrowed C string.  Arrays longer than their maximum
 * get one TOO_MANY_ITEMS detail and only their first maximum items are
 * checked: a 10 000-item array costs nothing more than a 16-item one.
 * JSON null is a wrong type, never "absent".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/*
 * Field paths are built here and cut again by api_err, which drops a UTF-8
 * sequence split by the cut; so a path cut here (a long unknown key) must
 * be longer than the detail's field, so that api_err does the final cut.
 * Array items ("refAccounts[9]") are prefixes of at most PREFIX_MAX_LEN.
 */
#define PATH_MAX_LEN 96
#define PREFIX_MAX_LEN 40
_Static_assert(PATH_MAX_LEN > sizeof(((struct api_err_detail *)0)->field),
               "paths must be cut by api_err");

struct vctx {
	struct api_err *err; /* may be NULL */
	int failed;
};

static void report(struct vctx *c, const char *field, const char *code, const char *param,
                   const char *message)
{
	c->failed = 1;
	api_err_detail(c->err, field, code, param, message);
}

/* "refAccounts[1]" + "iban" -> "refAccounts[1].iban"; a top-level key as is. */
static void path_key(char out[PATH_MAX_LEN], const char *prefix, const char *key)
{
	if (prefix[0] == '\0')
		snprintf(out, PATH_MAX_LEN, "%s", key);
	else
		snprintf(out, PATH_MAX_LEN, "%s.%s", prefix, key);
}

static void path_index(char out[PREFIX_MAX_LEN], const char *field, size_t i)
{
	snprintf(out, PREFIX_MAX_LEN, "%s[%zu]", field, i);
}

/* ---- text: UTF-8, code points, character classes ---- */

/* Decodes one code point at s[*i] strictly (no overlongs, surrogates, > U+10FFFF). */
static int utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned char c = s[*i];
	size_t n, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return -1;
	if (len - *i < n)
		return -1;
	v = c & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (s[*i + k] & 0x3f);
	}
	if (v < min_cp[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*cp = v;
	*i += n;
	return 0;
}

/* C0, DEL and C1. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Unicode White_Space outside the controls, plus U+FEFF (a stray BOM). */
static int is_white(uint32_t cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
	       cp == 0xfeff;
}

struct text_scan {
	size_t chars;
	int bad_utf8, control, all_white, white_first, white_last;
};

static void text_scan(const char *s, size_t len, struct text_scan *t)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	int white = 0;

	memset(t, 0, sizeof(*t));
	t->all_white = 1;
	while (i < len) {
		if (utf8_next(u, len, &i, &cp) != 0) {
			t->bad_utf8 = 1;
			return;
		}
		white = is_white(cp);
		if (t->chars == 0)
			t->white_first = white;
		t->all_white &= white;
		t->control |= is_control(cp);
		t->chars++;
	}
	t->white_last = white;
}

struct text_rule {
	size_t max_chars;
	const char *max_param;
	const char *too_long_msg;
	int trimmed; /* no white space at either end */
};

static const struct text_rule label_rule = {LABEL_MAX_CHARS, "64", "at most 64 characters", 1};
static const struct text_rule name_rule = {TEXT_MAX_CHARS, "255", "at most 255 characters", 0};

struct fault {
	const char *code, *param, *message;
};

static void fault_set(struct fault *f, const char *code, const char *param, const char *message)
{
	f->code = code;
	f->param = param;
	f->message = message;
}

/* 0 if s[0..len) follows the rule, else -1 with f filled (all static strings). */
static int text_check(const char *s, size_t len, const struct text_rule *r, struct fault *f)
{
	struct text_scan t;

	if (len == 0) {
		fault_set(f, "TOO_SHORT", "1", "at least 1 character");
		return -1;
	}
	text_scan(s, len, &t);
	if (t.bad_utf8)
		fault_set(f, "INVALID_CHARACTERS", NULL, "must be valid UTF-8");
	else if (t.chars > r->max_chars)
		fault_set(f, "TOO_LONG", r->max_param, r->too_long_msg);
	else if (t.control)
		fault_set(f, "INVALID_CHARACTERS", NULL, "must not contain control characters");
	else if (t.all_white)
		fault_set(f, "BLANK", NULL, "must not be blank");
	else if (r->trimmed && (t.white_first || t.white_last))
		fault_set(f, "INVALID_FORMAT", NULL, "must not start or end with white space");
	else
		return 0;
	return -1;
}

const char *validate_label(const char *s, size_t len, const char **param)
{
	struct fault f;

	if (text_check(s, len, &label_rule, &f) == 0)
		return NULL;
	if (param)
		*param = f.param;
	return f.code;
}

/* ---- IBAN, BIC, request id ---- */

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_upper_digit(char c)
{
	return is_upper(c) || (c >= '0' && c <= '9');
}

/* n characters of s from `from` on are [A-Z0-9]. */
static int all_upper_digit(const char *s, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < from + n; i++) {
		if (!is_upper_digit(s[i]))
			return 0;
	}
	return 1;
}

static int iban_format_ok(const char *s, size_t len)
{
	return len >= 16 && len <= IBAN_MAX_LEN && is_upper(s[0]) && is_upper(s[1]) &&
	       all_upper_digit(s, 2, len - 2);
}

/* ISO 7064 mod 97-10 over the IBAN moved by four, letters as 10..35. */
static int iban_checksum_ok(const char *s, size_t len)
{
	unsigned rem = 0;
	size_t k;

	for (k = 0; k < len; k++) {
		char c = s[(k + 4) % len];
		unsigned v = is_upper(c) ? (unsigned)(c - 'A' + 10) : (unsigned)(c - '0');

		rem = (rem * (v > 9 ? 100 : 10) + v) % 97;
	}
	return rem == 1;
}

int iban_valid(const char *s, size_t len)
{
	return s && iban_format_ok(s, len) && iban_checksum_ok(s, len);
}

int bic_valid(const char *s, size_t len)
{
	size_t i;

	if (!s || (len != 8 && len != BIC_MAX_LEN))
		return 0;
	for (i = 0; i < 6; i++) {
		if (!is_upper(s[i]))
			return 0;
	}
	return all_upper_digit(s, 6, len - 6);
}

int request_id_sane(const char *s)
{
	size_t i;

	if (!s || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 64)
			return 0;
		if (!is_upper_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z') && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

int validate_uuid_header(const char *name, const char *value, int required, int *present,
                         struct uuid *out, struct api_err *err)
{
	if (present)
		*present = value != NULL;
	if (!value) {
		if (!required)
			return 0;
		api_err_detail(err, name, "REQUIRED", NULL, "is required");
		return -1;
	}
	if (uuid_parse(value, strlen(value), out) != 0) {
		api_err_detail(err, name, "INVALID_FORMAT", NULL, "must be a UUID");
		return -1;
	}
	return 0;
}

/* ---- JSON members ---- */

/* Checks j is of type t (object, array or string), else reports INVALID_TYPE. 0 or -1. */
static int expect_type(struct vctx *c, const json_t *j, json_type t, const char *path)
{
	static const struct {
		const char *word, *message;
	} names[] = {
	        [JSON_OBJECT] = {"object", "must be an object"},
	        [JSON_ARRAY] = {"array", "must be an array"},
	        [JSON_STRING] = {"string", "must be a string"},
	};

	if (j && json_typeof(j) == t)
		return 0;
	report(c, path, "INVALID_TYPE", names[t].word, names[t].message);
	return -1;
}

/*
 * Member key of obj at prefix: NULL if absent (REQUIRED reported when
 * required) or of another type than t (INVALID_TYPE reported).
 */
static const json_t *member(struct vctx *c, const json_t *obj, const char *prefix, const char *key,
                            json_type t, int required)
{
	const json_t *j = json_object_get(obj, key);
	char path[PATH_MAX_LEN];

	path_key(path, prefix, key);
	if (!j) {
		if (required)
			report(c, path, "REQUIRED", NULL, "is required");
		return NULL;
	}
	if (expect_type(c, j, t, path) != 0)
		return NULL;
	return j;
}

static int key_known(const char *key, const char *const *known)
{
	for (; *known; known++) {
		if (strcmp(key, *known) == 0)
			return 1;
	}
	return 0;
}

/* UNKNOWN_FIELD for each key of obj not in the NULL-terminated list known. */
static void reject_unknown(struct vctx *c, const json_t *obj, const char *prefix,
                           const char *const *known)
{
	json_t *o = (json_t *)obj; /* the iterator API is not const, nothing is changed */
	char path[PATH_MAX_LEN];
	void *it;

	for (it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
		if (key_known(json_object_iter_key(it), known))
			continue;
		path_key(path, prefix, json_object_iter_key(it));
		report(c, path, "UNKNOWN_FIELD", NULL, "unknown field");
	}
}

/* ---- fields ---- */

/* An optional (or required) text member under rule r; returns the string or NULL. */
static const char *text_member(struct vctx *c, const json_t *obj, const char *prefix,
                               const char *key, const struct text_rule *r, int required)
{
	const json_t *j = member(c, obj, prefix, key, JSON_STRING, required);
	char path[PATH_MAX_LEN];
	struct fault f;

	if (!j)
		return NULL;
	if (text_check(json_string_value(j), json_string_length(j), r, &f) == 0)
		return json_string_value(j);
	path_key(path, prefix, key);
	report(c, path, f.code, f.param, f.message);
	return NULL;
}

static const char *iban_member(struct vctx *c, const json_t *obj, const char *prefix)
{
	const json_t *j = member(c, obj, prefix, "iban", JSON_STRING, 1);
	char path[PATH_MAX_LEN];
	const char *s;
	size_t len;

	if (!j)
		return NULL;
	s = json_string_value(j);
	len = json_string_length(j);
	path_key(path, prefix, "iban");
	if (len > IBAN_MAX_LEN)
		report(c, path, "TOO_LONG", "33", "at most 33 characters");
	else if (!iban_format_ok(s, len))
		report(c, path, "INVALID_FORMAT", NULL,
		       "must be 2 letters then 14 to 31 letters or digits, upper case");
	else if (!iban_checksum_ok(s, len))
		report(c, path, "INVALID_CHECKSUM", NULL, "fails the ISO 13616 mod-97 check");
	else
		return s;
	return NULL;
}

static const char *bic_member(struct vctx *c, const json_t *obj, const char *prefix)
{
	const json_t *j = member(c, obj, prefix, "bic", JSON_STRING, 0);
	char path[PATH_MAX_LEN];

	if (!j)
		return NULL;
	if (bic_valid(json_string_value(j), json_string_length(j)))
		return json_string_value(j);
	path_key(path, prefix, "bic");
	report(c, path, "INVALID_FORMAT", NULL,
	       "must be 6 letters then 2 or 5 letters or digits, upper case");
	return NULL;
}

/* type: 1 for PRIMARY, 0 for OTHER or absent (or invalid, already reported). */
static int account_type_member(struct vctx *c, const json_t *obj, const char *prefix)
{
	const json_t *j = member(c, obj, prefix, "type", JSON_STRING, 0);
	char path[PATH_MAX_LEN];

	if (!j || strcmp(json_string_value(j), "OTHER") == 0)
		return 0;
	if (strcmp(json_string_value(j), "PRIMARY") == 0)
		return 1;
	path_key(path, prefix, "type");
	report(c, path, "INVALID_VALUE", NULL, "must be one of PRIMARY, OTHER");
	return 0;
}

static void ref_account_check(struct vctx *c, const json_t *item, const char *prefix,
                              struct ref_account *out)
{
	static const char *const known[] = {"iban", "bic", "bankName", "ownerName", "type", NULL};

	if (expect_type(c, item, JSON_OBJECT, prefix) != 0)
		return;
	out->iban = iban_member(c, item, prefix);
	out->bic = bic_member(c, item, prefix);
	out->bank_name = text_member(c, item, prefix, "bankName", &name_rule, 0);
	out->owner_name = text_member(c, item, prefix, "ownerName", &name_rule, 1);
	out->primary = account_type_member(c, item, prefix);
	reject_unknown(c, item, prefix, known);
}

/*
 * Items of arr to check: all of them, or after TOO_MANY_ITEMS on field
 * only the first max (see the top of the file).
 */
static size_t items_to_check(struct vctx *c, const json_t *arr, const char *field, size_t max,
                             const char *max_param)
{
	char msg[64];

	if (json_array_size(arr) <= max)
		return json_array_size(arr);
	snprintf(msg, sizeof(msg), "at most %zu items", max);
	report(c, field, "TOO_MANY_ITEMS", max_param, msg);
	return max;
}

static void ref_accounts_check(struct vctx *c, const json_t *arr, struct customer_new *out)
{
	size_t i, n, primaries = 0;
	char path[PREFIX_MAX_LEN];

	n = items_to_check(c, arr, "refAccounts", REF_ACCOUNTS_MAX, "10");
	for (i = 0; i < n; i++) {
		path_index(path, "refAccounts", i);
		ref_account_check(c, json_array_get(arr, i), path, &out->ref[i]);
		primaries += (size_t)out->ref[i].primary;
	}
	out->nref = n;
	if (primaries > 1)
		report(c, "refAccounts", "TOO_MANY_PRIMARY", "1", "at most one PRIMARY account");
}

/* One label item at array index i; at[] maps set positions to array indexes. */
static void label_item_check(struct vctx *c, const json_t *j, const char *field, size_t i,
                             struct label_set *out, size_t at[LABELS_MAX])
{
	char path[PREFIX_MAX_LEN], first[24], msg[64];
	struct fault f;
	size_t len;
	long dup;

	path_index(path, field, i);
	if (expect_type(c, j, JSON_STRING, path) != 0)
		return;
	len = json_string_length(j);
	if (text_check(json_string_value(j), len, &label_rule, &f) != 0) {
		report(c, path, f.code, f.param, f.message);
		return;
	}
	dup = label_set_find(out, json_string_value(j), len);
	if (dup >= 0) {
		snprintf(first, sizeof(first), "%zu", at[dup]);
		snprintf(msg, sizeof(msg), "duplicates %s[%zu]", field, at[dup]);
		report(c, path, "DUPLICATE", first, msg);
		return;
	}
	at[out->n] = i;
	out->v[out->n] = json_string_value(j);
	out->len[out->n] = len;
	out->n++;
}

static void labels_check(struct vctx *c, const json_t *arr, const char *field,
                         struct label_set *out)
{
	size_t at[LABELS_MAX];
	size_t i, n;

	out->n = 0;
	if (expect_type(c, arr, JSON_ARRAY, field) != 0)
		return;
	n = items_to_check(c, arr, field, LABELS_MAX, "16");
	for (i = 0; i < n; i++)
		label_item_check(c, json_array_get(arr, i), field, i, out, at);
	label_set_sort(out);
}

int validate_label_array(const json_t *arr, const char *field, struct label_set *out,
                         struct api_err *err)
{
	struct vctx c = {err, 0};

	labels_check(&c, arr, field, out);
	return c.failed ? -1 : 0;
}

/* ---- bodies ---- */

/* The body must be an object; the detail's field is "body". 0 or -1. */
static int body_object(struct vctx *c, const json_t *body)
{
	if (json_is_object(body)) /* false for NULL too */
		return 0;
	report(c, "body", "INVALID_TYPE", "object", "must be a JSON object");
	return -1;
}

static void entity_id_check(struct vctx *c, const json_t *body, struct uuid *out)
{
	const json_t *j = member(c, body, "", "entityId", JSON_STRING, 1);

	if (j && uuid_parse(json_string_value(j), json_string_length(j), out) != 0)
		report(c, "entityId", "INVALID_FORMAT", NULL, "must be a UUID");
}

static void entity_type_check(struct vctx *c, const json_t *body, enum entity_type *out)
{
	const json_t *j = member(c, body, "", "entityType", JSON_STRING, 1);

	if (j && entity_type_parse(json_string_value(j), json_string_length(j), out) != 0)
		report(c, "entityType", "INVALID_VALUE", NULL,
		       "must be one of NATURAL_PERSON, LEGAL_ENTITY, JOINT_PERSON");
}

int validate_customer_new(const json_t *body, struct customer_new *out, struct api_err *err)
{
	static const char *const known[] = {"entityId", "entityType", "refAccounts", "labels",
	                                    NULL};
	struct vctx c = {err, 0};
	const json_t *j;

	memset(out, 0, sizeof(*out));
	if (body_object(&c, body) != 0)
		return -1;
	entity_id_check(&c, body, &out->entity_id);
	entity_type_check(&c, body, &out->entity_type);
	j = member(&c, body, "", "refAccounts", JSON_ARRAY, 0);
	if (j)
		ref_accounts_check(&c, j, out);
	j = json_object_get(body, "labels");
	if (j)
		labels_check(&c, j, "labels", &out->labels);
	reject_unknown(&c, body, "", known);
	return c.failed ? -1 : 0;
}

int validate_labels_patch(const json_t *body, int *has_labels, struct label_set *out,
                          struct api_err *err)
{
	static const char *const known[] = {"labels", NULL};
	struct vctx c = {err, 0};
	const json_t *j;

	*has_labels = 0;
	out->n = 0;
	if (body_object(&c, body) != 0)
		return -1;
	j = json_object_get(body, "labels");
	if (j) {
		*has_labels = 1;
		labels_check(&c, j, "labels", out);
	}
	reject_unknown(&c, body, "", known);
	return c.failed ? -1 : 0;
}

/* ---- offboardings (contract §12) ---- */

static void role_type_check(struct vctx *c, const json_t *body)
{
	const json_t *j = member(c, body, "", "roleType", JSON_STRING, 1);

	if (j && strcmp(json_string_value(j), "CUSTOMER") != 0)
		report(c, "roleType", "INVALID_VALUE", NULL, "must be CUSTOMER");
}

static void reason_check(struct vctx *c, const json_t *body, enum offb_reason *out)
{
	const json_t *j = member(c, body, "", "reason", JSON_STRING, 1);

	if (j && offb_reason_parse(json_string_value(j), json_string_length(j), out) != 0)
		report(c, "reason", "INVALID_VALUE", NULL, "is not an offboarding reason");
}

int validate_offboarding_new(const json_t *body, struct uuid *role_id, enum offb_reason *reason,
                             struct api_err *err)
{
	static const char *const known[] = {"roleType", "roleId", "reason", NULL};
	struct vctx c = {err, 0};
	const json_t *j;

	if (body_object(&c, body) != 0)
		return -1;
	role_type_check(&c, body);
	j = member(&c, body, "", "roleId", JSON_STRING, 1);
	if (j && uuid_parse(json_string_value(j), json_string_length(j), role_id) != 0)
		report(&c, "roleId", "INVALID_FORMAT", NULL, "must be a UUID");
	reason_check(&c, body, reason);
	reject_unknown(&c, body, "", known);
	return c.failed ? -1 : 0;
}

int validate_empty_object(const json_t *body, struct api_err *err)
{
	static const char *const known[] = {NULL};
	struct vctx c = {err, 0};

	if (body_object(&c, body) != 0)
		return -1;
	reject_unknown(&c, body, "", known);
	return c.failed ? -1 : 0;
}
