/*
 * listen: opens the socket the web server talks FastCGI to.  We bind it
 * ourselves rather than through FCGX_OpenSocket so that the unix socket's
 * mode is set before anyone can connect, SO_REUSEADDR is on for TCP, and
 * errors come back as text instead of a bare -1.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

static int listen_unix(const char *path, unsigned mode, unsigned backlog, char *errbuf,
                       size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof(sa.sun_path)) {
		snprintf(errbuf, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* A stale socket from a killed run would make bind fail with EADDRINUSE. */
	if (unlink(path) < 0 && errno != ENOENT)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (chmod(path, mode) < 0 || listen(fd, (int)backlog) < 0)
		goto fail;
	return fd;
fail:
	snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Splits "host:port" / "[v6]:port" into host and port strings in buf. */
static int split_host_port(const char *addr, char *buf, size_t cap, const char **host,
                           const char **port)
{
	size_t len = strlen(addr);
	char *colon;

	if (len >= cap)
		return -1;
	memcpy(buf, addr, len + 1);
	colon = strrchr(buf, ':');
	if (!colon || colon[1] == '\0')
		return -1;
	*colon = '\0';
	*port = colon + 1;
	*host = buf;
	if (buf[0] == '[' && colon > buf && colon[-1] == ']') {
		colon[-1] = '\0';
		*host = buf + 1;
	}
	if (**host == '\0')
		*host = NULL;
	return 0;
}

static int listen_tcp(const char *addr, unsigned backlog, char *errbuf, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *ai = NULL;
	const char *host, *port;
	char buf[256];
	int fd = -1, one = 1, rc;

	if (split_host_port(addr, buf, sizeof(buf), &host, &port) < 0) {
		snprintf(errbuf, errlen, "listen address is neither a path nor host:port: %s",
		         addr);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(errbuf, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, (int)backlog) < 0) {
		snprintf(errbuf, errlen, "%s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int listen_open(const char *addr, unsigned mode, unsigned backlog, char *errbuf, size_t errlen)
{
	if (addr[0] == '/')
		return listen_unix(addr, mode, backlog, errbuf, errlen);
	return listen_tcp(addr, backlog, errbuf, errlen);
}

int listen_inherited(void)
{
	int type = 0, acc = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
		return 0;
	len = sizeof(acc);
	return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc;
}
