/* scenario_policy.h: loading the policy a run uses, so that a policy file the
 * scenario names but that is not there is reported at the scenario's
 * "policy" field (file:line:col), not as a bare path the user never typed. */
#ifndef RL_SCENARIO_POLICY_H
#define RL_SCENARIO_POLICY_H

#include "common/jsonpos.h"
#include "engine/core/engine.h"

/* Loads the policy at `policy_path` into *out (the caller frees it with
 * rl_policy_free). `scenario_path` is the scenario file whose "policy" named
 * that path, or NULL when the path came from the command line. Returns 0, or
 * -1 with err filled and *out untouched: the policy loader's own message,
 * except that a file that cannot be opened (missing, a directory) named by
 * a scenario gives "SCENARIO:line:col: policy: PATH: cannot open: why". */
int rl_scenario_policy_load(const char *scenario_path, const char *policy_path, rl_policy **out,
                            cm_err *err);

/* The policy a run uses: `given` (the --policy flag) when not NULL, else
 * `named` (the scenario's "policy", resolved; may be NULL), loaded as
 * rl_scenario_policy_load does; *path is the one chosen. 0, or -1 with err
 * filled ("CMD: SCENARIO: the scenario names no policy; pass --policy
 * POLICY" when neither is given, `cmd` being e.g. "retrylab sim"). */
int rl_scenario_policy_pick(const char *cmd, const char *scenario_path, const char *given,
                            const char *named, const char **path, rl_policy **out, cm_err *err);

#endif
