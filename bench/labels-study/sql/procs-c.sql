DELIMITER //
-- mode 'c': counters in partner_labels; 'cs': sharded counters (8 shards, by connection); 'c0': no counters; 'd': as c + sig
CREATE OR REPLACE PROCEDURE w_counts(mode VARCHAR(8), v_list VARCHAR(2000), v_plus VARCHAR(2000))
BEGIN
  IF v_list IS NULL OR v_list = '' THEN
    SET @noop = 0;
  ELSEIF mode IN ('c', 'd') THEN
    SET @q = CONCAT('UPDATE partner_labels SET customers_count = customers_count + IF(FIND_IN_SET(label_id, ''', v_plus, '''), 1, -1) WHERE partner_id = 1 AND label_id IN (', v_list, ')');
    PREPARE st FROM @q; EXECUTE st; DEALLOCATE PREPARE st;
  ELSEIF mode = 'cs' THEN
    SET @q = CONCAT('UPDATE partner_label_counts SET n = n + IF(FIND_IN_SET(label_id, ''', v_plus, '''), 1, -1) WHERE partner_id = 1 AND label_id IN (', v_list, ') AND shard = ', CONNECTION_ID() % 8);
    PREPARE st FROM @q; EXECUTE st; DEALLOCATE PREPARE st;
  ELSE
    SET @q = CONCAT('SELECT 1 FROM DUAL WHERE 0 AND FIND_IN_SET(1, ''', v_plus, ''') AND 1 IN (', v_list, ')');
    PREPARE st FROM @q; EXECUTE st; DEALLOCATE PREPARE st;
  END IF;
END//
CREATE OR REPLACE PROCEDURE w_labels_ins(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000), v_sig BIGINT UNSIGNED)
BEGIN

  INSERT INTO customer_labels (customer_id, partner_id, label_id) SELECT v_id, 1, (v_a+seq*v_s)%64+1 FROM seq_0_to_15;
  CALL w_counts(mode, v_ids, v_ids);
END//
CREATE OR REPLACE PROCEDURE w_labels_patch(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000))
BEGIN
  DECLARE v_old, v_diff VARCHAR(2000);
  SELECT GROUP_CONCAT(label_id ORDER BY label_id) INTO v_old FROM customer_labels WHERE customer_id = v_id;
  DELETE FROM customer_labels WHERE customer_id = v_id;
  INSERT INTO customer_labels (customer_id, partner_id, label_id) SELECT v_id, 1, (v_a+seq*v_s)%64+1 FROM seq_0_to_15;
  SELECT GROUP_CONCAT(seq ORDER BY seq) INTO v_diff FROM seq_1_to_64 WHERE (FIND_IN_SET(seq, v_old) > 0) XOR (FIND_IN_SET(seq, v_ids) > 0);
  CALL w_counts(mode, v_diff, v_ids);
END//
DELIMITER ;
