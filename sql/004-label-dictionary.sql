-- customers-fcgi schema, version 4: a customer's labels become ids of a
-- per-partner dictionary, the pair rows of version 3 go, and every label
-- carries an exact count of the customers that have it.  Idempotent like
-- every migration: a failed run is simply repeated.
--
-- Upgrading from version 3: stop the service, `customers-admin migrate`,
-- start it.  The label rows are copied once (each customer's own labels,
-- not its pairs), so it takes about as long as reading customer_labels.
--
-- Why (docs/labels-store-study.md, bench/RESULTS.md): at the contract's
-- 16 labels per customer the pair rows were 136 rows per customer, 9.9x
-- the storage of a plain join table and a PATCH of 16 labels touched 272
-- random index entries; and a filter naming an unknown label still walked
-- the other labels' range before answering "nobody".  Now:
--   * partner_labels: one row per label name of a partner.  label_id is
--     global (AUTO_INCREMENT), so customer_labels needs no partner column
--     and a renamed label keeps its id and its customers' rows;
--   * customer_labels (customer_id, label_id): primary key for a
--     customer's labels and a further label's probe, and
--     idx_customer_labels_filter (label_id, customer_id) for the walk of
--     the rarest label of a filter, newest first;
--   * partner_label_counts: the number of customers with the label that
--     are not OFFBOARDED, as the sum of n over the label's shards, kept by
--     every writer in its own transaction (db_labels.c, db_seed.c).  A
--     writer adds to its connection's shard (CONNECTION_ID() % 32), so
--     concurrent writers seldom wait on the same counter row; the rows of
--     one statement are touched in label_id order.  Not triggers: with
--     binary logging on (Galera, replicas) creating one needs SUPER.
CREATE TABLE IF NOT EXISTS partner_labels (
  label_id   INT UNSIGNED NOT NULL AUTO_INCREMENT,
  partner_id INT UNSIGNED NOT NULL,
  name       VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (label_id),
  UNIQUE KEY uk_partner_labels_name (partner_id, name),
  CONSTRAINT fk_partner_labels_partner FOREIGN KEY (partner_id) REFERENCES partners (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS partner_label_counts (
  label_id INT UNSIGNED     NOT NULL,
  shard    TINYINT UNSIGNED NOT NULL,
  n        INT              NOT NULL,
  PRIMARY KEY (label_id, shard)
) ENGINE=InnoDB;

-- The new customer_labels, under a name of its own until the old one is
-- gone (its constraint names too: InnoDB's are per database).
CREATE TABLE IF NOT EXISTS customer_label_ids (
  customer_id BINARY(16)   NOT NULL,
  label_id    INT UNSIGNED NOT NULL,
  PRIMARY KEY (customer_id, label_id),
  KEY idx_customer_labels_filter (label_id, customer_id),
  CONSTRAINT fk_customer_label_ids_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_customer_label_ids_label FOREIGN KEY (label_id) REFERENCES partner_labels (label_id)
) ENGINE=InnoDB;

BEGIN NOT ATOMIC
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE()
             AND table_name = 'customer_labels' AND column_name = 'paired_with') THEN
    INSERT IGNORE INTO partner_labels (partner_id, name)
      SELECT DISTINCT partner_id, label FROM customer_labels WHERE paired_with = ''
      ORDER BY partner_id, label;
    INSERT IGNORE INTO customer_label_ids (customer_id, label_id)
      SELECT l.customer_id, d.label_id FROM customer_labels l
      JOIN partner_labels d ON d.partner_id = l.partner_id AND d.name = l.label
      WHERE l.paired_with = '';
    DROP TABLE customer_labels;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE()
                 AND table_name = 'customer_labels') THEN
    RENAME TABLE customer_label_ids TO customer_labels;
  END IF;
END;
-- left over only by a run that failed after the RENAME (then created anew, empty)
DROP TABLE IF EXISTS customer_label_ids;

-- The counts of the copied rows, from scratch (the service is stopped).
DELETE FROM partner_label_counts;
INSERT INTO partner_label_counts (label_id, shard, n)
  SELECT l.label_id, 0, COUNT(*) FROM customer_labels l
  JOIN customers c ON c.id = l.customer_id AND c.status <> 'OFFBOARDED'
  GROUP BY l.label_id;
