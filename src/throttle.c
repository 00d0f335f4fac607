/*
 * throttle: a fixed-size open-addressing table in one MAP_SHARED region,
 * guarded by one process-shared robust mutex.
 *
 * Why one lock: the critical section is a few loads and stores, and it
 * runs only on the token endpoint, whose every request already spends
 * tens of milliseconds in scrypt; striping would buy nothing.  The mutex
 * is robust, so a worker killed while holding it (the pool replaces
 * crashed workers) leaves it to the next locker instead of wedging the
 * pool; the table is consistent after every single store, so the next
 * owner only marks it consistent.
 *
 * Keys are stored as a salted SHA-256 digest cut to 128 bits: fixed size
 * whatever the client sent, and with the salt (random per master start)
 * a client cannot choose ids or addresses that land in one probe run to
 * push a victim's entry out.  A key probes PROBES slots; when all of
 * them are live, the entry whose window started first is replaced.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "throttle.h"

#define SLOTS 8192 /* power of two */
#define PROBES 8
#define DIGEST_LEN 16

struct slot {
	unsigned char digest[DIGEST_LEN]; /* all zero: empty */
	int64_t start;                    /* first failure of the window, seconds */
	uint32_t count;
};

struct table {
	pthread_mutex_t lock;
	unsigned char salt[32];
	struct slot slots[SLOTS];
};

static struct table *shm;

static int lock_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	if (pthread_mutexattr_init(&a))
		return -1;
	rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ||
	     pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) || pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return rc ? -1 : 0;
}

int throttle_init(void)
{
	void *p =
	        mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (RAND_bytes(((struct table *)p)->salt, sizeof(shm->salt)) != 1 || lock_init(p) < 0) {
		munmap(p, sizeof(*shm));
		return -1;
	}
	shm = p; /* slots zero-filled by the kernel: all empty */
	return 0;
}

static int lock(void)
{
	int rc = pthread_mutex_lock(&shm->lock);

	if (rc == EOWNERDEAD) {
		log_warn("throttle: a worker died holding the lock; recovered");
		rc = pthread_mutex_consistent(&shm->lock);
	}
	return rc ? -1 : 0;
}

/* SHA-256(salt | kind | key) cut to DIGEST_LEN; never all zero (that marks an empty slot). */
static int digest_key(enum throttle_kind kind, const char *key, unsigned char out[DIGEST_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE], k = (unsigned char)kind;
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	         EVP_DigestUpdate(ctx, shm->salt, sizeof(shm->salt)) == 1 &&
	         EVP_DigestUpdate(ctx, &k, 1) == 1 &&
	         EVP_DigestUpdate(ctx, key, strlen(key)) == 1 &&
	         EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= DIGEST_LEN;

	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(out, md, DIGEST_LEN);
	out[0] |= 1;
	return 0;
}

static size_t home_slot(const unsigned char d[DIGEST_LEN])
{
	return ((size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3]) & (SLOTS - 1);
}

static int live(const struct slot *s, unsigned window, int64_t now)
{
	return s->count > 0 && now - s->start < (int64_t)window && now >= s->start;
}

/* The key's slot, or NULL. Caller holds the lock. */
static struct slot *find(const unsigned char d[DIGEST_LEN])
{
	size_t h = home_slot(d);

	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &shm->slots[(h + i) & (SLOTS - 1)];

		if (memcmp(s->digest, d, DIGEST_LEN) == 0)
			return s;
	}
	return NULL;
}

/* A slot for a new key: a dead one, else the oldest window. Caller holds the lock. */
static struct slot *claim(const unsigned char d[DIGEST_LEN], unsigned window, int64_t now)
{
	size_t h = home_slot(d);
	struct slot *victim = NULL;

	for (size_t i = 0; i < PROBES; i++) {
		struct slot *s = &shm->slots[(h + i) & (SLOTS - 1)];

		if (!live(s, window, now)) {
			victim = s;
			break;
		}
		if (!victim || s->start < victim->start)
			victim = s;
	}
	memcpy(victim->digest, d, DIGEST_LEN);
	victim->count = 0;
	victim->start = now;
	return victim;
}

unsigned throttle_wait(enum throttle_kind kind, const char *key, unsigned limit, unsigned window,
                       int64_t now)
{
	unsigned char d[DIGEST_LEN];
	const struct slot *s;
	unsigned wait = 0;

	if (!shm || !key || !*key || limit == 0 || digest_key(kind, key, d) < 0 || lock() < 0)
		return 0;
	s = find(d);
	if (s && live(s, window, now) && s->count >= limit)
		wait = (unsigned)(s->start + (int64_t)window - now);
	pthread_mutex_unlock(&shm->lock);
	return wait;
}

void throttle_failure(enum throttle_kind kind, const char *key, unsigned window, int64_t now)
{
	unsigned char d[DIGEST_LEN];
	struct slot *s;

	if (!shm || !key || !*key || digest_key(kind, key, d) < 0 || lock() < 0)
		return;
	s = find(d);
	if (!s) {
		s = claim(d, window, now);
	} else if (!live(s, window, now)) {
		s->count = 0; /* a new window */
		s->start = now;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	pthread_mutex_unlock(&shm->lock);
}
