-- customers-fcgi schema, version 5: offboardings (contract §12).
-- Idempotent like every migration: a failed run is simply repeated.
--
-- offboardings: one row per offboarding.  id is a UUIDv7 whose millisecond
-- prefix is created_at (as for customers), so ORDER BY id DESC is "newest
-- first" and the keyset position is the id alone.  status_before is the
-- customer's status when the offboarding was made, given back by a
-- cancellation.  open_customer is the customer while the offboarding is
-- CREATED and NULL after: its unique key allows one open offboarding per
-- customer whatever node or pool writes it (the executor's and the
-- handlers' row locks order the writers; this key is the last word).
-- idx_offboardings_due serves the executor's "CREATED and due" scan.
CREATE TABLE IF NOT EXISTS offboardings (
  id                BINARY(16)   NOT NULL,
  partner_id        INT UNSIGNED NOT NULL,
  customer_id       BINARY(16)   NOT NULL,
  reason            ENUM('CANCELLATION_BY_PARTNER_ORDINARY','CUSTOMER_REQUEST_IMMEDIATE',
                         'CANCELLATION_BY_PARTNER_IMMEDIATE','DEATH_IMMEDIATE',
                         'DISSOLUTION_IMMEDIATE','INSOLVENCY_IMMEDIATE',
                         'COMPANY_STRUCTURE_CHANGES_IMMEDIATE') NOT NULL,
  status            ENUM('CREATED','APPROVED','CANCELED') NOT NULL DEFAULT 'CREATED',
  requestor_id      BINARY(16)   NOT NULL,
  cancellation_date DATETIME(3)  NOT NULL,
  created_at        DATETIME(3)  NOT NULL,
  modified_at       DATETIME(3)  NOT NULL,
  executed_at       DATETIME(3)  NULL,
  status_before     ENUM('CREATED','ACTIVE','OFFBOARDING','OFFBOARDED') NOT NULL,
  open_customer     BINARY(16) AS (IF(status = 'CREATED', customer_id, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY uk_offboardings_open (open_customer),
  KEY idx_offboardings_partner (partner_id, id),
  KEY idx_offboardings_partner_customer (partner_id, customer_id, id),
  KEY idx_offboardings_partner_status (partner_id, status, id),
  KEY idx_offboardings_due (status, cancellation_date),
  CONSTRAINT fk_offboardings_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The audit record of a status change an offboarding made (created,
-- canceled, executed, or canceled by the operator's set-status) names it.
BEGIN NOT ATOMIC
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE()
                 AND table_name = 'customer_audit' AND column_name = 'offboarding_id') THEN
    ALTER TABLE customer_audit ADD COLUMN offboarding_id BINARY(16) NULL AFTER status_after,
      ADD KEY idx_customer_audit_offboarding (offboarding_id);
  END IF;
END;

-- Re-onboarding (§12): an entity whose customer is OFFBOARDED may become a
-- customer again.  entity_live is the entity while the customer is not
-- OFFBOARDED, NULL after, and is unique per partner: at most one live
-- customer per entity, still decided by the key for concurrent creates.
-- The plain (partner_id, entity_id, id) key serves the entityId filter,
-- which may now match several customers, newest first.
BEGIN NOT ATOMIC
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE()
                 AND table_name = 'customers' AND column_name = 'entity_live') THEN
    ALTER TABLE customers
      ADD COLUMN entity_live BINARY(16) AS (IF(status = 'OFFBOARDED', NULL, entity_id)) PERSISTENT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE()
                 AND table_name = 'customers' AND index_name = 'uk_customers_partner_live') THEN
    ALTER TABLE customers ADD UNIQUE KEY uk_customers_partner_live (partner_id, entity_live);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE()
                 AND table_name = 'customers' AND index_name = 'idx_customers_partner_entity') THEN
    ALTER TABLE customers ADD KEY idx_customers_partner_entity (partner_id, entity_id, id);
  END IF;
  IF EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE()
             AND table_name = 'customers' AND index_name = 'uk_customers_partner_entity') THEN
    ALTER TABLE customers DROP KEY uk_customers_partner_entity;
  END IF;
END;
