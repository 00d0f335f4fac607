/*
 * webhook_sig: the signed content is streamed into one HMAC context
 * (id, ".", timestamp, ".", body), so a large body is never copied.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "webhook_sig.h"

#define PREFIX "whsec_"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

int webhook_secret_new(char text[WEBHOOK_SECRET_MAX], unsigned char key[WEBHOOK_KEY_LEN])
{
	if (RAND_bytes(key, WEBHOOK_KEY_LEN) != 1)
		return -1;
	memcpy(text, PREFIX, PREFIX_LEN);
	base64_encode(key, WEBHOOK_KEY_LEN, text + PREFIX_LEN, 0);
	return 0;
}

long webhook_secret_decode(const char *text, unsigned char *key, size_t max)
{
	if (strncmp(text, PREFIX, PREFIX_LEN) != 0)
		return -1;
	text += PREFIX_LEN;
	return base64_decode(text, strlen(text), key, max, 0);
}

/* HMAC through EVP_DigestSign: works on OpenSSL 1.1 and 3 without the deprecated HMAC_CTX. */
static int mac_parts(EVP_MD_CTX *ctx, const char *id, long long ts, const char *body,
                     size_t bodylen)
{
	char stamp[32];
	int n = snprintf(stamp, sizeof(stamp), ".%lld.", ts);

	if (EVP_DigestSignUpdate(ctx, id, strlen(id)) != 1 ||
	    EVP_DigestSignUpdate(ctx, stamp, (size_t)n) != 1)
		return -1;
	return EVP_DigestSignUpdate(ctx, body, bodylen) == 1 ? 0 : -1;
}

int webhook_sign(const unsigned char *key, size_t keylen, const char *id, long long ts,
                 const char *body, size_t bodylen, char out[WEBHOOK_SIG_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = sizeof(md);
	int rc = -1;
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, key, keylen);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!pkey || !ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) != 1)
		goto fail;
	if (mac_parts(ctx, id, ts, body, bodylen) || EVP_DigestSignFinal(ctx, md, &mdlen) != 1)
		goto fail;
	out[0] = 'v';
	out[1] = '1';
	out[2] = ',';
	base64_encode(md, mdlen, out + 3, 0);
	rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}
