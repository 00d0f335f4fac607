/*
 * net_policy: which addresses a webhook may connect to (contract §13,
 * safety).  net_classify is pure: it names the forbidden class of one
 * address, following Svix's is_allowed and smokescreen's classifyAddr,
 * and looks inside the IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo).  net_policy_check
 * adds the host's own addresses (getifaddrs) and the operator's
 * relaxation for tests and private receivers.
 */
#ifndef NET_POLICY_H
#define NET_POLICY_H

#include <sys/socket.h>

enum net_class {
	NET_ALLOWED = 0,
	NET_UNSPECIFIED,   /* 0.0.0.0, :: */
	NET_THIS_NETWORK,  /* 0.0.0.0/8 */
	NET_LOOPBACK,      /* 127/8, ::1 */
	NET_PRIVATE,       /* RFC 1918, fc00::/7, fec0::/10, 64:ff9b:1::/48 */
	NET_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
	NET_CGNAT,         /* 100.64/10 */
	NET_BENCHMARKING,  /* 198.18/15, 2001:2::/48 */
	NET_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20 */
	NET_MULTICAST,     /* 224/4, ff00::/8 */
	NET_RESERVED, /* 240/4, 192.0.0/24, 192.88.99/24, 100::/64, 2001::/23 non-Teredo, ::/96 */
	NET_OWN_ADDRESS, /* one of this host's interface addresses */
	NET_NOT_IP,      /* neither AF_INET nor AF_INET6 */
};

/* "loopback", "private"... (static storage); "allowed" for NET_ALLOWED. */
const char *net_class_name(enum net_class c);

/* The class of one address (family from sa).  Pure. */
enum net_class net_classify(const struct sockaddr *sa);

/*
 * net_classify, then the host's own addresses.  allow_private relaxes
 * loopback, private, link-local, CGNAT and own addresses (the operator's
 * [webhooks] allow_private_addresses); every other class stays refused.
 */
enum net_class net_policy_check(const struct sockaddr *sa, int allow_private);

#endif
