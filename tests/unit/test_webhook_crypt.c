/*
 * test_webhook_crypt: a sealed secret opens with its key and row id only,
 * and a flipped bit anywhere refuses it.
 */
#include <string.h>

#include "tap.h"
#include "webhook_crypt.h"

static const unsigned char cfg_secret[32] = "0123456789abcdef0123456789abcdef";

int main(void)
{
	unsigned char kek[32], kek2[32], key[WEBHOOK_KEY_LEN], back[WEBHOOK_KEY_LEN];
	unsigned char sealed[WEBHOOK_SEALED_LEN], other[WEBHOOK_SEALED_LEN];
	struct uuid id, id2;
	char text[WEBHOOK_SECRET_MAX];

	memset(id.b, 1, sizeof(id.b));
	memset(id2.b, 2, sizeof(id2.b));
	ok(webhook_crypt_key(cfg_secret, sizeof(cfg_secret), kek) == 0, "derive");
	webhook_crypt_key((const unsigned char *)"another secret of thirty-two byt", 32, kek2);
	ok(memcmp(kek, kek2, 32) != 0, "another configuration secret, another key");
	ok(memcmp(kek, cfg_secret, 32) != 0, "the key is not the secret itself");
	webhook_secret_new(text, key);
	ok(webhook_seal(kek, &id, key, sealed) == 0, "seal");
	ok(memmem(sealed, sizeof(sealed), key, 8) == NULL, "the key bytes do not appear sealed");
	ok(webhook_open(kek, &id, sealed, sizeof(sealed), back) == 0, "open");
	ok(!memcmp(back, key, sizeof(key)), "opens to the key");
	is_int(webhook_open(kek2, &id, sealed, sizeof(sealed), back), -1, "another key: refused");
	is_int(webhook_open(kek, &id2, sealed, sizeof(sealed), back), -1, "another row: refused");
	is_int(webhook_open(kek, &id, sealed, sizeof(sealed) - 1, back), -1, "short: refused");
	for (size_t i = 0; i < sizeof(sealed); i += 7) {
		memcpy(other, sealed, sizeof(sealed));
		other[i] ^= 0x40;
		if (webhook_open(kek, &id, other, sizeof(other), back) != -1)
			break;
		if (i + 7 >= sizeof(sealed))
			ok(1, "a flipped bit in nonce, ciphertext or tag: refused");
	}
	webhook_seal(kek, &id, key, other);
	ok(memcmp(other, sealed, sizeof(sealed)) != 0, "two seals differ (fresh nonce)");
	return done_testing();
}
