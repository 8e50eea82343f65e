/* tasklimit.h: the most tasks one run may hold (clients x tasks_per_client),
 * shared by the scenario loader, the drivers and the trace reader so that a
 * trace retrylab writes is always a trace it reads back (task ids 0..N-1). */
#ifndef CM_TASKLIMIT_H
#define CM_TASKLIMIT_H
#include <stdint.h>

#define CM_MAX_TASKS INT64_C(10000000)

#endif
