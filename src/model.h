/*
 * model: the contract's enumerations and value types, shared by the
 * validators, the database layer and the JSON writer.
 *
 * Strings inside these structs are borrowed: from the parsed request body
 * (json_t owned by the request), from the request's decoded query buffer,
 * or from the database row buffers of the worker.  Nothing here is freed.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "uuid.h"

#define LABEL_MAX_CHARS 64  /* Unicode code points */
#define LABEL_MAX_BYTES 256 /* 64 code points of at most 4 UTF-8 bytes */
#define LABELS_MAX 16
#define REF_ACCOUNTS_MAX 10
#define TEXT_MAX_CHARS 255 /* ownerName, bankName */
#define IBAN_MAX_LEN 33
#define BIC_MAX_LEN 11
#define LIST_LIMIT_MIN 1
#define LIST_LIMIT_MAX 100
#define LIST_LIMIT_DEFAULT 20

enum entity_type { ENTITY_NATURAL_PERSON, ENTITY_LEGAL_ENTITY, ENTITY_JOINT_PERSON };
enum customer_status { STATUS_CREATED, STATUS_ACTIVE, STATUS_OFFBOARDING, STATUS_OFFBOARDED };
/* The eventTypes of contract §13. */
enum event_type { EVENT_CUSTOMER, EVENT_LABELS_UPDATE, EVENT_OFFBOARDING };
#define EVENT_TYPES 3

/* Offboarding reasons and statuses (contract §12), in the order of the schema's ENUMs. */
enum offb_reason {
	REASON_PARTNER_ORDINARY,
	REASON_CUSTOMER_REQUEST_IMMEDIATE,
	REASON_PARTNER_IMMEDIATE,
	REASON_DEATH_IMMEDIATE,
	REASON_DISSOLUTION_IMMEDIATE,
	REASON_INSOLVENCY_IMMEDIATE,
	REASON_COMPANY_STRUCTURE_CHANGES_IMMEDIATE
};
enum offb_status { OFFB_CREATED, OFFB_APPROVED, OFFB_CANCELED };

/* Static names as in the contract ("NATURAL_PERSON", "CREATED", ...). */
const char *entity_type_name(enum entity_type t);
const char *customer_status_name(enum customer_status s);
/* Exact, case-sensitive match of len bytes; 0 or -1. */
int entity_type_parse(const char *s, size_t len, enum entity_type *out);
int customer_status_parse(const char *s, size_t len, enum customer_status *out);
const char *offb_reason_name(enum offb_reason r);
const char *offb_status_name(enum offb_status s);
int offb_reason_parse(const char *s, size_t len, enum offb_reason *out);
int offb_status_parse(const char *s, size_t len, enum offb_status *out);
/* 1 if the reason may end the role of a customer of entity type t (§12), else 0. */
int offb_reason_applies(enum offb_reason r, enum entity_type t);
/* 1 for the ordinary reason (a notice period, cancelable), 0 for the immediate ones. */
int offb_reason_ordinary(enum offb_reason r);
/* "CUSTOMER_NOTIFICATION", "LABELS_UPDATE_NOTIFICATION", "OFFBOARDING_NOTIFICATION". */
const char *event_type_name(enum event_type t);
int event_type_parse(const char *s, size_t len, enum event_type *out);

/* A set of labels, sorted in byte order and free of duplicates once validated. */
struct label_set {
	size_t n;
	const char *v[LABELS_MAX]; /* borrowed, NUL-terminated */
	size_t len[LABELS_MAX];    /* bytes */
};

/* Position in set of a label equal to s (len bytes, byte for byte), or -1. */
long label_set_find(const struct label_set *set, const char *s, size_t len);

/* Sorts in byte order (memcmp, shorter prefix first). */
void label_set_sort(struct label_set *set);
/* 1 if both sets hold the same labels (both sorted), else 0. */
int label_set_equal(const struct label_set *a, const struct label_set *b);

struct ref_account {
	const char *iban;      /* borrowed */
	const char *bic;       /* borrowed, NULL when absent */
	const char *bank_name; /* borrowed, NULL when absent */
	const char *owner_name;
	int primary; /* type PRIMARY (1) or OTHER (0) */
};

/* A validated POST /roles/customers body. */
struct customer_new {
	struct uuid entity_id;
	enum entity_type entity_type;
	size_t nref;
	struct ref_account ref[REF_ACCOUNTS_MAX];
	struct label_set labels; /* sorted */
};

/* A validated GET /roles/customers query. */
struct list_filter {
	int has_entity;
	struct uuid entity_id;
	int has_status;
	enum customer_status status;
	int has_type;
	enum entity_type type;
	struct label_set labels; /* sorted, de-duplicated */
	unsigned limit;
	const char *cursor; /* borrowed, NULL when absent */
};

/* A validated GET /roles/offboardings query. */
struct offb_filter {
	int has_customer; /* roleId */
	struct uuid customer;
	int has_status;
	enum offb_status status;
	unsigned limit;
	const char *cursor; /* borrowed, NULL when absent */
};

#define FEED_LIMIT_MIN 1
#define FEED_LIMIT_MAX 1000
#define FEED_LIMIT_DEFAULT 100

/* A validated GET /roles/events query. */
struct feed_filter {
	unsigned types; /* bit 1 << event_type per eventType given; 0: all */
	unsigned limit;
	const char *cursor; /* borrowed, NULL when absent */
};

/* One offboarding as the database layer reads it (db_offboardings.c). */
struct offboarding_row {
	struct uuid id;
	uint64_t partner_id;
	struct uuid customer_id;
	struct uuid requestor_id;
	enum offb_reason reason;
	enum offb_status status;
	int64_t cancellation_ms;
	int64_t created_ms;
	int64_t modified_ms;
	int64_t executed_ms;                /* -1: null */
	enum customer_status status_before; /* the customer's, given back by a cancellation */
};

/* Row buffer: big enough for 16 labels and 10 ref accounts of maximal size. */
#define CUSTOMER_ROW_BUF 32768

/*
 * One customer as the database layer reads it and the JSON writer renders
 * it; strings point into buf, so a row is valid as long as its buffer.
 */
struct customer_row {
	struct uuid id;
	struct uuid entity_id;
	enum entity_type entity_type;
	enum customer_status status;
	int64_t created_ms;
	int64_t modified_ms;
	int64_t cancellation_ms; /* -1: null */
	uint32_t version;        /* feeds the ETag */
	struct label_set labels; /* sorted, point into buf */
	size_t nref;
	struct ref_account ref[REF_ACCOUNTS_MAX]; /* point into buf */
	char buf[CUSTOMER_ROW_BUF];
};

#endif
