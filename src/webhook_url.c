/*
 * webhook_url: libcurl's URL parser (the one the deliverer's requests
 * go through) splits the URL, so what is checked here is the host libcurl
 * will connect to.  IP literals resolve to themselves.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "net_policy.h"
#include "webhook_url.h"

/* The first refused address of host, described into why; 0 if all pass, -1 otherwise. */
static int host_check(const char *host, int allow_private, char *why, size_t whylen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *i;
	char text[INET6_ADDRSTRLEN];
	int rc = 0;

	if (getaddrinfo(host, NULL, &hints, &res) != 0) {
		snprintf(why, whylen, "host does not resolve");
		return -1;
	}
	for (i = res; i && rc == 0; i = i->ai_next) {
		enum net_class c = net_policy_check(i->ai_addr, allow_private);
		const void *a = i->ai_family == AF_INET6
		                        ? (const void *)&((struct sockaddr_in6 *)(void *)i->ai_addr)
		                                  ->sin6_addr
		                        : (const void *)&((struct sockaddr_in *)(void *)i->ai_addr)
		                                  ->sin_addr;

		if (c == NET_ALLOWED)
			continue;
		if (!inet_ntop(i->ai_family, a, text, sizeof(text)))
			strcpy(text, "?");
		snprintf(why, whylen, "resolves to a %s address (%s)", net_class_name(c), text);
		rc = -1;
	}
	freeaddrinfo(res);
	return rc;
}

/* scheme, host and user of the URL; -1 with why when it is not one we take. */
static int url_parts(CURLU *u, const char *url, char **host, char *why, size_t whylen)
{
	char *scheme = NULL, *user = NULL;
	int rc = -1;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		snprintf(why, whylen, "not a URL");
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	         strcmp(scheme, "https") != 0)
		snprintf(why, whylen, "must be https");
	else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		snprintf(why, whylen, "must not carry user information");
	else if (curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		snprintf(why, whylen, "has no host");
	else
		rc = 0;
	curl_free(scheme);
	curl_free(user);
	return rc;
}

int webhook_url_check(const char *url, int allow_private, char *why, size_t whylen)
{
	CURLU *u;
	char *host = NULL;
	size_t n;
	int rc = -1;

	if (strlen(url) > WEBHOOK_URL_MAX) {
		snprintf(why, whylen, "longer than %d characters", WEBHOOK_URL_MAX);
		return -1;
	}
	u = curl_url();
	if (!u) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (url_parts(u, url, &host, why, whylen) == 0) {
		n = strlen(host);
		if (n > 2 && host[0] == '[' && host[n - 1] == ']') { /* an IPv6 literal */
			host[n - 1] = '\0';
			rc = host_check(host + 1, allow_private, why, whylen);
		} else {
			rc = host_check(host, allow_private, why, whylen);
		}
	}
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}
