/*
 * offboard_exec: the offboarding executor, a task of the pool (tasks.c).
 *
 * Every [offboarding] poll_ms it executes what is due (contract §12)
 * through db_offboarding_run_due, the function `customers-admin
 * offboarding run-due` runs too.  Exactly once is the database's doing
 * (db_offboardings.h), so any number of executors may run: one per pool,
 * on any Galera node.
 */
#ifndef OFFBOARD_EXEC_H
#define OFFBOARD_EXEC_H

struct config;

/* Runs until SIGTERM or SIGINT; returns the exit status (0, or 1 when it cannot start). */
int offboard_exec_run(const struct config *cfg);

#endif
