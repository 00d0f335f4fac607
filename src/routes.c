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
        {"POST", "/roles/offboardings", SCOPE_WRITE, h_offboardings_create},
        {"GET", "/roles/offboardings", SCOPE_READ, h_offboardings_list},
        {"GET", "/roles/offboardings/{id}", SCOPE_READ, h_offboarding_get},
        {"POST", "/roles/offboardings/{id}/cancellation", SCOPE_WRITE, h_offboarding_cancel},
        {"GET", "/roles/events", SCOPE_READ, h_events_list},
        {"GET", "/healthz", 0, h_healthz},
        {"GET", "/metrics", 0, h_metrics},
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

_Static_assert(sizeof(routes) / sizeof(routes[0]) <= ROUTES_MAX, "raise ROUTES_MAX");
