-- customers-fcgi schema, version 6: the events outbox (contract section 13)
-- and generic leases for background tasks.  Idempotent like every
-- migration: a failed run is simply repeated.
--
-- events: one row per event, inserted by the writer in the change's own
-- transaction (db_events.c), so a rolled-back change leaves no event.
--   id          insertion handle only.  AUTO_INCREMENT values are handed
--               out at insert and become visible at commit, in another
--               order (and interleaved by node on Galera): id order is NOT
--               commit order, and nothing outside the sequencer reads it.
--   seq         commit order: NULL when written; the event sequencer
--               (sequencer.c, one lease holder cluster-wide) stamps
--               committed rows with MAX(seq)+1, +2, ... in its own
--               transactions, so seq is gapless, and a reader that follows
--               `seq > cursor` never misses or repeats an event.  The feed
--               and the webhook deliverer read only rows with a seq.
--   event_id    the eventId (UUIDv7), stable across redeliveries.
--   partner_id  whose event it is (the feed and subscriptions filter on it).
--   customer_id the one customer the event is about, NULL when it is about
--               several (LABELS_UPDATE_NOTIFICATION): per-customer order
--               for delivery is order by seq within one customer_id.
--   event_type  the eventType.
--   occurred_on when the change happened (the change's modifiedOn), UTC;
--               retention ([events] retention_days) is measured on it.
--   data        the event's `data` object, compact JSON rendered by jansson.
-- Keys: uk_events_seq finds the unsequenced rows (NULLs sort first; NULLs
-- do not collide), the oldest and newest seq; idx_events_partner_seq keeps
-- a feed page's cost bounded by its size.
CREATE TABLE IF NOT EXISTS events (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  seq         BIGINT UNSIGNED NULL,
  event_id    BINARY(16)      NOT NULL,
  partner_id  INT UNSIGNED    NOT NULL,
  customer_id BINARY(16)      NULL,
  event_type  ENUM('CUSTOMER_NOTIFICATION','LABELS_UPDATE_NOTIFICATION',
                   'OFFBOARDING_NOTIFICATION') NOT NULL,
  occurred_on DATETIME(3)     NOT NULL,
  data        MEDIUMTEXT      CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_events_event_id (event_id),
  UNIQUE KEY uk_events_seq (seq),
  KEY idx_events_partner_seq (partner_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- leases: one row per job that must run at most once at a time across
-- pools and Galera nodes (db_lease.c).  A holder keeps its lease by
-- updating the row before expires_at; anyone may take it after.  Because
-- the holder renews it inside each transaction of its work, two holders
-- can never both commit work: on one server the row lock orders them, on
-- Galera certification aborts one of them.  (GET_LOCK does not work with
-- wsrep, MDEV-30473.)
--   name        the job ("event-sequencer").
--   holder      who holds it: a UUIDv7 made by the process at start.
--   expires_at  UTC, the server's clock (NOW(3)); in the past = free.
CREATE TABLE IF NOT EXISTS leases (
  name       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  holder     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
