/*
 * worker: one process of the pool.  Holds one database connection with its
 * prepared statements for its whole life and answers requests one at a
 * time.  SIGTERM while idle exits at once; during a request it exits after
 * the answer is sent.
 */
#ifndef WORKER_H
#define WORKER_H

#include "config.h"

/*
 * Serves listen_fd until told to stop; returns the process exit status.
 * index is the worker's slot in the pool: with several database servers it
 * picks the one the worker starts on, so the pool spreads over them.
 */
int worker_run(const struct config *cfg, int listen_fd, unsigned index);

#endif
