DELIMITER //
CREATE OR REPLACE PROCEDURE w_labels_ins(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000), v_sig BIGINT UNSIGNED)
BEGIN
  INSERT INTO customer_labels (customer_id, partner_id, label, paired_with)
    SELECT v_id, 1, CONCAT('label-', LPAD(LEAST((v_a+x.seq*v_s)%64,(v_a+y.seq*v_s)%64),2,'0')),
      IF(x.seq = y.seq, '', CONCAT('label-', LPAD(GREATEST((v_a+x.seq*v_s)%64,(v_a+y.seq*v_s)%64),2,'0')))
    FROM seq_0_to_15 x JOIN seq_0_to_15 y ON y.seq >= x.seq;
END//
CREATE OR REPLACE PROCEDURE w_labels_patch(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000))
BEGIN
  DELETE FROM customer_labels WHERE customer_id = v_id;
  CALL w_labels_ins(mode, v_id, v_a, v_s, v_ids, 0);
END//
DELIMITER ;
