CREATE DATABASE IF NOT EXISTS c; USE c;
SOURCE /tmp/study/sql/common-customers.sql;
-- per-partner dictionary: dense ids per partner, exact counts (OFFBOARDED not counted)
CREATE TABLE IF NOT EXISTS partner_labels (
  partner_id INT UNSIGNED NOT NULL, label_id INT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  customers_count INT NOT NULL DEFAULT 0,
  PRIMARY KEY (partner_id, label_id), UNIQUE KEY uk_partner_labels_name (partner_id, name),
  CONSTRAINT fk_partner_labels_partner FOREIGN KEY (partner_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- sharded variant of the counters: count = SUM(n) over shards
CREATE TABLE IF NOT EXISTS partner_label_counts (
  partner_id INT UNSIGNED NOT NULL, label_id INT UNSIGNED NOT NULL, shard TINYINT UNSIGNED NOT NULL,
  n INT NOT NULL DEFAULT 0, PRIMARY KEY (partner_id, label_id, shard)
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS customer_labels (
  customer_id BINARY(16) NOT NULL, partner_id INT UNSIGNED NOT NULL, label_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (customer_id, label_id),
  KEY idx_customer_labels_filter (partner_id, label_id, customer_id),
  CONSTRAINT fk_customer_labels_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO partner_labels SELECT 1, l.seq + 1, CONCAT('label-', LPAD(l.seq, 2, '0')), 0 FROM seq_0_to_63 l;
INSERT INTO customer_labels SELECT c.id, 1, l.l + 1
FROM stage.cust c JOIN stage.lab16 l ON l.n = c.n ORDER BY c.n, l.l;
UPDATE partner_labels p SET customers_count = (SELECT COUNT(*) FROM customer_labels cl JOIN customers c ON c.id = cl.customer_id
  WHERE cl.partner_id = p.partner_id AND cl.label_id = p.label_id AND c.status <> 'OFFBOARDED');
INSERT INTO partner_label_counts SELECT p.partner_id, p.label_id, s.seq, IF(s.seq = 0, p.customers_count, 0)
FROM partner_labels p JOIN seq_0_to_7 s;
