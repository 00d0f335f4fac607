/*
 * cursor: the keyset token, built as cursor.h lays out.
 *
 * The 33 raw bytes (version, last id, 128-bit tag) are a multiple of three,
 * so base64url needs no padding and every one of the 44 characters carries
 * six full bits: with the strict codec of base64.c a token has exactly one
 * spelling, and any change to it changes the decoded bytes.  The tag is
 * compared in constant time.
 *
 * The filter hash is SHA-256 over a canonical form in which each part
 * carries a presence byte and a 4-byte length, so no two different filters
 * serialize alike.  Status and type go in by name rather than enum value,
 * so reordering an enum cannot silently revalidate old cursors.  Labels
 * are hashed as a set (sorted, duplicates dropped) whatever order the
 * caller holds them in.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "base64.h"
#include "cursor.h"

#define CURSOR_VERSION 1
#define TAG_LEN 16
#define RAW_LEN (1 + 16 + TAG_LEN)
#define TEXT_LEN (RAW_LEN / 3 * 4)

_Static_assert(RAW_LEN % 3 == 0, "cursor bytes must need no base64 padding");
_Static_assert(TEXT_LEN < CURSOR_TEXT_MAX, "cursor text must fit CURSOR_TEXT_MAX");

/* HMAC-SHA256(key, version | partner (8 bytes BE) | fhash | last), cut to TAG_LEN. */
static int cursor_tag(const unsigned char *key, size_t keylen, unsigned char version,
                      uint64_t partner_id, const unsigned char fhash[32],
                      const unsigned char last[16], unsigned char tag[TAG_LEN])
{
	unsigned char msg[1 + 8 + 32 + 16];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i;

	/* A missing key is a configuration bug; never MAC with an empty one. */
	if (!key || keylen == 0 || keylen > INT32_MAX)
		return -1;
	msg[0] = version;
	for (i = 0; i < 8; i++)
		msg[1 + i] = (unsigned char)(partner_id >> (56 - 8 * i));
	memcpy(msg + 9, fhash, 32);
	memcpy(msg + 41, last, 16);
	if (!HMAC(EVP_sha256(), key, (int)keylen, msg, sizeof(msg), md, &mdlen) || mdlen < TAG_LEN)
		return -1;
	memcpy(tag, md, TAG_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int cursor_encode(const unsigned char *key, size_t keylen, uint64_t partner_id,
                  const unsigned char fhash[32], const struct uuid *last, char out[CURSOR_TEXT_MAX])
{
	unsigned char raw[RAW_LEN];

	raw[0] = CURSOR_VERSION;
	memcpy(raw + 1, last->b, 16);
	if (cursor_tag(key, keylen, raw[0], partner_id, fhash, raw + 1, raw + 17) != 0)
		return -1;
	base64_encode(raw, RAW_LEN, out, 1);
	return 0;
}

int cursor_decode(const unsigned char *key, size_t keylen, uint64_t partner_id,
                  const unsigned char fhash[32], const char *token, struct uuid *last)
{
	unsigned char raw[RAW_LEN];
	unsigned char tag[TAG_LEN];

	if (!token || strnlen(token, TEXT_LEN + 1) != TEXT_LEN ||
	    base64_decode(token, TEXT_LEN, raw, sizeof(raw), 1) != RAW_LEN)
		return -1;
	if (raw[0] != CURSOR_VERSION)
		return -1;
	if (cursor_tag(key, keylen, raw[0], partner_id, fhash, raw + 1, tag) != 0)
		return -1;
	if (CRYPTO_memcmp(tag, raw + 17, TAG_LEN) != 0)
		return -1;
	memcpy(last->b, raw + 1, 16);
	return 0;
}

/* One part of the canonical filter: presence byte, then 4-byte BE length and the bytes. */
static int digest_part(EVP_MD_CTX *ctx, int present, const void *data, size_t len)
{
	unsigned char head[5];

	head[0] = present ? 1 : 0;
	if (!present)
		return EVP_DigestUpdate(ctx, head, 1) == 1 ? 0 : -1;
	head[1] = (unsigned char)(len >> 24);
	head[2] = (unsigned char)(len >> 16);
	head[3] = (unsigned char)(len >> 8);
	head[4] = (unsigned char)len;
	if (EVP_DigestUpdate(ctx, head, sizeof(head)) != 1)
		return -1;
	return EVP_DigestUpdate(ctx, data, len) == 1 ? 0 : -1;
}

static int digest_name(EVP_MD_CTX *ctx, int present, const char *name)
{
	return digest_part(ctx, present, name, present ? strlen(name) : 0);
}

/* The labels as a set: sorted, duplicates dropped, count first. */
static int digest_labels(EVP_MD_CTX *ctx, const struct label_set *labels)
{
	struct label_set set = *labels;
	unsigned char count;
	size_t i, n = 0;

	label_set_sort(&set);
	for (i = 0; i < set.n; i++) {
		if (n > 0 && set.len[n - 1] == set.len[i] &&
		    memcmp(set.v[n - 1], set.v[i], set.len[i]) == 0)
			continue;
		set.v[n] = set.v[i];
		set.len[n] = set.len[i];
		n++;
	}
	count = (unsigned char)n; /* n <= LABELS_MAX */
	if (EVP_DigestUpdate(ctx, &count, 1) != 1)
		return -1;
	for (i = 0; i < n; i++) {
		if (digest_part(ctx, 1, set.v[i], set.len[i]) != 0)
			return -1;
	}
	return 0;
}

static int filter_digest(EVP_MD_CTX *ctx, const struct list_filter *f, unsigned char out[32])
{
	static const char domain[] = "customers-fcgi list filter v1";
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, domain, sizeof(domain)) != 1 ||
	    digest_part(ctx, f->has_entity, f->entity_id.b, sizeof(f->entity_id.b)) != 0 ||
	    digest_name(ctx, f->has_status, customer_status_name(f->status)) != 0 ||
	    digest_name(ctx, f->has_type, entity_type_name(f->type)) != 0 ||
	    digest_labels(ctx, &f->labels) != 0)
		return -1;
	return EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == 32 ? 0 : -1;
}

/*
 * The offboarding list's filter, under a domain of its own: a customers
 * cursor can never pass for an offboardings one, nor the reverse.
 */
static int offb_digest(EVP_MD_CTX *ctx, const struct offb_filter *f, unsigned char out[32])
{
	static const char domain[] = "customers-fcgi offboarding filter v1";
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, domain, sizeof(domain)) != 1 ||
	    digest_part(ctx, f->has_customer, f->customer.b, sizeof(f->customer.b)) != 0 ||
	    digest_name(ctx, f->has_status, offb_status_name(f->status)) != 0)
		return -1;
	return EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == 32 ? 0 : -1;
}

/*
 * Only an out-of-memory can fail here, and the header gives no way to say
 * so.  The zero hash binds a cursor to no filter in particular; the
 * partner is still bound by the MAC, so the worst outcome is a page
 * position reused under other filters, showing nothing the partner could
 * not list anyway.
 */
static void hash_or_zero(int (*digest)(EVP_MD_CTX *, const void *, unsigned char *), const void *f,
                         unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || digest(ctx, f, out) != 0)
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

static int list_digest(EVP_MD_CTX *ctx, const void *f, unsigned char *out)
{
	return filter_digest(ctx, f, out);
}

static int offb_list_digest(EVP_MD_CTX *ctx, const void *f, unsigned char *out)
{
	return offb_digest(ctx, f, out);
}

void cursor_filter_hash(const struct list_filter *f, unsigned char out[32])
{
	hash_or_zero(list_digest, f, out);
}

void cursor_offb_filter_hash(const struct offb_filter *f, unsigned char out[32])
{
	hash_or_zero(offb_list_digest, f, out);
}

/* The feed's "filter hash": 32 bytes that are no SHA-256 output anyone can find. */
static const unsigned char feed_hash[32] = "customers-fcgi event feed v1";

int cursor_encode_seq(const unsigned char *key, size_t keylen, uint64_t partner_id, uint64_t seq,
                      char out[CURSOR_TEXT_MAX])
{
	struct uuid pos = {{0}};

	for (int i = 0; i < 8; i++)
		pos.b[i] = (unsigned char)(seq >> (56 - 8 * i));
	return cursor_encode(key, keylen, partner_id, feed_hash, &pos, out);
}

int cursor_decode_seq(const unsigned char *key, size_t keylen, uint64_t partner_id,
                      const char *token, uint64_t *seq)
{
	struct uuid pos;
	uint64_t v = 0;

	if (cursor_decode(key, keylen, partner_id, feed_hash, token, &pos) != 0)
		return -1;
	for (int i = 0; i < 8; i++)
		v = v << 8 | pos.b[i];
	*seq = v;
	return 0;
}
