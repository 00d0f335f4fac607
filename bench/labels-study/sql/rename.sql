USE c;
SET @t0 = NOW(6);
START TRANSACTION;
SELECT label_id INTO @L FROM partner_labels WHERE partner_id = 1 AND name = @from FOR UPDATE;
INSERT INTO customer_audit (customer_id, partner_id, client_id, action, labels_before, labels_after, created_at)
  SELECT c.id, 1, 'admin', 'labels', JSON_ARRAY(c.labels_text), JSON_ARRAY(REPLACE(c.labels_text, @from, @to)), @t0
  FROM customer_labels cl JOIN customers c ON c.id = cl.customer_id WHERE cl.partner_id = 1 AND cl.label_id = @L;
SET @t1 = NOW(6);
UPDATE partner_labels SET name = @to WHERE partner_id = 1 AND label_id = @L;
UPDATE customers c JOIN customer_labels cl ON cl.customer_id = c.id AND cl.partner_id = 1 AND cl.label_id = @L
  SET c.labels_text = (SELECT GROUP_CONCAT(p.name ORDER BY p.name SEPARATOR 0x1F) FROM customer_labels x
        JOIN partner_labels p ON p.partner_id = x.partner_id AND p.label_id = x.label_id WHERE x.customer_id = c.id),
      c.version = c.version + 1, c.modified_at = NOW(3);
SELECT ROW_COUNT() INTO @n;
SET @t2 = NOW(6);
DO SLEEP(@hold);
COMMIT;
SELECT 'rename', @n customers, TIMESTAMPDIFF(MICROSECOND, @t0, @t1)/1e6 audit_s, TIMESTAMPDIFF(MICROSECOND, @t1, @t2)/1e6 update_s, TIMESTAMPDIFF(MICROSECOND, @t0, NOW(6))/1e6 - @hold total_s_excl_hold;
