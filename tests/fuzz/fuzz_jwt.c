/*
 * fuzz_jwt: a bearer token through token_verify with each kind of key the
 * service can hold: our HS256 secret, our ES256 key, and an external
 * issuer's JWKS (one RSA and one P-256 key) with a client map.  The first
 * input byte picks the configuration; the rest is the token.  Also feeds
 * the same bytes to jwks_parse, whose input is a file the operator names.
 * The keyring is process-wide, so it is reloaded when the pick changes;
 * the key files stay until exit for that.
 *
 * Properties: a forged token is never accepted (the fuzzer cannot sign);
 * nothing crashes or leaks in the header peek, base64url, the signature
 * conversions (ES256 r||s to DER) or the claim checks.
 */
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <unistd.h>

#include "auth.h"
#include "fuzz_common.h"
#include "keyring.h"

static struct config cfg_hs, cfg_es;

/* A PEM private key of `type` written to a temporary file; its path (static). */
static const char *write_key(EVP_PKEY *pkey, char *path)
{
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!fp || PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		abort();
	fclose(fp);
	return path;
}

static void write_text(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!fp)
		abort();
	fputs(text, fp);
	fclose(fp);
}

/* A JWKS with the public halves of an RSA and an EC key under kids "r" and "e". */
static void write_jwks(char *path)
{
	static const char *const pems[2] = {"RS256", "ES256"};
	struct jwk k[2];
	char keyfile[2][64] = {"/tmp/fuzz-jwt-r.XXXXXX", "/tmp/fuzz-jwt-e.XXXXXX"};
	json_t *set = json_pack("{s:[]}", "keys");
	char *text;

	for (int i = 0; i < 2; i++) {
		EVP_PKEY *p = i == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");

		write_key(p, keyfile[i]);
		EVP_PKEY_free(p);
		if (jwk_load_private(keyfile[i], jws_alg_parse(pems[i]), &k[i], NULL, 0) < 0)
			abort();
		unlink(keyfile[i]);
		snprintf(k[i].kid, sizeof(k[i].kid), "%s", i == 0 ? "r" : "e");
		json_array_append_new(json_object_get(set, "keys"), jwk_public_json(&k[i]));
		EVP_PKEY_free(k[i].pkey);
	}
	text = json_dumps(set, 0);
	write_text(path, text);
	free(text);
	json_decref(set);
}

static char key[] = "/tmp/fuzz-jwt-k.XXXXXX", jwks[] = "/tmp/fuzz-jwt-j.XXXXXX",
            map[] = "/tmp/fuzz-jwt-m.XXXXXX";

static void cleanup(void)
{
	unlink(key);
	unlink(jwks);
	unlink(map);
}

/* The keyring of cfg, loaded unless it is the current one already. */
static void use(const struct config *cfg)
{
	static const struct config *loaded;

	if (loaded != cfg && keyring_load(cfg, NULL, 0) < 0)
		abort();
	loaded = cfg;
}

static void setup(void)
{
	EVP_PKEY *p = EVP_EC_gen("P-256");

	config_defaults(&cfg_hs);
	memcpy(cfg_hs.jwt_secret, "0123456789abcdef0123456789abcdef", 32);
	cfg_hs.jwt_secret_len = 32;
	cfg_es = cfg_hs;
	snprintf(cfg_es.jwt_alg, sizeof(cfg_es.jwt_alg), "ES256");
	snprintf(cfg_es.jwt_private_key_file, sizeof(cfg_es.jwt_private_key_file), "%s",
	         write_key(p, key));
	EVP_PKEY_free(p);
	write_jwks(jwks);
	write_text(map, "ext-client cl_local\n");
	snprintf(cfg_es.jwks_file, sizeof(cfg_es.jwks_file), "%s", jwks);
	snprintf(cfg_es.external_client_map_file, sizeof(cfg_es.external_client_map_file), "%s",
	         map);
	snprintf(cfg_es.external_issuer, sizeof(cfg_es.external_issuer), "https://idp.example");
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct token_claims claims;
	struct jwks set;
	char *tok;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size == 0)
		return 0;
	tok = fuzz_cstr(data + 1, size - 1);
	use(data[0] & 1 ? &cfg_es : &cfg_hs);
	FUZZ_ASSERT(token_verify(data[0] & 1 ? &cfg_es : &cfg_hs, tok, &claims) < 0);
	if (jwks_parse((const char *)data, size, &set, NULL, 0) == 0)
		jwks_release(&set);
	free(tok);
	return 0;
}
