/* scenario_policy.c: a run's policy, with a missing default policy reported at
 * the scenario's "policy" field. */
#include "engine/cli/scenario_policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Why `path` cannot be opened as a file: an errno value, or 0 when it can
 * (then the policy loader's message is the right one). */
static int unopenable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    return S_ISDIR(st.st_mode) ? EISDIR : 0;
}

int rl_scenario_policy_load(const char *scenario_path, const char *policy_path, rl_policy **out,
                            cm_err *err)
{
    if (rl_policy_load(policy_path, out, err) == 0)
        return 0;
    int why = scenario_path ? unopenable(policy_path) : 0;
    if (why == 0)
        return -1;
    cm_err ignored;
    cm_json *doc = cm_json_load(scenario_path, &ignored);
    if (!doc)
        return -1;
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "policy");
    if (cJSON_IsString(node))
        cm_json_fail(err, doc, node, "policy", "%s: cannot open: %s", policy_path, strerror(why));
    cm_json_free(doc);
    return -1;
}

int rl_scenario_policy_pick(const char *cmd, const char *scenario_path, const char *given,
                            const char *named, const char **path, rl_policy **out, cm_err *err)
{
    *path = given ? given : named;
    if (!*path) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: %.900s: the scenario names no policy; pass --policy POLICY", cmd,
                 scenario_path ? scenario_path : "");
        return -1;
    }
    return rl_scenario_policy_load(given ? NULL : scenario_path, *path, out, err);
}
