/*
 * fuzz_headers: the request headers the service reads, each given the
 * same input: Authorization (bearer_token), Requestor-ID
 * (validate_uuid_header), If-Match (if_match_parse) and X-Request-ID
 * (request_id_sane).
 *
 * Properties: a bearer token found lies inside the header and holds only
 * token characters; an accepted Requestor-ID formats back to the
 * lower-case of its input; If-Match is "*" with no versions or at most
 * IF_MATCH_MAX versions, each of which it allows; an accepted request id
 * is 1-64 safe characters (it is echoed in a response header, so no CR,
 * LF or quote may pass).
 */
#include <ctype.h>
#include <stdint.h>

#include "auth.h"
#include "fuzz_common.h"
#include "if_match.h"
#include "validate.h"

static void check_bearer(const char *h)
{
	const char *tok = bearer_token(h);
	size_t n;

	if (!tok)
		return;
	FUZZ_ASSERT(tok > h && tok < h + strlen(h));
	n = strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
	FUZZ_ASSERT(n > 0 && tok[n + strspn(tok + n, " ")] == '\0');
}

static void check_requestor(const char *h)
{
	char text[UUID_STR_LEN + 1];
	struct api_err err;
	struct uuid u;
	int present, rc;

	api_err_clear(&err);
	rc = validate_uuid_header("Requestor-ID", h, 1, &present, &u, &err);
	fuzz_check_err(&err, rc < 0);
	FUZZ_ASSERT(present == 1);
	if (rc != 0)
		return;
	uuid_format(&u, text);
	FUZZ_ASSERT(strlen(h) == UUID_STR_LEN);
	for (size_t i = 0; i < UUID_STR_LEN; i++)
		FUZZ_ASSERT(text[i] == tolower((unsigned char)h[i]));
}

static void check_request_id(const char *h)
{
	size_t n = strlen(h);

	if (!request_id_sane(h))
		return;
	FUZZ_ASSERT(n >= 1 && n <= 64);
	FUZZ_ASSERT(
	        strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
	        n);
}

static void check_if_match(const char *h)
{
	struct if_match m;
	int v;

	FUZZ_ASSERT(if_match_parse(h, &m) == &m);
	FUZZ_ASSERT(m.n <= IF_MATCH_MAX && (!m.any || m.n == 0));
	for (size_t i = 0; i < m.n; i++)
		FUZZ_ASSERT(if_match_allows(&m, m.version[i]));
	v = if_match_allows(&m, 7);
	FUZZ_ASSERT(v == 0 || v == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_cstr(data, size);

	check_bearer(h);
	check_requestor(h);
	check_if_match(h);
	check_request_id(h);
	free(h);
	return 0;
}
