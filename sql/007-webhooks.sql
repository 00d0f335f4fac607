-- customers-fcgi schema, version 7: webhook subscriptions and their
-- deliveries (contract section 13).  Builds on version 6 (events: a row's
-- seq is its commit order, stamped by the sequencer).  Idempotent like
-- every migration: a failed run is simply repeated.
--
-- webhooks: one row per subscription.
--   id               the webhookId (UUIDv7).
--   event_types      the eventTypes it selects, as a SET: FIND_IN_SET
--                    against events.event_type needs no join.
--   secret_enc       the signing secret's 32 key bytes, AES-256-GCM
--                    encrypted (nonce 12 | ciphertext 32 | tag 16) under
--                    a key derived from the configuration's cursor secret
--                    (webhook_crypt.c), the row id as associated data: the
--                    database alone never yields a secret, and a
--                    ciphertext copied to another row does not decrypt.
--   prev_secret_enc  the secret before the last rotation, and
--   prev_expires_at  until when it still signs (24 h after the rotation).
--   enabled, disabled_reason, disabled_on: as GET /webhooks/{id} shows them.
--   cursor_seq       the highest events.seq already queued for it: the
--                    deliverer queues seq > cursor_seq of its partner and
--                    types and moves the cursor in the same transaction
--                    (the row lock, and on Galera certification, make one
--                    deliverer win each step).  Starts at the newest seq
--                    when the subscription is made, and again when it is
--                    enabled: older events come back only by replay.
--   failing_since    the first failed attempt since the last 2xx; five
--                    days of it (divided by [webhooks] time_scale) disable
--                    the subscription.
CREATE TABLE IF NOT EXISTS webhooks (
  id               BINARY(16)    NOT NULL,
  partner_id       INT UNSIGNED  NOT NULL,
  url              VARCHAR(2048) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_types      SET('CUSTOMER_NOTIFICATION','LABELS_UPDATE_NOTIFICATION',
                       'OFFBOARDING_NOTIFICATION') NOT NULL,
  description      VARCHAR(255)  NOT NULL DEFAULT '',
  enabled          TINYINT(1)    NOT NULL DEFAULT 1,
  disabled_reason  VARCHAR(255)  NULL,
  disabled_on      DATETIME(3)   NULL,
  secret_enc       VARBINARY(64) NOT NULL,
  prev_secret_enc  VARBINARY(64) NULL,
  prev_expires_at  DATETIME(3)   NULL,
  cursor_seq       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  failing_since    DATETIME(3)   NULL,
  created_at       DATETIME(3)   NOT NULL,
  modified_at      DATETIME(3)   NOT NULL,
  PRIMARY KEY (id),
  KEY idx_webhooks_partner (partner_id, id),
  CONSTRAINT fk_webhooks_partner FOREIGN KEY (partner_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- webhook_deliveries: the work queue, one row per (subscription, event).
--   state        PENDING (due at next_at), INFLIGHT (claimed by holder
--                until lease_until; an expired lease is PENDING again for
--                anyone), DELIVERED or FAILED (final).
--   customer_id  copied from the event: per-customer order.  A row is
--                sent only when no earlier row of its subscription about
--                the same customer is PENDING or INFLIGHT; a NULL
--                customer (an event about several) orders against every
--                row of its subscription.
--   attempts     attempts made so far.
--   replay: the rows of the replayed events go back to PENDING with
--   attempts 0 (same eventIds); the attempt log keeps the history.
-- Keys: idx_deliveries_due finds due rows; idx_deliveries_order answers
-- the ordering probe from the subscription's open rows.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  webhook_id  BINARY(16)      NOT NULL,
  seq         BIGINT UNSIGNED NOT NULL,
  event_id    BINARY(16)      NOT NULL,
  customer_id BINARY(16)      NULL,
  state       ENUM('PENDING','INFLIGHT','DELIVERED','FAILED') NOT NULL DEFAULT 'PENDING',
  attempts    SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  next_at     DATETIME(3)     NOT NULL,
  holder      VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NULL,
  lease_until DATETIME(3)     NULL,
  PRIMARY KEY (webhook_id, seq),
  KEY idx_deliveries_due (state, next_at),
  KEY idx_deliveries_order (webhook_id, state, seq),
  CONSTRAINT fk_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id)
    ON DELETE CASCADE
) ENGINE=InnoDB;

-- webhook_attempts: the attempt log GET /webhooks/{id}/deliveries pages
-- through, newest first by id (an attempt's id is a UUIDv7 made when it
-- ends, so the keyset cursor of cursor.c applies as for customers).
CREATE TABLE IF NOT EXISTS webhook_attempts (
  id           BINARY(16)        NOT NULL,
  webhook_id   BINARY(16)        NOT NULL,
  event_id     BINARY(16)        NOT NULL,
  attempt      SMALLINT UNSIGNED NOT NULL,
  attempted_on DATETIME(3)       NOT NULL,
  http_status  SMALLINT UNSIGNED NULL,
  duration_ms  INT UNSIGNED      NOT NULL,
  outcome      ENUM('DELIVERED','FAILED_RETRYING','FAILED') NOT NULL,
  error        VARCHAR(128)      NULL,
  PRIMARY KEY (id),
  KEY idx_attempts_webhook (webhook_id, id),
  CONSTRAINT fk_attempts_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- webhook_audit: who created, changed, rotated, replayed or deleted a
-- subscription (contract §7: audit in the write's transaction).  No
-- foreign key: the record outlives a deleted subscription.
CREATE TABLE IF NOT EXISTS webhook_audit (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  webhook_id BINARY(16)      NOT NULL,
  partner_id INT UNSIGNED    NOT NULL,
  client_id  VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NULL,
  action     ENUM('create','update','delete','rotate','replay') NOT NULL,
  created_at DATETIME(3)     NOT NULL,
  PRIMARY KEY (id),
  KEY idx_webhook_audit_webhook (webhook_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
