/*
 * customers-fcgi: the FastCGI server of the Customers role API.
 *
 * Loads the configuration, opens the listen socket (or takes the one the
 * web server passed on stdin), maps the shared metrics and hands over to
 * the pool.  --check-config only validates the file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "keyring.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "routes.h"
#include "throttle.h"

#define DEFAULT_CONFIG "/etc/customers-fcgi/customers.conf"

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: customers-fcgi [-c FILE] [--check-config] [--version]\n"
	        "  -c, --config FILE   configuration (default: $CUSTOMERS_CONF or %s)\n"
	        "      --check-config  validate the configuration and exit\n",
	        DEFAULT_CONFIG);
}

static const char *default_config(void)
{
	const char *env = getenv("CUSTOMERS_CONF");

	return env && *env ? env : DEFAULT_CONFIG;
}

static int open_socket(const struct config *cfg)
{
	char err[512];
	int fd;

	if (cfg->listen[0] == '\0') {
		if (!listen_inherited()) {
			log_error(
			        "no listen address configured and stdin is not a listening socket");
			return -1;
		}
		return 0;
	}
	fd = listen_open(cfg->listen, cfg->socket_mode, cfg->backlog, err, sizeof(err));
	if (fd < 0)
		log_error("cannot listen: %s", err);
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"check-config", no_argument, NULL, 'k'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	static struct config cfg;
	const char *path = default_config();
	char err[512];
	int opt, check_only = 0, fd;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check_only = 1;
			break;
		case 'V':
			puts(PACKAGE_STRING);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config_load(path, &cfg, err, sizeof(err)) < 0 ||
	    keyring_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "customers-fcgi: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: ok\n", path);
		return 0;
	}
	log_configure(&cfg);
	fd = open_socket(&cfg);
	if (fd < 0 || metrics_init(routes, routes_count) < 0 || throttle_init() < 0)
		return 1;
	return pool_run(&cfg, path, fd);
}
