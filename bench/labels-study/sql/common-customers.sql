CREATE TABLE IF NOT EXISTS partners (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT, name VARCHAR(100) NOT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id), UNIQUE KEY uk_partners_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT IGNORE INTO partners (id, name) VALUES (1, 'p1'), (2, 'p2'), (3, 'p3');
CREATE TABLE IF NOT EXISTS customers (
  id                BINARY(16)   NOT NULL,
  partner_id        INT UNSIGNED NOT NULL,
  entity_id         BINARY(16)   NOT NULL,
  entity_type       ENUM('NATURAL_PERSON','LEGAL_ENTITY','JOINT_PERSON') NOT NULL,
  status            ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NOT NULL DEFAULT 'CREATED',
  created_at        DATETIME(3)  NOT NULL,
  modified_at       DATETIME(3)  NOT NULL,
  cancellation_date DATETIME(3)  NULL,
  version           INT UNSIGNED NOT NULL DEFAULT 1,
  labels_text       VARBINARY(4111)  NOT NULL DEFAULT '',
  ref_accounts_text VARBINARY(20960) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY uk_customers_partner_entity (partner_id, entity_id),
  KEY idx_customers_partner_id (partner_id, id),
  KEY idx_customers_partner_status (partner_id, status, id),
  KEY idx_customers_partner_type (partner_id, entity_type, id),
  CONSTRAINT fk_customers_partner FOREIGN KEY (partner_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS customer_audit (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, customer_id BINARY(16) NOT NULL,
  partner_id INT UNSIGNED NOT NULL, client_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  requestor_id BINARY(16) NULL, request_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  action ENUM('create','labels','status') NOT NULL, labels_before JSON NULL, labels_after JSON NULL,
  status_before ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NULL,
  status_after ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id), KEY idx_customer_audit_customer (customer_id, id), KEY idx_customer_audit_partner (partner_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
SET SESSION foreign_key_checks = 0, unique_checks = 0, group_concat_max_len = 65536;
INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at, modified_at,
  cancellation_date, version, labels_text, ref_accounts_text)
SELECT c.id, 1, c.entity_id, c.entity_type, c.status, c.created_at, c.created_at,
  IF(c.status IN ('OFFBOARDING','OFFBOARDED'), c.created_at, NULL), 1,
  (SELECT GROUP_CONCAT(CONCAT('label-', LPAD(l.l, 2, '0')) ORDER BY l.l SEPARATOR 0x1F) FROM stage.lab16 l WHERE l.n = c.n),
  CONCAT_WS(0x1F, 'DE89370400440532013000', 'COBADEFFXXX', 'Seed Bank', CONCAT('Owner ', c.n), 'PRIMARY')
FROM stage.cust c ORDER BY c.n;
