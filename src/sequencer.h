/*
 * sequencer: the event sequencer task (tasks.c).  Gives committed events
 * their place in commit order (the seq of sql/006-events.sql) and purges
 * events past [events] retention_days.  Every pool runs one; the lease
 * "event-sequencer" (db_lease.h) lets one of them work at a time across
 * pools and Galera nodes, and another take over within seconds of its
 * death.  docs/design.md, "The outbox and commit order", says why.
 */
#ifndef SEQUENCER_H
#define SEQUENCER_H

struct config;

/* Runs until SIGTERM or SIGINT (which the pool leaves blocked); returns 0. cfg is borrowed. */
int sequencer_run(const struct config *cfg);

#endif
