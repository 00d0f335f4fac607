CREATE DATABASE IF NOT EXISTS b; USE b;
SOURCE /tmp/study/sql/common-customers.sql;
CREATE TABLE IF NOT EXISTS customer_labels (
  customer_id BINARY(16) NOT NULL, partner_id INT UNSIGNED NOT NULL,
  label VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (customer_id, label),
  KEY idx_customer_labels_filter (partner_id, label, customer_id),
  CONSTRAINT fk_customer_labels_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO customer_labels SELECT c.id, 1, CONCAT('label-', LPAD(l.l, 2, '0'))
FROM stage.cust c JOIN stage.lab16 l ON l.n = c.n ORDER BY c.n, l.l;
