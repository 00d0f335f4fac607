/*
 * test_cursor: the keyset token and the filter hash.
 *
 * A forged token (other version byte, correctly MACed) is built here with
 * OpenSSL directly, following the layout documented in cursor.h; the
 * same builder with version 1 must be accepted, which proves the forgery
 * is otherwise right.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "tap.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char key2[32] = "0123456789abcdef0123456789abcdeF";
static const uint64_t partner = 42;

static struct uuid last_id(void)
{
	struct uuid u;
	const char *s = "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

	uuid_parse(s, strlen(s), &u);
	return u;
}

static void base_filter(struct list_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->limit = 20;
}

/* cursor.h's layout, MACed with our own key: only the version is ours to choose. */
static void forge(unsigned char version, const struct uuid *last, const unsigned char fh[32],
                  char out[CURSOR_TEXT_MAX])
{
	unsigned char msg[57], raw[33], md[32];
	unsigned int mdlen = 0;
	int i;

	msg[0] = version;
	for (i = 0; i < 8; i++)
		msg[1 + i] = (unsigned char)(partner >> (56 - 8 * i));
	memcpy(msg + 9, fh, 32);
	memcpy(msg + 41, last->b, 16);
	HMAC(EVP_sha256(), key, sizeof(key), msg, sizeof(msg), md, &mdlen);
	raw[0] = version;
	memcpy(raw + 1, last->b, 16);
	memcpy(raw + 17, md, 16);
	EVP_EncodeBlock((unsigned char *)out, raw, sizeof(raw));
	for (i = 0; out[i]; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
}

static int decode(const unsigned char fh[32], const char *token)
{
	struct uuid u;

	return cursor_decode(key, sizeof(key), partner, fh, token, &u);
}

static void test_round_trip(void)
{
	struct list_filter f;
	unsigned char fh[32];
	char tok[CURSOR_TEXT_MAX];
	struct uuid last = last_id(), got;

	base_filter(&f);
	cursor_filter_hash(&f, fh);
	is_int(cursor_encode(key, sizeof(key), partner, fh, &last, tok), 0, "encode succeeds");
	is_int(strlen(tok), 44, "token is 44 characters");
	is_int(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 44,
	       "token uses only the base64url alphabet");
	memset(&got, 0, sizeof(got));
	is_int(cursor_decode(key, sizeof(key), partner, fh, tok, &got), 0, "decode succeeds");
	ok(memcmp(got.b, last.b, 16) == 0, "decode gives the last id back");
	is_int(cursor_encode(key, 0, partner, fh, &last, tok), -1, "an empty key is refused");
	is_int(cursor_encode(NULL, 32, partner, fh, &last, tok), -1, "a NULL key is refused");
}

/* Many random ids: the alphabet swap is exercised and every token decodes to its id. */
static void test_random_ids(void)
{
	unsigned char fh[32] = {0};
	int bad = 0, i, j;

	for (i = 0; i < 2000; i++) {
		char tok[CURSOR_TEXT_MAX];
		struct uuid a, b;

		for (j = 0; j < 16; j++)
			a.b[j] = (unsigned char)rand();
		if (cursor_encode(key, sizeof(key), partner, fh, &a, tok) != 0 ||
		    strpbrk(tok, "+/=") || strlen(tok) != 44 ||
		    cursor_decode(key, sizeof(key), partner, fh, tok, &b) != 0 ||
		    memcmp(a.b, b.b, 16) != 0)
			bad++;
	}
	is_int(bad, 0, "2000 random ids round-trip, never with + / =");
}

static void test_tampering(void)
{
	struct uuid last = last_id();
	unsigned char fh[32] = {1, 2, 3};
	char tok[CURSOR_TEXT_MAX], bad[CURSOR_TEXT_MAX + 8];
	int accepted = 0;
	size_t i;

	cursor_encode(key, sizeof(key), partner, fh, &last, tok);
	for (i = 0; i < 44; i++) {
		memcpy(bad, tok, 45);
		bad[i] = tok[i] == 'A' ? 'B' : 'A';
		accepted += decode(fh, bad) == 0;
		bad[i] = tok[i] == 'z' ? 'y' : 'z';
		accepted += decode(fh, bad) == 0;
	}
	is_int(accepted, 0, "every single-character change is refused");
	for (i = 0, accepted = 0; i < 44; i++) {
		memcpy(bad, tok, 45);
		bad[i] = '\0';
		accepted += decode(fh, bad) == 0;
	}
	is_int(accepted, 0, "every truncation is refused");
	snprintf(bad, sizeof(bad), "%sA", tok);
	is_int(decode(fh, bad), -1, "one extra character is refused");
	snprintf(bad, sizeof(bad), "%s=", tok);
	is_int(decode(fh, bad), -1, "trailing padding is refused");
	snprintf(bad, sizeof(bad), "%sAAAA", tok);
	is_int(decode(fh, bad), -1, "four extra characters are refused");
	snprintf(bad, sizeof(bad), " %s", tok);
	is_int(decode(fh, bad), -1, "leading space is refused");
	is_int(decode(fh, tok), 0, "the untouched token is still fine");
}

static void test_wrong_alphabet(void)
{
	static const char others[] = "+/=. \n%*";
	unsigned char fh[32] = {0};
	struct uuid last = last_id();
	char tok[CURSOR_TEXT_MAX], bad[CURSOR_TEXT_MAX];
	int accepted = 0;
	size_t i, j;

	cursor_encode(key, sizeof(key), partner, fh, &last, tok);
	for (i = 0; i < 44; i += 7) {
		for (j = 0; j < sizeof(others) - 1; j++) {
			memcpy(bad, tok, 45);
			bad[i] = others[j];
			accepted += decode(fh, bad) == 0;
		}
	}
	is_int(accepted, 0, "characters outside base64url are refused");
}

static void test_binding(void)
{
	struct uuid last = last_id();
	unsigned char fh[32] = {9}, fh2[32] = {9};
	char tok[CURSOR_TEXT_MAX];
	struct uuid u;

	fh2[31] = 1;
	cursor_encode(key, sizeof(key), partner, fh, &last, tok);
	is_int(cursor_decode(key, sizeof(key), partner + 1, fh, tok, &u), -1,
	       "another partner's cursor is refused");
	is_int(cursor_decode(key, sizeof(key), partner ^ (UINT64_C(1) << 63), fh, tok, &u), -1,
	       "partner id differing in the top bit is refused");
	is_int(cursor_decode(key, sizeof(key), partner, fh2, tok, &u), -1,
	       "a cursor made with other filters is refused");
	is_int(cursor_decode(key2, sizeof(key2), partner, fh, tok, &u), -1,
	       "a cursor made with another key is refused");
	is_int(cursor_decode(key, sizeof(key) - 1, partner, fh, tok, &u), -1,
	       "a shorter key is another key");
}

static void test_version(void)
{
	struct uuid last = last_id();
	unsigned char fh[32] = {7};
	char tok[CURSOR_TEXT_MAX];

	forge(1, &last, fh, tok);
	is_int(decode(fh, tok), 0, "the test's own version-1 forgery is accepted (builder sanity)");
	forge(2, &last, fh, tok);
	is_int(decode(fh, tok), -1, "version 2, correctly MACed, is refused");
	forge(0, &last, fh, tok);
	is_int(decode(fh, tok), -1, "version 0, correctly MACed, is refused");
}

static void test_garbage(void)
{
	static const char *const garbage[] = {
	        "",
	        "x",
	        "not a cursor",
	        "============================================",
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	        "____________________________________________",
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
	        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	unsigned char fh[32] = {0};
	int accepted = 0;
	size_t i;

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		accepted += decode(fh, garbage[i]) == 0;
	is_int(accepted, 0, "garbage tokens are refused");
	is_int(decode(fh, NULL), -1, "NULL token is refused");
}

static void set_labels(struct list_filter *f, size_t n, const char *const *v)
{
	size_t i;

	f->labels.n = n;
	for (i = 0; i < n; i++) {
		f->labels.v[i] = v[i];
		f->labels.len[i] = strlen(v[i]);
	}
}

static int same_hash(const struct list_filter *a, const struct list_filter *b)
{
	unsigned char ha[32], hb[32];

	cursor_filter_hash(a, ha);
	cursor_filter_hash(b, hb);
	return memcmp(ha, hb, 32) == 0;
}

static void test_hash_invariance(void)
{
	static const char *const ab[] = {"alpha", "beta"}, *const ba[] = {"beta", "alpha"};
	static const char *const aba[] = {"alpha", "beta", "alpha"};
	struct list_filter a, b;
	unsigned char zero[32] = {0}, h[32];

	base_filter(&a);
	base_filter(&b);
	cursor_filter_hash(&a, h);
	ok(memcmp(h, zero, 32) != 0, "the empty filter hashes to something");
	ok(same_hash(&a, &b), "equal filters hash alike");
	set_labels(&a, 2, ab);
	set_labels(&b, 2, ba);
	ok(same_hash(&a, &b), "label order does not matter");
	set_labels(&b, 3, aba);
	ok(same_hash(&a, &b), "a repeated label does not matter");
	b.limit = 100;
	b.cursor = "whatever";
	ok(same_hash(&a, &b), "limit and cursor are not part of the hash");
	b.status = STATUS_OFFBOARDED; /* value without has_status: ignored */
	b.type = ENTITY_JOINT_PERSON;
	b.entity_id.b[0] = 0xff;
	ok(same_hash(&a, &b), "values behind a cleared presence flag do not matter");
}

/* Each filter part, changed alone, changes the hash. */
static void test_hash_sensitivity(void)
{
	static const char *const one[] = {"ab"}, *const two[] = {"a", "b"};
	static const char *const x[] = {"x"}, *const xy[] = {"x", "y"}, *const xz[] = {"x", "z"};
	struct list_filter a, b;

	base_filter(&a);
	base_filter(&b);
	b.has_entity = 1;
	ok(!same_hash(&a, &b), "entityId (all-zero uuid) present vs absent");
	a.has_entity = 1;
	a.entity_id.b[15] = 1;
	ok(!same_hash(&a, &b), "entityId value");
	base_filter(&a);
	base_filter(&b);
	b.has_status = 1; /* STATUS_CREATED is 0: presence alone must count */
	ok(!same_hash(&a, &b), "customerStatus present vs absent");
	a.has_status = 1;
	a.status = STATUS_ACTIVE;
	ok(!same_hash(&a, &b), "customerStatus value");
	base_filter(&a);
	base_filter(&b);
	b.has_type = 1;
	ok(!same_hash(&a, &b), "customerType present vs absent");
	a.has_type = 1;
	a.type = ENTITY_LEGAL_ENTITY;
	ok(!same_hash(&a, &b), "customerType value");
	base_filter(&a);
	base_filter(&b);
	b.has_status = 1;
	a.has_type = 1; /* both enum value 0: the field it belongs to must count */
	ok(!same_hash(&a, &b), "status CREATED vs type NATURAL_PERSON");
	base_filter(&a);
	base_filter(&b);
	set_labels(&b, 1, x);
	ok(!same_hash(&a, &b), "a label vs none");
	set_labels(&a, 2, xy);
	set_labels(&b, 2, xz);
	ok(!same_hash(&a, &b), "one label differs");
	set_labels(&a, 1, one);
	set_labels(&b, 2, two);
	ok(!same_hash(&a, &b), "\"ab\" vs \"a\",\"b\" (length prefixes)");
}

/* The feed's cursor: seq round trips, bound to the partner, not a list cursor. */
static void test_seq(void)
{
	static const uint64_t seqs[] = {0, 1, 255, 256, UINT64_C(1) << 40, UINT64_MAX};
	struct list_filter f = {0};
	unsigned char fh[32];
	char tok[CURSOR_TEXT_MAX], list_tok[CURSOR_TEXT_MAX];
	struct uuid last = last_id(), u;
	uint64_t got;

	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		got = 7;
		is_int(cursor_encode_seq(key, sizeof(key), partner, seqs[i], tok), 0,
		       "seq cursor made");
		is_int(cursor_decode_seq(key, sizeof(key), partner, tok, &got), 0,
		       "seq cursor read");
		ok(got == seqs[i], "seq round trips");
	}
	cursor_encode_seq(key, sizeof(key), partner, 5, tok);
	is_int(cursor_decode_seq(key, sizeof(key), partner + 1, tok, &got), -1,
	       "another partner's feed cursor is refused");
	is_int(cursor_decode_seq(key2, sizeof(key2), partner, tok, &got), -1,
	       "a feed cursor made with another key is refused");
	cursor_filter_hash(&f, fh);
	is_int(cursor_decode(key, sizeof(key), partner, fh, tok, &u), -1,
	       "a feed cursor is no list cursor");
	cursor_encode(key, sizeof(key), partner, fh, &last, list_tok);
	is_int(cursor_decode_seq(key, sizeof(key), partner, list_tok, &got), -1,
	       "a list cursor is no feed cursor");
	tok[3] ^= 1;
	is_int(cursor_decode_seq(key, sizeof(key), partner, tok, &got), -1,
	       "a tampered feed cursor is refused");
}

int main(void)
{
	test_round_trip();
	test_random_ids();
	test_tampering();
	test_wrong_alphabet();
	test_binding();
	test_version();
	test_garbage();
	test_hash_invariance();
	test_hash_sensitivity();
	test_seq();
	return done_testing();
}
