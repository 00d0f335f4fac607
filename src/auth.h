/*
 * auth: what the handlers and the admin tool use of authentication, in
 * one include: scopes (scopes.h), client ids and secrets (secrets.h) and
 * access tokens (token.h).
 */
#ifndef AUTH_H
#define AUTH_H

#include "scopes.h"
#include "secrets.h"
#include "token.h"

#endif
