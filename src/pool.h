/*
 * pool: the master process.  Pre-forks cfg->workers workers on one listen
 * socket, restarts a worker that dies (with back-off when it keeps dying
 * young), replaces all workers one by one on SIGHUP after re-reading the
 * configuration, and on SIGTERM/SIGINT stops them (each finishes its
 * request in flight) and returns.
 */
#ifndef POOL_H
#define POOL_H

#include "config.h"

/* Runs until asked to stop. cfg is the loaded configuration, config_path
 * the file to re-read on SIGHUP.  Returns the exit status for main. */
int pool_run(struct config *cfg, const char *config_path, int listen_fd);

#endif
