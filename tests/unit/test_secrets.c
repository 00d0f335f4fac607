/*
 * test_secrets: new client credentials and scrypt secret hashes, also
 * with parameters we never write and malformed stored hashes.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "secrets.h"
#include "tap.h"

static void test_credentials(void)
{
	char id[CLIENT_ID_MAX + 1], id2[CLIENT_ID_MAX + 1], secret[64], secret2[64];

	is_int(client_credentials_new(id, secret), 0, "client_credentials_new");
	is_int(client_credentials_new(id2, secret2), 0, "client_credentials_new again");
	is_int(strlen(id), 35, "client id length");
	ok(!strncmp(id, "cl_", 3) && strspn(id + 3, "0123456789abcdef") == 32,
	   "client id cl_ + hex");
	is_int(strlen(secret), 43, "secret length");
	is_int(strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	       43, "secret is base64url");
	ok(strcmp(id, id2) && strcmp(secret, secret2), "credentials are random");
}

/* A stored hash made here with EVP_PBE_scrypt, to test parameters we never write. */
static void make_stored(const char *secret, unsigned long n, unsigned long r, unsigned long p,
                        char *out, size_t outlen)
{
	static const unsigned char salt[16] = "0123456789abcdef";
	unsigned char hash[32];
	char salt64[32], hash64[48];

	if (EVP_PBE_scrypt(secret, strlen(secret), salt, 16, n, r, p, 64u << 20, hash, 32) != 1) {
		snprintf(out, outlen, "scrypt failed");
		return;
	}
	EVP_EncodeBlock((unsigned char *)salt64, salt, 16);
	EVP_EncodeBlock((unsigned char *)hash64, hash, 32);
	snprintf(out, outlen, "scrypt$%lu$%lu$%lu$%s$%s", n, r, p, salt64, hash64);
}

static void test_secret_params(void)
{
	static const struct {
		unsigned long n, r, p;
		int want;
	} cases[] = {
	        {1024, 1, 1, 1},  /* N at its minimum */
	        {512, 1, 1, 0},   /* N below */
	        {1024, 1, 4, 1},  /* p at its maximum */
	        {1024, 1, 5, 0},  /* p above */
	        {1024, 32, 1, 1}, /* r at its maximum */
	        {1024, 33, 1, 0}, /* r above */
	        {32768, 4, 1, 1}, /* N * r at the 16 MiB cap */
	        {32768, 8, 1, 0}, /* 32 MiB: refused before any work */
	};
	char stored[SECRET_HASH_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96];

		make_stored("pw", cases[i].n, cases[i].r, cases[i].p, stored, sizeof(stored));
		snprintf(name, sizeof(name), "secret_verify N=%lu r=%lu p=%lu", cases[i].n,
		         cases[i].r, cases[i].p);
		is_int(secret_verify("pw", stored), cases[i].want, name);
	}
}

static void test_secret_malformed(const char *good)
{
	static const char *const bad[] = {
	        "",
	        "scrypt",
	        "bcrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16383$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$1048576$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$016384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$+16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16384$0$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16384$8$0$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2Rl$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	        "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA",
	        "scrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
	        "scrypt$16384$8$MDEyMzQ1Njc4OWFiY2RlZg==$"
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	char copy[SECRET_HASH_MAX + 8];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "secret_verify malformed #%zu", i);
		is_int(secret_verify("pw", bad[i]), 0, name);
	}
	/* The right hash with one field spoiled. */
	snprintf(copy, sizeof(copy), "%s", good);
	copy[strlen(copy) - 2] = '*';
	is_int(secret_verify("right", copy), 0, "secret_verify: bad base64 in hash");
	snprintf(copy, sizeof(copy), "%s ", good);
	is_int(secret_verify("right", copy), 0, "secret_verify: trailing space");
}

static void test_secret(void)
{
	char h1[SECRET_HASH_MAX], h2[SECRET_HASH_MAX];

	is_int(secret_hash("right", h1), 0, "secret_hash");
	is_int(secret_hash("right", h2), 0, "secret_hash again");
	ok(!strncmp(h1, "scrypt$16384$8$1$", 17), "hash format prefix");
	is_int(strlen(h1), 17 + 24 + 1 + 44, "hash length (16-byte salt, 32-byte hash)");
	ok(strcmp(h1, h2) != 0, "hashes are salted");
	is_int(secret_verify("right", h1), 1, "right secret");
	is_int(secret_verify("right", h2), 1, "right secret, other salt");
	is_int(secret_verify("wrong", h1), 0, "wrong secret");
	is_int(secret_verify("", h1), 0, "empty secret");
	is_int(secret_verify("righ", h1), 0, "prefix of the secret");
	is_int(secret_verify("right", NULL), 0, "unknown client (NULL stored)");
	is_int(secret_verify(NULL, h1), 0, "NULL secret");
	is_int(secret_hash("", h2), 0, "hash of empty secret");
	is_int(secret_verify("", h2), 1, "empty secret verifies against its hash");
	test_secret_malformed(h1);
	test_secret_params();
}

int main(void)
{
	test_credentials();
	test_secret();
	return done_testing();
}
