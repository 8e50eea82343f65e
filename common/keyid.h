/* keyid.h: the short, stable identifier of an API key. Traces, journals, logs
 * and reports name a key only by this id, never by its value. */
#ifndef CM_KEYID_H
#define CM_KEYID_H
#include <stddef.h>

/* "k-" + 8 hex digits + NUL. */
#define CM_KEYID_LEN 11

/* Writes the id of `key` (NULL or "" gives "k-none") into out[CM_KEYID_LEN]. */
void cm_keyid(const char *key, char out[CM_KEYID_LEN]);

#endif
