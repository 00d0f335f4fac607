/*
 * offboarding_json: the Offboarding object of contract §12 from a row
 * (struct offboarding_row, model.h).  roleType is always CUSTOMER;
 * executedOn is null until executed.  Pure.
 */
#ifndef OFFBOARDING_JSON_H
#define OFFBOARDING_JSON_H

#include <jansson.h>

#include "model.h"

/* New reference (caller owns, json_decref); NULL only on out of memory. */
json_t *offboarding_json(const struct offboarding_row *row);

#endif
