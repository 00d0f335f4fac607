/*
 * test_net_policy: every forbidden class, in IPv4 and in each IPv6 form
 * that embeds an IPv4 address, next to public addresses that must pass;
 * the host's own addresses (getifaddrs) and the operator's relaxation.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "net_policy.h"
#include "tap.h"

static enum net_class classify_text(const char *s, int policy, int allow_private)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (policy)
		return net_policy_check((struct sockaddr *)&ss, allow_private);
	return net_classify((struct sockaddr *)&ss);
}

static const struct {
	const char *addr;
	enum net_class want;
} cases[] = {
        {"0.0.0.0", NET_UNSPECIFIED},
        {"0.1.2.3", NET_THIS_NETWORK},
        {"10.0.0.1", NET_PRIVATE},
        {"172.16.0.1", NET_PRIVATE},
        {"172.31.255.255", NET_PRIVATE},
        {"172.32.0.1", NET_ALLOWED},
        {"192.168.1.1", NET_PRIVATE},
        {"100.64.0.1", NET_CGNAT},
        {"100.127.255.255", NET_CGNAT},
        {"100.128.0.1", NET_ALLOWED},
        {"127.0.0.1", NET_LOOPBACK},
        {"127.255.0.9", NET_LOOPBACK},
        {"169.254.169.254", NET_LINK_LOCAL},
        {"192.0.0.8", NET_RESERVED},
        {"192.0.2.1", NET_DOCUMENTATION},
        {"198.51.100.7", NET_DOCUMENTATION},
        {"203.0.113.9", NET_DOCUMENTATION},
        {"192.88.99.1", NET_RESERVED},
        {"198.18.0.1", NET_BENCHMARKING},
        {"198.19.255.1", NET_BENCHMARKING},
        {"198.20.0.1", NET_ALLOWED},
        {"224.0.0.1", NET_MULTICAST},
        {"239.255.255.250", NET_MULTICAST},
        {"240.0.0.1", NET_RESERVED},
        {"255.255.255.255", NET_RESERVED},
        {"8.8.8.8", NET_ALLOWED},
        {"93.184.216.34", NET_ALLOWED},
        {"::", NET_UNSPECIFIED},
        {"::1", NET_LOOPBACK},
        {"::127.0.0.1", NET_RESERVED},
        {"::ffff:127.0.0.1", NET_LOOPBACK},
        {"::ffff:10.1.2.3", NET_PRIVATE},
        {"::ffff:169.254.169.254", NET_LINK_LOCAL},
        {"::ffff:8.8.8.8", NET_ALLOWED},
        {"64:ff9b::7f00:1", NET_LOOPBACK},
        {"64:ff9b::a00:1", NET_PRIVATE},
        {"64:ff9b::808:808", NET_ALLOWED},
        {"64:ff9b:1::1", NET_PRIVATE},
        {"2002:7f00:1::1", NET_LOOPBACK},
        {"2002:c0a8:101::1", NET_PRIVATE},
        {"2002:808:808::1", NET_ALLOWED},
        {"2001:0:7f00:1::1", NET_LOOPBACK},            /* Teredo server 127.0.0.1 */
        {"2001:0:808:808:0:0:f5ff:fffe", NET_PRIVATE}, /* Teredo client ~ = 10.0.0.1 */
        {"2001:0:808:808:0:0:f7f7:f7f7", NET_ALLOWED}, /* client 8.8.8.8 */
        {"2001:db8::1", NET_DOCUMENTATION},
        {"3fff::1", NET_DOCUMENTATION},
        {"2001:2::1", NET_BENCHMARKING},
        {"2001:10::1", NET_RESERVED},
        {"100::1", NET_RESERVED},
        {"fc00::1", NET_PRIVATE},
        {"fd12:3456::1", NET_PRIVATE},
        {"fe80::1", NET_LINK_LOCAL},
        {"febf::1", NET_LINK_LOCAL},
        {"fec0::1", NET_PRIVATE},
        {"ff02::1", NET_MULTICAST},
        {"2606:4700:4700::1111", NET_ALLOWED},
        {"2a00:1450:4001::1", NET_ALLOWED},
};

static void test_classes(void)
{
	char name[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "%s is %s", cases[i].addr,
		         net_class_name(cases[i].want));
		is_int(classify_text(cases[i].addr, 0, 0), cases[i].want, name);
	}
}

/* Each of the host's addresses is refused, by its class or as our own. */
static void test_own_addresses(void)
{
	struct ifaddrs *list, *i;
	int refused = 1, n = 0;

	if (getifaddrs(&list)) {
		ok(0, "getifaddrs");
		return;
	}
	for (i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		n++;
		refused &= net_policy_check(i->ifa_addr, 0) != NET_ALLOWED;
	}
	freeifaddrs(list);
	ok(n > 0 && refused, "every interface address of this host is refused");
}

static void test_relaxation(void)
{
	is_int(classify_text("127.0.0.1", 1, 1), NET_ALLOWED,
	       "allow_private lets loopback through");
	is_int(classify_text("10.0.0.1", 1, 1), NET_ALLOWED, "allow_private lets RFC 1918 through");
	is_int(classify_text("::ffff:127.0.0.1", 1, 1), NET_ALLOWED, "and its mapped form");
	is_int(classify_text("127.0.0.1", 1, 0), NET_LOOPBACK, "without it loopback is refused");
	is_int(classify_text("224.0.0.1", 1, 1), NET_MULTICAST, "multicast stays refused");
	is_int(classify_text("0.0.0.0", 1, 1), NET_UNSPECIFIED, "unspecified stays refused");
	is_int(classify_text("192.0.2.1", 1, 1), NET_DOCUMENTATION, "documentation stays refused");
	is_int(classify_text("240.0.0.1", 1, 1), NET_RESERVED, "240/4 stays refused");
	is_int(classify_text("8.8.8.8", 1, 0), NET_ALLOWED, "a public address passes the policy");
}

static void test_not_ip(void)
{
	struct sockaddr sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	is_int(net_classify(&sa), NET_NOT_IP, "a unix address is not an IP address");
	is_str(net_class_name(NET_CGNAT), "shared address space (CGNAT)", "class names");
}

int main(void)
{
	test_classes();
	test_own_addresses();
	test_relaxation();
	test_not_ip();
	return done_testing();
}
