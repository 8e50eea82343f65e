/* route.h: what a request URL and method ask the mockserver for: a provider
 * endpoint (/{provider}/v1/chat/completions, /v1/responses, /v1/messages,
 * /v1/models) or an
 * admin page (/__admin/state, /__admin/journal, /__admin/reset, /metrics). */
#ifndef MOCK_ROUTE_H
#define MOCK_ROUTE_H
#include <stdbool.h>

#include "mockserver/model/model.h"

typedef enum mock_route_kind {
    MOCK_ROUTE_NONE,          /* no such path: 404 */
    MOCK_ROUTE_PROVIDER,      /* a provider endpoint */
    MOCK_ROUTE_ADMIN_STATE,   /* GET /__admin/state */
    MOCK_ROUTE_ADMIN_JOURNAL, /* GET /__admin/journal */
    MOCK_ROUTE_ADMIN_RESET,   /* POST /__admin/reset */
    MOCK_ROUTE_METRICS,       /* GET /metrics */
} mock_route_kind;

#define MOCK_PROVIDER_NAME_MAX 64

typedef struct mock_route {
    mock_route_kind kind;
    bool method_ok;                        /* false: right path, wrong method (405) */
    const char *allow;                     /* the Allow header: "POST" or "GET, HEAD" */
    char provider[MOCK_PROVIDER_NAME_MAX]; /* PROVIDER only */
    mock_endpoint endpoint;                /* PROVIDER only */
} mock_route;

/* Classifies `url` (path only, no query string) and `method` (HEAD is
 * accepted wherever GET is). Never fails:
 * anything unrecognised (or a provider name longer than
 * MOCK_PROVIDER_NAME_MAX - 1) is MOCK_ROUTE_NONE. */
void mock_route_parse(const char *url, const char *method, mock_route *out);

#endif
