/* admin.h: the JSON page of GET /__admin/state, built from a snapshot the
 * HTTP front takes under its lock (scenario, clock, model windows, journal
 * and connection counts). Pure. */
#ifndef MOCK_ADMIN_H
#define MOCK_ADMIN_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "common/timeu.h"
#include "mockserver/front/journal.h"
#include "mockserver/front/waker.h"

typedef struct mock_admin_view {
    const char *scenario; /* scenario name */
    double time_scale;
    cm_us now;
    int64_t epoch_s; /* the Unix second of scenario time 0 */
    cJSON *windows;  /* from mock_model_state_json; taken (freed here), may be NULL */
    mock_journal_counts journal;
    mock_waker_counts conns;
} mock_admin_view;

/* The state page: {"scenario","time_scale","now_s","epoch_unix_us","windows","journal":{...},
 * "connections":{...}}. Takes v->windows. Returns a malloc'd string the
 * caller frees, *len its length; NULL when out of memory. */
char *mock_admin_state(mock_admin_view *v, size_t *len);

#endif
