-- customers-fcgi schema, version 1.  Applied by `customers-admin migrate`,
-- which records it in schema_migrations; every statement is idempotent
-- (IF NOT EXISTS) so a partly applied run can simply be repeated.
--
-- Text that is compared (labels, client ids) uses binary collations:
-- utf8mb4_bin orders by code point, which is UTF-8 byte order, the order
-- the contract gives labels.  utf8mb4_bin is a PAD SPACE collation, but a
-- valid label has no trailing white space and no control characters (all
-- below the space), so padding never changes an equality or an order.

CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INT UNSIGNED NOT NULL,
  applied_at DATETIME(3)  NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS partners (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name       VARCHAR(100) NOT NULL,
  created_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_partners_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- secret_hash: "scrypt$N$r$p$<salt>$<hash>"; the secret itself is never stored.
-- scopes: space-separated, as in the token ("customers:read customers:write").
CREATE TABLE IF NOT EXISTS oauth_clients (
  client_id   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  partner_id  INT UNSIGNED NOT NULL,
  secret_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  scopes      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  disabled    TINYINT(1)   NOT NULL DEFAULT 0,
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (client_id),
  KEY idx_oauth_clients_partner (partner_id),
  CONSTRAINT fk_oauth_clients_partner FOREIGN KEY (partner_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- id is a UUIDv7 whose 48-bit millisecond prefix equals created_at, so
-- ORDER BY id DESC is "createdOn desc, customerId desc" and the keyset
-- position of the list is the id alone.  Each secondary key ends in id
-- (InnoDB appends the primary key anyway) so that every filter walks an
-- index range already in id order: no filesort, LIMIT stops early.
-- version feeds the ETag and grows with every change.
-- labels_text and ref_accounts_text are read copies of the customer's rows in
-- customer_labels and customer_ref_accounts (fields joined by 0x1F, records
-- by 0x1E, which valid text cannot contain), written in the same transaction
-- as those rows.  They make a read one index lookup: per-row GROUP_CONCAT
-- subqueries made MariaDB build an on-disk temporary table for every row
-- read (a GROUP_CONCAT longer than 512 bytes is a BLOB).  The join tables
-- stay the source for filtering and integrity.
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

-- partner_id is copied from the customer so that the all-of label filter
-- walks one partner's (label, customer_id) range newest first and probes
-- the primary key (customer_id, label) for each further label.
CREATE TABLE IF NOT EXISTS customer_labels (
  customer_id BINARY(16)   NOT NULL,
  partner_id  INT UNSIGNED NOT NULL,
  label       VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (customer_id, label),
  KEY idx_customer_labels_filter (partner_id, label, customer_id),
  CONSTRAINT fk_customer_labels_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- position keeps the input order of the refAccounts array.
CREATE TABLE IF NOT EXISTS customer_ref_accounts (
  customer_id BINARY(16)       NOT NULL,
  position    TINYINT UNSIGNED NOT NULL,
  iban        VARCHAR(34)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bic         VARCHAR(11)      CHARACTER SET ascii COLLATE ascii_bin NULL,
  bank_name   VARCHAR(255)     NULL,
  owner_name  VARCHAR(255)     NOT NULL,
  type        ENUM('PRIMARY','OTHER') NOT NULL DEFAULT 'OTHER',
  PRIMARY KEY (customer_id, position),
  CONSTRAINT fk_ref_accounts_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per successful write (contract section 7), in the write's own
-- transaction.  No foreign keys: the trail must outlive anything it names.
-- labels_before is NULL for 'create'; the status columns are set for 'status'.
CREATE TABLE IF NOT EXISTS customer_audit (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id   BINARY(16)      NOT NULL,
  partner_id    INT UNSIGNED    NOT NULL,
  client_id     VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  requestor_id  BINARY(16)      NULL,
  request_id    VARCHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NULL,
  action        ENUM('create','labels','status') NOT NULL,
  labels_before JSON            NULL,
  labels_after  JSON            NULL,
  status_before ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NULL,
  status_after  ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NULL,
  created_at    DATETIME(3)     NOT NULL,
  PRIMARY KEY (id),
  KEY idx_customer_audit_customer (customer_id, id),
  KEY idx_customer_audit_partner (partner_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
