/*
 * read_copy: the text forms of a customer's labels and ref accounts kept
 * on its row (customers.labels_text, customers.ref_accounts_text; see
 * sql/001-schema.sql), so that a customer is read in one index lookup.
 *
 * Labels are joined by the ASCII unit separator 0x1F; ref accounts are
 * records joined by the record separator 0x1E, each of the fields iban,
 * bic, bank_name, owner_name, type joined by 0x1F (an absent field is
 * empty).  Validation keeps both separators out of every label, name and
 * code, so no escaping is needed.
 *
 * Pure: no I/O, no allocation; unit-tested (tests/unit/test_read_copy.c).
 */
#ifndef READ_COPY_H
#define READ_COPY_H

#include <stddef.h>

#include "model.h"

/* Room for the longest labels text and its NUL: 16 labels of 256 bytes and 15 separators. */
#define READ_COPY_LABELS_CAP (LABELS_MAX * (LABEL_MAX_BYTES + 1))

/*
 * Each writes a NUL-terminated text into out[cap] (owned by the caller;
 * the set and accounts are borrowed): its length, or -1 if it does not
 * fit.
 */
long read_copy_join_labels(const struct label_set *set, char *out, size_t cap);
long read_copy_join_refs(const struct ref_account *refs, size_t n, char *out, size_t cap);

/*
 * Appends one label (len bytes, borrowed) to the labels text being built
 * in out[cap] at *at, a separator first unless it is the first; keeps
 * out NUL-terminated.  0, or -1 when it does not fit (out unchanged).
 */
int read_copy_add_label(char *out, size_t cap, size_t *at, const char *s, size_t len);

/*
 * Each cuts a text s of len bytes (NUL-terminated, the caller's) in place
 * into NUL-terminated parts; the strings of *out then point into s, so
 * they live as long as s.  0, or -1 for more than LABELS_MAX labels or
 * REF_ACCOUNTS_MAX accounts, or an account without its five fields.
 */
int read_copy_split_labels(char *s, size_t len, struct label_set *out);
int read_copy_split_refs(char *s, size_t len, struct ref_account out[REF_ACCOUNTS_MAX], size_t *n);

#endif
