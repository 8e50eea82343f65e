/* sim_signals.h: what the simulation's engine would read from the model's
 * headers, taken from the values the model wrote them from (mock_plan_known),
 * so that a simulated attempt skips formatting-then-parsing's second half. */
#ifndef RL_SIM_SIGNALS_H
#define RL_SIM_SIGNALS_H
#include <stdbool.h>

#include "engine/core/headers.h"
#include "mockserver/model/model.h"

/* Fills *out with exactly what rl_headers_parse gives for the plan's headers
 * (field by field, notes included) and returns true; returns false, leaving
 * *out unspecified, when the values are not known exactly (k->exact false)
 * or lie where the text would be clamped, noted or unusable (negative or
 * year-long delays, far dates): the caller parses the headers then. */
bool rl_sim_signals_of(const mock_plan_known *k, rl_signals *out);

#endif
