/* read.h: what the readers of engine/import share (internal). */
#ifndef RL_IMPORT_READ_H
#define RL_IMPORT_READ_H
#include <stdbool.h>
#include <stddef.h>

#include "common/keyid.h"
#include "engine/import/import.h"

/* Formats a warning and hands it to warn (a no-op when warn is NULL). */
void rl_import_warnf(rl_import_warn warn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when s[0..n) holds only spaces, tabs and line ends. */
bool rl_import_blank(const char *s, size_t n);
/* A key id for what a source names a key by: kept when it is one already
 * ("k-" + 8 hex digits, or "k-none"), else hashed (a value never goes
 * further than this call); NULL gives "k-none". */
void rl_import_key_id(const char *named, char out[CM_KEYID_LEN]);

#endif
