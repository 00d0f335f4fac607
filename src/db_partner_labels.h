/*
 * db_partner_labels: a partner's labels as a whole (contract §11): the
 * page of labels with their counts, and the set-based rename, delete and
 * bulk assign, each one transaction over every customer it changes.
 */
#ifndef DB_PARTNER_LABELS_H
#define DB_PARTNER_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "db_customers.h"

/* Called per label, in byte order; name (len bytes) borrowed for the call.  Non-zero stops. */
typedef int (*db_label_cb)(uint64_t label_id, const char *name, size_t len, uint64_t count,
                           void *arg);

/*
 * The partner's labels that at least one customer who is not OFFBOARDED
 * carries, in byte order, after the label with id after_id (0: from the
 * first), at most max of them.  Reads the dictionary and the counts only.
 * db_rc.
 */
int db_partner_labels_page(struct db *db, uint64_t partner_id, uint64_t after_id, unsigned max,
                           db_label_cb cb, void *arg);

/*
 * Every customer of who->partner_id carrying label from (borrowed) carries
 * to instead, once (to NULL: the label is removed).  DB_OK (also for to ==
 * from), DB_NOT_FOUND when no customer carries from.  Audited, with one
 * LABELS_UPDATE_NOTIFICATION.  who->check must be NULL.
 */
int db_partner_label_move(struct db *db, const struct audit_ctx *who, const char *from,
                          size_t from_len, const char *to, size_t to_len);

/* Customer ids of one bulk assign at most. */
#define ASSIGN_IDS_MAX 1000

/* Why a bulk assign wrote nothing: the first of §11's list that applies. */
enum assign_refusal { ASSIGN_OK, ASSIGN_NOT_FOUND, ASSIGN_TOO_MANY, ASSIGN_OFFBOARDED };

/* The outcome of a bulk assign; bad[] holds indexes into the caller's ids. */
struct assign_result {
	enum assign_refusal refusal;
	size_t nbad;
	size_t bad[ASSIGN_IDS_MAX];
};

/*
 * Gives label name (borrowed) to each of the n customers ids (unique;
 * borrowed) of who->partner_id, all or nothing: DB_OK with
 * res->refusal ASSIGN_OK (written), or another refusal and the refused ids
 * (nothing written).  Audited per changed customer, with one event.
 * who->check must be NULL.  db_rc.
 */
int db_partner_label_assign(struct db *db, const struct audit_ctx *who, const char *name,
                            size_t len, const struct uuid *ids, size_t n,
                            struct assign_result *res);

#endif
