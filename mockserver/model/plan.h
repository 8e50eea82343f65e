/* plan.h: building a mock_plan: headers (set, replace, look up) and the
 * error type, code and message each provider shape sends for a status. */
#ifndef MOCK_PLAN_H
#define MOCK_PLAN_H
#include "mockserver/model/model.h"

/* An empty 200 completion plan in `shape` with a Date header for `now`.
 * Both leave p->known.exact false: the caller that knows the Date's time
 * sets known.date_at and known.exact. */
void mock_plan_init(mock_plan *p, mock_shape shape, cm_us now);
/* The same with the Date header's value given (the IMF-fixdate of `now`'s
 * second, as mock_plan_init would write it); NULL: no Date header yet (the
 * caller adds it, e.g. with mock_known_date). */
void mock_plan_init_dated(mock_plan *p, mock_shape shape, const char *date);
/* Sets header `name` (case-insensitive match replaces the old value). Returns
 * -1 when the plan already holds MOCK_MAX_HEADERS others or the name or value
 * does not fit (nothing is changed then), else 0. */
int mock_plan_header_set(mock_plan *p, const char *name, const char *value);
/* mock_plan_header_set for the writers that record the header's value in
 * p->known themselves: p->known.exact is kept (cleared only when the header
 * does not fit). mock_plan_header_set and mock_plan_header_del clear it. */
int mock_plan_header_set_known(mock_plan *p, const char *name, const char *value);
/* Appends header `name` without looking for an existing one: for a writer
 * of p->known whose own record shows the name is not there yet while
 * p->known.exact (every header then came from those writers). Falls back to
 * mock_plan_header_set_known otherwise. 0, or -1 as mock_plan_header_set. */
int mock_plan_header_add_known(mock_plan *p, const char *name, const char *value);
/* The value of header `name`, or NULL. (Text a values_only request left
 * out is not seen before mock_plan_render_known.) */
const char *mock_plan_header_get(const mock_plan *p, const char *name);
/* Removes header `name` if present. */
void mock_plan_header_del(mock_plan *p, const char *name);
/* Makes p an error answer with `status`: body ERROR, and error_type,
 * error_code and error_message as p's error style (mock_plan_style) sends
 * them; non-NULL arguments override those defaults. */
void mock_plan_error(mock_plan *p, int status, const char *type, const char *code,
                     const char *message);
/* The error type p's style sends for p->status (never NULL). */
const char *mock_plan_default_error_type(const mock_plan *p);
/* p's error style: p->error_style, or the shape's when BY_SHAPE. */
mock_error_style mock_plan_style(const mock_plan *p);

#endif
