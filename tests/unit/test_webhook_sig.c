/*
 * test_webhook_sig: the Standard Webhooks spec's test vector, the
 * decoded-key rule (keying with the text gives another signature), and
 * new secrets.
 */
#include <string.h>

#include "tap.h"
#include "webhook_sig.h"

static const char spec_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char spec_id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const char spec_body[] = "{\"test\": 2432232314}";
static const char spec_sig[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

static void test_vector(void)
{
	unsigned char key[64];
	char sig[WEBHOOK_SIG_MAX];
	long n = webhook_secret_decode(spec_secret, key, sizeof(key));

	is_int(n, 24, "the spec's secret decodes to 24 bytes");
	ok(webhook_sign(key, (size_t)n, spec_id, 1614265330, spec_body, strlen(spec_body), sig) ==
	           0,
	   "sign");
	is_str(sig, spec_sig, "the spec's test vector");
	webhook_sign((const unsigned char *)spec_secret, strlen(spec_secret), spec_id, 1614265330,
	             spec_body, strlen(spec_body), sig);
	ok(strcmp(sig, spec_sig) != 0, "keying with the secret's text is not the scheme");
	webhook_sign(key, (size_t)n, spec_id, 1614265331, spec_body, strlen(spec_body), sig);
	ok(strcmp(sig, spec_sig) != 0, "another timestamp, another signature");
}

static void test_decode_errors(void)
{
	unsigned char key[64];

	is_int(webhook_secret_decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, sizeof(key)), -1,
	       "no whsec_ prefix");
	is_int(webhook_secret_decode("whsec_!!!!", key, sizeof(key)), -1, "not base64");
}

static void test_new(void)
{
	char text[WEBHOOK_SECRET_MAX], text2[WEBHOOK_SECRET_MAX];
	unsigned char key[WEBHOOK_KEY_LEN], back[64], key2[WEBHOOK_KEY_LEN];

	ok(webhook_secret_new(text, key) == 0, "new secret");
	is_int(strlen(text), 6 + 44, "whsec_ + 44 base64 characters");
	ok(!strncmp(text, "whsec_", 6), "prefixed whsec_");
	is_int(webhook_secret_decode(text, back, sizeof(back)), WEBHOOK_KEY_LEN,
	       "decodes to 32 bytes");
	ok(!memcmp(back, key, WEBHOOK_KEY_LEN), "to the key it came with");
	webhook_secret_new(text2, key2);
	ok(strcmp(text, text2) != 0, "two secrets differ");
}

int main(void)
{
	test_vector();
	test_decode_errors();
	test_new();
	return done_testing();
}
