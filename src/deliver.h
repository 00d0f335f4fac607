/*
 * deliver: the webhook deliverer, a background task (tasks.c): it queues
 * sequenced events for the subscriptions that select them, claims due
 * deliveries and sends them with libcurl's multi interface, signed per
 * Standard Webhooks, until SIGTERM (contract §13; docs/design.md).
 */
#ifndef DELIVER_H
#define DELIVER_H

struct config;

/* The task's entry: runs until SIGTERM or SIGINT; 0, or 1 when it cannot start. */
int deliver_run(const struct config *cfg);

#endif
