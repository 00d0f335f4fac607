/*
 * h_ops: the operations routes (no token).  /healthz answers for this
 * worker's database connection; /metrics renders the pool-wide counters
 * from shared memory, so any worker gives the same figures.  Restricting
 * /metrics to loopback is the web server's job (see conf/).
 */
#include "handler.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "response.h"

#define METRICS_BUF (256 * 1024)

void h_healthz(struct request *r, const char *arg)
{
	json_t *ok;

	(void)arg;
	if (db_ping(r->db) != DB_OK) {
		api_err_db(&r->err, DB_UNAVAILABLE);
		response_error(r, NULL);
		return;
	}
	ok = json_pack("{s:s}", "status", "ok");
	response_json(r, 200, ok, NULL);
	json_decref(ok);
}

void h_metrics(struct request *r, const char *arg)
{
	static char buf[METRICS_BUF];
	static const char *const hdrs[] = {"Content-Type: text/plain; version=0.0.4", NULL};
	long len = metrics_render(buf, sizeof(buf));

	(void)arg;
	if (len < 0) {
		handler_internal_error(r, "metrics exposition does not fit in %d bytes",
		                       METRICS_BUF);
		return;
	}
	response_empty(r, 200, hdrs);
	response_write(r, buf, (size_t)len);
}
