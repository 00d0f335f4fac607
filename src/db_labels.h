/*
 * db_labels: a partner's label names as the ids of its dictionary
 * (partner_labels, schema 4), and the label rows of one customer.  Used by
 * the other db_*.c files inside their db_read()/db_tx() work; the exact
 * counts of partner_label_counts are kept by the schema's triggers.
 */
#ifndef DB_LABELS_H
#define DB_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "db_internal.h"
#include "model.h"

/* Counter rows per label: a writer adds to shard CONNECTION_ID() % this (SQL text). */
#define LABEL_COUNT_SHARDS "32"

/* The labels of a filter known to the partner, rarest first. */
struct label_ids {
	size_t n;
	uint64_t id[LABELS_MAX];
	uint64_t count[LABELS_MAX]; /* customers with the label, OFFBOARDED not counted */
};

/* A JSON array of the set's labels (malloc'd, the caller frees), or NULL on out of memory. */
char *db_labels_json(const struct label_set *set);

/*
 * The ids and counts of the names the partner has (names borrowed), into
 * *out rarest first; out->n < names->n when some name is unknown.  db_rc.
 */
int db_labels_resolve(struct db *db, uint64_t partner_id, const struct label_set *names,
                      struct label_ids *out);

/*
 * Gives the customer the labels of set (borrowed), adding names the
 * partner has not used before to its dictionary.  Run inside db_tx().
 * db_rc.
 */
int db_labels_attach(struct db *db, uint64_t partner_id, const struct uuid *customer,
                     const struct label_set *set);

/*
 * Removes all the customer's labels; their names, sorted, into *out,
 * pointing into buf[cap].  Run inside db_tx().  db_rc.
 */
int db_labels_take(struct db *db, const struct uuid *customer, char *buf, size_t cap,
                   struct label_set *out);

/*
 * After the customer's labels went from before to after (borrowed; NULL:
 * none), the counts of the labels that differ: -1 for each only in before,
 * +1 for each only in after, unless the customer is OFFBOARDED.  Run
 * inside db_tx(), after the label rows were written.  db_rc.
 */
int db_labels_count(struct db *db, uint64_t partner_id, const struct uuid *customer,
                    const struct label_set *before, const struct label_set *after);

/* All the customer's labels into (delta +1) or out of (-1) the counts.  Inside db_tx().  db_rc. */
int db_labels_count_all(struct db *db, const struct uuid *customer, int delta);

#endif
