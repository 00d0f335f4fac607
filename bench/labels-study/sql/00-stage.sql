CREATE DATABASE IF NOT EXISTS stage;
USE stage;
SET SESSION max_heap_table_size = 1073741824, tmp_table_size = 1073741824;
DROP TABLE IF EXISTS cust;
CREATE TABLE cust (
  n INT NOT NULL PRIMARY KEY,
  id BINARY(16) NOT NULL,
  entity_id BINARY(16) NOT NULL,
  entity_type ENUM('NATURAL_PERSON','LEGAL_ENTITY','JOINT_PERSON') NOT NULL,
  status ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NOT NULL,
  created_at DATETIME(3) NOT NULL
) ENGINE=InnoDB;
-- UUIDv7: 48-bit ms prefix, version 7, variant 10; ids increase with n.
SET @t0 = (UNIX_TIMESTAMP(NOW(3)) - 365*86400) * 1000;
INSERT INTO cust
SELECT s.seq,
  UNHEX(CONCAT(LPAD(HEX(FLOOR(@t0 + s.seq * 157.68)), 12, '0'), '7', SUBSTR(MD5(s.seq),1,3), '8', SUBSTR(MD5(s.seq),4,15))),
  UNHEX(MD5(CONCAT('e', s.seq))),
  1 + CRC32(CONCAT('t', s.seq)) % 3,
  CASE WHEN CRC32(CONCAT('s', s.seq)) % 100 < 70 THEN 'ACTIVE'
       WHEN CRC32(CONCAT('s', s.seq)) % 100 < 90 THEN 'CREATED'
       WHEN CRC32(CONCAT('s', s.seq)) % 100 < 97 THEN 'OFFBOARDING' ELSE 'OFFBOARDED' END,
  FROM_UNIXTIME(FLOOR(@t0 + s.seq * 157.68) / 1000)
FROM seq_1_to_200000 s;
-- 16 of 64 labels per customer, uniformly (a pseudo-random rank per customer).
DROP TABLE IF EXISTS lab16;
CREATE TABLE lab16 (n INT NOT NULL, l TINYINT UNSIGNED NOT NULL, PRIMARY KEY (n, l)) ENGINE=InnoDB;
INSERT INTO lab16
SELECT n, l FROM (
  SELECT c.seq n, l.seq l, ROW_NUMBER() OVER (PARTITION BY c.seq ORDER BY MD5(CONCAT(c.seq, '/', l.seq))) rk
  FROM seq_1_to_200000 c JOIN seq_0_to_63 l) x
WHERE rk <= 16;
DROP TABLE IF EXISTS lab3;
CREATE TABLE lab3 (n INT NOT NULL, l TINYINT UNSIGNED NOT NULL, PRIMARY KEY (n, l)) ENGINE=InnoDB;
INSERT INTO lab3
SELECT n, l FROM (
  SELECT c.seq n, l.seq l, ROW_NUMBER() OVER (PARTITION BY c.seq ORDER BY MD5(CONCAT(c.seq, '#', l.seq))) rk
  FROM seq_1_to_200000 c JOIN seq_0_to_49 l) x
WHERE rk <= 3;
SELECT COUNT(*), COUNT(DISTINCT n) FROM lab16;
SELECT l, COUNT(*) FROM lab16 GROUP BY l ORDER BY 2 LIMIT 3;
