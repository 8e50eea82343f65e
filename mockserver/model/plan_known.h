/* plan_known.h: the plan headers whose values mock_plan.known records
 * (Retry-After in seconds or ms, OpenAI x-ratelimit-* per unit), written as
 * text at once or, for a caller that reads only the values, on demand. */
#ifndef MOCK_PLAN_KNOWN_H
#define MOCK_PLAN_KNOWN_H
#include <stdbool.h>
#include <stdint.h>

#include "mockserver/model/model.h"

/* Writes the Date header (`text`: the IMF-fixdate of p->known.date_at, which
 * the caller set), or leaves it for mock_plan_render_known as below. Call it
 * before any other header: rendered, Date comes first. */
void mock_known_date(mock_plan *p, const char *text);
/* Writes the request-id header `name`: `prefix` and 24 letters and digits
 * drawn from `bits` (mock_request_id_text), or leaves it for
 * mock_plan_render_known as below. Call it right after the Date. */
void mock_known_request_id(mock_plan *p, const char *name, const char *prefix, uint64_t bits);
/* The request id text for prefix and bits into buf (always terminated). */
void mock_request_id_text(const char *prefix, uint64_t bits, char *buf, size_t size);
/* Records Retry-After (`ms` false: whole seconds) or retry-after-ms and
 * writes its header, or leaves the text for mock_plan_render_known while
 * p->known.lazy and p->known.exact. */
void mock_known_retry_after(mock_plan *p, bool ms, int64_t v);
/* Records both and writes Retry-After (seconds) then retry-after-ms, as
 * Azure OpenAI sends them, deferred as mock_known_retry_after. */
void mock_known_retry_after_both(mock_plan *p, int64_t seconds, int64_t ms);
/* Records and writes the OpenAI limit, remaining and reset headers of
 * requests (row 0) or tokens (row 1), deferred as mock_known_retry_after. */
void mock_known_openai_unit(mock_plan *p, int row, int64_t limit, int64_t remaining, cm_us reset);
/* mock_plan_render_known (model.h) writes deferred text; every plan
 * function that touches other headers calls it first. */

#endif
