/*
 * customers-admin: the operator's tool.
 *
 *   customers-admin [-c FILE] migrate [--sql-dir DIR]
 *   customers-admin [-c FILE] client add --partner NAME [--scopes "customers:read ..."]
 *   customers-admin [-c FILE] client disable CLIENT_ID
 *   customers-admin [-c FILE] customer set-status CUSTOMER_ID STATUS
 *   customers-admin [-c FILE] offboarding run-due [--at RFC3339]
 *   customers-admin [-c FILE] offboarding list [--status S] [--customer ID]
 *   customers-admin [-c FILE] offboarding show OFFBOARDING_ID
 *   customers-admin [-c FILE] seed --partner NAME --count N --labels L --per-customer K
 *                                  [--seed S] [--ref-accounts R]
 *
 * Commands are rows of a const table (name, subcommand, handler, usage);
 * main() parses the global options, loads the service's own configuration
 * (so the tool reaches the same database with the same credentials) and
 * dispatches.  Exit status: 0 done, 1 runtime error (message on stderr, the
 * cause in the log lines before it), 2 usage error.  Only `client add`
 * and `offboarding list|show` print to stdout, JSON a script can read
 * (list: one object per line).
 */
#include <errno.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_clients.h"
#include "db_customers.h"
#include "db_offboardings.h"
#include "db_seed.h"
#include "log.h"
#include "model.h"
#include "offboarding_json.h"
#include "uuid.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define DEFAULT_CONFIG "/etc/customers-fcgi/customers.conf"
#define DEFAULT_SCOPES "customers:read customers:write"
#define PARTNER_NAME_MAX 100

/* Config and database are opened only once a command's arguments are valid. */
struct admin {
	const char *config_path;
	struct config cfg;
	struct db *db;
};

struct command {
	const char *name;
	const char *sub; /* NULL: the command has no subcommand */
	int (*run)(struct admin *a, int argc, char **argv);
	const char *usage;
};

static int cmd_migrate(struct admin *a, int argc, char **argv);
static int cmd_client_add(struct admin *a, int argc, char **argv);
static int cmd_client_disable(struct admin *a, int argc, char **argv);
static int cmd_set_status(struct admin *a, int argc, char **argv);
static int cmd_seed(struct admin *a, int argc, char **argv);
static int cmd_offb_run_due(struct admin *a, int argc, char **argv);
static int cmd_offb_list(struct admin *a, int argc, char **argv);
static int cmd_offb_show(struct admin *a, int argc, char **argv);

static const struct command commands[] = {
        {"migrate", NULL, cmd_migrate, "migrate [--sql-dir DIR]"},
        {"client", "add", cmd_client_add,
         "client add --partner NAME [--scopes \"" DEFAULT_SCOPES "\"]"},
        {"client", "disable", cmd_client_disable, "client disable CLIENT_ID"},
        {"customer", "set-status", cmd_set_status,
         "customer set-status CUSTOMER_ID CREATED|ACTIVE|OFFBOARDING|OFFBOARDED"},
        {"offboarding", "run-due", cmd_offb_run_due, "offboarding run-due [--at RFC3339]"},
        {"offboarding", "list", cmd_offb_list,
         "offboarding list [--status CREATED|APPROVED|CANCELED] [--customer CUSTOMER_ID]"},
        {"offboarding", "show", cmd_offb_show, "offboarding show OFFBOARDING_ID"},
        {"seed", NULL, cmd_seed,
         "seed --partner NAME --count N --labels L --per-customer K [--seed S] "
         "[--ref-accounts R]"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: customers-admin [-c FILE] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out,
	        "\n  -c FILE  configuration (default: $CUSTOMERS_CONF, else %s)\n"
	        "  --sql-dir defaults to $CUSTOMERS_SQL_DIR, else ./sql if it exists,\n"
	        "           else the installed SQL directory\n"
	        "  seed     bulk-loads N test customers for partner NAME (created if new):\n"
	        "           created over the year before today 00:00 UTC, 70%% ACTIVE,\n"
	        "           20%% CREATED, 7%% OFFBOARDING, 3%% OFFBOARDED, K distinct labels\n"
	        "           each out of label-0..label-(L-1), zero-padded to one width\n"
	        "           (L 50: label-00..label-49), R ref accounts (default 1, the\n"
	        "           first PRIMARY).  A bulk load, not an API action: no audit records.\n"
	        "           The same --seed S (default: random, printed) gives the same\n"
	        "           entity ids, labels, statuses and times on the same day;\n"
	        "           customer ids are always new\n"
	        "  offboarding run-due  executes the offboardings due at --at (default:\n"
	        "           now), as the pool's executor does; --at a later time tests\n"
	        "           what the notice period will bring, on the production path\n"
	        "\nexit status: 0 done, 1 failed, 2 usage error\n",
	        DEFAULT_CONFIG);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "customers-admin: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see customers-admin --help)\n");
	return EXIT_USAGE;
}

static const char *db_rc_text(int rc)
{
	switch (rc) {
	case DB_NOT_FOUND:
		return "not found";
	case DB_CONFLICT:
		return "already exists";
	case DB_UNAVAILABLE:
		return "database unavailable";
	default:
		return "database error (see the log above)";
	}
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "customers-admin: %s: %s\n", what, db_rc_text(rc));
	return EXIT_FAIL;
}

/* Loads the configuration and makes the (not yet connected) database handle. */
static int admin_open(struct admin *a)
{
	char err[512];

	if (config_load(a->config_path, &a->cfg, err, sizeof(err))) {
		fprintf(stderr, "customers-admin: %s\n", err);
		return EXIT_FAIL;
	}
	log_set_level(a->cfg.log_level);
	a->db = db_new(&a->cfg);
	if (!a->db) {
		fprintf(stderr, "customers-admin: out of memory\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * Matches argv[*i] against "--name VALUE" or "--name=VALUE".
 * 1 and *out on a match (consuming the value), 0 if not this option,
 * -1 if the value is missing.
 */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

/* ---- migrate --------------------------------------------------------------- */

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --sql-dir, else $CUSTOMERS_SQL_DIR, else ./sql, else the compile-time SQLDIR. */
static const char *sql_dir_default(void)
{
	const char *env = getenv("CUSTOMERS_SQL_DIR");

	if (env && *env)
		return env;
	if (is_dir("sql"))
		return "sql";
#ifdef SQLDIR
	return SQLDIR;
#else
	return NULL;
#endif
}

static int cmd_migrate(struct admin *a, int argc, char **argv)
{
	const char *dir = NULL;
	int applied = 0, rc;

	for (int i = 0; i < argc; i++) {
		int m = opt_value(argc, argv, &i, "--sql-dir", &dir);

		if (m <= 0)
			return usage_error(m < 0 ? "%s needs a value" : "migrate: unexpected '%s'",
			                   argv[i]);
	}
	if (!dir)
		dir = sql_dir_default();
	if (!dir)
		return usage_error("migrate: no SQL directory: give --sql-dir DIR");
	rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	rc = db_migrate(a->db, dir, &applied);
	if (rc != DB_OK)
		return fail("migrate", rc);
	fprintf(stderr, "customers-admin: migrate: %d file(s) applied from %s\n", applied, dir);
	return EXIT_OK;
}

/* ---- client -------------------------------------------------------------- */

static int partner_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > PARTNER_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

static int client_print(const char *id, const char *secret)
{
	json_t *o = json_pack("{s:s, s:s}", "client_id", id, "client_secret", secret);
	int rc = o && json_dumpf(o, stdout, JSON_COMPACT) == 0 ? EXIT_OK : EXIT_FAIL;

	json_decref(o);
	if (rc == EXIT_OK && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
		rc = EXIT_FAIL;
	if (rc != EXIT_OK)
		fprintf(stderr, "customers-admin: client add: cannot write the credentials\n");
	return rc;
}

static int client_add_parse(int argc, char **argv, const char **partner, unsigned *scopes)
{
	const char *scope_text = DEFAULT_SCOPES;

	*partner = NULL;
	for (int i = 0; i < argc; i++) {
		int m = opt_value(argc, argv, &i, "--partner", partner);

		if (m == 0)
			m = opt_value(argc, argv, &i, "--scopes", &scope_text);
		if (m <= 0)
			return usage_error(m < 0 ? "%s needs a value"
			                         : "client add: unexpected '%s'",
			                   argv[i]);
	}
	if (!*partner)
		return usage_error("client add: --partner NAME is required");
	if (!partner_name_ok(*partner))
		return usage_error("client add: partner name must be 1-%d bytes, no control "
		                   "characters",
		                   PARTNER_NAME_MAX);
	if (scopes_parse(scope_text, scopes))
		return usage_error("client add: bad --scopes '%s' (customers:read, "
		                   "customers:write, webhooks:manage)",
		                   scope_text);
	return EXIT_OK;
}

static int cmd_client_add(struct admin *a, int argc, char **argv)
{
	char id[CLIENT_ID_MAX + 1], secret[64], hash[SECRET_HASH_MAX];
	const char *partner;
	unsigned scopes = 0;
	uint64_t partner_id;
	int rc = client_add_parse(argc, argv, &partner, &scopes);

	if (rc == EXIT_OK)
		rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	if (client_credentials_new(id, secret) || secret_hash(secret, hash)) {
		fprintf(stderr, "customers-admin: client add: cannot make credentials\n");
		return EXIT_FAIL;
	}
	rc = db_client_add(a->db, partner, id, hash, scopes, &partner_id);
	if (rc != DB_OK)
		return fail("client add", rc);
	fprintf(stderr, "customers-admin: client %s added to partner '%s' (id %llu)\n", id, partner,
	        (unsigned long long)partner_id);
	return client_print(id, secret);
}

static int cmd_client_disable(struct admin *a, int argc, char **argv)
{
	int rc;

	if (argc != 1)
		return usage_error("client disable: give exactly one CLIENT_ID");
	rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	rc = db_client_disable(a->db, argv[0]);
	if (rc == DB_NOT_FOUND) {
		fprintf(stderr, "customers-admin: client disable: no client '%s'\n", argv[0]);
		return EXIT_FAIL;
	}
	if (rc != DB_OK)
		return fail("client disable", rc);
	fprintf(stderr, "customers-admin: client %s disabled\n", argv[0]);
	return EXIT_OK;
}

/* ---- customer ------------------------------------------------------------ */

static int cmd_set_status(struct admin *a, int argc, char **argv)
{
	struct uuid id, req;
	enum customer_status status;
	char request_id[UUID_STR_LEN + 1], canonical[UUID_STR_LEN + 1];
	struct audit_ctx who = {0, "admin", NULL, request_id, NULL};
	int rc;

	if (argc != 2)
		return usage_error("customer set-status: give CUSTOMER_ID and STATUS");
	if (uuid_parse(argv[0], strlen(argv[0]), &id))
		return usage_error("customer set-status: '%s' is not a UUID", argv[0]);
	if (customer_status_parse(argv[1], strlen(argv[1]), &status))
		return usage_error("customer set-status: unknown status '%s'", argv[1]);
	if (uuid_v7_at(clock_wall_ms(), &req)) {
		fprintf(stderr, "customers-admin: no random bytes\n");
		return EXIT_FAIL;
	}
	uuid_format(&req, request_id);
	rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	rc = db_customer_set_status(a->db, &who, &id, status);
	if (rc == DB_NOT_FOUND) {
		fprintf(stderr, "customers-admin: customer set-status: no customer %s\n", argv[0]);
		return EXIT_FAIL;
	}
	if (rc != DB_OK)
		return fail("customer set-status", rc);
	uuid_format(&id, canonical);
	fprintf(stderr, "customers-admin: customer %s: status %s (request %s)\n", canonical,
	        argv[1], request_id);
	return EXIT_OK;
}

/* ---- offboarding ----------------------------------------------------------- */

#define RUN_DUE_BATCH 100

static int cmd_offb_run_due(struct admin *a, int argc, char **argv)
{
	const char *at = NULL;
	int64_t now = clock_wall_ms();
	unsigned n = RUN_DUE_BATCH, total = 0;
	int i = 0, rc;

	if (argc > 0 && opt_value(argc, argv, &i, "--at", &at) != 1)
		return usage_error("offboarding run-due: unexpected '%s'", argv[0]);
	if (i + 1 < argc)
		return usage_error("offboarding run-due: unexpected '%s'", argv[i + 1]);
	if (at && calendar_parse_utc(at, &now))
		return usage_error("offboarding run-due: '%s' is not an RFC 3339 UTC time", at);
	rc = admin_open(a);
	for (; rc == EXIT_OK && n == RUN_DUE_BATCH; total += n) {
		rc = db_offboarding_run_due(a->db, now, RUN_DUE_BATCH, &n);
		if (rc != DB_OK)
			return fail("offboarding run-due", rc);
	}
	if (rc == EXIT_OK)
		fprintf(stderr, "customers-admin: %u offboardings executed\n", total);
	return rc;
}

static int print_offb(const struct offboarding_row *row, void *arg)
{
	json_t *j = offboarding_json(row);

	(void)arg;
	if (!j || json_dumpf(j, stdout, JSON_COMPACT) != 0)
		fprintf(stderr, "customers-admin: out of memory\n");
	putchar('\n');
	json_decref(j);
	return 0;
}

static int offb_list_parse(int argc, char **argv, struct offb_query *q, struct uuid *customer)
{
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;

		if (opt_value(argc, argv, &i, "--status", &v) == 1) {
			if (offb_status_parse(v, strlen(v), &q->status))
				return usage_error("offboarding list: unknown status '%s'", v);
			q->has_status = 1;
		} else if (opt_value(argc, argv, &i, "--customer", &v) == 1) {
			if (uuid_parse(v, strlen(v), customer))
				return usage_error("offboarding list: '%s' is not a UUID", v);
			q->customer = customer;
		} else {
			return usage_error("offboarding list: unexpected '%s'", argv[i]);
		}
	}
	return EXIT_OK;
}

/* Every partner's, the newest 1000 (an operator's view, not an export). */
static int cmd_offb_list(struct admin *a, int argc, char **argv)
{
	struct offb_query q = {.max = 1000};
	struct uuid customer;
	int rc = offb_list_parse(argc, argv, &q, &customer);

	if (rc == EXIT_OK)
		rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	rc = db_offboarding_list(a->db, &q, print_offb, NULL);
	return rc == DB_OK ? EXIT_OK : fail("offboarding list", rc);
}

static int cmd_offb_show(struct admin *a, int argc, char **argv)
{
	struct offboarding_row row;
	struct uuid id;
	int rc;

	if (argc != 1 || uuid_parse(argv[0], strlen(argv[0]), &id))
		return usage_error("offboarding show: give one OFFBOARDING_ID (a UUID)");
	rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	rc = db_offboarding_get(a->db, 0, &id, &row);
	if (rc == DB_NOT_FOUND) {
		fprintf(stderr, "customers-admin: offboarding show: no offboarding %s\n", argv[0]);
		return EXIT_FAIL;
	}
	if (rc != DB_OK)
		return fail("offboarding show", rc);
	return print_offb(&row, NULL);
}

/* ---- seed ---------------------------------------------------------------- */

#define SEED_PROGRESS_STEP 100000

/* Decimal digits only (no sign, no blanks), min..max.  0 or -1. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum { SO_PARTNER, SO_COUNT, SO_LABELS, SO_PER, SO_SEED, SO_REFS, SO_N };

static const char *const seed_opts[SO_N] = {
        "--partner", "--count", "--labels", "--per-customer", "--seed", "--ref-accounts",
};

/* The numeric options and their ranges (seed_spec_error checks how they combine). */
static const struct {
	int opt;
	uint64_t min, max;
} seed_nums[] = {
        {SO_COUNT, 1, SEED_COUNT_MAX}, {SO_LABELS, 1, SEED_LABELS_MAX}, {SO_PER, 0, LABELS_MAX},
        {SO_SEED, 0, UINT64_MAX},      {SO_REFS, 0, REF_ACCOUNTS_MAX},
};

/* Collects the option values; all but --seed and --ref-accounts are required. */
static int seed_collect(int argc, char **argv, const char *val[SO_N])
{
	for (int i = 0; i < argc; i++) {
		int m = 0;

		for (int o = 0; o < SO_N && m == 0; o++)
			m = opt_value(argc, argv, &i, seed_opts[o], &val[o]);
		if (m <= 0)
			return usage_error(m < 0 ? "%s needs a value" : "seed: unexpected '%s'",
			                   argv[i]);
	}
	for (int o = 0; o < SO_SEED; o++) {
		if (!val[o])
			return usage_error("seed: %s is required", seed_opts[o]);
	}
	return EXIT_OK;
}

static int seed_parse(int argc, char **argv, struct seed_spec *spec, int *random_seed)
{
	const char *val[SO_N] = {NULL};
	uint64_t num[SO_N] = {[SO_REFS] = 1};
	const char *why;
	int rc = seed_collect(argc, argv, val);

	if (rc != EXIT_OK)
		return rc;
	for (size_t i = 0; i < sizeof(seed_nums) / sizeof(seed_nums[0]); i++) {
		int o = seed_nums[i].opt;

		if (val[o] && parse_u64(val[o], seed_nums[i].min, seed_nums[i].max, &num[o]))
			return usage_error("seed: %s must be an integer %llu..%llu", seed_opts[o],
			                   (unsigned long long)seed_nums[i].min,
			                   (unsigned long long)seed_nums[i].max);
	}
	if (!partner_name_ok(val[SO_PARTNER]))
		return usage_error("seed: partner name must be 1-%d bytes, no control characters",
		                   PARTNER_NAME_MAX);
	*spec = (struct seed_spec){
	        .partner = val[SO_PARTNER],
	        .count = num[SO_COUNT],
	        .labels = (unsigned)num[SO_LABELS],
	        .per_customer = (unsigned)num[SO_PER],
	        .ref_accounts = (unsigned)num[SO_REFS],
	        .seed = num[SO_SEED],
	        /* the day, not the moment, so that a seed repeats its times all day */
	        .end_ms = clock_wall_ms() / 86400000 * 86400000,
	};
	*random_seed = !val[SO_SEED];
	why = seed_spec_error(spec);
	return why ? usage_error("seed: %s", why) : EXIT_OK;
}

/* Customers committed, and how many of them the last progress line showed. */
struct seed_report {
	uint64_t done;
	uint64_t shown;
};

static void seed_progress(uint64_t done, uint64_t total, void *arg)
{
	struct seed_report *rep = arg;

	rep->done = done;
	if (done / SEED_PROGRESS_STEP == rep->shown / SEED_PROGRESS_STEP || done == total)
		return;
	rep->shown = done;
	fprintf(stderr, "seeded %llu/%llu\n", (unsigned long long)done, (unsigned long long)total);
}

static int cmd_seed(struct admin *a, int argc, char **argv)
{
	struct seed_spec spec = {0};
	struct seed_report rep = {0, 0};
	int random_seed = 0;
	double started;
	int rc = seed_parse(argc, argv, &spec, &random_seed);

	if (rc == EXIT_OK && random_seed &&
	    RAND_bytes((unsigned char *)&spec.seed, sizeof(spec.seed)) != 1) {
		fprintf(stderr, "customers-admin: no random bytes\n");
		return EXIT_FAIL;
	}
	if (rc == EXIT_OK)
		rc = admin_open(a);
	if (rc != EXIT_OK)
		return rc;
	fprintf(stderr, "customers-admin: seed: --seed %llu\n", (unsigned long long)spec.seed);
	started = clock_mono_seconds();
	rc = db_seed(a->db, &spec, seed_progress, &rep, NULL);
	if (rc == DB_CONFLICT) {
		fprintf(stderr,
		        "customers-admin: seed: partner '%s' has a seeded entity id already "
		        "(the same --seed twice?); %llu customers were loaded\n",
		        spec.partner, (unsigned long long)rep.done);
		return EXIT_FAIL;
	}
	if (rc != DB_OK)
		return fail("seed", rc);
	fprintf(stderr, "seeded %llu customers for partner %s in %.1f s\n",
	        (unsigned long long)spec.count, spec.partner, clock_mono_seconds() - started);
	return EXIT_OK;
}

/* ---- main ---------------------------------------------------------------- */

static const struct command *command_find(int argc, char **argv, int *used)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (!c->sub) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(argv[1], c->sub) == 0) {
			*used = 2;
			return c;
		}
	}
	return NULL;
}

static int admin_run(const char *config_path, const struct command *c, int argc, char **argv)
{
	struct admin a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.config_path = config_path;
	rc = c->run(&a, argc, argv);
	db_free(a.db);
	return rc;
}

int main(int argc, char **argv)
{
	const char *config_path = getenv("CUSTOMERS_CONF");
	const struct command *c;
	int i = 1, used = 0;

	if (!config_path || !*config_path)
		config_path = DEFAULT_CONFIG;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "-c") != 0 || i + 1 >= argc)
			return usage_error("bad option '%s'", argv[i]);
		config_path = argv[++i];
	}
	if (i >= argc)
		return usage_error("no command");
	c = command_find(argc - i, argv + i, &used);
	if (!c)
		return usage_error("unknown command '%s'", argv[i]);
	return admin_run(config_path, c, argc - i - used, argv + i + used);
}
