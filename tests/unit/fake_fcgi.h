/*
 * fake_fcgi.h: a FastCGI request in memory, for unit tests of the HTTP
 * layer.  libfcgi's FCGX_Stream is a public struct of buffer pointers and
 * two callbacks, so a stream over a byte array is the real library code
 * path (FCGX_PutStr, FCGX_GetStr, FCGX_GetParam), without a socket.
 *
 *   struct fake_fcgi f;  fake_fcgi_init(&f, env, body);
 *   ... request_init(&r, &f.req, ...) ... fake_fcgi_output(&f) ...
 */
#ifndef FAKE_FCGI_H
#define FAKE_FCGI_H

#include <fcgiapp.h>
#include <string.h>

#define FAKE_FCGI_OUT 65536
#define FAKE_FCGI_ENV 16

struct fake_fcgi {
	FCGX_Request req;
	FCGX_Stream in, out;
	char *env[FAKE_FCGI_ENV + 1];
	unsigned char outbuf[FAKE_FCGI_OUT + 1];
};

/* The body is all there is: the reader is at its end once it is read. */
static void fake_fcgi_fill(FCGX_Stream *s)
{
	s->isClosed = 1;
}

/* The output buffer is full: a write past it fails, as on a lost connection. */
static void fake_fcgi_empty(FCGX_Stream *s, int do_close)
{
	(void)do_close;
	s->isClosed = 1;
	s->FCGI_errno = -1;
}

/* env: "NAME=value" strings, NULL-terminated (borrowed); body may be NULL. */
static inline void fake_fcgi_init(struct fake_fcgi *f, const char *const *env, const char *body)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	for (; env && env[n] && n < FAKE_FCGI_ENV; n++)
		f->env[n] = (char *)env[n];
	f->in.isReader = 1;
	f->in.rdNext = f->in.stopUnget = (unsigned char *)(body ? body : "");
	f->in.stop = f->in.rdNext + strlen((const char *)f->in.rdNext);
	f->in.fillBuffProc = fake_fcgi_fill;
	f->out.wrNext = f->outbuf;
	f->out.stop = f->outbuf + FAKE_FCGI_OUT;
	f->out.emptyBuffProc = fake_fcgi_empty;
	f->req.in = &f->in;
	f->req.out = &f->out;
	f->req.envp = f->env;
	f->req.ipcFd = -1;
}

/* What was written so far, NUL-terminated (borrowed from f). */
static inline const char *fake_fcgi_output(struct fake_fcgi *f)
{
	*f->out.wrNext = '\0';
	return (const char *)f->outbuf;
}

#endif
