/* admin.c: the /__admin/state page. */
#include "mockserver/front/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *journal_json(const mock_journal_counts *c)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "total", (double)c->total);
    cJSON_AddNumberToObject(j, "kept", (double)c->kept);
    cJSON_AddNumberToObject(j, "capacity", (double)c->capacity);
    cJSON_AddNumberToObject(j, "dropped", (double)c->dropped);
    cJSON_AddNumberToObject(j, "lost", (double)c->lost);
    cJSON_AddNumberToObject(j, "undelivered", (double)c->undelivered);
    return j;
}

static cJSON *conns_json(const mock_waker_counts *c)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "sleeping", (double)c->sleeping);
    cJSON_AddNumberToObject(j, "hung", (double)c->hung);
    cJSON_AddNumberToObject(j, "hung_rejected", (double)c->hung_rejected);
    return j;
}

char *mock_admin_state(mock_admin_view *v, size_t *len)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *windows = v->windows ? v->windows : cJSON_CreateArray();
    v->windows = NULL;
    if (!root) {
        cJSON_Delete(windows);
        return NULL;
    }
    cJSON_AddStringToObject(root, "scenario", v->scenario ? v->scenario : "");
    cJSON_AddNumberToObject(root, "time_scale", v->time_scale);
    cJSON_AddNumberToObject(root, "now_s", cm_s_from_us(v->now));
    /* Raw: cJSON would print a double, 1.796e+15, for a whole microsecond count. */
    char epoch[32];
    snprintf(epoch, sizeof epoch, "%lld", (long long)v->epoch_s * 1000000);
    cJSON_AddRawToObject(root, "epoch_unix_us", epoch);
    cJSON_AddItemToObject(root, "windows", windows);
    cJSON_AddItemToObject(root, "journal", journal_json(&v->journal));
    cJSON_AddItemToObject(root, "connections", conns_json(&v->conns));
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text)
        return NULL;
    *len = strlen(text);
    /* cJSON allocates with malloc by default, so free() releases it. */
    return text;
}
