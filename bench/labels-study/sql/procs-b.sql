DELIMITER //
CREATE OR REPLACE PROCEDURE w_labels_ins(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000), v_sig BIGINT UNSIGNED)
BEGIN
  INSERT INTO customer_labels (customer_id, partner_id, label) SELECT v_id, 1, CONCAT('label-', LPAD((v_a+seq*v_s)%64,2,'0')) FROM seq_0_to_15;
END//
CREATE OR REPLACE PROCEDURE w_labels_patch(mode VARCHAR(8), v_id BINARY(16), v_a INT, v_s INT, v_ids VARCHAR(2000))
BEGIN
  DELETE FROM customer_labels WHERE customer_id = v_id;
  INSERT INTO customer_labels (customer_id, partner_id, label) SELECT v_id, 1, CONCAT('label-', LPAD((v_a+seq*v_s)%64,2,'0')) FROM seq_0_to_15;
END//
DELIMITER ;
