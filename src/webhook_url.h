/*
 * webhook_url: is this a URL a webhook may have (contract §13, safety)?
 * https, a host, no user info, at most 2048 characters; and every address
 * the host resolves to (getaddrinfo) passes net_policy_check.  The same
 * check runs again for every connection the deliverer makes (deliver.c),
 * so this one is the early, explainable refusal, not the only gate.
 */
#ifndef WEBHOOK_URL_H
#define WEBHOOK_URL_H

#include <stddef.h>

#define WEBHOOK_URL_MAX 2048

/*
 * 0 if url may be registered; else -1 with a short reason (static or in
 * why[whylen]): "must be https", "resolves to a loopback address
 * (127.0.0.1)", "host does not resolve".
 */
int webhook_url_check(const char *url, int allow_private, char *why, size_t whylen);

#endif
