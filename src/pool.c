/*
 * pool: the master.  It never touches a request or the database; it only
 * forks, reaps and signals.
 *
 * Signals are blocked except inside sigsuspend(), so the handlers only set
 * flags and the loop acts on them in order: SIGTERM/SIGINT stop everything,
 * SIGHUP reloads, SIGCHLD reaps.  A worker that dies is replaced; if it
 * dies within a second of starting, the slot waits twice as long as last
 * time before the next try (up to 30 s), so a crash loop does not spin.
 * On reload every slot gets a new worker first and only then is the old
 * one told to stop: the listen socket stays open throughout, so pending
 * connections wait in the backlog instead of being refused.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "keyring.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "tasks.h"
#include "worker.h"

#define MAX_WORKERS 256
#define MAX_SLOTS (MAX_WORKERS + 8)
#define BACKOFF_MAX_MS 30000
#define YOUNG_MS 1000

struct slot {
	pid_t pid;          /* 0: empty */
	int64_t started;    /* ms */
	int64_t not_before; /* ms: earliest restart */
	unsigned backoff;   /* ms */
};

struct pool {
	struct config *cfg;
	const char *config_path;
	int listen_fd;
	unsigned nslots; /* workers, then one per task of tasks.h */
	struct slot slots[MAX_SLOTS];
	/* Workers replaced on reload, still finishing their last request. */
	pid_t retired[MAX_SLOTS * 2];
	unsigned nretired;
};

static volatile sig_atomic_t got_stop, got_hup, got_chld, got_alarm;

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_stop = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGALRM)
		got_alarm = 1;
}

/* Installs the flag-setting handlers and blocks them; *old gets the mask to wait with. */
static void install_handlers(sigset_t *blocked, sigset_t *old)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGALRM};
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigemptyset(blocked);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(blocked, sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, blocked, old);
}

/* What the child of slot index runs: a worker, or the slot's task. */
static int slot_run(const struct pool *p, unsigned index)
{
	if (index < p->cfg->workers)
		return worker_run(p->cfg, p->listen_fd, index);
	close(p->listen_fd);
	/* Tests find the tasks by this line (to pause them while they count
	 * a request's database commands). */
	log_info("task %s: started", tasks[index - p->cfg->workers].name);
	return tasks[index - p->cfg->workers].run(p->cfg);
}

static unsigned slots_for(const struct config *cfg)
{
	return cfg->workers + (unsigned)tasks_count;
}

static pid_t spawn(struct pool *p, unsigned index)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t stop;
		struct sigaction dfl = {.sa_handler = SIG_DFL};

		sigemptyset(&dfl.sa_mask);
		sigaction(SIGHUP, &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigaction(SIGALRM, &dfl, NULL);
		/* Stop signals stay blocked until the worker has its own handler,
		 * or one arriving now would only set the master's flag, lost here. */
		sigemptyset(&stop);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGINT);
		sigprocmask(SIG_SETMASK, &stop, NULL);
		_exit(slot_run(p, index));
	}
	return pid;
}

/* Doubles the slot's wait (100 ms first, 30 s at most) and schedules its next start. */
static void slot_back_off(struct slot *s, int64_t now)
{
	s->backoff = s->backoff ? s->backoff * 2 : 100;
	if (s->backoff > BACKOFF_MAX_MS)
		s->backoff = BACKOFF_MAX_MS;
	s->not_before = now + s->backoff;
}

static void slot_start(struct pool *p, struct slot *s)
{
	pid_t pid = spawn(p, (unsigned)(s - p->slots));

	if (pid > 0) {
		s->pid = pid;
		s->started = clock_mono_ms();
	} else {
		slot_back_off(s, clock_mono_ms()); /* fork failed: try again later, not in a loop */
	}
}

/* Arms SIGALRM for the earliest pending restart, so sigsuspend wakes for it. */
static void arm_timer(const struct pool *p)
{
	int64_t now = clock_mono_ms(), next = 0;
	struct itimerval it = {{0, 0}, {0, 0}};

	for (unsigned i = 0; i < p->nslots; i++) {
		const struct slot *s = &p->slots[i];

		if (s->pid == 0 && (next == 0 || s->not_before < next))
			next = s->not_before;
	}
	if (next) {
		int64_t wait = next > now ? next - now : 1;

		it.it_value.tv_sec = wait / 1000;
		it.it_value.tv_usec = (wait % 1000) * 1000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

static void fill_slots(struct pool *p)
{
	int64_t now = clock_mono_ms();

	for (unsigned i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];

		if (s->pid == 0 && s->not_before <= now)
			slot_start(p, s);
	}
	arm_timer(p);
}

static int forget_retired(struct pool *p, pid_t pid)
{
	for (unsigned i = 0; i < p->nretired; i++) {
		if (p->retired[i] == pid) {
			p->retired[i] = p->retired[--p->nretired];
			return 1;
		}
	}
	return 0;
}

static void slot_died(struct slot *s, int status)
{
	int64_t now = clock_mono_ms();
	int young = now - s->started < YOUNG_MS;

	if (WIFSIGNALED(status))
		log_error("child %d killed by signal %d", (int)s->pid, WTERMSIG(status));
	else
		log_error("child %d exited with status %d", (int)s->pid, WEXITSTATUS(status));
	s->pid = 0;
	if (young) {
		slot_back_off(s, now);
	} else {
		s->backoff = 0;
		s->not_before = now;
	}
	metrics_worker_restart();
}

static void reap(struct pool *p)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (forget_retired(p, pid))
			continue;
		for (unsigned i = 0; i < p->nslots; i++) {
			if (p->slots[i].pid == pid) {
				slot_died(&p->slots[i], status);
				break;
			}
		}
	}
}

static void retire(struct pool *p, pid_t pid)
{
	kill(pid, SIGTERM);
	if (p->nretired < sizeof(p->retired) / sizeof(p->retired[0]))
		p->retired[p->nretired++] = pid;
}

/* Re-reads the configuration; keeps the old one if the new one is invalid. */
static void reload(struct pool *p)
{
	static struct config fresh;
	char err[512];
	unsigned old_n = p->nslots;

	/* The key files too: workers inherit the keyring loaded here. */
	if (config_load(p->config_path, &fresh, err, sizeof(err)) < 0 ||
	    keyring_load(&fresh, err, sizeof(err)) < 0) {
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	if (strcmp(fresh.listen, p->cfg->listen) != 0)
		log_warn("reload: a new listen address takes effect only on restart");
	memcpy(fresh.listen, p->cfg->listen, sizeof(fresh.listen));
	*p->cfg = fresh;
	log_configure(p->cfg);
	p->nslots = slots_for(p->cfg);
	for (unsigned i = 0; i < old_n || i < p->nslots; i++) {
		struct slot *s = &p->slots[i];
		pid_t old = s->pid;

		memset(s, 0, sizeof(*s));
		if (i < p->nslots)
			slot_start(p, s);
		if (old > 0)
			retire(p, old);
	}
	metrics_pool_size(p->cfg->workers);
	log_info("reloaded %s: %u workers", p->config_path, p->cfg->workers);
}

static void stop_all(struct pool *p, const sigset_t *blocked)
{
	int status;

	for (unsigned i = 0; i < p->nslots; i++)
		if (p->slots[i].pid > 0)
			kill(p->slots[i].pid, SIGTERM);
	for (unsigned i = 0; i < p->nretired; i++)
		kill(p->retired[i], SIGTERM);
	sigprocmask(SIG_UNBLOCK, blocked, NULL);
	while (wait(&status) > 0 || errno == EINTR)
		;
}

int pool_run(struct config *cfg, const char *config_path, int listen_fd)
{
	static struct pool p;
	sigset_t blocked, waitmask;

	p.cfg = cfg;
	p.config_path = config_path;
	p.listen_fd = listen_fd;
	p.nslots = slots_for(cfg);
	install_handlers(&blocked, &waitmask);
	metrics_pool_size(cfg->workers);
	log_info("master %d: %u workers, %u tasks", (int)getpid(), cfg->workers,
	         (unsigned)tasks_count);
	fill_slots(&p);
	while (!got_stop) {
		sigsuspend(&waitmask);
		if (got_chld) {
			got_chld = 0;
			reap(&p);
		}
		if (got_hup && !got_stop) {
			got_hup = 0;
			reload(&p);
		}
		got_alarm = 0;
		if (!got_stop)
			fill_slots(&p);
	}
	log_info("master %d: stopping", (int)getpid());
	stop_all(&p, &blocked);
	if (cfg->listen[0] == '/')
		unlink(cfg->listen);
	return 0;
}
