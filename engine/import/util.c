/* util.c: what the readers of engine/import share. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/import/read.h"

void rl_import_warnf(rl_import_warn warn, void *ctx, const char *fmt, ...)
{
    if (!warn)
        return;
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    warn(ctx, msg);
}

bool rl_import_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

void rl_import_key_id(const char *named, char out[CM_KEYID_LEN])
{
    bool id = named && strncmp(named, "k-", 2) == 0 && strlen(named) == CM_KEYID_LEN - 1 &&
              strspn(named + 2, "0123456789abcdef") == CM_KEYID_LEN - 3;
    if (id || (named && strcmp(named, "k-none") == 0))
        snprintf(out, CM_KEYID_LEN, "%s", named);
    else
        cm_keyid(named, out);
}
