DELIMITER //
-- common helpers are inlined; each proc = one transaction as the service would run it
CREATE OR REPLACE PROCEDURE w_ins(IN mode VARCHAR(8))
BEGIN
  DECLARE v_id BINARY(16); DECLARE v_a, v_s INT; DECLARE v_text, v_ids, v_json VARCHAR(2000); DECLARE v_sig BIGINT UNSIGNED;
  SET v_a = FLOOR(RAND()*64), v_s = 2*FLOOR(RAND()*32)+1;
  SET v_id = UNHEX(CONCAT(LPAD(HEX(FLOOR(UNIX_TIMESTAMP(NOW(3))*1000)),12,'0'), '7', SUBSTR(MD5(RAND()),1,3), '8', SUBSTR(MD5(RAND()),1,15)));
  SELECT GROUP_CONCAT(CONCAT('label-', LPAD((v_a+seq*v_s)%64,2,'0')) ORDER BY (v_a+seq*v_s)%64 SEPARATOR 0x1F),
         GROUP_CONCAT((v_a+seq*v_s)%64+1 ORDER BY (v_a+seq*v_s)%64),
         CONCAT('[', GROUP_CONCAT(CONCAT('"label-', LPAD((v_a+seq*v_s)%64,2,'0'), '"') ORDER BY (v_a+seq*v_s)%64), ']'),
         BIT_OR(1 << (((v_a+seq*v_s)%64+1) & 63))
    INTO v_text, v_ids, v_json, v_sig FROM seq_0_to_15;
  START TRANSACTION;
  INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at, modified_at, version, labels_text, ref_accounts_text)
    VALUES (v_id, 1, UNHEX(MD5(RAND())), 'NATURAL_PERSON', 'CREATED', NOW(3), NOW(3), 1, v_text, 'DE89370400440532013000\x1fCOBADEFFXXX\x1fSeed Bank\x1fOwner\x1fPRIMARY');
  CALL w_labels_ins(mode, v_id, v_a, v_s, v_ids, v_sig);
  INSERT INTO customer_audit (customer_id, partner_id, client_id, action, labels_after, created_at)
    VALUES (v_id, 1, 'bench', 'create', v_json, NOW(3));
  COMMIT;
END//
CREATE OR REPLACE PROCEDURE w_patch(IN mode VARCHAR(8))
BEGIN
  DECLARE v_id BINARY(16); DECLARE v_a, v_s INT; DECLARE v_text, v_ids, v_json, v_old VARCHAR(2000); DECLARE v_sig BIGINT UNSIGNED;
  SET v_a = FLOOR(RAND()*64), v_s = 2*FLOOR(RAND()*32)+1;
  SET @n = 1 + FLOOR(RAND()*200000); SELECT id INTO v_id FROM stage.cust WHERE n = @n;
  SELECT GROUP_CONCAT(CONCAT('label-', LPAD((v_a+seq*v_s)%64,2,'0')) ORDER BY (v_a+seq*v_s)%64 SEPARATOR 0x1F),
         GROUP_CONCAT((v_a+seq*v_s)%64+1 ORDER BY (v_a+seq*v_s)%64),
         CONCAT('[', GROUP_CONCAT(CONCAT('"label-', LPAD((v_a+seq*v_s)%64,2,'0'), '"') ORDER BY (v_a+seq*v_s)%64), ']'),
         BIT_OR(1 << (((v_a+seq*v_s)%64+1) & 63))
    INTO v_text, v_ids, v_json, v_sig FROM seq_0_to_15;
  START TRANSACTION;
  IF mode = 'd' THEN
    UPDATE customers SET labels_text = v_text, label_sig = v_sig, modified_at = NOW(3), version = version + 1 WHERE id = v_id AND partner_id = 1 AND labels_text <> v_text;
  ELSE
    UPDATE customers SET labels_text = v_text, modified_at = NOW(3), version = version + 1 WHERE id = v_id AND partner_id = 1 AND labels_text <> v_text;
  END IF;
  CALL w_labels_patch(mode, v_id, v_a, v_s, v_ids);
  INSERT INTO customer_audit (customer_id, partner_id, client_id, action, labels_after, created_at)
    VALUES (v_id, 1, 'bench', 'labels', v_json, NOW(3));
  COMMIT;
END//
DELIMITER ;
