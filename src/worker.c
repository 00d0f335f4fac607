/*
 * worker: the request loop of one pool process.
 *
 * Stopping without dropping a request: SIGTERM/SIGINT stay blocked except
 * inside epoll_pwait()/ppoll(), where the worker waits for a request.  So a
 * stop signal can only land while the worker is idle, and a request that
 * was already accepted always gets its answer.  A wait that finds a request
 * ready returns with the mask restored and a pending signal undelivered, so
 * under steady load a stop would never land; the worker therefore looks at
 * its pending signals before it accepts.
 *
 * Each worker waits for the shared listen socket in an epoll set of its
 * own, with EPOLLEXCLUSIVE, so a new connection wakes one idle worker:
 * with poll() every idle worker woke for every connection and all but one
 * went back to sleep, which at 8 workers and a few connections in flight
 * cost each request several wake-ups.  The socket is non-blocking, so a
 * worker that still loses the race gets EAGAIN from FCGX_Accept_r and
 * waits again.  A connection the web server keeps open (FCGI_KEEP_CONN) is
 * waited on instead of the listen socket, since libfcgi reads the next
 * request from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "worker.h"

struct worker {
	const struct config *cfg;
	int listen_fd;
	int epoll_fd; /* holds listen_fd, EPOLLEXCLUSIVE; -1 until made */
	struct db *db;
	struct db_stats stats; /* last figures passed to metrics */
	char *body;
	FCGX_Request fcgi;
	int fcgi_ready; /* FCGX_InitRequest done: FCGX_Free may run */
	struct request req;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Blocks the stop signals; *wait gets the mask that lets them in (for the waits). */
static void block_stop_signals(sigset_t *wait)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigset_t stop;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, wait);
	sigdelset(wait, SIGTERM);
	sigdelset(wait, SIGINT);
}

static int stop_pending(void)
{
	sigset_t set;

	return sigpending(&set) == 0 &&
	       (sigismember(&set, SIGTERM) == 1 || sigismember(&set, SIGINT) == 1);
}

/*
 * 1 when a request may be waiting, 0 when the worker should stop.  A stop
 * that is pending leaves a new connection in the backlog for another
 * worker, but not a request the web server already sent on a kept one:
 * no other worker could answer that.
 */
static int wait_for_request(struct worker *w, const sigset_t *mask)
{
	int kept = w->fcgi.ipcFd >= 0;
	struct pollfd pfd = {.fd = w->fcgi.ipcFd, .events = POLLIN};
	struct epoll_event ev;

	while (!stop_requested) {
		int n = kept ? ppoll(&pfd, 1, NULL, mask)
		             : epoll_pwait(w->epoll_fd, &ev, 1, -1, mask);

		if (n > 0)
			return kept || !stop_pending();
		if (n < 0 && errno != EINTR) {
			log_error("waiting for a request: %s", strerror(errno));
			return 0;
		}
	}
	return 0;
}

static void report_db_stats(struct worker *w)
{
	struct db_stats now;

	db_get_stats(w->db, &now);
	if (now.errors != w->stats.errors || now.reconnects != w->stats.reconnects)
		metrics_db(now.errors - w->stats.errors, now.reconnects - w->stats.reconnects);
	if (now.events != w->stats.events)
		metrics_events_written(now.events - w->stats.events);
	w->stats = now;
}

static void serve_one(struct worker *w)
{
	struct request *r = &w->req;
	double started = clock_mono_seconds();

	if (request_init(r, &w->fcgi, w->cfg, w->db, w->body, w->cfg->max_body + 1) < 0)
		response_error(r, NULL);
	else
		router_dispatch(r);
	FCGX_Finish_r(&w->fcgi);
	metrics_request(r->route, r->status, clock_mono_seconds() - started);
	request_release(r);
	report_db_stats(w);
}

static int worker_init(struct worker *w, const struct config *cfg, int listen_fd, unsigned index)
{
	int flags = fcntl(listen_fd, F_GETFL);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};

	w->cfg = cfg;
	w->listen_fd = listen_fd;
	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0 || w->epoll_fd < 0 ||
	    epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) < 0) {
		log_error("listen socket: %s", strerror(errno));
		return -1;
	}
	w->body = malloc(cfg->max_body + 1);
	w->db = db_new(cfg);
	if (!w->body || !w->db || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&w->fcgi, listen_fd, 0) != 0) {
		log_error("worker init failed");
		return -1;
	}
	w->fcgi_ready = 1;
	db_prefer(w->db, index);
	db_split_writes(w->db);
	/* A database that is down now is not fatal: requests answer 503 until it is back. */
	db_connect(w->db);
	db_get_stats(w->db, &w->stats);
	return 0;
}

static void worker_shutdown(struct worker *w)
{
	if (w->fcgi_ready)
		FCGX_Free(&w->fcgi, 1);
	if (w->epoll_fd >= 0)
		close(w->epoll_fd);
	db_free(w->db);
	free(w->body);
}

int worker_run(const struct config *cfg, int listen_fd, unsigned index)
{
	static struct worker w;
	sigset_t mask;

	block_stop_signals(&mask);
	if (worker_init(&w, cfg, listen_fd, index) < 0) {
		worker_shutdown(&w);
		return 1;
	}
	log_debug("worker %d ready", (int)getpid());
	while (wait_for_request(&w, &mask)) {
		int rc = FCGX_Accept_r(&w.fcgi);

		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			continue; /* another worker took the connection */
		if (rc < 0) {
			/* EMFILE and the like leave the socket readable: do not spin on it */
			log_error("accept: %s", strerror(-rc));
			usleep(100 * 1000);
			continue;
		}
		serve_one(&w);
	}
	worker_shutdown(&w);
	return 0;
}
