/*
 * base64: RFC 4648 standard (with padding) and url-safe (without) codecs.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

/* Encodes n bytes; out needs 4 * ceil(n / 3) + 1 bytes.  Returns the length before the NUL. */
size_t base64_encode(const unsigned char *in, size_t n, char *out, int url);

/*
 * Decodes exactly len characters into out (at most max bytes).  Strict:
 * the standard alphabet needs canonical padding, url has none, and unused
 * trailing bits must be zero.  Returns the byte count or -1.
 */
long base64_decode(const char *in, size_t len, unsigned char *out, size_t max, int url);

#endif
