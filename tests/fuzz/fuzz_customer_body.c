/*
 * fuzz_customer_body: a request body as POST and PATCH read it
 * (json_loadb with JSON_REJECT_DUPLICATES, as request_read_json does),
 * then validate_customer_new and validate_labels_patch.
 *
 * Properties: the error always renders; an accepted customer keeps the
 * contract's limits (ids parse back, IBAN/BIC valid, at most one PRIMARY,
 * labels a sorted set), and the Customer JSON built from it renders.
 */
#include <stdint.h>

#include "customer_json.h"
#include "fuzz_common.h"
#include "validate.h"

static void check_customer(const struct customer_new *c)
{
	static struct customer_row row;
	size_t primaries = 0;
	json_t *j;

	FUZZ_ASSERT(c->nref <= REF_ACCOUNTS_MAX);
	for (size_t i = 0; i < c->nref; i++) {
		const struct ref_account *a = &c->ref[i];

		FUZZ_ASSERT(a->iban && iban_valid(a->iban, strlen(a->iban)));
		FUZZ_ASSERT(!a->bic || bic_valid(a->bic, strlen(a->bic)));
		FUZZ_ASSERT(a->owner_name && a->owner_name[0]);
		primaries += (size_t)a->primary;
	}
	FUZZ_ASSERT(primaries <= 1);
	fuzz_check_labels(&c->labels);
	memset(&row, 0, sizeof(row));
	row.entity_id = c->entity_id;
	row.entity_type = c->entity_type;
	row.labels = c->labels;
	row.nref = c->nref;
	memcpy(row.ref, c->ref, sizeof(row.ref));
	row.cancellation_ms = -1;
	j = customer_json(&row);
	FUZZ_ASSERT(j != NULL);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct customer_new c;
	struct label_set labels;
	struct api_err err;
	json_error_t jerr;
	json_t *body;
	int rc, has_labels;

	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!body) {
		/* request_read_json puts jansson's text into the message: it must render. */
		api_err_clear(&err);
		api_err_set(&err, 400, "MALFORMED_JSON", "Request body is not valid JSON: %s",
		            jerr.text);
		fuzz_check_err(&err, 1);
		return 0;
	}
	api_err_clear(&err);
	rc = validate_customer_new(body, &c, &err);
	fuzz_check_err(&err, rc < 0);
	FUZZ_ASSERT(rc == 0 || err.status == 400);
	if (rc == 0)
		check_customer(&c);
	api_err_clear(&err);
	rc = validate_labels_patch(body, &has_labels, &labels, &err);
	fuzz_check_err(&err, rc < 0);
	if (rc == 0)
		fuzz_check_labels(&labels);
	json_decref(body);
	return 0;
}
