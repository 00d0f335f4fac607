-- customers-fcgi schema, version 2: the label-pair index.  Idempotent like
-- every migration (IF NOT EXISTS, INSERT IGNORE): a failed run is simply
-- repeated.
--
-- Upgrading from version 1: stop the service, `customers-admin migrate`,
-- start it.  A version-1 worker writing labels after this ran would leave
-- its customers out of the pair index.

-- Every pair (label_a < label_b, byte order) of every customer's labels.
-- An all-of filter over two or more labels walks the range of its two
-- smallest labels newest first: every row in that range matches both, so
-- a page reads about as many rows as it shows.  Driven by one label's
-- (partner_id, label, customer_id) range instead, a page read and probed
-- every row carrying the first label until enough also carried the second:
-- with 50 labels, 3 per customer, some 25 rows per row shown.  A customer
-- has at most 16 labels, so at most 120 pairs.
--
-- Writers insert the pairs with the labels, in the same transaction; a
-- pair cannot outlive either of its labels, because both foreign keys
-- cascade: deleting a customer's labels deletes its pairs, with no
-- statement of its own.
CREATE TABLE IF NOT EXISTS customer_label_pairs (
  partner_id  INT UNSIGNED NOT NULL,
  label_a     VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  label_b     VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  customer_id BINARY(16)   NOT NULL,
  PRIMARY KEY (partner_id, label_a, label_b, customer_id),
  KEY idx_customer_label_pairs_a (customer_id, label_a),
  KEY idx_customer_label_pairs_b (customer_id, label_b),
  CONSTRAINT fk_customer_label_pairs_a FOREIGN KEY (customer_id, label_a)
    REFERENCES customer_labels (customer_id, label) ON DELETE CASCADE,
  CONSTRAINT fk_customer_label_pairs_b FOREIGN KEY (customer_id, label_b)
    REFERENCES customer_labels (customer_id, label) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO customer_label_pairs (partner_id, label_a, label_b, customer_id)
  SELECT a.partner_id, a.label, b.label, a.customer_id
  FROM customer_labels a
  JOIN customer_labels b ON b.customer_id = a.customer_id AND b.label > a.label;
