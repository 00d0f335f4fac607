/*
 * listen: the FastCGI listen socket, a unix path or host:port.
 */
#ifndef LISTEN_H
#define LISTEN_H

/*
 * Binds and listens on addr ("/run/x.sock" or "127.0.0.1:9000" or
 * "[::1]:9000"); a unix socket gets `mode`.  Returns the fd, or -1 with
 * a message in errbuf.
 */
int listen_open(const char *addr, unsigned mode, unsigned backlog, char *errbuf, size_t errlen);

/* 1 if fd 0 is a listening socket handed to us (lighttpd bin-path, spawn-fcgi). */
int listen_inherited(void);

#endif
