-- customers-fcgi schema, version 9: the deliverer's per-customer order
-- check as index probes (issue 16, bench/RESULTS-webhooks.md).
--
-- A due delivery may be claimed only when no earlier delivery of its
-- subscription about the same customer, or about several (customer_id
-- NULL), is still open (deliver_db.c, SQL_CANDIDATES).  With only the
-- (webhook_id, state, seq) key that check walked every earlier open row
-- of the subscription, for each due row: quadratic in the backlog, so
-- once 500 writes/s outran the deliverer for a moment it never caught up
-- (commit -> 2xx p99 of 22 s).  With this key each check is a probe that
-- stops at its first row.  Idempotent like every migration.
ALTER TABLE webhook_deliveries
  ADD KEY IF NOT EXISTS idx_deliveries_customer (webhook_id, customer_id, state, seq);

-- The deliverer's "which subscriptions have due rows" as one probe per
-- subscription (deliver_db.c, SQL_DUE), instead of a walk of every due row
-- of every subscription on each turn: with a million deliveries queued
-- that walk took most of the turn (25 deliveries/s).
ALTER TABLE webhook_deliveries
  ADD KEY IF NOT EXISTS idx_deliveries_webhook_due (webhook_id, state, next_at);
