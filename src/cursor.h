/*
 * cursor: the list route's opaque keyset token.
 *
 * Layout before base64url (no padding):
 *   version (1 byte, 1) | last customer id (16 bytes) | tag (16 bytes)
 * where tag = HMAC-SHA256(secret, version | partner id (8 bytes BE) |
 * filter hash (32 bytes) | last id), truncated to 128 bits.  The position
 * is an id, never an offset.  Binding the partner and the filter hash into
 * the MAC makes a cursor useless with another partner or other filters.
 * The limit is not bound: a client may change page size while walking.
 *
 * The event feed's cursor has the same layout, with the seq of the last
 * event given (8 bytes BE, then 8 zero bytes) for the id and a constant
 * of its own for the filter hash, which no SHA-256 of a list filter
 * equals: neither kind of cursor passes for the other.  It is bound to the
 * partner only, so a client may change the eventType filter while it
 * follows the feed.
 */
#ifndef CURSOR_H
#define CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define CURSOR_TEXT_MAX 64 /* encoded length is 44, plus NUL */

/* SHA-256 of the canonical filter (entity, status, type, sorted labels); limit excluded. */
void cursor_filter_hash(const struct list_filter *f, unsigned char out[32]);

/* The same for GET /roles/offboardings (roleId, status), under its own domain. */
void cursor_offb_filter_hash(const struct offb_filter *f, unsigned char out[32]);

/* Writes the NUL-terminated token into out. 0 or -1. key is borrowed. */
int cursor_encode(const unsigned char *key, size_t keylen, uint64_t partner_id,
                  const unsigned char fhash[32], const struct uuid *last,
                  char out[CURSOR_TEXT_MAX]);

/* 0 and *last on success; -1 for anything tampered, truncated, foreign or of another version. */
int cursor_decode(const unsigned char *key, size_t keylen, uint64_t partner_id,
                  const unsigned char fhash[32], const char *token, struct uuid *last);

/* The feed's cursor after seq; as cursor_encode. */
int cursor_encode_seq(const unsigned char *key, size_t keylen, uint64_t partner_id, uint64_t seq,
                      char out[CURSOR_TEXT_MAX]);

/* 0 and *seq, or -1 as cursor_decode (also for a list cursor). */
int cursor_decode_seq(const unsigned char *key, size_t keylen, uint64_t partner_id,
                      const char *token, uint64_t *seq);

#endif
