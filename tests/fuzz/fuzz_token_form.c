/*
 * fuzz_token_form: what POST /oauth2/token parses before any secret is
 * checked: the form body (parse_form), the HTTP Basic credentials
 * (basic_credentials) and the requested scope (granted_scopes).  They are
 * static in h_token.c, so the harness includes that file and stubs the
 * request, response and database calls it does not reach.
 *
 * Input: the Authorization header value, a newline, the form body.
 * Properties: parsed values are NUL-terminated strings inside the buffers
 * they came from; granted scopes are a non-empty subset of the client's.
 */
#include <stdint.h>

#include "../../src/h_token.c"
#include "fuzz_common.h"

/* ---- stubs: h_token() itself is not called ---- */
int request_read_body(struct request *r, const char *type)
{
	(void)r;
	(void)type;
	abort();
}

const char *request_param(const struct request *r, const char *name)
{
	(void)r;
	(void)name;
	abort();
}

void response_error(struct request *r, const json_t *extra)
{
	(void)r;
	(void)extra;
	abort();
}

void response_json(struct request *r, int status, const json_t *body, const char *const *headers)
{
	(void)r;
	(void)status;
	(void)body;
	(void)headers;
	abort();
}

void handler_internal_error(struct request *r, const char *fmt, ...)
{
	(void)r;
	(void)fmt;
	abort();
}

int db_client_get(struct db *db, const char *client_id, struct client_row *out)
{
	(void)db;
	(void)client_id;
	(void)out;
	abort();
}

/* ---- the harness ---- */

static void check_inside(const char *s, const char *buf, size_t cap)
{
	if (!s)
		return;
	FUZZ_ASSERT(s >= buf && s < buf + cap);
	FUZZ_ASSERT(memchr(s, '\0', cap - (size_t)(s - buf)) != NULL);
}

static void check_form(const char *body, size_t cap)
{
	static char copy[70000];
	struct token_form f;
	unsigned scopes;

	memcpy(copy, body, cap);
	if (parse_form(copy, &f) < 0)
		return;
	check_inside(f.grant_type, copy, cap);
	check_inside(f.client_id, copy, cap);
	check_inside(f.client_secret, copy, cap);
	check_inside(f.scope, copy, cap);
	if (granted_scopes(&f, SCOPE_READ, &scopes) == 0)
		FUZZ_ASSERT(scopes == SCOPE_READ);
	if (granted_scopes(&f, SCOPE_READ | SCOPE_WRITE, &scopes) == 0)
		FUZZ_ASSERT(scopes && !(scopes & ~(unsigned)(SCOPE_READ | SCOPE_WRITE)));
}

static void check_basic(const char *hdr)
{
	char buf[512];
	const char *id = NULL, *secret = NULL;
	int rc = basic_credentials(hdr, buf, sizeof(buf), &id, &secret);

	FUZZ_ASSERT(rc >= -1 && rc <= 1);
	if (rc != 1)
		return;
	check_inside(id, buf, sizeof(buf));
	check_inside(secret, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *nl;

	if (size > 65536)
		return 0; /* max_body */
	in = fuzz_cstr(data, size);
	nl = strchr(in, '\n');
	if (nl) {
		*nl = '\0';
		check_basic(in);
		check_form(nl + 1, strlen(nl + 1) + 1);
	} else {
		check_basic(in);
		check_form(in, strlen(in) + 1);
	}
	free(in);
	return 0;
}
