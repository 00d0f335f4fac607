/*
 * keyring: the process's loaded keys: our signing key (HS256 from the
 * configured secret, or an RS256/ES256 PEM key), the external issuer's
 * JWKS and the map from its client ids to our OAuth clients.  The master
 * loads it with the configuration (and again on SIGHUP, keeping the old
 * one if the new files are bad) before it forks, so workers inherit it
 * and never read key files while serving.
 */
#ifndef KEYRING_H
#define KEYRING_H

#include <stddef.h>

#include "config.h"
#include "jwk.h"

#define KEYRING_MAP_MAX 256
#define KEYRING_ID_MAX 128

struct keyring {
	struct jwk signing; /* our key, of cfg->jwt_alg; alg JWS_ALG_UNKNOWN before keyring_load */
	struct jwks external; /* the external issuer's keys; empty when none is configured */
	size_t nmap;
	struct {
		char external[KEYRING_ID_MAX + 1]; /* the external token's client_id */
		char local[KEYRING_ID_MAX + 1];    /* our OAuth client it acts as */
	} map[KEYRING_MAP_MAX];
};

/* jwks_parse of the file at path (at most 1 MiB).  0, or -1 with err. */
int jwks_load(const char *path, struct jwks *out, char *err, size_t errlen);

/*
 * Loads the keys cfg names (jwt_secret or jwt_private_key_file, as
 * jwt_alg says; jwks_file, external_client_map_file) and makes them the
 * current keyring; on error the current one stays and -1 comes back with
 * a reason in err.
 */
int keyring_load(const struct config *cfg, char *err, size_t errlen);

/* The current keyring (borrowed; empty before keyring_load), never NULL. */
const struct keyring *keyring_current(void);

/* Our client id for an external client id (borrowed from ring), or NULL if unmapped. */
const char *keyring_local_client(const struct keyring *ring, const char *external);

#endif
