/* scenario_policy.h: loading the policy a run uses, so that a policy file the
 * scenario names but that is not there is reported at the scenario's
 * "policy" field (file:line:col), not as a bare path the user never typed. */
#ifndef RL_SCENARIO_POLICY_H
#define RL_SCENARIO_POLICY_H

#include "common/jsonpos.h"
#include "engine/engine.h"

/* Loads the policy at `policy_path` into *out (the caller frees it with
 * rl_policy_free). `scenario_path` is the scenario file whose "policy" named
 * that path, or NULL when the path came from the command line. Returns 0, or
 * -1 with err filled and *out untouched: the policy loader's own message,
 * except that a file that cannot be opened (missing, a directory) named by
 * a scenario gives "SCENARIO:line:col: policy: PATH: cannot open: why". */
int rl_scenario_policy_load(const char *scenario_path, const char *policy_path, rl_policy **out,
                            cm_err *err);

#endif
