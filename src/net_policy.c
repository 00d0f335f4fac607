/*
 * net_policy: two prefix tables (IPv4 and IPv6) walked in order; the
 * IPv6 forms that carry an IPv4 address are unwrapped first, so that
 * ::ffff:127.0.0.1, 64:ff9b::7f00:1, 2002:7f00:1:: and a Teredo address
 * whose server or client is 10.0.0.1 get the class of the address they
 * embed.  The host's own addresses are read with getifaddrs at each
 * check: interfaces come and go, and a check costs one syscall next to a
 * DNS resolution and a TLS handshake.
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "net_policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct prefix {
	unsigned char net[16];
	unsigned bits;
	enum net_class cls;
};

static const struct prefix v4_prefixes[] = {
        {{0, 0, 0, 0}, 32, NET_UNSPECIFIED},
        {{0}, 8, NET_THIS_NETWORK},
        {{10}, 8, NET_PRIVATE},
        {{100, 64}, 10, NET_CGNAT},
        {{127}, 8, NET_LOOPBACK},
        {{169, 254}, 16, NET_LINK_LOCAL},
        {{172, 16}, 12, NET_PRIVATE},
        {{192, 0, 0}, 24, NET_RESERVED},
        {{192, 0, 2}, 24, NET_DOCUMENTATION},
        {{192, 88, 99}, 24, NET_RESERVED},
        {{192, 168}, 16, NET_PRIVATE},
        {{198, 18}, 15, NET_BENCHMARKING},
        {{198, 51, 100}, 24, NET_DOCUMENTATION},
        {{203, 0, 113}, 24, NET_DOCUMENTATION},
        {{224}, 4, NET_MULTICAST},
        {{240}, 4, NET_RESERVED},
};

/* After the embedded-IPv4 forms are unwrapped (see classify6). */
static const struct prefix v6_prefixes[] = {
        {{0}, 128, NET_UNSPECIFIED},
        {{[15] = 1}, 128, NET_LOOPBACK},
        {{0}, 96, NET_RESERVED}, /* IPv4-compatible, deprecated (RFC 4291) */
        {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, NET_PRIVATE}, /* local-use NAT64 */
        {{0x01, 0x00}, 64, NET_RESERVED},                        /* discard-only */
        {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, NET_BENCHMARKING},
        {{0x20, 0x01, 0x0d, 0xb8}, 32, NET_DOCUMENTATION},
        {{0x20, 0x01}, 23, NET_RESERVED}, /* IETF protocol assignments */
        {{0x3f, 0xff}, 20, NET_DOCUMENTATION},
        {{0xfc}, 7, NET_PRIVATE},
        {{0xfe, 0x80}, 10, NET_LINK_LOCAL},
        {{0xfe, 0xc0}, 10, NET_PRIVATE}, /* site-local, deprecated */
        {{0xff}, 8, NET_MULTICAST},
};

static const char *const class_names[] = {
        [NET_ALLOWED] = "allowed",
        [NET_UNSPECIFIED] = "unspecified",
        [NET_THIS_NETWORK] = "this network (0.0.0.0/8)",
        [NET_LOOPBACK] = "loopback",
        [NET_PRIVATE] = "private",
        [NET_LINK_LOCAL] = "link-local",
        [NET_CGNAT] = "shared address space (CGNAT)",
        [NET_BENCHMARKING] = "benchmarking",
        [NET_DOCUMENTATION] = "documentation",
        [NET_MULTICAST] = "multicast",
        [NET_RESERVED] = "reserved",
        [NET_OWN_ADDRESS] = "this host's own address",
        [NET_NOT_IP] = "not an IP address",
};

const char *net_class_name(enum net_class c)
{
	if ((unsigned)c >= ARRAY_SIZE(class_names))
		return "unknown";
	return class_names[c];
}

static int prefix_match(const unsigned char *a, const unsigned char *net, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, whole) != 0)
		return 0;
	if (!rest)
		return 1;
	return ((a[whole] ^ net[whole]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

static enum net_class lookup(const unsigned char *a, const struct prefix *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_match(a, t[i].net, t[i].bits))
			return t[i].cls;
	return NET_ALLOWED;
}

static enum net_class classify4(const unsigned char a[4])
{
	return lookup(a, v4_prefixes, ARRAY_SIZE(v4_prefixes));
}

static const unsigned char mapped_prefix[12] = {[10] = 0xff, [11] = 0xff};
static const unsigned char nat64_prefix[12] = {0x00, 0x64, 0xff, 0x9b};

/* Teredo (2001::/32): the server's IPv4 in bytes 4-7, the client's inverted in 12-15. */
static enum net_class classify_teredo(const unsigned char a[16])
{
	unsigned char client[4];
	enum net_class c = classify4(a + 4);

	if (c != NET_ALLOWED)
		return c;
	for (int i = 0; i < 4; i++)
		client[i] = (unsigned char)~a[12 + i];
	return classify4(client);
}

static enum net_class classify6(const unsigned char a[16])
{
	static const unsigned char teredo[4] = {0x20, 0x01, 0x00, 0x00};
	static const unsigned char six_to_four[2] = {0x20, 0x02};

	if (!memcmp(a, mapped_prefix, 12) || !memcmp(a, nat64_prefix, 12))
		return classify4(a + 12);
	if (!memcmp(a, six_to_four, 2))
		return classify4(a + 2);
	if (!memcmp(a, teredo, 4))
		return classify_teredo(a);
	return lookup(a, v6_prefixes, ARRAY_SIZE(v6_prefixes));
}

enum net_class net_classify(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return classify4((const unsigned char *)&in->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return classify6(in6->sin6_addr.s6_addr);
	}
	return NET_NOT_IP;
}

/* The address bytes of an AF_INET or AF_INET6 sockaddr, and their count (0 otherwise). */
static size_t addr_bytes(const struct sockaddr *sa, const unsigned char **out)
{
	if (sa->sa_family == AF_INET) {
		*out = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)
		               ->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*out = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		return 16;
	}
	return 0;
}

/* 1 if sa is one of this host's interface addresses; a failing getifaddrs counts as yes. */
static int own_address(const struct sockaddr *sa)
{
	struct ifaddrs *list, *i;
	const unsigned char *a = NULL, *b = NULL;
	size_t n = addr_bytes(sa, &a);
	int found = 0;

	if (getifaddrs(&list))
		return 1;
	for (i = list; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == sa->sa_family &&
		        addr_bytes(i->ifa_addr, &b) == n && !memcmp(a, b, n);
	freeifaddrs(list);
	return found;
}

static int relaxable(enum net_class c)
{
	return c == NET_LOOPBACK || c == NET_PRIVATE || c == NET_LINK_LOCAL || c == NET_CGNAT ||
	       c == NET_OWN_ADDRESS;
}

enum net_class net_policy_check(const struct sockaddr *sa, int allow_private)
{
	enum net_class c = net_classify(sa);

	if (c == NET_ALLOWED && own_address(sa))
		c = NET_OWN_ADDRESS;
	if (allow_private && relaxable(c))
		return NET_ALLOWED;
	return c;
}
