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
    /* "k-%08x", by hand: the simulation names a key for every attempt. */
    static const char hex[] = "0123456789abcdef";
    unsigned v = (unsigned)((h >> 32) ^ h);
    out[0] = 'k';
    out[1] = '-';
    for (int i = 9; i >= 2; i--, v >>= 4)
        out[i] = hex[v & 15];
    out[10] = '\0';
}
