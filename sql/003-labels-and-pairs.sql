-- customers-fcgi schema, version 3: a customer's label pairs become rows of
-- customer_labels, and the customer_ref_accounts rows go.  Idempotent like
-- every migration: a failed run is simply repeated.
--
-- Upgrading from version 2: stop the service, `customers-admin migrate`,
-- start it.  The ALTER rebuilds customer_labels: minutes at a few million
-- rows.
--
-- Why: each of the two tables cost every create a statement, and so a
-- round trip, of its own (the pairs also every label change), and a write
-- is bound by its round trips: with both gone a create measured ~15 %
-- less CPU (bench/optimisations.md).
--
-- customer_labels holds each label of a customer once with paired_with
-- '' (a valid label is never empty), and each pair of its labels once as
-- (label, paired_with), label < paired_with in byte order.  One INSERT
-- writes both kinds and one DELETE removes both, in the same transaction
-- as the labels_text read copy; the writers keep the pairs exact.
--   * primary key (customer_id, paired_with, label): a customer's labels
--     are one range, in byte order, and a further label of an all-of
--     filter is a point probe;
--   * idx_customer_labels_filter (partner_id, label, paired_with,
--     customer_id): an all-of filter walks the range of (its smallest
--     label, '') or, over two or more labels, of (the two smallest) newest
--     first, and every row of that range matches them.
DROP TABLE IF EXISTS customer_label_pairs;

ALTER TABLE customer_labels
  ADD COLUMN IF NOT EXISTS paired_with VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    NOT NULL DEFAULT '' AFTER label,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (customer_id, paired_with, label),
  DROP KEY idx_customer_labels_filter,
  ADD KEY idx_customer_labels_filter (partner_id, label, paired_with, customer_id);

INSERT IGNORE INTO customer_labels (customer_id, partner_id, label, paired_with)
  SELECT a.customer_id, a.partner_id, a.label, b.label
  FROM customer_labels a
  JOIN customer_labels b ON b.customer_id = a.customer_id AND b.paired_with = ''
    AND b.label > a.label
  WHERE a.paired_with = '';

-- The reference accounts stay on the customer row (ref_accounts_text),
-- which every version wrote in the same transaction as these rows; no route
-- ever read them from here.
DROP TABLE IF EXISTS customer_ref_accounts;
