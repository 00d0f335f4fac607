/*
 * test_read_copy: the read copies of labels and ref accounts, joined and
 * cut up again: round trips, absent optional fields, the empty text, the
 * limits of both (count and capacity) and texts that are not ours.
 */
#include <stdio.h>
#include <string.h>

#include "read_copy.h"
#include "tap.h"

#define US "\x1f" /* the unit separator */
#define RS "\x1e" /* the record separator */

static void set_of(struct label_set *set, const char *const *labels, size_t n)
{
	set->n = n;
	for (size_t i = 0; i < n; i++) {
		set->v[i] = labels[i];
		set->len[i] = strlen(labels[i]);
	}
}

static void test_labels_round_trip(void)
{
	static const char *const in[] = {"berlin", "vip", "\xc3\xa9t\xc3\xa9 \"q\""};
	struct label_set set, out;
	char text[READ_COPY_LABELS_CAP];
	long n;

	set_of(&set, in, 3);
	n = read_copy_join_labels(&set, text, sizeof(text));
	is_int(n, (long)strlen("berlin" US "vip" US "\xc3\xa9t\xc3\xa9 \"q\""),
	       "labels joined by 0x1F");
	is_str(text, "berlin" US "vip" US "\xc3\xa9t\xc3\xa9 \"q\"", "labels text");
	is_int(read_copy_split_labels(text, (size_t)n, &out), 0, "labels cut up");
	is_int(out.n, 3, "three labels back");
	ok(label_set_equal(&set, &out), "the same labels, in order");
	ok(out.v[1] == text + 7 && out.len[1] == 3, "in place: parts point into the text");
	set.n = 0;
	is_int(read_copy_join_labels(&set, text, sizeof(text)), 0, "no labels: empty text");
	is_int(read_copy_split_labels(text, 0, &out), 0, "empty text cuts");
	is_int(out.n, 0, "empty text: no labels, not one empty label");
}

/* 16 labels of the maximal size fill READ_COPY_LABELS_CAP exactly; 17 labels do not cut. */
static void test_labels_limits(void)
{
	static char big[LABELS_MAX][LABEL_MAX_BYTES + 1];
	static char text[READ_COPY_LABELS_CAP + LABEL_MAX_BYTES + 2];
	struct label_set set, out;
	size_t at = 0;
	long n;

	for (size_t i = 0; i < LABELS_MAX; i++) {
		memset(big[i], 'a' + (int)i, LABEL_MAX_BYTES);
		set.v[i] = big[i];
		set.len[i] = LABEL_MAX_BYTES;
	}
	set.n = LABELS_MAX;
	n = read_copy_join_labels(&set, text, READ_COPY_LABELS_CAP);
	is_int(n, READ_COPY_LABELS_CAP - 1, "the largest set fits its capacity");
	is_int(read_copy_join_labels(&set, text, READ_COPY_LABELS_CAP - 1), -1,
	       "one byte less does not");
	n = read_copy_join_labels(&set, text, sizeof(text));
	at = (size_t)n;
	is_int(read_copy_add_label(text, sizeof(text), &at, "x", 1), 0, "a 17th label appends");
	is_int(read_copy_split_labels(text, at, &out), -1, "17 labels do not cut");
}

static void test_add_label(void)
{
	char text[8];
	size_t at = 0;

	is_int(read_copy_add_label(text, sizeof(text), &at, "ab", 2), 0, "first label");
	is_str(text, "ab", "no separator before the first");
	is_int(read_copy_add_label(text, sizeof(text), &at, "cd", 2), 0, "second label");
	is_str(text, "ab" US "cd", "separator before the second");
	is_int(read_copy_add_label(text, sizeof(text), &at, "ef", 2), -1, "full: refused");
	is_str(text, "ab" US "cd", "and left as it was");
	is_int(at, 5, "position unchanged");
}

static void test_refs_round_trip(void)
{
	const struct ref_account in[2] = {
	        {"DE89370400440532013000", "COBADEFFXXX", "Commerzbank", "Erika Mustermann", 1},
	        {"GB82WEST12345698765432", NULL, NULL, "Max", 0},
	};
	struct ref_account out[REF_ACCOUNTS_MAX];
	char text[512];
	size_t n = 99;
	long len = read_copy_join_refs(in, 2, text, sizeof(text));

	is_str(text,
	       "DE89370400440532013000" US "COBADEFFXXX" US "Commerzbank" US "Erika Mustermann" US
	       "PRIMARY" RS "GB82WEST12345698765432" US US US "Max" US "OTHER",
	       "records by 0x1E, fields by 0x1F, absent fields empty");
	is_int(read_copy_split_refs(text, (size_t)len, out, &n), 0, "ref accounts cut up");
	is_int(n, 2, "two accounts back");
	is_str(out[0].iban, in[0].iban, "iban");
	is_str(out[0].bic, in[0].bic, "bic");
	is_str(out[0].bank_name, in[0].bank_name, "bank name");
	is_str(out[0].owner_name, in[0].owner_name, "owner name");
	is_int(out[0].primary, 1, "PRIMARY");
	ok(out[1].bic == NULL && out[1].bank_name == NULL, "empty fields come back absent");
	is_int(out[1].primary, 0, "OTHER");
	is_int(read_copy_join_refs(in, 0, text, sizeof(text)), 0, "no accounts: empty text");
	is_int(read_copy_split_refs(text, 0, out, &n), 0, "empty text cuts");
	is_int(n, 0, "no accounts");
	is_int(read_copy_join_refs(in, 2, text, 40), -1, "too small a buffer: -1");
}

/* Texts the writer never makes: a record with too few or too many fields, 11 records. */
static void test_refs_malformed(void)
{
	struct ref_account out[REF_ACCOUNTS_MAX];
	char text[512];
	size_t n, at = 0;

	snprintf(text, sizeof(text), "DE89" US US US "Owner");
	is_int(read_copy_split_refs(text, strlen(text), out, &n), -1, "four fields: -1");
	snprintf(text, sizeof(text), "DE89" US US US "Owner" US "OTHER" US "more");
	is_int(read_copy_split_refs(text, strlen(text), out, &n), -1, "six fields: -1");
	for (int i = 0; i <= REF_ACCOUNTS_MAX; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%sI" US US US "O" US "OTHER",
		                       i ? RS : "");
	is_int(read_copy_split_refs(text, at, out, &n), -1, "eleven accounts: -1");
}

int main(void)
{
	test_labels_round_trip();
	test_labels_limits();
	test_add_label();
	test_refs_round_trip();
	test_refs_malformed();
	return done_testing();
}
