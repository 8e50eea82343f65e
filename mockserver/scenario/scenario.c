/* scenario.c: loads a scenario file (kind "scenario"): the top-level fields,
 * workload, claims and expect, and the accessors of scenario.h; providers are
 * parsed in scenario_provider.c and scenario_rules.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "common/rng.h"
#include "common/tasklimit.h"
#include "mockserver/scenario/internal.h"
#include "mockserver/scenario/parse.h"
#include "mockserver/scenario/profile.h"
#include "mockserver/scenario/scenario.h"

static const char *const top_keys[] = {"kind",        "name",      "policy",      "seed",
                                       "draws",       "claims",    "workload",    "expect",
                                       "assumptions", "providers", "description", NULL};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The policy path as written when absolute, else joined to the scenario's folder. */
static char *resolve_policy(const char *scenario_path, const char *policy)
{
    if (policy[0] == '/')
        return dup_str(policy);
    const char *slash = strrchr(scenario_path, '/');
    size_t dirlen = slash ? (size_t)(slash - scenario_path) + 1 : 0;
    size_t n = dirlen + strlen(policy) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s", (int)dirlen, scenario_path, policy);
    return out;
}

static int parse_workload(const cm_json *doc, const cJSON *root, mock_workload *w, cm_err *err)
{
    static const char *const keys[] = {"clients",    "tasks_per_client", "arrival", "over_s",
                                       "rate_per_s", "tokens",           "start_s", NULL};
    static const char *const arrivals[] = {"burst", "uniform", "poisson", NULL};
    *w = (mock_workload){.clients = 1,
                         .tasks_per_client = 1,
                         .arrival = MOCK_ARRIVAL_BURST,
                         .over = 0,
                         .rate_per_s = 1.0,
                         .tokens = 100};
    const cJSON *o;
    if (cm_json_get_object(doc, root, "", "workload", false, &o, err) != 0)
        return -1;
    if (!o)
        return 0;
    int arrival = 0;
    double over_s = 0, start_s = 0;
    if (cm_json_check_keys(doc, o, "workload", keys, err) != 0 ||
        cm_json_get_int(doc, o, "workload", "clients", false, 1, 1000000, &w->clients, err) != 0 ||
        cm_json_get_int(doc, o, "workload", "tasks_per_client", false, 1, 1000000,
                        &w->tasks_per_client, err) != 0 ||
        cm_json_get_enum(doc, o, "workload", "arrival", false, arrivals, &arrival, err) != 0 ||
        cm_json_get_number(doc, o, "workload", "over_s", false, 0, 1e9, &over_s, err) != 0 ||
        cm_json_get_number(doc, o, "workload", "rate_per_s", false, 1e-9, 1e9, &w->rate_per_s,
                           err) != 0 ||
        cm_json_get_int(doc, o, "workload", "tokens", false, 0, 100000000, &w->tokens, err) != 0 ||
        cm_json_get_number(doc, o, "workload", "start_s", false, 0, 1e9, &start_s, err) != 0)
        return -1;
    w->start = cm_us_from_s(start_s);
    w->arrival = (mock_arrival)arrival;
    w->over = cm_us_from_s(over_s);
    if (w->clients * w->tasks_per_client > CM_MAX_TASKS)
        return cm_json_fail(err, doc, o, "workload", "more than %lld tasks in all",
                            (long long)CM_MAX_TASKS);
    return 0;
}

static int parse_claims(const cm_json *doc, const cJSON *root, const cJSON **out, cm_err *err)
{
    if (cm_json_get_array(doc, root, "", "claims", false, 0, 1000, out, err) != 0)
        return -1;
    if (!*out)
        return 0;
    int i = 0;
    char ctx[64];
    cm_claim claim;
    for (const cJSON *c = (*out)->child; c; c = c->next, i++) {
        snprintf(ctx, sizeof ctx, "claims[%d]", i);
        if (cm_claim_parse(doc, c, ctx, &claim, err) != 0) /* common/expect.h */
            return -1;
    }
    return 0;
}

/* "assumptions": what the scenario takes to be true of a provider, each with
 * its source; "documented": false marks one the sources leave open, and
 * "alternative" names the scenario file that plays the other reading. */
static int parse_assumptions(const cm_json *doc, const cJSON *root, const cJSON **out, cm_err *err)
{
    static const char *const keys[] = {"says", "source", "documented", "alternative", NULL};
    if (cm_json_get_array(doc, root, "", "assumptions", false, 0, 100, out, err) != 0)
        return -1;
    if (!*out)
        return 0;
    int i = 0;
    char ctx[64];
    for (const cJSON *a = (*out)->child; a; a = a->next, i++) {
        snprintf(ctx, sizeof ctx, "assumptions[%d]", i);
        bool documented = true;
        const char *alt = NULL;
        if (!cJSON_IsObject(a))
            return cm_json_fail(err, doc, a, ctx, "must be an object");
        if (cm_json_check_keys(doc, a, ctx, keys, err) != 0 ||
            cm_json_get_string(doc, a, ctx, "says", true, 4000, &(const char *){0}, err) != 0 ||
            cm_json_get_string(doc, a, ctx, "source", true, 4000, &(const char *){0}, err) != 0 ||
            cm_json_get_bool(doc, a, ctx, "documented", true, &documented, err) != 0 ||
            cm_json_get_string(doc, a, ctx, "alternative", false, 4000, &alt, err) != 0)
            return -1;
        if (documented && alt)
            return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(a, "alternative"), ctx,
                                "a documented assumption has no alternative (set \"documented\": "
                                "false when the sources leave it open)");
    }
    return 0;
}

/* "expect" is validated by common/expect (the same rules as retrylab check). */
static int parse_expect(const cm_json *doc, const cJSON *root, const cJSON **out, cm_err *err)
{
    if (cm_json_get_object(doc, root, "", "expect", false, out, err) != 0)
        return -1;
    if (!*out)
        return 0;
    cm_expect e;
    memset(&e, 0, sizeof e);
    int rc = cm_expect_parse(doc, *out, "expect", &e, err);
    cm_expect_free(&e);
    return rc;
}

static int parse_providers(const cm_json *doc, const cJSON *root, mock_scenario *sc, cm_err *err)
{
    const cJSON *arr;
    if (cm_json_get_array(doc, root, "", "providers", true, 1, MOCK_MAX_PROVIDERS, &arr, err) != 0)
        return -1;
    size_t n = (size_t)cJSON_GetArraySize(arr);
    sc->providers = calloc(n, sizeof *sc->providers);
    if (!sc->providers)
        return cm_json_fail(err, doc, arr, "providers", "out of memory");
    char ctx[64];
    for (const cJSON *c = arr->child; c; c = c->next) {
        snprintf(ctx, sizeof ctx, "providers[%zu]", sc->nproviders);
        mock_provider_def *p = &sc->providers[sc->nproviders++];
        /* The document is this loader's own: a profile's members move into it. */
        if ((cJSON_IsObject(c) &&
             mock_profile_apply(sc->doc, (cJSON *)c, sc->path, ctx, err) != 0) ||
            mock_parse_provider(doc, c, ctx, p, err) != 0)
            return -1;
        for (size_t j = 0; j + 1 < sc->nproviders; j++)
            if (strcmp(sc->providers[j].name, p->name) == 0)
                return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(c, "name"), ctx,
                                    "a provider called \"%s\" already exists", p->name);
    }
    return 0;
}

static int parse_top(const cm_json *doc, mock_scenario *sc, cm_err *err)
{
    const cJSON *root = cm_json_root(doc);
    static const char *const kinds[] = {"scenario", NULL};
    static const char *const draws[] = {"shared", "per_attempt", NULL};
    int kind = -1, draw = 0;
    const char *policy = NULL;
    int64_t seed = 0;
    if (!cJSON_IsObject(root))
        return cm_json_fail(err, doc, root, NULL, "a scenario must be a JSON object");
    /* kind first: a policy given where a scenario belongs should say so. */
    if (cm_json_get_enum(doc, root, "", "kind", true, kinds, &kind, err) != 0 ||
        cm_json_check_keys(doc, root, "", top_keys, err) != 0 ||
        cm_json_get_string(doc, root, "", "name", false, 200, &sc->name, err) != 0 ||
        cm_json_get_string(doc, root, "", "policy", false, 4000, &policy, err) != 0 ||
        cm_json_get_int(doc, root, "", "seed", false, 0, CM_SEED_MAX, &seed, err) != 0 ||
        cm_json_get_enum(doc, root, "", "draws", false, draws, &draw, err) != 0 ||
        cm_json_get_string(doc, root, "", "description", false, 100000, &(const char *){0}, err) !=
            0 ||
        parse_workload(doc, root, &sc->workload, err) != 0 ||
        parse_claims(doc, root, &sc->claims, err) != 0 ||
        parse_assumptions(doc, root, &sc->assumptions, err) != 0 ||
        parse_expect(doc, root, &sc->expect, err) != 0 || parse_providers(doc, root, sc, err) != 0)
        return -1;
    sc->seed = (uint64_t)seed;
    sc->draws_per_attempt = draw == 1;
    if (policy && !(sc->policy_path = resolve_policy(sc->path, policy)))
        return cm_json_fail(err, doc, root, "policy", "out of memory");
    return 0;
}

/* Loads from the file `path`, or from text when text is not NULL. */
static int load(const char *path, const char *text, size_t len, mock_scenario **out, cm_err *err)
{
    *out = NULL;
    mock_scenario *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->path = dup_str(path))) {
        free(sc);
        snprintf(err->msg, sizeof err->msg, "%s:0:0: out of memory", path);
        return -1;
    }
    sc->doc = text ? cm_json_parse(path, text, len, err) : cm_json_load(path, err);
    if (!sc->doc || parse_top(sc->doc, sc, err) != 0) {
        mock_scenario_free(sc);
        return -1;
    }
    if (!sc->name)
        sc->name = "unnamed";
    *out = sc;
    return 0;
}

int mock_scenario_load(const char *path, mock_scenario **out, cm_err *err)
{
    return load(path, NULL, 0, out, err);
}

int mock_scenario_parse(const char *name, const char *text, size_t len, mock_scenario **out,
                        cm_err *err)
{
    return load(name, text ? text : "", text ? len : 0, out, err);
}

void mock_scenario_free(mock_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->nproviders; i++)
        mock_provider_def_free(&sc->providers[i]);
    free(sc->providers);
    free(sc->policy_path);
    free(sc->path);
    cm_json_free(sc->doc);
    free(sc);
}

const char *mock_scenario_name(const mock_scenario *sc)
{
    return sc->name;
}
uint64_t mock_scenario_seed(const mock_scenario *sc)
{
    return sc->seed;
}

bool mock_scenario_draws_per_attempt(const mock_scenario *sc)
{
    return sc->draws_per_attempt;
}
const char *mock_scenario_policy_path(const mock_scenario *sc)
{
    return sc->policy_path;
}
const mock_workload *mock_scenario_workload(const mock_scenario *sc)
{
    return &sc->workload;
}
const cJSON *mock_scenario_expect(const mock_scenario *sc)
{
    return sc->expect;
}
const cJSON *mock_scenario_claims(const mock_scenario *sc)
{
    return sc->claims;
}
const cJSON *mock_scenario_assumptions(const mock_scenario *sc)
{
    return sc->assumptions;
}
const cm_json *mock_scenario_doc(const mock_scenario *sc)
{
    return sc->doc;
}
size_t mock_scenario_provider_count(const mock_scenario *sc)
{
    return sc->nproviders;
}

const char *mock_scenario_provider_name(const mock_scenario *sc, size_t i)
{
    return i < sc->nproviders ? sc->providers[i].name : NULL;
}

int mock_scenario_provider_find(const mock_scenario *sc, const char *name)
{
    for (size_t i = 0; name && i < sc->nproviders; i++)
        if (strcmp(sc->providers[i].name, name) == 0)
            return (int)i;
    return -1;
}

mock_shape mock_scenario_provider_shape(const mock_scenario *sc, size_t i)
{
    return i < sc->nproviders ? sc->providers[i].shape : MOCK_SHAPE_OPENAI;
}

mock_error_style mock_scenario_provider_errors(const mock_scenario *sc, size_t i)
{
    if (i >= sc->nproviders)
        return MOCK_ERRORS_OPENAI;
    return sc->providers[i].error_style;
}

const char *mock_scenario_key_value(const mock_scenario *sc, size_t provider, const char *key_name)
{
    if (provider >= sc->nproviders)
        return NULL;
    int k = mock_provider_key_by_name(&sc->providers[provider], key_name);
    return k < 0 ? NULL : sc->providers[provider].key_values[k];
}
