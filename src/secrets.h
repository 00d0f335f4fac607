/*
 * secrets: OAuth client credentials: client ids, new random credentials,
 * and client secrets stored as salted scrypt hashes (OpenSSL).
 */
#ifndef SECRETS_H
#define SECRETS_H

#include <stddef.h>

#define CLIENT_ID_MAX 64
#define SECRET_HASH_MAX 160

/* 1 if s can be a client id: 1-64 of [A-Za-z0-9_-]. */
int client_id_valid(const char *s);

/* n random bytes as 2n lowercase hex digits and a NUL into out (caller's). 0 or -1. */
int random_hex(size_t n, char *out);

/* New random client id ("cl_" + 32 hex) and secret (43 base64url chars). 0 or -1. */
int client_credentials_new(char id[CLIENT_ID_MAX + 1], char secret[64]);

/* "scrypt$N$r$p$salt_b64$hash_b64" into out. 0 or -1. */
int secret_hash(const char *secret, char out[SECRET_HASH_MAX]);

/*
 * 1 if secret matches stored, else 0.  stored NULL (unknown client) still
 * costs one scrypt so that timing does not tell which client ids exist.
 * The final comparison is constant-time.
 */
int secret_verify(const char *secret, const char *stored);

#endif
