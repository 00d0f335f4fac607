/*
 * routes: the table (see routes.h).  Nothing but data.
 */
#include "routes.h"
#include "auth.h"
#include "handlers.h"

const struct route routes[] = {
        {"POST", "/oauth2/token", 0, h_token},
        {"GET", "/oauth2/jwks.json", 0, h_jwks},
        {"GET", "/roles/customers", SCOPE_READ, h_customers_list},
        {"POST", "/roles/customers", SCOPE_WRITE, h_customers_create},
        {"GET", "/roles/customers/{id}", SCOPE_READ, h_customer_get},
        {"PATCH", "/roles/customers/{id}", SCOPE_WRITE, h_customer_patch},
        {"GET", "/roles/customer-labels", SCOPE_READ, h_labels_list},
        {"PATCH", "/roles/customer-labels/{labelName}", SCOPE_WRITE, h_label_rename},
        {"DELETE", "/roles/customer-labels/{labelName}", SCOPE_WRITE, h_label_delete},
        {"PATCH", "/roles/customer-labels/{labelName}/customers", SCOPE_WRITE, h_label_assign},
        {"POST", "/roles/offboardings", SCOPE_WRITE, h_offboardings_create},
        {"GET", "/roles/offboardings", SCOPE_READ, h_offboardings_list},
        {"GET", "/roles/offboardings/{id}", SCOPE_READ, h_offboarding_get},
        {"POST", "/roles/offboardings/{id}/cancellation", SCOPE_WRITE, h_offboarding_cancel},
        {"GET", "/roles/events", SCOPE_READ, h_events_list},
        {"POST", "/webhooks", SCOPE_WEBHOOKS, h_webhooks_create},
        {"GET", "/webhooks", SCOPE_WEBHOOKS, h_webhooks_list},
        {"GET", "/webhooks/{id}", SCOPE_WEBHOOKS, h_webhook_get},
        {"PATCH", "/webhooks/{id}", SCOPE_WEBHOOKS, h_webhook_patch},
        {"DELETE", "/webhooks/{id}", SCOPE_WEBHOOKS, h_webhook_delete},
        {"POST", "/webhooks/{id}/secret-rotation", SCOPE_WEBHOOKS, h_webhook_rotate},
        {"GET", "/webhooks/{id}/deliveries", SCOPE_WEBHOOKS, h_webhook_deliveries},
        {"POST", "/webhooks/{id}/replay", SCOPE_WEBHOOKS, h_webhook_replay},
        {"GET", "/healthz", 0, h_healthz},
        {"GET", "/metrics", 0, h_metrics},
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

_Static_assert(sizeof(routes) / sizeof(routes[0]) <= ROUTES_MAX, "raise ROUTES_MAX");
