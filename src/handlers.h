/*
 * handlers: one function per route of routes.c.  Each answers exactly
 * once (through response.c) and returns nothing; the router has already
 * checked the method, the token and the scope.  `arg` is the route's path
 * parameter (decoded; the customer id text) or NULL.  The failure paths
 * and conventions they share are in handler.h.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "request.h"

void h_token(struct request *r, const char *arg);
void h_customers_create(struct request *r, const char *arg);
void h_customers_list(struct request *r, const char *arg);
void h_customer_get(struct request *r, const char *arg);
void h_customer_patch(struct request *r, const char *arg);
void h_labels_list(struct request *r, const char *arg);
void h_label_rename(struct request *r, const char *arg);
void h_label_delete(struct request *r, const char *arg);
void h_label_assign(struct request *r, const char *arg);
void h_offboardings_create(struct request *r, const char *arg);
void h_offboardings_list(struct request *r, const char *arg);
void h_offboarding_get(struct request *r, const char *arg);
void h_offboarding_cancel(struct request *r, const char *arg);
void h_events_list(struct request *r, const char *arg);
void h_healthz(struct request *r, const char *arg);
void h_metrics(struct request *r, const char *arg);
void h_jwks(struct request *r, const char *arg);
void h_webhooks_create(struct request *r, const char *arg);
void h_webhooks_list(struct request *r, const char *arg);
void h_webhook_get(struct request *r, const char *arg);
void h_webhook_patch(struct request *r, const char *arg);
void h_webhook_delete(struct request *r, const char *arg);
void h_webhook_rotate(struct request *r, const char *arg);
void h_webhook_deliveries(struct request *r, const char *arg);
void h_webhook_replay(struct request *r, const char *arg);

#endif
