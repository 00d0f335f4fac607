/*
 * webhook_crypt: one EVP_CIPHER_CTX per call (sealing happens on create
 * and rotation, opening once per delivery attempt: not worth caching).
 * The HKDF info string versions the derivation, so another use of the
 * cursor secret can never produce the same key.
 */
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <string.h>

#include "webhook_crypt.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define INFO "customers-fcgi webhook secrets v1"

int webhook_crypt_key(const unsigned char *secret, size_t len, unsigned char out[32])
{
	size_t outlen = 32;
	int ok;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);

	ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_CTX_set1_hkdf_key(ctx, secret, (int)len) == 1 &&
	     EVP_PKEY_CTX_add1_hkdf_info(ctx, (const unsigned char *)INFO, (int)strlen(INFO)) ==
	             1 &&
	     EVP_PKEY_derive(ctx, out, &outlen) == 1 && outlen == 32;
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Runs one GCM pass (enc 1 seals, 0 opens) of WEBHOOK_KEY_LEN bytes with id as AAD. */
static int gcm(int enc, const unsigned char kek[32], const unsigned char nonce[NONCE_LEN],
               const struct uuid *id, const unsigned char *in, unsigned char *out,
               unsigned char tag[TAG_LEN])
{
	int n = 0, ok;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, kek, nonce, enc) == 1 &&
	     EVP_CipherUpdate(ctx, NULL, &n, id->b, sizeof(id->b)) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n, in, WEBHOOK_KEY_LEN) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(ctx, out + n, &n) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int webhook_seal(const unsigned char kek[32], const struct uuid *id,
                 const unsigned char key[WEBHOOK_KEY_LEN], unsigned char out[WEBHOOK_SEALED_LEN])
{
	if (RAND_bytes(out, NONCE_LEN) != 1)
		return -1;
	return gcm(1, kek, out, id, key, out + NONCE_LEN, out + NONCE_LEN + WEBHOOK_KEY_LEN);
}

int webhook_open(const unsigned char kek[32], const struct uuid *id, const unsigned char *in,
                 size_t len, unsigned char key[WEBHOOK_KEY_LEN])
{
	unsigned char tag[TAG_LEN];

	if (len != WEBHOOK_SEALED_LEN)
		return -1;
	memcpy(tag, in + NONCE_LEN + WEBHOOK_KEY_LEN, TAG_LEN);
	return gcm(0, kek, in, id, in + NONCE_LEN, key, tag);
}
