/*
 * test_validate: the input rules of the contract (sections 2, 5, 6, 8),
 * plus the api_err and model helpers they rest on.
 *
 * Body cases are tables of JSON text and the exact detail list expected,
 * written as "field code param" entries joined by "; " (param left out
 * when empty), so a missing, extra or reordered detail fails the case.
 */
#include <stdlib.h>
#include <string.h>

#include "api_err.h"
#include "model.h"
#include "tap.h"
#include "uuid.h"
#include "validate.h"

#define U1 "0190f1e2-7b3c-7def-8a12-3456789abcde"

static char *repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit);
	char *s = malloc(len * n + 1);
	size_t i;

	if (!s)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

/* "field code param; ..." of all details, into buf. */
static const char *details(const struct api_err *e, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < e->ndetails && off < size; i++) {
		const struct api_err_detail *d = &e->details[i];
		int n = snprintf(buf + off, size - off, "%s%s %s%s%s", i ? "; " : "", d->field,
		                 d->code, d->parameter[0] ? " " : "", d->parameter);

		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

/* ---- IBAN, BIC ---- */

static void test_iban(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
	        {"DE89370400440532013000", 1},
	        {"GB82WEST12345698765432", 1},
	        {"NL91ABNA0417164300", 1},
	        {"FR1420041010050500013M02606", 1},
	        {"BE68539007547034", 1},                   /* 16: the shortest the pattern allows */
	        {"MT84MALT011000012345MTLCAST001S", 1},    /* 31 */
	        {"RU0204452560040702810412345678901", 1},  /* 33: the longest */
	        {"XK220123456789ABCDEFGHIJKLMNOPQRST", 0}, /* 34, check digits right */
	        {"NO9386011117947", 0},                    /* 15: real, but under the pattern */
	        {"DE89370400440532013001", 0},             /* checksum */
	        {"DE98370400440532013000", 0},             /* check digits swapped */
	        {"de89370400440532013000", 0},
	        {"De89370400440532013000", 0},
	        {"DE89 3704 0044 0532 0130 00", 0},
	        {"D189370400440532013000", 0},
	        {"1E89370400440532013000", 0},
	        {"GB82west12345698765432", 0},
	        {"", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(iban_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid, cases[i].s);
	is_int(iban_valid("DE89370400440532013000X", 22), 1, "iban: only len bytes are read");
}

static void test_bic(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
	        {"DEUTDEFF", 1}, {"DEUTDEFF500", 1}, {"NEDSZAJJXXX", 1}, {"AAAABB12", 1},
	        {"DEUTDEF", 0},  {"DEUTDEFF5", 0},   {"DEUTDEFF50", 0},  {"DEUTDEFF5000", 0},
	        {"deutdeff", 0}, {"DEU1DEFF", 0},    {"DEUTDEFf", 0},    {"DEUTDEFF50_", 0},
	        {"", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(bic_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid, cases[i].s);
}

/* ---- labels ---- */

static void label_case(const char *s, size_t len, const char *code, const char *param,
                       const char *name)
{
	const char *got_param = "unset";
	const char *got = validate_label(s, len, &got_param);

	is_str(got, code, name);
	if (code)
		is_str(got_param, param, name);
}

static void test_label_text(void)
{
	static const struct {
		const char *s;
		const char *code, *param, *name;
	} cases[] = {
	        {"vip", NULL, NULL, "plain"},
	        {"a b", NULL, NULL, "inner space"},
	        {"a\xc2\xa0"
	         "b",
	         NULL, NULL, "inner U+00A0"},
	        {"Zürich", NULL, NULL, "non-ASCII"},
	        {"", "TOO_SHORT", "1", "empty"},
	        {"a\tb", "INVALID_CHARACTERS", NULL, "tab"},
	        {"a\nb", "INVALID_CHARACTERS", NULL, "newline"},
	        {"a\x7f", "INVALID_CHARACTERS", NULL, "DEL"},
	        {"a\xc2\x85"
	         "b",
	         "INVALID_CHARACTERS", NULL, "C1 NEL"},
	        {"a\xc2\x9f", "INVALID_CHARACTERS", NULL, "C1 U+009F"},
	        {"a\x1e"
	         "b",
	         "INVALID_CHARACTERS", NULL, "record separator"},
	        {" a", "INVALID_FORMAT", NULL, "leading space"},
	        {"a ", "INVALID_FORMAT", NULL, "trailing space"},
	        {"\xc2\xa0"
	         "a",
	         "INVALID_FORMAT", NULL, "leading U+00A0"},
	        {"a\xc2\xa0", "INVALID_FORMAT", NULL, "trailing U+00A0"},
	        {"a\xe3\x80\x80", "INVALID_FORMAT", NULL, "trailing U+3000"},
	        {"\xe2\x80\x8a"
	         "a",
	         "INVALID_FORMAT", NULL, "leading U+200A"},
	        {"\xef\xbb\xbf"
	         "a",
	         "INVALID_FORMAT", NULL, "leading U+FEFF"},
	        {"a\xe2\x80\xa8", "INVALID_FORMAT", NULL, "trailing U+2028"},
	        {"   ", "BLANK", NULL, "spaces only"},
	        {"\xc2\xa0", "BLANK", NULL, "U+00A0 only"},
	        {"\xff", "INVALID_CHARACTERS", NULL, "byte 0xff"},
	        {"\xc0\xaf", "INVALID_CHARACTERS", NULL, "overlong"},
	        {"\xed\xa0\x80", "INVALID_CHARACTERS", NULL, "surrogate"},
	        {"\xf4\x90\x80\x80", "INVALID_CHARACTERS", NULL, "above U+10FFFF"},
	        {"a\xe2\x82", "INVALID_CHARACTERS", NULL, "truncated sequence"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		label_case(cases[i].s, strlen(cases[i].s), cases[i].code, cases[i].param,
		           cases[i].name);
	label_case("a\0b", 3, "INVALID_CHARACTERS", NULL, "embedded NUL");
	is_str(validate_label("ab", 2, NULL), NULL, "param may be NULL");
}

/* 64 code points of each width pass, 65 are TOO_LONG "64". */
static void test_label_length(void)
{
	static const char *const units[] = {"a", "\xc3\xa4", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char *at = repeat(units[i], LABEL_MAX_CHARS);
		char *over = repeat(units[i], LABEL_MAX_CHARS + 1);

		label_case(at, strlen(at), NULL, NULL, "64 code points");
		label_case(over, strlen(over), "TOO_LONG", "64", "65 code points");
		free(at);
		free(over);
	}
}

/* ---- bodies ---- */

struct body_case {
	int line;
	const char *json;
	int rc;
	const char *details;
};

static int run_validator(int patch, json_t *body, struct api_err *err, struct customer_new *cn)
{
	struct label_set set;
	int has;

	if (patch)
		return validate_labels_patch(body, &has, &set, err);
	return validate_customer_new(body, cn, err);
}

static void body_cases(int patch, const struct body_case *cases, size_t n)
{
	char buf[2048], name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		struct customer_new cn;
		struct api_err err;
		json_error_t jerr;
		json_t *body = json_loads(cases[i].json, JSON_DECODE_ANY, &jerr);

		api_err_clear(&err);
		snprintf(name, sizeof(name), "%s case at line %d", patch ? "patch" : "create",
		         cases[i].line);
		if (!body) {
			ok(0, name);
			printf("# bad JSON in test: %s\n", jerr.text);
			continue;
		}
		is_int(run_validator(patch, body, &err, &cn), cases[i].rc, name);
		is_str(details(&err, buf, sizeof(buf)), cases[i].details, name);
		is_int(err.status, cases[i].rc ? 400 : 0, name);
		json_decref(body);
	}
}

#define IBAN_OK "\"iban\":\"DE89370400440532013000\""
#define ACC "{" IBAN_OK ",\"ownerName\":\"A\"}"
#define PRIM "{" IBAN_OK ",\"ownerName\":\"A\",\"type\":\"PRIMARY\"}"
#define HEAD "{\"entityId\":\"" U1 "\",\"entityType\":\"LEGAL_ENTITY\""
#define WITH_ACC(a) HEAD ",\"refAccounts\":[" a "]}"

static void test_create_bodies(void)
{
	static const struct body_case cases[] = {
	        {__LINE__, HEAD "}", 0, ""},
	        {__LINE__, HEAD ",\"refAccounts\":[],\"labels\":[]}", 0, ""},
	        {__LINE__, "[]", -1, "body INVALID_TYPE object"},
	        {__LINE__, "\"x\"", -1, "body INVALID_TYPE object"},
	        {__LINE__, "null", -1, "body INVALID_TYPE object"},
	        {__LINE__, "{}", -1, "entityId REQUIRED; entityType REQUIRED"},
	        {__LINE__, HEAD ",\"customerStatus\":\"ACTIVE\",\"customerId\":\"" U1 "\"}", -1,
	         "customerStatus UNKNOWN_FIELD; customerId UNKNOWN_FIELD"},
	        {__LINE__, WITH_ACC(ACC "," ACC "," ACC), 0, ""},
	        {__LINE__, WITH_ACC(ACC ",{" IBAN_OK ",\"ownerName\":\"B\",\"foo\":1}"), -1,
	         "refAccounts[1].foo UNKNOWN_FIELD"},
	        {__LINE__, WITH_ACC(PRIM "," ACC "," PRIM), -1, "refAccounts TOO_MANY_PRIMARY 1"},
	        {__LINE__, WITH_ACC(PRIM "," ACC), 0, ""},
	        {__LINE__,
	         "{\"entityId\":5,\"entityType\":null,\"refAccounts\":{},\"labels\":\"x\"}", -1,
	         "entityId INVALID_TYPE string; entityType INVALID_TYPE string; "
	         "refAccounts INVALID_TYPE array; labels INVALID_TYPE array"},
	        {__LINE__, WITH_ACC("\"x\",[],null"), -1,
	         "refAccounts[0] INVALID_TYPE object; refAccounts[1] INVALID_TYPE object; "
	         "refAccounts[2] INVALID_TYPE object"},
	        {__LINE__,
	         "{\"entityId\":\"" U1 "x\",\"entityType\":\"natural_person\","
	         "\"refAccounts\":[{\"iban\":\"DE89370400440532013001\",\"bic\":\"deutdeff\","
	         "\"type\":\"MAIN\",\"x\":0}],\"labels\":[\"a\",\" b\",\"a\",\"\"],\"y\":[]}",
	         -1,
	         "entityId INVALID_FORMAT; entityType INVALID_VALUE; "
	         "refAccounts[0].iban INVALID_CHECKSUM; refAccounts[0].bic INVALID_FORMAT; "
	         "refAccounts[0].ownerName REQUIRED; refAccounts[0].type INVALID_VALUE; "
	         "refAccounts[0].x UNKNOWN_FIELD; labels[1] INVALID_FORMAT; labels[2] DUPLICATE 0; "
	         "labels[3] TOO_SHORT 1; y UNKNOWN_FIELD"},
	        {__LINE__, WITH_ACC("{\"ownerName\":\"A\"}"), -1, "refAccounts[0].iban REQUIRED"},
	        {__LINE__,
	         WITH_ACC("{\"iban\":\"XK220123456789ABCDEFGHIJKLMNOPQRST\",\"ownerName\":\"A\"}"),
	         -1, "refAccounts[0].iban TOO_LONG 33"},
	        {__LINE__,
	         WITH_ACC("{\"iban\":\"RU0204452560040702810412345678901\",\"ownerName\":\"A\"}"),
	         0, ""},
	        {__LINE__, WITH_ACC("{\"iban\":\"de89370400440532013000\",\"ownerName\":\"A\"}"),
	         -1, "refAccounts[0].iban INVALID_FORMAT"},
	        {__LINE__, WITH_ACC("{\"iban\":7,\"ownerName\":[]}"), -1,
	         "refAccounts[0].iban INVALID_TYPE string; "
	         "refAccounts[0].ownerName INVALID_TYPE string"},
	        {__LINE__, WITH_ACC("{" IBAN_OK ",\"ownerName\":\"\",\"bankName\":\" \\u3000\"}"),
	         -1, "refAccounts[0].bankName BLANK; refAccounts[0].ownerName TOO_SHORT 1"},
	        {__LINE__,
	         WITH_ACC("{" IBAN_OK ",\"ownerName\":\"A\\nB\",\"bankName\":\"\\u0085\"}"), -1,
	         "refAccounts[0].bankName INVALID_CHARACTERS; "
	         "refAccounts[0].ownerName INVALID_CHARACTERS"},
	        {__LINE__,
	         WITH_ACC("{" IBAN_OK ",\"ownerName\":\" Ann \",\"bic\":\"DEUTDEFF500\"}"), 0, ""},
	        {__LINE__, WITH_ACC("{" IBAN_OK ",\"ownerName\":\"A\",\"bic\":\"DEUTDEFF50\"}"), -1,
	         "refAccounts[0].bic INVALID_FORMAT"},
	        {__LINE__, WITH_ACC("{" IBAN_OK ",\"ownerName\":\"A\",\"type\":\"primary\"}"), -1,
	         "refAccounts[0].type INVALID_VALUE"},
	        {__LINE__,
	         WITH_ACC(ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC
	                      "," ACC),
	         0, ""},
	        {__LINE__,
	         WITH_ACC(ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC "," ACC
	                      "," ACC "," ACC),
	         -1, "refAccounts TOO_MANY_ITEMS 10"},
	};

	body_cases(0, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_patch_bodies(void)
{
	static const struct body_case cases[] = {
	        {__LINE__, "{}", 0, ""},
	        {__LINE__, "{\"labels\":[]}", 0, ""},
	        {__LINE__, "{\"labels\":[\"vip\",\"VIP\",\"v\\u00edp\"]}", 0, ""},
	        {__LINE__, "{\"labels\":[\"a\",\"b\",\"a\",\"b\"]}", -1,
	         "labels[2] DUPLICATE 0; labels[3] DUPLICATE 1"},
	        {__LINE__, "{\"labels\":[\" a\",\"a\",\"a\"]}", -1,
	         "labels[0] INVALID_FORMAT; labels[2] DUPLICATE 1"},
	        {__LINE__, "{\"labels\":null}", -1, "labels INVALID_TYPE array"},
	        {__LINE__, "{\"labels\":[1,\"x\",{}]}", -1,
	         "labels[0] INVALID_TYPE string; labels[2] INVALID_TYPE string"},
	        {__LINE__, "{\"labels\":[],\"entityType\":\"LEGAL_ENTITY\"}", -1,
	         "entityType UNKNOWN_FIELD"},
	        {__LINE__, "{\"customerStatus\":\"ACTIVE\"}", -1, "customerStatus UNKNOWN_FIELD"},
	        {__LINE__, "[\"a\"]", -1, "body INVALID_TYPE object"},
	};

	body_cases(1, cases, sizeof(cases) / sizeof(cases[0]));
}

/* {"labels": ["l0", "l1", ...]} with n labels (unit "" makes them equal). */
static json_t *labels_body(size_t n, int same)
{
	json_t *arr = json_array();
	char buf[32];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "l%zu", same ? (size_t)0 : i);
		json_array_append_new(arr, json_string(buf));
	}
	return json_pack("{s:o}", "labels", arr);
}

static void test_label_counts(void)
{
	struct label_set set;
	struct api_err err;
	char buf[512];
	json_t *body;
	int has;

	body = labels_body(LABELS_MAX, 0);
	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), 0, "16 labels pass");
	is_int(set.n, 16, "16 labels kept");
	json_decref(body);

	body = labels_body(LABELS_MAX + 1, 0);
	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), -1, "17 labels fail");
	is_str(details(&err, buf, sizeof(buf)), "labels TOO_MANY_ITEMS 16",
	       "17 labels: one detail");
	json_decref(body);

	body = labels_body(5000, 1);
	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), -1, "5000 labels fail");
	is_int(err.ndetails + err.dropped, 16, "5000 equal labels: count + 15 duplicates only");
	is_str(err.details[0].code, "TOO_MANY_ITEMS", "5000 labels: count first");
	json_decref(body);
}

static void test_patch_output(void)
{
	struct label_set set;
	struct api_err err;
	json_t *body = json_loads("{\"labels\":[\"b\",\"ab\",\"a\",\"B\",\"\xc3\xa4\"]}", 0, NULL);
	int has = -1;

	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), 0, "patch: valid labels");
	is_int(has, 1, "patch: has_labels");
	is_int(set.n, 5, "patch: five labels");
	is_str(set.v[0], "B", "sorted 0");
	is_str(set.v[1], "a", "sorted 1: prefix first");
	is_str(set.v[2], "ab", "sorted 2");
	is_str(set.v[3], "b", "sorted 3");
	is_str(set.v[4], "\xc3\xa4", "sorted 4: multi-byte last");
	is_int(set.len[4], 2, "length in bytes");
	json_decref(body);

	body = json_object();
	is_int(validate_labels_patch(body, &has, &set, NULL), 0, "patch {} with err NULL");
	is_int(has, 0, "patch {}: no labels");
	is_int(set.n, 0, "patch {}: empty set");
	json_decref(body);
}

static void test_create_output(void)
{
	static const char *const json = "{\"entityId\":\"0190F1E2-7B3C-7DEF-8A12-3456789ABCDE\","
	                                "\"entityType\":\"JOINT_PERSON\","
	                                "\"labels\":[\"z\",\"m\"],\"refAccounts\":[" ACC
	                                ",{\"iban\":\"GB82WEST12345698765432\","
	                                "\"bic\":\"NWBKGB2L\",\"bankName\":\"NatWest\","
	                                "\"ownerName\":\"B\",\"type\":\"PRIMARY\"}]}";
	json_t *body = json_loads(json, 0, NULL);
	struct customer_new cn;
	struct api_err err;
	char id[UUID_STR_LEN + 1];

	api_err_clear(&err);
	is_int(validate_customer_new(body, &cn, &err), 0, "full body passes");
	uuid_format(&cn.entity_id, id);
	is_str(id, U1, "entityId parsed from upper case");
	is_int(cn.entity_type, ENTITY_JOINT_PERSON, "entityType");
	is_int(cn.nref, 2, "two accounts");
	is_str(cn.ref[0].iban, "DE89370400440532013000", "ref 0 iban");
	ok(cn.ref[0].bic == NULL && cn.ref[0].bank_name == NULL, "ref 0 optional fields NULL");
	is_int(cn.ref[0].primary, 0, "ref 0 OTHER by default");
	is_str(cn.ref[1].bic, "NWBKGB2L", "ref 1 bic");
	is_str(cn.ref[1].bank_name, "NatWest", "ref 1 bankName");
	is_str(cn.ref[1].owner_name, "B", "ref 1 ownerName");
	is_int(cn.ref[1].primary, 1, "ref 1 PRIMARY");
	ok(cn.ref[1].iban ==
	           json_string_value(json_object_get(
	                   json_array_get(json_object_get(body, "refAccounts"), 1), "iban")),
	   "strings are borrowed from the json_t");
	is_int(cn.labels.n, 2, "two labels");
	is_str(cn.labels.v[0], "m", "labels sorted");
	json_decref(body);
}

static void test_text_limits(void)
{
	char *at = repeat("\xc3\xa4", TEXT_MAX_CHARS);
	char *over = repeat("a", TEXT_MAX_CHARS + 1);
	json_t *body = json_pack("{s:s,s:s,s:[{s:s,s:s},{s:s,s:s,s:s}]}", "entityId", U1,
	                         "entityType", "NATURAL_PERSON", "refAccounts", "iban",
	                         "DE89370400440532013000", "ownerName", at, "iban",
	                         "DE89370400440532013000", "ownerName", "x", "bankName", over);
	struct customer_new cn;
	struct api_err err;
	char buf[256];

	api_err_clear(&err);
	is_int(validate_customer_new(body, &cn, &err), -1, "256 characters fail");
	is_str(details(&err, buf, sizeof(buf)), "refAccounts[1].bankName TOO_LONG 255",
	       "255 two-byte characters pass, 256 fail");
	json_decref(body);
	free(at);
	free(over);
}

static void test_enum_message(void)
{
	json_t *body = json_loads("{\"entityId\":\"" U1 "\",\"entityType\":\"X\"}", 0, NULL);
	struct customer_new cn;
	struct api_err err;

	api_err_clear(&err);
	validate_customer_new(body, &cn, &err);
	ok(strstr(err.details[0].message, "NATURAL_PERSON, LEGAL_ENTITY, JOINT_PERSON") != NULL,
	   "enum message lists the allowed values");
	is_str(err.code, "VALIDATION_FAILED", "errorCode");
	json_decref(body);
}

/* A long multi-byte unknown key is cut to whole characters; many keys are capped. */
static void test_unknown_key_limits(void)
{
	char *key = repeat("\xc3\xa9", 100);
	json_t *body = json_pack("{s:i}", key, 1);
	struct label_set set;
	struct api_err err;
	char buf[16];
	size_t i;
	int has;

	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), -1, "long unknown key");
	is_int(strlen(err.details[0].field), 78, "field cut to 39 two-byte characters");
	is_int(memcmp(err.details[0].field, key, 78), 0, "field is the key's start");
	for (i = 0; i < API_ERR_MAX_DETAILS + 8; i++) {
		snprintf(buf, sizeof(buf), "k%zu", i);
		json_object_set_new(body, buf, json_true());
	}
	api_err_clear(&err);
	is_int(validate_labels_patch(body, &has, &set, &err), -1,
	       "more unknown keys than details kept");
	is_int(err.ndetails, API_ERR_MAX_DETAILS, "details capped");
	is_int(err.dropped, 9, "the rest counted (the long key + 8)");
	is_int(validate_label_array(NULL, "labels", &set, NULL), -1, "NULL array is a wrong type");
	json_decref(body);
	free(key);
}

/* ---- headers ---- */

static void test_uuid_header(void)
{
	struct api_err err;
	struct uuid u;
	char buf[256];
	int present = -1;

	api_err_clear(&err);
	is_int(validate_uuid_header("Requestor-ID", NULL, 0, &present, &u, &err), 0,
	       "absent optional");
	is_int(present, 0, "absent: not present");
	is_int(err.status, 0, "absent optional: no error");

	is_int(validate_uuid_header("Requestor-ID", NULL, 1, &present, &u, &err), -1,
	       "absent required");
	is_str(details(&err, buf, sizeof(buf)), "Requestor-ID REQUIRED", "absent required detail");

	api_err_clear(&err);
	is_int(validate_uuid_header("Requestor-ID", "0190f1e2-7b3c-7def-8a12-3456789abcd", 1,
	                            &present, &u, &err),
	       -1, "short uuid");
	is_int(present, 1, "malformed: present");
	is_str(details(&err, buf, sizeof(buf)), "Requestor-ID INVALID_FORMAT", "malformed detail");

	api_err_clear(&err);
	is_int(validate_uuid_header("Requestor-ID", "", 0, &present, &u, &err), -1, "empty value");

	api_err_clear(&err);
	is_int(validate_uuid_header("Requestor-ID", "0190F1E2-7B3C-7DEF-8A12-3456789ABCDE", 1,
	                            &present, &u, &err),
	       0, "upper-case uuid");
	is_int(u.b[0], 0x01, "uuid byte 0");
	is_int(u.b[15], 0xde, "uuid byte 15");
}

static void test_request_id(void)
{
	char *at = repeat("a", 64);
	char *over = repeat("a", 65);

	is_int(request_id_sane("abc"), 1, "request id: plain");
	is_int(request_id_sane("x.Y_z-09"), 1, "request id: all classes");
	is_int(request_id_sane(U1), 1, "request id: uuid");
	is_int(request_id_sane(at), 1, "request id: 64 chars");
	is_int(request_id_sane(over), 0, "request id: 65 chars");
	is_int(request_id_sane(""), 0, "request id: empty");
	is_int(request_id_sane(NULL), 0, "request id: NULL");
	is_int(request_id_sane("a b"), 0, "request id: space");
	is_int(request_id_sane("a/b"), 0, "request id: slash");
	is_int(request_id_sane("a\r\nX-Evil: 1"), 0, "request id: CRLF");
	is_int(request_id_sane("\xc3\xa4"), 0, "request id: non-ASCII");
	free(at);
	free(over);
}

/* ---- api_err, model ---- */

static void test_api_err(void)
{
	struct api_err err;
	char *long_text = repeat("\xe2\x82\xac", 100); /* 300 bytes */
	size_t i;

	api_err_clear(&err);
	api_err_set(&err, 409, "CUSTOMER_ALREADY_EXISTS", "customer %s exists", "x");
	api_err_set(&err, 500, "INTERNAL", "later");
	is_int(err.status, 409, "first status wins");
	is_str(err.message, "customer x exists", "first message kept");
	api_err_detail(&err, "entityId", "DUPLICATE", NULL, "m");
	is_int(err.status, 409, "detail keeps the status");
	is_str(err.details[0].parameter, "", "NULL parameter is empty");

	api_err_clear(&err);
	for (i = 0; i < API_ERR_MAX_DETAILS + 3; i++)
		api_err_detail(&err, i == 0 ? "first" : "f", "C", "p", "m");
	is_int(err.ndetails, API_ERR_MAX_DETAILS, "details capped");
	is_int(err.dropped, 3, "dropped counted");
	is_str(err.details[0].field, "first", "insertion order");
	is_int(err.status, 400, "detail sets 400");
	is_str(err.code, "VALIDATION_FAILED", "detail sets VALIDATION_FAILED");

	api_err_detail(NULL, "f", "C", NULL, "m");
	api_err_clear(&err);
	api_err_detail(&err, "f", "C", NULL, long_text);
	is_int(strlen(err.details[0].message), 126, "cut at a character boundary (42 x 3 bytes)");
	api_err_set(&err, 400, "X", "ignored");
	api_err_clear(&err);
	api_err_set(&err, 400, "X", "%s", long_text);
	is_int(strlen(err.message), 189, "message cut at a character boundary (63 x 3 bytes)");
	free(long_text);

	/* tests/fuzz crash: jansson's error text quoted a body cut inside a character. */
	api_err_clear(&err);
	api_err_set(&err, 400, "MALFORMED_JSON", "not JSON: %s", "near '\"E8d\\ud\xc3'");
	is_str(err.message, "not JSON: near '\"E8d\\ud?'", "a stray lead byte becomes '?'");
	api_err_detail(&err, "x\xed\xa0\x80\xc0\xafy\xf4\x90\x80\x80", "C", "\xff", "\xe2\x82");
	is_str(err.details[0].field, "x?????y????", "surrogate, overlong, > U+10FFFF become '?'");
	is_str(err.details[0].parameter, "?", "0xff becomes '?'");
	is_str(err.details[0].message, "??", "a truncated sequence becomes '?'");
	api_err_detail(&err, "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", "C", NULL, "m");
	is_str(err.details[1].field, "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80",
	       "valid UTF-8 kept as is");
}

static void test_model(void)
{
	struct label_set a = {3, {"b", "a", "ab"}, {1, 1, 2}};
	struct label_set b = {3, {"ab", "b", "a"}, {2, 1, 1}};
	struct label_set c = {3, {"a", "ab", "b\0"}, {1, 2, 2}};
	enum entity_type t;
	enum customer_status s;

	label_set_sort(&a);
	label_set_sort(&b);
	is_str(a.v[0], "a", "sort: a first");
	is_str(a.v[1], "ab", "sort: prefix before longer");
	is_int(label_set_equal(&a, &b), 1, "equal sets");
	is_int(label_set_equal(&a, &c), 0, "length differs");
	c.n = 2;
	is_int(label_set_equal(&a, &c), 0, "count differs");

	is_int(entity_type_parse("LEGAL_ENTITY", 12, &t), 0, "parse entity type");
	is_int(t, ENTITY_LEGAL_ENTITY, "entity type value");
	is_int(entity_type_parse("LEGAL_ENTITYX", 12, &t), 0, "parse uses len");
	is_int(entity_type_parse("LEGAL_ENTIT", 11, &t), -1, "prefix rejected");
	is_int(entity_type_parse("legal_entity", 12, &t), -1, "case-sensitive");
	is_str(entity_type_name(ENTITY_JOINT_PERSON), "JOINT_PERSON", "entity type name");
	is_int(customer_status_parse("OFFBOARDING", 11, &s), 0, "parse status");
	is_int(s, STATUS_OFFBOARDING, "status value");
	is_int(customer_status_parse("OFFBOARDE", 9, &s), -1, "status prefix rejected");
	is_str(customer_status_name(STATUS_OFFBOARDED), "OFFBOARDED", "status name");
}

int main(void)
{
	test_iban();
	test_bic();
	test_label_text();
	test_label_length();
	test_create_bodies();
	test_patch_bodies();
	test_label_counts();
	test_patch_output();
	test_create_output();
	test_text_limits();
	test_enum_message();
	test_unknown_key_limits();
	test_uuid_header();
	test_request_id();
	test_api_err();
	test_model();
	return done_testing();
}
