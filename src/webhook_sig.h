/*
 * webhook_sig: Standard Webhooks secrets and signatures.  A secret is
 * "whsec_" + base64 of 32 random bytes; the HMAC key is the DECODED bytes
 * (keying with the text is the common bug the spec warns of).  Pure but
 * for webhook_secret_new's random bytes.
 */
#ifndef WEBHOOK_SIG_H
#define WEBHOOK_SIG_H

#include <stddef.h>

#define WEBHOOK_KEY_LEN 32
#define WEBHOOK_SECRET_MAX 64 /* "whsec_" + 44 base64 + NUL fits */
#define WEBHOOK_SIG_MAX 52    /* "v1," + 44 base64 + NUL */

/* A new secret's text and its key bytes.  0, or -1 when the RNG fails. */
int webhook_secret_new(char text[WEBHOOK_SECRET_MAX], unsigned char key[WEBHOOK_KEY_LEN]);

/* "whsec_<base64>" -> key bytes (at most max); their count, or -1 if malformed. */
long webhook_secret_decode(const char *text, unsigned char *key, size_t max);

/*
 * "v1,<base64 HMAC-SHA256(key, id "." ts "." body)>" into out.  0, or -1
 * when the HMAC fails.
 */
int webhook_sign(const unsigned char *key, size_t keylen, const char *id, long long ts,
                 const char *body, size_t bodylen, char out[WEBHOOK_SIG_MAX]);

#endif
