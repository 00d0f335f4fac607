/*
 * base64: a strict codec for both alphabets.  Hand-written rather than
 * OpenSSL's EVP_DecodeBlock because that one skips white space, accepts
 * stray padding and non-zero trailing bits, so two spellings could decode
 * to the same bytes: for signed tokens and cursors every input must have
 * exactly one spelling.
 */
#include <string.h>

#include "base64.h"

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64_encode(const unsigned char *in, size_t n, char *out, int url)
{
	const char *alpha = url ? b64_url : b64_std;
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		size_t chunk = n - i < 3 ? n - i : 3;
		unsigned long v = (unsigned long)in[i] << 16;

		if (chunk > 1)
			v |= (unsigned long)in[i + 1] << 8;
		if (chunk > 2)
			v |= in[i + 2];
		for (size_t k = 0; k < 4; k++) {
			if (k <= chunk)
				out[o++] = alpha[(v >> (18 - 6 * k)) & 63];
			else if (!url)
				out[o++] = '=';
		}
	}
	out[o] = '\0';
	return o;
}

long base64_decode(const char *in, size_t len, unsigned char *out, size_t max, int url)
{
	const char *alpha = url ? b64_url : b64_std;
	unsigned long acc = 0;
	size_t o = 0, pad = 0;
	int bits = 0;

	if (!url) {
		if (len % 4)
			return -1;
		while (pad < 2 && len > 0 && in[len - 1] == '=') {
			len--;
			pad++;
		}
	}
	if (len % 4 == 1 || (!url && pad != (4 - len % 4) % 4))
		return -1;
	for (size_t i = 0; i < len; i++) {
		const char *p = in[i] ? strchr(alpha, in[i]) : NULL;

		if (!p)
			return -1;
		acc = ((acc << 6) | (unsigned long)(p - alpha)) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= max)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (acc & ((1ul << bits) - 1))
		return -1;
	return (long)o;
}
