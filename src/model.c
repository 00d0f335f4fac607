/*
 * model: names of the contract's enumerations and the label-set order.
 *
 * Each enumeration has one name table indexed by its value, used both ways
 * (value -> name for output, name -> value for parsing), so the two cannot
 * drift apart.  Labels are ordered by raw bytes (memcmp, a shorter prefix
 * first), the same order as a binary collation in the database, which is
 * what makes "labels are sorted" in the contract hold for every reader.
 */
#include <string.h>

#include "model.h"

static const char *const entity_type_names[] = {
        [ENTITY_NATURAL_PERSON] = "NATURAL_PERSON",
        [ENTITY_LEGAL_ENTITY] = "LEGAL_ENTITY",
        [ENTITY_JOINT_PERSON] = "JOINT_PERSON",
};

static const char *const customer_status_names[] = {
        [STATUS_CREATED] = "CREATED",
        [STATUS_ACTIVE] = "ACTIVE",
        [STATUS_OFFBOARDING] = "OFFBOARDING",
        [STATUS_OFFBOARDED] = "OFFBOARDED",
};

static const char *const offb_reason_names[] = {
        [REASON_PARTNER_ORDINARY] = "CANCELLATION_BY_PARTNER_ORDINARY",
        [REASON_CUSTOMER_REQUEST_IMMEDIATE] = "CUSTOMER_REQUEST_IMMEDIATE",
        [REASON_PARTNER_IMMEDIATE] = "CANCELLATION_BY_PARTNER_IMMEDIATE",
        [REASON_DEATH_IMMEDIATE] = "DEATH_IMMEDIATE",
        [REASON_DISSOLUTION_IMMEDIATE] = "DISSOLUTION_IMMEDIATE",
        [REASON_INSOLVENCY_IMMEDIATE] = "INSOLVENCY_IMMEDIATE",
        [REASON_COMPANY_STRUCTURE_CHANGES_IMMEDIATE] = "COMPANY_STRUCTURE_CHANGES_IMMEDIATE",
};

static const char *const offb_status_names[] = {
        [OFFB_CREATED] = "CREATED",
        [OFFB_APPROVED] = "APPROVED",
        [OFFB_CANCELED] = "CANCELED",
};

static const char *const event_type_names[] = {
        [EVENT_CUSTOMER] = "CUSTOMER_NOTIFICATION",
        [EVENT_LABELS_UPDATE] = "LABELS_UPDATE_NOTIFICATION",
        [EVENT_OFFBOARDING] = "OFFBOARDING_NOTIFICATION",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Index of the name equal to the len bytes at s, or -1. */
static int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	}
	return -1;
}

const char *entity_type_name(enum entity_type t)
{
	if ((size_t)t >= NELEM(entity_type_names))
		return "";
	return entity_type_names[t];
}

const char *customer_status_name(enum customer_status s)
{
	if ((size_t)s >= NELEM(customer_status_names))
		return "";
	return customer_status_names[s];
}

int entity_type_parse(const char *s, size_t len, enum entity_type *out)
{
	int i = name_index(entity_type_names, NELEM(entity_type_names), s, len);

	if (i < 0)
		return -1;
	*out = (enum entity_type)i;
	return 0;
}

int customer_status_parse(const char *s, size_t len, enum customer_status *out)
{
	int i = name_index(customer_status_names, NELEM(customer_status_names), s, len);

	if (i < 0)
		return -1;
	*out = (enum customer_status)i;
	return 0;
}

const char *event_type_name(enum event_type t)
{
	return (size_t)t < NELEM(event_type_names) ? event_type_names[t] : "";
}

int event_type_parse(const char *s, size_t len, enum event_type *out)
{
	int i = name_index(event_type_names, NELEM(event_type_names), s, len);

	if (i >= 0)
		*out = (enum event_type)i;
	return i < 0 ? -1 : 0;
}

/* memcmp order; when one is a prefix of the other the shorter comes first. */
static int label_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* Insertion sort: at most LABELS_MAX entries, and it keeps v and len paired. */
void label_set_sort(struct label_set *set)
{
	size_t i, j;

	for (i = 1; i < set->n; i++) {
		const char *v = set->v[i];
		size_t len = set->len[i];

		for (j = i; j > 0 && label_cmp(set->v[j - 1], set->len[j - 1], v, len) > 0; j--) {
			set->v[j] = set->v[j - 1];
			set->len[j] = set->len[j - 1];
		}
		set->v[j] = v;
		set->len[j] = len;
	}
}

int label_set_equal(const struct label_set *a, const struct label_set *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (label_cmp(a->v[i], a->len[i], b->v[i], b->len[i]) != 0)
			return 0;
	}
	return 1;
}

long label_set_find(const struct label_set *set, const char *s, size_t len)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->len[i] == len && memcmp(set->v[i], s, len) == 0)
			return (long)i;
	}
	return -1;
}

const char *offb_reason_name(enum offb_reason r)
{
	return (size_t)r < NELEM(offb_reason_names) ? offb_reason_names[r] : "";
}

const char *offb_status_name(enum offb_status s)
{
	return (size_t)s < NELEM(offb_status_names) ? offb_status_names[s] : "";
}

int offb_reason_parse(const char *s, size_t len, enum offb_reason *out)
{
	int i = name_index(offb_reason_names, NELEM(offb_reason_names), s, len);

	if (i < 0)
		return -1;
	*out = (enum offb_reason)i;
	return 0;
}

int offb_status_parse(const char *s, size_t len, enum offb_status *out)
{
	int i = name_index(offb_status_names, NELEM(offb_status_names), s, len);

	if (i < 0)
		return -1;
	*out = (enum offb_status)i;
	return 0;
}

/* Death ends a person; dissolution, insolvency and a new structure end a company. */
int offb_reason_applies(enum offb_reason r, enum entity_type t)
{
	if (r == REASON_DEATH_IMMEDIATE)
		return t != ENTITY_LEGAL_ENTITY;
	if (r >= REASON_DISSOLUTION_IMMEDIATE)
		return t == ENTITY_LEGAL_ENTITY;
	return 1;
}

int offb_reason_ordinary(enum offb_reason r)
{
	return r == REASON_PARTNER_ORDINARY;
}
