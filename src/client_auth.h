/*
 * client_auth: who is asking.  The bearer token is verified (signature,
 * time, issuer), the client is looked up so that a disabled client is
 * refused at once and the partner comes from the database rather than
 * from the token, and the route's scope is checked.
 *
 * A worker that has read the client before may let the request run
 * unconfirmed (r->client_unconfirmed): the statement that answers it
 * checks the client (struct client_check in db_customers.h), which saves
 * a round trip on every request.  Whatever such a request answers other
 * than success must first call client_auth_confirm, so that a disabled
 * client still gets 401 before anything else.
 */
#ifndef CLIENT_AUTH_H
#define CLIENT_AUTH_H

#include "request.h"

/*
 * Admits r for a route needing scope: sets r->partner_id, client_id,
 * scopes and route_scope.  0, or -1 with r->err the 401, 403 or 503.
 */
int client_auth_admit(struct request *r, unsigned scope);

/*
 * For an unconfirmed request, reads the client now.  0 when it still
 * grants the request, with the same partner; else -1 with r->err replaced
 * by the 401, 403 or 503.  0 at once for a confirmed request.
 */
int client_auth_confirm(struct request *r);

#endif
