-- schema 3 -> 4 (dictionary + plain join table), idempotent; run on db a (copy)
SET SESSION foreign_key_checks = 0, unique_checks = 0;
CREATE TABLE IF NOT EXISTS partner_labels (
  partner_id INT UNSIGNED NOT NULL, label_id INT UNSIGNED NOT NULL,
  name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  customers_count INT NOT NULL DEFAULT 0,
  PRIMARY KEY (partner_id, label_id), UNIQUE KEY uk_partner_labels_name (partner_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- 1. the dictionary: every label a partner's customers carry, ids dense per partner in byte order
SELECT NOW(3) INTO @t;
INSERT IGNORE INTO partner_labels (partner_id, label_id, name)
  SELECT partner_id, ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY label), label
  FROM (SELECT DISTINCT partner_id, label FROM customer_labels FORCE INDEX (idx_customer_labels_filter)) d;
SELECT 'dictionary', TIMESTAMPDIFF(MICROSECOND, @t, NOW(3))/1e6;
-- 2. the new join table, filled in its primary-key order
CREATE TABLE IF NOT EXISTS customer_labels_v4 (
  customer_id BINARY(16) NOT NULL, partner_id INT UNSIGNED NOT NULL, label_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (customer_id, label_id),
  KEY idx_customer_labels_filter (partner_id, label_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
SELECT NOW(3) INTO @t;
INSERT IGNORE INTO customer_labels_v4 (customer_id, partner_id, label_id)
  SELECT l.customer_id, l.partner_id, p.label_id
  FROM customer_labels l JOIN partner_labels p ON p.partner_id = l.partner_id AND p.name = l.label
  WHERE l.paired_with = '';
SELECT 'join table', TIMESTAMPDIFF(MICROSECOND, @t, NOW(3))/1e6;
-- 3. exact counts (OFFBOARDED not counted)
SELECT NOW(3) INTO @t;
UPDATE partner_labels p JOIN (SELECT cl.partner_id, cl.label_id, COUNT(*) n FROM customer_labels_v4 cl
    JOIN customers c ON c.id = cl.customer_id WHERE c.status <> 'OFFBOARDED' GROUP BY cl.partner_id, cl.label_id) x
  ON x.partner_id = p.partner_id AND x.label_id = p.label_id SET p.customers_count = x.n;
SELECT 'counts', TIMESTAMPDIFF(MICROSECOND, @t, NOW(3))/1e6;
-- 4. swap
SELECT NOW(3) INTO @t;
RENAME TABLE customer_labels TO customer_labels_v3, customer_labels_v4 TO customer_labels;
DROP TABLE customer_labels_v3;
SELECT 'swap+drop', TIMESTAMPDIFF(MICROSECOND, @t, NOW(3))/1e6;
