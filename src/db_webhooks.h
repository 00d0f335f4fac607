/*
 * db_webhooks: webhook subscriptions of one partner (sql/007-webhooks.sql)
 * for the /webhooks routes.  Every write runs in db_tx() with its
 * webhook_audit record; another partner's id is DB_NOT_FOUND like an
 * unknown one.  Secrets arrive and leave sealed (webhook_crypt.h): this
 * module never sees a key.
 */
#ifndef DB_WEBHOOKS_H
#define DB_WEBHOOKS_H

#include <stdint.h>

#include "db.h"
#include "webhook_crypt.h"
#include "webhook_json.h"

#define WEBHOOKS_PER_PARTNER 10

/* Who acts, for the audit record.  Borrowed. */
struct webhook_actor {
	uint64_t partner_id;
	const char *client_id;
	const char *request_id;
};

/*
 * Creates subscription id (the caller's UUIDv7; sealed is bound to it)
 * from in (url and types set).  DB_CONFLICT when the partner already has
 * WEBHOOKS_PER_PARTNER.
 */
int db_webhook_create(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const struct webhook_input *in,
                      const unsigned char sealed[WEBHOOK_SEALED_LEN]);

/* DB_OK and *out, or DB_NOT_FOUND. */
int db_webhook_get(struct db *db, uint64_t partner_id, const struct uuid *id,
                   struct webhook_row *out);

/* Called per subscription, oldest first; row borrowed for the call. */
typedef void (*db_webhook_cb)(const struct webhook_row *row, void *arg);
int db_webhook_list(struct db *db, uint64_t partner_id, db_webhook_cb cb, void *arg);

/*
 * Applies the members of in that are set.  Enabling a disabled
 * subscription clears disabledReason/On and starts it at the newest
 * event (older ones come back by replay); disabling records the reason.
 * DB_OK or DB_NOT_FOUND.
 */
int db_webhook_update(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const struct webhook_input *in);

/* Deletes it with its queue and attempt log.  DB_OK or DB_NOT_FOUND. */
int db_webhook_delete(struct db *db, const struct webhook_actor *who, const struct uuid *id);

/* New secret; the current one keeps signing until prev_until_ms.  DB_OK or DB_NOT_FOUND. */
int db_webhook_rotate(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const unsigned char sealed[WEBHOOK_SEALED_LEN], int64_t prev_until_ms);

/* Queues again every retained event since since_ms it selects.  DB_OK or DB_NOT_FOUND. */
int db_webhook_replay(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      int64_t since_ms);

/*
 * Attempts of subscription id (the caller has read it as its partner's),
 * newest first, below *before (NULL: from the newest); cb returns non-zero
 * to stop.
 */
typedef int (*db_attempt_cb)(const struct webhook_attempt *a, void *arg);
int db_webhook_attempts(struct db *db, const struct uuid *id, const struct uuid *before,
                        unsigned limit, db_attempt_cb cb, void *arg);

#endif
