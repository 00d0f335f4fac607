CREATE DATABASE IF NOT EXISTS a; USE a;
SOURCE /tmp/study/sql/common-customers.sql;
CREATE TABLE IF NOT EXISTS customer_labels (
  customer_id BINARY(16) NOT NULL, partner_id INT UNSIGNED NOT NULL,
  label VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  paired_with VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  PRIMARY KEY (customer_id, paired_with, label),
  KEY idx_customer_labels_filter (partner_id, label, paired_with, customer_id),
  CONSTRAINT fk_customer_labels_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO customer_labels SELECT c.id, 1, CONCAT('label-', LPAD(a.l, 2, '0')), IF(b.l = a.l, '', CONCAT('label-', LPAD(b.l, 2, '0')))
FROM stage.cust c JOIN stage.lab16 a ON a.n = c.n JOIN stage.lab16 b ON b.n = c.n AND b.l >= a.l ORDER BY c.n;
