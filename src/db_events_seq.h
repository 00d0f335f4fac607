/*
 * db_events_seq: the event sequencer's statements (sequencer.c): stamping
 * committed events with their place in commit order, and purging events
 * past retention.  Each runs in a transaction of its own that first holds
 * the sequencer's lease (db_lease.h), so no two stampers ever commit side
 * by side.
 */
#ifndef DB_EVENTS_SEQ_H
#define DB_EVENTS_SEQ_H

#include <stdint.h>

#include "db.h"

#define EVENTS_STAMP_MAX 1000 /* events one stamp transaction takes at most */

struct lease;

/*
 * In one transaction: holds lease l (db_lease.h) and, if held, gives up to
 * EVENTS_STAMP_MAX committed, unsequenced events the seqs that follow the
 * highest one given so far, in id order.  *stamped gets their number (0
 * when the lease is another's: l->held says).  db_rc.
 */
int db_events_stamp(struct db *db, struct lease *l, unsigned *stamped);

/*
 * In one transaction: holds lease l and, if held, deletes up to max of the
 * oldest sequenced events, as long as they occurred before before_ms (Unix
 * ms), never the newest one (whose seq the next stamp continues from):
 * what is kept is always every event from some seq on.  *purged gets
 * their number.  db_rc.
 */
int db_events_purge(struct db *db, struct lease *l, int64_t before_ms, unsigned max,
                    unsigned *purged);

/* The lowest and highest seq given (0 and 0 while none); a statement on the connection in use. */
int db_events_range(struct db *db, uint64_t *lo, uint64_t *hi);

/* *pending 1 when some committed event has no seq yet (a read). db_rc. */
int db_events_pending(struct db *db, int *pending);

#endif
