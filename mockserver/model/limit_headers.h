/* limit_headers.h: the rate-limit headers of each provider shape, written
 * from the tightest window of each unit: OpenAI x-ratelimit-*, Anthropic
 * anthropic-ratelimit-*, plain X-RateLimit-*, and the optional IETF
 * RateLimit / RateLimit-Policy. */
#ifndef MOCK_LIMIT_HEADERS_H
#define MOCK_LIMIT_HEADERS_H
#include <stdbool.h>

#include "mockserver/model/window.h"

#define MOCK_UNIT_COUNT 4

/* For each unit, the tightest window seen so far (fewest remaining). */
typedef struct mock_limit_set {
    bool has[MOCK_UNIT_COUNT];
    mock_window_view view[MOCK_UNIT_COUNT];
    cm_us period[MOCK_UNIT_COUNT];
} mock_limit_set;

/* Adds the view of a window of `def` to the set, keeping the tightest per unit. */
void mock_limit_set_add(mock_limit_set *ls, const mock_window_def *def, const mock_window_view *v);
/* Writes the set's headers into p in the provider's limit_headers style
 * (and IETF ones when it says ietf_headers), with reset times relative to
 * `now`. Units without a window send nothing. */
void mock_limit_headers_for(mock_plan *p, const mock_limit_set *ls, cm_us now,
                            const mock_provider_def *prov);
/* The same in p->shape's own style (OpenAI or Anthropic), IETF ones too
 * when `ietf`. */
void mock_limit_headers(mock_plan *p, const mock_limit_set *ls, cm_us now, bool ietf);

#endif
