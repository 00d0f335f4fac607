/*
 * keyring: the process global of loaded keys, like the metrics mapping:
 * the master loads it before forking and the workers only read it.  A
 * load builds a fresh keyring beside the current one and swaps it in only
 * when every file was good, so a bad SIGHUP leaves the service as it was.
 * Our signing key is always one struct jwk of cfg->jwt_alg: the HS256
 * secret or the PEM key, never both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring.h"

#define FILE_MAX (1024 * 1024)

static struct keyring current;

/* The whole file into a malloc'd buffer; NULL with err. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	char *buf = fp ? malloc(FILE_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, FILE_MAX + 1, fp) : 0;

	if (!fp || !buf || ferror(fp) || n > FILE_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
			         !fp            ? "cannot open"
			         : n > FILE_MAX ? "larger than 1 MiB"
			                        : "read error");
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	if (fp)
		fclose(fp);
	return buf;
}

int jwks_load(const char *path, struct jwks *out, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = slurp(path, &len, err, errlen);
	char why[192];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -1;
	rc = jwks_parse(text, len, out, why, sizeof(why));
	if (rc && err && errlen)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return rc;
}

/* ---- the keyring ---- */

#define BLANKS " \t"

/* Cuts the next blank-separated word at *p: the word (NUL-terminated), or NULL at the end. */
static char *next_word(char **p)
{
	char *w = *p + strspn(*p, BLANKS);
	size_t n = strcspn(w, BLANKS);

	*p = w + n;
	if (n == 0)
		return NULL;
	if (**p) {
		**p = '\0';
		(*p)++;
	}
	return w;
}

/* "external local" per line, '#' comments; -1 with err on a bad or repeated line. */
static int map_line(struct keyring *ring, char *line, int lineno, char *err, size_t errlen)
{
	char *p = line, *ext, *loc;

	line[strcspn(line, "#\r")] = '\0';
	ext = next_word(&p);
	loc = ext ? next_word(&p) : NULL;
	if (!ext)
		return 0;
	if (!loc || next_word(&p) || strlen(ext) > KEYRING_ID_MAX || strlen(loc) > KEYRING_ID_MAX ||
	    ring->nmap == KEYRING_MAP_MAX || keyring_local_client(ring, ext)) {
		if (err && errlen)
			snprintf(err, errlen,
			         "line %d: want \"external_client_id local_client_id\" "
			         "(unique, at most %d lines)",
			         lineno, KEYRING_MAP_MAX);
		return -1;
	}
	memcpy(ring->map[ring->nmap].external, ext, strlen(ext) + 1);
	memcpy(ring->map[ring->nmap].local, loc, strlen(loc) + 1);
	ring->nmap++;
	return 0;
}

static int map_load(struct keyring *ring, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = slurp(path, &len, err, errlen);
	char *line = text, *nl, why[160];
	int lineno = 0, rc = text ? 0 : -1;

	for (; rc == 0 && line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		rc = map_line(ring, line, ++lineno, why, sizeof(why));
		if (rc && err && errlen)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	free(text);
	return rc;
}

static void keyring_release(struct keyring *ring)
{
	jwk_release(&ring->signing);
	jwks_release(&ring->external);
	memset(ring, 0, sizeof(*ring));
}

/* Our own key, as cfg->jwt_alg says. */
static int signing_load(const struct config *cfg, struct jwk *out, char *err, size_t errlen)
{
	enum jws_alg alg = jws_alg_parse(cfg->jwt_alg);

	if (alg == JWS_RS256 || alg == JWS_ES256)
		return jwk_load_private(cfg->jwt_private_key_file, alg, out, err, errlen);
	if (alg == JWS_HS256 && jwk_set_secret(out, cfg->jwt_secret, cfg->jwt_secret_len) == 0)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "jwt_alg %s: no usable key (jwt_secret: 1-%d bytes)",
		         cfg->jwt_alg, JWK_SECRET_MAX);
	return -1;
}

int keyring_load(const struct config *cfg, char *err, size_t errlen)
{
	static struct keyring fresh;
	int rc;

	memset(&fresh, 0, sizeof(fresh));
	rc = signing_load(cfg, &fresh.signing, err, errlen);
	if (rc == 0 && cfg->jwks_file[0])
		rc = jwks_load(cfg->jwks_file, &fresh.external, err, errlen);
	if (rc == 0 && cfg->external_client_map_file[0])
		rc = map_load(&fresh, cfg->external_client_map_file, err, errlen);
	if (rc) {
		keyring_release(&fresh);
		return -1;
	}
	keyring_release(&current);
	current = fresh;
	memset(&fresh, 0, sizeof(fresh));
	return 0;
}

const struct keyring *keyring_current(void)
{
	return &current;
}

const char *keyring_local_client(const struct keyring *ring, const char *external)
{
	for (size_t i = 0; external && i < ring->nmap; i++) {
		if (!strcmp(ring->map[i].external, external))
			return ring->map[i].local;
	}
	return NULL;
}
