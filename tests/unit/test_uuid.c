/*
 * test_uuid: parse/format of the canonical text and UUIDv7 generation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "uuid.h"

static const struct {
	int line;
	const char *text;
	int ok;
} parse_cases[] = {
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", 1},
        {__LINE__, "0190A3C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D", 1},
        {__LINE__, "0190a3C4-5E6f-7A8b-9c0D-1E2f3A4b5C6d", 1},
        {__LINE__, "00000000-0000-0000-0000-000000000000", 1},
        {__LINE__, "ffffffff-ffff-ffff-ffff-ffffffffffff", 1},
        {__LINE__, "", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6", 0},   /* 35 chars */
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d0", 0}, /* 37 chars */
        {__LINE__, "0190a3c45e6f7a8b9c0d1e2f3a4b5c6d", 0},      /* no dashes */
        {__LINE__, "0190a3c-45e6f-7a8b-9c0d-1e2f3a4b5c6d", 0},  /* dash one early */
        {__LINE__, "0190a3c45-e6f-7a8b-9c0d-1e2f3a4b5c6d", 0},  /* dash one late */
        {__LINE__, "0190a3c4-5e6f7-a8b-9c0d-1e2f3a4b5c6d", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b9-c0d-1e2f3a4b5c6d", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d1-e2f3a4b5c6d", 0},
        {__LINE__, "0190a3c4_5e6f_7a8b_9c0d_1e2f3a4b5c6d", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6g", 0},
        {__LINE__, "g190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c-d", 0},
        {__LINE__, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c d", 0},
        {__LINE__, "{190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6}", 0},
        {__LINE__, "------------------------------------", 0},
};

static void test_parse(void)
{
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct uuid u;
		const char *t = parse_cases[i].text;

		snprintf(name, sizeof(name), "line %d: parse \"%s\"", parse_cases[i].line, t);
		is_int(uuid_parse(t, strlen(t), &u), parse_cases[i].ok ? 0 : -1, name);
	}
}

static void test_parse_values(void)
{
	static const unsigned char want[16] = {0x01, 0x90, 0xa3, 0xc4, 0x5e, 0x6f, 0x7a, 0x8b,
	                                       0x9c, 0x0d, 0x1e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d};
	const char *upper = "0190A3C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D";
	char text[UUID_STR_LEN + 1];
	struct uuid u;

	ok(uuid_parse(upper, strlen(upper), &u) == 0 && memcmp(u.b, want, 16) == 0,
	   "upper-case text gives the right bytes");
	uuid_format(&u, text);
	is_str(text, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "format is lower-case canonical");
	/* Exactly len bytes: a longer buffer with a valid prefix is still judged on len. */
	ok(uuid_parse("0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6dXX", 36, &u) == 0,
	   "parse reads exactly len bytes");
	ok(uuid_parse(NULL, 36, &u) == -1, "NULL text is refused");
}

static void test_round_trip(void)
{
	int bad = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		char text[UUID_STR_LEN + 1];
		struct uuid a, b;
		int j;

		for (j = 0; j < 16; j++)
			a.b[j] = (unsigned char)rand();
		uuid_format(&a, text);
		if (strlen(text) != UUID_STR_LEN ||
		    strspn(text, "0123456789abcdef-") != UUID_STR_LEN ||
		    uuid_parse(text, UUID_STR_LEN, &b) != 0 || memcmp(a.b, b.b, 16) != 0)
			bad++;
	}
	is_int(bad, 0, "1000 random ids survive format -> parse");
}

static void test_v7_bits(void)
{
	const int64_t ms = INT64_C(1795718919123); /* 2026-11-26T18:48:39.123Z */
	struct uuid u;

	is_int(uuid_v7_at(ms, &u), 0, "v7 generation succeeds");
	is_int(u.b[6] >> 4, 7, "version nibble is 7");
	is_int(u.b[8] >> 6, 2, "variant bits are 10");
	is_int(uuid_v7_ms(&u), ms, "ms comes back from the first 48 bits");
	is_int(u.b[0], 0x01, "first byte is the top of the big-endian ms");
	is_int(u.b[5], (int)(ms & 0xff), "sixth byte is the bottom of the ms");
	is_int(uuid_v7_at(0, &u), 0, "v7 at the epoch");
	is_int(uuid_v7_ms(&u), 0, "epoch ms round trip");
	is_int(uuid_v7_at(-5, &u), 0, "negative ms is clamped, not wrapped");
	is_int(uuid_v7_ms(&u), 0, "negative ms gives the epoch");
}

/* 10 000 ids for one ms: strictly increasing bytes, ms never goes backwards. */
static void test_v7_monotonic(void)
{
	const int64_t ms = INT64_C(1900000000000);
	struct uuid prev, cur;
	int not_increasing = 0, bad_bits = 0;
	int i;

	uuid_v7_at(ms, &prev);
	for (i = 1; i < 10000; i++) {
		if (uuid_v7_at(ms, &cur) != 0 || memcmp(prev.b, cur.b, 16) >= 0)
			not_increasing++;
		if (cur.b[6] >> 4 != 7 || cur.b[8] >> 6 != 2)
			bad_bits++;
		prev = cur;
	}
	is_int(not_increasing, 0, "10000 ids in the same ms are strictly increasing");
	is_int(bad_bits, 0, "version and variant survive counter overflow");
	ok(uuid_v7_ms(&prev) > ms && uuid_v7_ms(&prev) < ms + 10,
	   "counter overflow borrows the next few ms only");
	uuid_v7_at(ms + 1000, &cur);
	ok(memcmp(prev.b, cur.b, 16) < 0, "a later ms sorts after");
	is_int(uuid_v7_ms(&cur), ms + 1000, "a later ms is used as given");
	uuid_v7_at(ms - 86400000, &cur);
	is_int(uuid_v7_ms(&cur), ms - 86400000, "a past ms keeps its own time");
	uuid_v7_at(ms + 1000, &prev);
	uuid_v7_at(ms + 1000, &cur);
	ok(memcmp(prev.b, cur.b, 16) < 0, "after a past id, same-ms ids still increase");
}

int main(void)
{
	test_parse();
	test_parse_values();
	test_round_trip();
	test_v7_bits();
	test_v7_monotonic();
	return done_testing();
}
