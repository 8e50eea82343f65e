/* attempt_id.c: attempt ids and their header text (see attempt_id.h). */
#include "common/attempt_id.h"

#include <stdio.h>

uint64_t cm_attempt_id(uint32_t task, uint32_t attempt)
{
    /* task + 1 keeps the id of task 0 away from 0. */
    return ((uint64_t)task + 1) << 32 | attempt;
}

void cm_attempt_format(uint64_t id, char out[CM_ATTEMPT_TEXT_MAX])
{
    snprintf(out, CM_ATTEMPT_TEXT_MAX, "%lu/%lu", (unsigned long)((id >> 32) - 1),
             (unsigned long)(id & 0xffffffffu));
}

/* Reads decimal digits up to `stop` into *v (at most max); the end, or NULL. */
static const char *digits(const char *s, char stop, uint64_t max, uint64_t *v)
{
    uint64_t n = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > max || p - s >= 10)
            return NULL;
    }
    if (p == s || *p != stop)
        return NULL;
    *v = n;
    return p;
}

int cm_attempt_parse(const char *text, uint64_t *id)
{
    uint64_t task = 0, attempt = 0;
    const char *p = text ? digits(text, '/', 0xfffffffeu, &task) : NULL;
    if (!p || !digits(p + 1, '\0', 0xffffffffu, &attempt) || attempt == 0)
        return -1;
    *id = cm_attempt_id((uint32_t)task, (uint32_t)attempt);
    return 0;
}
