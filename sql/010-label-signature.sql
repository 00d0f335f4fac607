-- customers-fcgi schema, version 10: a label signature on the customer row,
-- inside the (partner_id[, status | entity_type], id) keys.  Idempotent
-- like every migration: a failed run is simply repeated.
--
-- label_sig is the OR of 1 << (label_id & 63) over the customer's labels.
-- A list filter with labels then walks one of those keys and checks all
-- its labels (and the status or type) on the index entry itself, without
-- a probe per candidate (docs/design.md, "Label signature"): a bounded
-- walk of scan_limit candidates reads one index sequentially.  It is a
-- superset test (a partner with more than 64 labels has labels that share
-- a bit), so a candidate that passes is still checked exactly against
-- customer_labels; the signature must never lack a bit of a label the
-- customer has, and every writer of customer_labels recomputes it in the
-- same transaction (db_labels_sig_update).
--
-- Upgrading: stop the service, `customers-admin migrate`, start it.  The
-- column is added instantly, filled by one pass over the customers (no
-- index holds it yet, so only the rows are written) and then the three
-- keys are rebuilt with it.
BEGIN NOT ATOMIC
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE()
                 AND table_name = 'customers' AND column_name = 'label_sig') THEN
    ALTER TABLE customers ADD COLUMN label_sig BIGINT UNSIGNED NOT NULL DEFAULT 0;
  END IF;
  -- not yet in the keys: a run that failed before the ALTER below fills it again
  IF NOT EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE()
                 AND table_name = 'customers' AND index_name = 'idx_customers_partner_id'
                 AND column_name = 'label_sig') THEN
    UPDATE customers c SET c.label_sig = (SELECT COALESCE(BIT_OR(1 << (l.label_id & 63)), 0)
                                          FROM customer_labels l WHERE l.customer_id = c.id);
    ALTER TABLE customers
      DROP KEY idx_customers_partner_id,
      ADD KEY idx_customers_partner_id (partner_id, id, label_sig),
      DROP KEY idx_customers_partner_status,
      ADD KEY idx_customers_partner_status (partner_id, status, id, label_sig),
      DROP KEY idx_customers_partner_type,
      ADD KEY idx_customers_partner_type (partner_id, entity_type, id, label_sig);
  END IF;
END;
