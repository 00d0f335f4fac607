/*
 * api_err: filling the caller's error struct.
 *
 * Everything is copied into the struct's fixed buffers with snprintf, so a
 * long text is cut, never overflowed.  A cut can land inside a multi-byte
 * UTF-8 sequence; the partial sequence is then removed, because the JSON
 * writer refuses invalid UTF-8 and the error envelope must always render.
 * For the same reason any other invalid byte becomes '?': a message may
 * quote client bytes (jansson's parse error quotes the body near the
 * fault, cut inside a character; found by tests/fuzz).
 * Details keep their insertion order; those past API_ERR_MAX_DETAILS are
 * only counted in `dropped`.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api_err.h"
#include "db.h"

/* Bytes a UTF-8 sequence with this lead byte claims; 0 for a continuation byte. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc0)
		return 0;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* After a cut to len bytes, drop a trailing sequence the cut left incomplete. */
static void utf8_trim_cut(char *s, size_t len)
{
	size_t i = len;
	size_t back = 0;

	while (i > 0 && back < 4) {
		i--;
		back++;
		if (utf8_seq_len((unsigned char)s[i]) != 0)
			break;
	}
	if (i + utf8_seq_len((unsigned char)s[i]) > len)
		s[i] = '\0';
}

/* Bytes of the well-formed UTF-8 sequence at s (jansson's rules), 0 if there is none. */
static size_t utf8_valid_len(const unsigned char *s)
{
	size_t n = utf8_seq_len(s[0]);
	uint32_t cp;

	if (n <= 1)
		return n;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	cp = s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Replaces each byte that is not part of valid UTF-8 with '?'. */
static void utf8_scrub(char *s)
{
	size_t i = 0;

	while (s[i]) {
		size_t n = utf8_valid_len((const unsigned char *)s + i);

		if (n == 0)
			s[i++] = '?';
		else
			i += n;
	}
}

/* snprintf's result n for a buffer of size bytes: trim if it was cut, then scrub. */
static void fix_cut(char *buf, size_t size, int n)
{
	if (n >= 0 && (size_t)n >= size)
		utf8_trim_cut(buf, size - 1);
	utf8_scrub(buf);
}

static void copy_text(char *dst, size_t size, const char *src)
{
	fix_cut(dst, size, snprintf(dst, size, "%s", src ? src : ""));
}

void api_err_clear(struct api_err *err)
{
	if (!err)
		return;
	err->status = 0;
	err->code = NULL;
	err->message[0] = '\0';
	err->ndetails = 0;
	err->dropped = 0;
}

void api_err_set(struct api_err *err, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || err->status != 0)
		return;
	err->status = status;
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	if (n < 0)
		err->message[0] = '\0';
	fix_cut(err->message, sizeof(err->message), n);
}

void api_err_detail(struct api_err *err, const char *field, const char *code, const char *parameter,
                    const char *message)
{
	struct api_err_detail *d;

	if (!err)
		return;
	if (err->status == 0)
		api_err_set(err, 400, "VALIDATION_FAILED", "Request validation failed");
	if (err->ndetails >= API_ERR_MAX_DETAILS) {
		err->dropped++;
		return;
	}
	d = &err->details[err->ndetails++];
	copy_text(d->field, sizeof(d->field), field);
	copy_text(d->code, sizeof(d->code), code);
	copy_text(d->parameter, sizeof(d->parameter), parameter);
	copy_text(d->message, sizeof(d->message), message);
}

void api_err_db(struct api_err *err, int db_rc)
{
	if (db_rc == DB_UNAVAILABLE)
		api_err_set(err, 503, "SERVICE_UNAVAILABLE",
		            "The database is unavailable; retry later");
	else if (db_rc == DB_UNCONFIRMED) /* the client changed while the request ran */
		api_err_set(err, 503, "SERVICE_UNAVAILABLE", "Please retry the request");
	else
		api_err_set(err, 500, "INTERNAL_ERROR", "Internal error; see the service log");
}
