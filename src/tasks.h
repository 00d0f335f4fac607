/*
 * tasks: the background tasks, data only (tasks.c).
 *
 * A task is a process the pool master keeps running next to its workers:
 * started with them, restarted (with the same back-off) when it dies,
 * replaced on SIGHUP, stopped on SIGTERM.  Work that must happen once
 * across pools and database nodes (executing offboardings, delivering
 * events) runs in a task and guards itself with a lease in the database:
 * the pool only keeps one copy alive per master.  Adding a task is one
 * line in tasks.c and its run function.
 */
#ifndef TASKS_H
#define TASKS_H

#include <stddef.h>

struct config;

struct task {
	const char *name; /* for the log: "offboarding executor" */
	/* Runs in the forked child until SIGTERM; returns its exit status.
	 * cfg is the master's configuration, read-only. */
	int (*run)(const struct config *cfg);
};

extern const struct task tasks[];
extern const size_t tasks_count;

#endif
