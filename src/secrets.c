/*
 * secrets: client secrets are stored as "scrypt$N$r$p$salt$hash"
 * (standard base64 with padding, the format the Node.js peer writes too).
 * Verification bounds N, r and p so that a corrupt row cannot make a
 * request spend gigabytes, and unknown clients still pay one scrypt of
 * the default cost.  Random material comes from RAND_bytes only.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "secrets.h"

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SCRYPT_SALT_LEN 16
#define SCRYPT_HASH_LEN 32
#define SCRYPT_MAXMEM (32u * 1024 * 1024) /* N=16384, r=8 needs 16 MiB */
#define SCRYPT_N_MIN 1024
#define SCRYPT_NR_MAX ((unsigned long)SCRYPT_N * SCRYPT_R) /* caps memory at 16 MiB */
#define SCRYPT_R_MAX 32
#define SCRYPT_P_MAX 4

int client_id_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n >= 1 && n <= CLIENT_ID_MAX && s[n] == '\0';
}

int random_hex(size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[32];

	if (n > sizeof(rnd) || RAND_bytes(rnd, (int)n) != 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

int client_credentials_new(char id[CLIENT_ID_MAX + 1], char secret[64])
{
	unsigned char rsecret[32];

	memcpy(id, "cl_", 3); /* NOLINT(bugprone-not-null-terminated-result): random_hex ends it */
	if (random_hex(16, id + 3) < 0 || RAND_bytes(rsecret, sizeof(rsecret)) != 1)
		return -1;
	base64_encode(rsecret, sizeof(rsecret), secret, 1);
	OPENSSL_cleanse(rsecret, sizeof(rsecret));
	return 0;
}

/* ---- client secret hashes ---- */

struct scrypt_params {
	unsigned long n, r, p;
	unsigned char salt[SCRYPT_SALT_LEN];
	unsigned char hash[SCRYPT_HASH_LEN];
};

static int scrypt_run(const char *secret, const struct scrypt_params *sp,
                      unsigned char out[SCRYPT_HASH_LEN])
{
	return EVP_PBE_scrypt(secret, strlen(secret), sp->salt, sizeof(sp->salt), sp->n, sp->r,
	                      sp->p, SCRYPT_MAXMEM, out, SCRYPT_HASH_LEN) == 1
	               ? 0
	               : -1;
}

int secret_hash(const char *secret, char out[SECRET_HASH_MAX])
{
	struct scrypt_params sp = {.n = SCRYPT_N, .r = SCRYPT_R, .p = SCRYPT_P};
	char salt[4 * ((SCRYPT_SALT_LEN + 2) / 3) + 1];
	char hash[4 * ((SCRYPT_HASH_LEN + 2) / 3) + 1];
	int n;

	if (!secret || RAND_bytes(sp.salt, sizeof(sp.salt)) != 1 ||
	    scrypt_run(secret, &sp, sp.hash))
		return -1;
	base64_encode(sp.salt, sizeof(sp.salt), salt, 0);
	base64_encode(sp.hash, sizeof(sp.hash), hash, 0);
	n = snprintf(out, SECRET_HASH_MAX, "scrypt$%lu$%lu$%lu$%s$%s", sp.n, sp.r, sp.p, salt,
	             hash);
	OPENSSL_cleanse(&sp, sizeof(sp));
	return n > 0 && n < SECRET_HASH_MAX ? 0 : -1;
}

/* Decimal without sign or leading zero, 1..max. */
static int parse_param(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 7 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits "scrypt$N$r$p$salt$hash" into its six fields; -1 unless there are exactly six. */
static int split_fields(const char *s, const char *f[6], size_t len[6])
{
	for (int i = 0; i < 6; i++) {
		size_t n = strcspn(s, "$");

		f[i] = s;
		len[i] = n;
		s += n;
		if (i < 5 && *s++ != '$')
			return -1;
	}
	return *s ? -1 : 0;
}

static int scrypt_parse(const char *stored, struct scrypt_params *sp)
{
	const char *f[6];
	size_t len[6];

	if (strlen(stored) >= SECRET_HASH_MAX || split_fields(stored, f, len) || len[0] != 6 ||
	    memcmp(f[0], "scrypt", 6) != 0)
		return -1;
	if (parse_param(f[1], len[1], SCRYPT_NR_MAX, &sp->n) ||
	    parse_param(f[2], len[2], SCRYPT_R_MAX, &sp->r) ||
	    parse_param(f[3], len[3], SCRYPT_P_MAX, &sp->p))
		return -1;
	/* N a power of two; N * r bounds the memory, p the time. */
	if (sp->n < SCRYPT_N_MIN || (sp->n & (sp->n - 1)) || sp->n * sp->r > SCRYPT_NR_MAX)
		return -1;
	if (base64_decode(f[4], len[4], sp->salt, sizeof(sp->salt), 0) != SCRYPT_SALT_LEN ||
	    base64_decode(f[5], len[5], sp->hash, sizeof(sp->hash), 0) != SCRYPT_HASH_LEN)
		return -1;
	return 0;
}

int secret_verify(const char *secret, const char *stored)
{
	struct scrypt_params sp;
	unsigned char got[SCRYPT_HASH_LEN];
	int known = secret && stored && scrypt_parse(stored, &sp) == 0;
	int match;

	if (!known) {
		/* Same cost as a real check, so a miss does not show in the timing. */
		memset(&sp, 0, sizeof(sp));
		sp.n = SCRYPT_N;
		sp.r = SCRYPT_R;
		sp.p = SCRYPT_P;
	}
	if (scrypt_run(secret ? secret : "", &sp, got))
		return 0;
	match = known && CRYPTO_memcmp(got, sp.hash, sizeof(got)) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return match;
}
