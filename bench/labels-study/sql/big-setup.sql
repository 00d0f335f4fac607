USE c;
SET SESSION foreign_key_checks = 0;
INSERT IGNORE INTO partner_labels VALUES (1, 65, 'big', 0);
INSERT IGNORE INTO customer_labels SELECT id, 1, 65 FROM stage.cust WHERE n % 2 = 0;
UPDATE partner_labels SET customers_count = (SELECT COUNT(*) FROM customer_labels cl JOIN customers c ON c.id = cl.customer_id WHERE cl.partner_id = 1 AND cl.label_id = 65 AND c.status <> 'OFFBOARDED') WHERE partner_id = 1 AND label_id = 65;
INSERT IGNORE INTO partner_label_counts SELECT 1, 65, seq, IF(seq = 0, (SELECT customers_count FROM partner_labels WHERE partner_id = 1 AND label_id = 65), 0) FROM seq_0_to_7;
UPDATE customers c JOIN stage.cust s ON s.id = c.id AND s.n % 2 = 0 SET c.labels_text = CONCAT('big', 0x1F, c.labels_text);
SELECT customers_count FROM partner_labels WHERE partner_id = 1 AND label_id = 65;
