/* keyid.c: FNV-1a 64 of the key, folded and salted, shown as 8 hex digits. */
#include "common/keyid.h"

#include <stdint.h>
#include <stdio.h>

void cm_keyid(const char *key, char out[CM_KEYID_LEN])
{
    if (!key || !*key) {
        snprintf(out, CM_KEYID_LEN, "k-none");
        return;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *salt = "retrylab/keyid/1:"; *salt; salt++)
        h = (h ^ (unsigned char)*salt) * 0x100000001b3ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    snprintf(out, CM_KEYID_LEN, "k-%08x", (unsigned)((h >> 32) ^ h));
}
