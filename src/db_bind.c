/*
 * db_bind: the parameter and result-column builders of db_internal.h,
 * over MYSQL_BIND, and the conversion between Unix milliseconds and
 * MYSQL_TIME (always UTC: the sessions run with time_zone '+00:00').
 * No server round trips happen here; db.c runs the statements.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

/* ---- parameters ---------------------------------------------------------- */

void db_params_init(struct db_params *p)
{
	p->n = 0;
	p->overflow = 0;
}

static MYSQL_BIND *db_param_next(struct db_params *p, enum enum_field_types type)
{
	MYSQL_BIND *b;

	if (p->n >= DB_PARAMS_MAX) {
		p->overflow = 1;
		return NULL;
	}
	b = &p->b[p->n];
	memset(b, 0, sizeof(*b));
	b->buffer_type = type;
	b->length = &p->len[p->n];
	p->n++;
	return b;
}

static void db_param_bytes(struct db_params *p, enum enum_field_types type, const void *data,
                           size_t len)
{
	MYSQL_BIND *b = db_param_next(p, data ? type : MYSQL_TYPE_NULL);

	if (!b || !data)
		return;
	b->buffer = (void *)data;
	b->buffer_length = len;
	*b->length = len;
}

/* Binary, so the server compares bytes whatever the connection charset. */
void db_param_uuid(struct db_params *p, const struct uuid *u)
{
	db_param_bytes(p, MYSQL_TYPE_BLOB, u ? u->b : NULL, sizeof(u->b));
}

void db_param_str(struct db_params *p, const char *s, size_t len)
{
	db_param_bytes(p, MYSQL_TYPE_STRING, s, len);
}

void db_param_cstr(struct db_params *p, const char *s)
{
	db_param_str(p, s, s ? strlen(s) : 0);
}

void db_param_u64(struct db_params *p, uint64_t v)
{
	MYSQL_BIND *b = db_param_next(p, MYSQL_TYPE_LONGLONG);

	if (!b)
		return;
	p->v[p->n - 1].u = v;
	b->buffer = &p->v[p->n - 1].u;
	b->is_unsigned = 1;
}

void db_param_ms(struct db_params *p, int64_t ms)
{
	MYSQL_BIND *b = db_param_next(p, ms < 0 ? MYSQL_TYPE_NULL : MYSQL_TYPE_DATETIME);

	if (!b || ms < 0)
		return;
	db_ms_to_time(ms, &p->v[p->n - 1].t);
	b->buffer = &p->v[p->n - 1].t;
}

/* ---- result columns ------------------------------------------------------ */

void db_cols_init(struct db_cols *c)
{
	c->n = 0;
	c->overflow = 0;
}

static MYSQL_BIND *db_col_next(struct db_cols *c, enum enum_field_types type, enum db_col_kind kind,
                               void *dst)
{
	MYSQL_BIND *b;
	unsigned i = c->n;

	if (i >= DB_COLS_MAX) {
		c->overflow = 1;
		return NULL;
	}
	b = &c->b[i];
	memset(b, 0, sizeof(*b));
	/* the library reads the error flag back even for types it never truncates */
	c->len[i] = 0;
	c->null[i] = 0;
	c->err[i] = 0;
	b->buffer_type = type;
	b->length = &c->len[i];
	b->is_null = &c->null[i];
	b->error = &c->err[i];
	c->kind[i] = kind;
	c->dst[i] = dst;
	c->dst_len[i] = NULL;
	c->n++;
	return b;
}

void db_col_uuid(struct db_cols *c, struct uuid *dst)
{
	MYSQL_BIND *b = db_col_next(c, MYSQL_TYPE_BLOB, DB_COL_UUID, dst);

	if (!b)
		return;
	b->buffer = dst->b;
	b->buffer_length = sizeof(dst->b);
}

void db_col_u64(struct db_cols *c, uint64_t *dst)
{
	MYSQL_BIND *b = db_col_next(c, MYSQL_TYPE_LONGLONG, DB_COL_U64, dst);

	if (!b)
		return;
	b->buffer = &c->u[c->n - 1];
	b->is_unsigned = 1;
}

void db_col_ms(struct db_cols *c, int64_t *dst)
{
	MYSQL_BIND *b = db_col_next(c, MYSQL_TYPE_DATETIME, DB_COL_MS, dst);

	if (b)
		b->buffer = &c->t[c->n - 1];
}

void db_col_str(struct db_cols *c, char *buf, size_t cap, size_t *len)
{
	MYSQL_BIND *b = db_col_next(c, MYSQL_TYPE_STRING, DB_COL_STR, buf);

	if (!b)
		return;
	b->buffer = buf;
	b->buffer_length = cap ? cap - 1 : 0; /* room for our NUL */
	c->dst_len[c->n - 1] = len;
}

/* Moves one fetched column to its destination; -1 if it does not fit its type. */
int db_col_finish(struct db_cols *c, unsigned i)
{
	switch (c->kind[i]) {
	case DB_COL_UUID:
		return !c->null[i] && c->len[i] == 16 ? 0 : -1;
	case DB_COL_U64:
		*(uint64_t *)c->dst[i] = c->null[i] ? 0 : c->u[i];
		return 0;
	case DB_COL_MS:
		*(int64_t *)c->dst[i] = c->null[i] ? -1 : db_time_to_ms(&c->t[i]);
		return 0;
	case DB_COL_STR:
		if (c->null[i])
			c->len[i] = 0;
		if (c->len[i] > c->b[i].buffer_length)
			return -1;
		((char *)c->dst[i])[c->len[i]] = '\0';
		if (c->dst_len[i])
			*c->dst_len[i] = c->len[i];
		return 0;
	}
	return -1;
}

/* ---- time ---------------------------------------------------------------- */

void db_ms_to_time(int64_t ms, MYSQL_TIME *t)
{
	int64_t secs = ms / 1000, frac = ms % 1000;
	time_t tt;
	struct tm tm;

	if (frac < 0) {
		secs--;
		frac += 1000;
	}
	tt = (time_t)secs;
	gmtime_r(&tt, &tm);
	memset(t, 0, sizeof(*t));
	t->year = (unsigned)tm.tm_year + 1900;
	t->month = (unsigned)tm.tm_mon + 1;
	t->day = (unsigned)tm.tm_mday;
	t->hour = (unsigned)tm.tm_hour;
	t->minute = (unsigned)tm.tm_min;
	t->second = (unsigned)tm.tm_sec;
	t->second_part = (unsigned long)frac * 1000;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

int64_t db_time_to_ms(const MYSQL_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)t->year - 1900;
	tm.tm_mon = (int)t->month - 1;
	tm.tm_mday = (int)t->day;
	tm.tm_hour = (int)t->hour;
	tm.tm_min = (int)t->minute;
	tm.tm_sec = (int)t->second;
	return (int64_t)timegm(&tm) * 1000 + (int64_t)(t->second_part / 1000);
}
