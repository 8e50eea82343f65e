/* cmd_validate.c: `retrylab validate FILE...`: checks each file with the
 * loader its top-level "kind" names, and prints "FILE: ok" or the loader's
 * one-line "file:line:col: field: message". */
#include <stdio.h>
#include <string.h>

#include "common/expect.h"
#include "common/jsonpos.h"
#include "engine/cli/cli.h"
#include "engine/cli/scenario_policy.h"
#include "engine/core/engine.h"
#include "engine/http/providers.h"
#include "mockserver/scenario/profile.h"
#include "mockserver/scenario/scenario.h"

enum file_kind { KIND_POLICY, KIND_SCENARIO, KIND_EXPECT, KIND_PROVIDERS, KIND_PROFILE };
static const char *const kind_names[] = {"policy",    "scenario", "expect",
                                         "providers", "profile",  NULL};

static int check_policy(const cm_json *doc, cm_err *err)
{
    rl_policy *p = NULL;
    if (rl_policy_from_json(doc, &p, err) != 0)
        return -1;
    rl_policy_free(p);
    return 0;
}

/* A scenario is valid when it loads and so does the policy it names. */
static int check_scenario(const char *path, cm_err *err)
{
    mock_scenario *sc = NULL;
    if (mock_scenario_load(path, &sc, err) != 0)
        return -1;
    int rc = 0;
    const char *pp = mock_scenario_policy_path(sc);
    rl_policy *p = NULL;
    if (pp && rl_scenario_policy_load(path, pp, &p, err) != 0)
        rc = -1;
    rl_policy_free(p);
    mock_scenario_free(sc);
    return rc;
}

static int check_providers(const cm_json *doc, cm_err *err)
{
    rl_providers *p = NULL;
    if (rl_providers_from_json(doc, &p, err) != 0)
        return -1;
    rl_providers_free(p);
    return 0;
}

static int check_expect(const char *path, cm_err *err)
{
    cm_expect e;
    memset(&e, 0, sizeof e);
    int rc = cm_expect_load(path, &e, err);
    cm_expect_free(&e);
    return rc;
}

static int check_file(const char *path, cm_err *err)
{
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return -1;
    const cJSON *root = cm_json_root(doc);
    int kind = -1, rc = -1;
    if (!cJSON_IsObject(root))
        rc = cm_json_fail(err, doc, root, NULL, "expected a JSON object with a \"kind\"");
    else if (cm_json_get_enum(doc, root, NULL, "kind", true, kind_names, &kind, err) == 0) {
        if (kind == KIND_POLICY)
            rc = check_policy(doc, err);
        else if (kind == KIND_SCENARIO)
            rc = check_scenario(path, err);
        else if (kind == KIND_EXPECT)
            rc = check_expect(path, err);
        else if (kind == KIND_PROFILE)
            rc = mock_profile_check(doc, err);
        else
            rc = check_providers(doc, err);
    }
    cm_json_free(doc);
    return rc;
}

/* 0 to go on, 1 after --help, 2 after a message (no file, a flag). */
static int check_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf(
                "usage: retrylab validate FILE...\n"
                "  Checks policy, scenario, expect, providers and profile files by their\n"
                "  \"kind\"; exit 0 when all are valid, 2 otherwise (file:line:col messages).\n");
            return 1;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "retrylab validate: unknown option '%s' (a file of that name: ./%s)\n",
                    argv[i], argv[i]);
            return CM_EXIT_BAD_INPUT;
        }
    }
    if (argc < 2) {
        fprintf(stderr, "retrylab validate: no file given\nusage: retrylab validate FILE...\n");
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

int rl_cmd_validate(int argc, char **argv)
{
    int rc = check_args(argc, argv);
    if (rc != 0)
        return rc == 1 ? CM_EXIT_OK : CM_EXIT_BAD_INPUT;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        cm_err err;
        err.msg[0] = '\0';
        if (check_file(argv[i], &err) == 0) {
            printf("%s: ok\n", argv[i]);
        } else {
            fprintf(stderr, "%s\n", err.msg[0] ? err.msg : "invalid");
            bad = 1;
        }
    }
    fflush(stdout);
    return bad ? 2 : 0;
}
