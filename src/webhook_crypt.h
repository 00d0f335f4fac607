/*
 * webhook_crypt: webhook signing secrets at rest.  The 32 key bytes are
 * sealed with AES-256-GCM (OpenSSL EVP) under a key derived by HKDF-SHA256
 * from the configuration's cursor secret, with the subscription's id as
 * associated data.  A sealed secret is nonce (12) | ciphertext (32) | tag
 * (16).  So a dump of the database yields no secret, and a sealed value
 * moved to another row does not open.
 */
#ifndef WEBHOOK_CRYPT_H
#define WEBHOOK_CRYPT_H

#include <stddef.h>

#include "uuid.h"
#include "webhook_sig.h"

#define WEBHOOK_SEALED_LEN (12 + WEBHOOK_KEY_LEN + 16)

/* The sealing key from the configuration's secret bytes.  0 or -1. */
int webhook_crypt_key(const unsigned char *secret, size_t len, unsigned char out[32]);

/* Seals key for the subscription id.  0, or -1 (RNG or cipher failure). */
int webhook_seal(const unsigned char kek[32], const struct uuid *id,
                 const unsigned char key[WEBHOOK_KEY_LEN], unsigned char out[WEBHOOK_SEALED_LEN]);

/* Opens a sealed value of len bytes; -1 if it is not one sealed for id under kek. */
int webhook_open(const unsigned char kek[32], const struct uuid *id, const unsigned char *in,
                 size_t len, unsigned char key[WEBHOOK_KEY_LEN]);

#endif
