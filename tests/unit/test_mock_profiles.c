/* test_mock_profiles.c: provider profiles (kind "profile"): a scenario's
 * provider starts from the profile it names and its own members win; a
 * profile is checked like a provider, without a name, with its sources; a
 * problem inside a profile is reported at the profile file's line and
 * column, a missing profile at the scenario's "profile" member. */
#include "common/jsonpos.h"
#include "mockserver/scenario/profile.h"
#include "tests/lib/mock_test_util.h"

#define DIR "tests/data/profiles/"

static void load_ok(fixture *fx, const char *path)
{
    cm_err err = {{0}};
    if (mock_scenario_load(path, &fx->sc, &err) != 0)
        fail_msg("%s did not load: %s", path, err.msg);
    fx->m = mock_model_new(fx->sc);
    assert_non_null(fx->m);
}

static void load_bad(const char *path, const char *want)
{
    cm_err err = {{0}};
    mock_scenario *sc = NULL;
    assert_int_equal(mock_scenario_load(path, &sc, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("got \"%s\", want \"%s\"", err.msg, want);
}

static void a_provider_starts_from_its_profile(void **state)
{
    (void)state;
    fixture fx;
    load_ok(&fx, DIR "uses_tiny.json");
    /* From the profile: shape, plain headers, request ids, moonshot errors;
     * from the scenario: the keys and the tier (b: 5 a day). */
    mock_plan p = fx_send(&fx, "ms", "m2", "sk-tiny", 0);
    assert_int_equal(p.status, 200);
    assert_string_equal(hdr(&p, "X-RateLimit-Limit"), "5");
    assert_int_equal(strlen(hdr(&p, "x-request-id")), 28);
    assert_int_equal(fx_send(&fx, "ms", "m2", "sk-other", 1).status, 401);
    for (int i = 0; i < 4; i++)
        fx_send(&fx, "ms", "m2", "sk-tiny", 2);
    p = fx_send(&fx, "ms", "m2", "sk-tiny", 3);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "rate_limit_reached_error");
    /* The second provider names the profile by path and overrides its error style. */
    fx_send(&fx, "ms2", "m1", "any", 0);
    fx_send(&fx, "ms2", "m1", "any", 0);
    p = fx_send(&fx, "ms2", "m1", "any", 0);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.error_type, "requests");
    assert_string_equal(p.note, "window m1-rpm");
    fx_close(&fx);
}

static void problems_are_reported_where_they_are(void **state)
{
    (void)state;
    load_bad(DIR "uses_bad_limit.json", DIR "profiles/bad_limit.json:8:29: "
                                            "provider.windows[0].limit: must be between 1 and");
    load_bad(DIR "uses_missing.json",
             DIR "uses_missing.json:5:18: providers[0].profile: cannot load profile "
                 "\"no-such-profile\": " DIR "profiles/no-such-profile.json: cannot open");
    /* The scenario's models replace the profile's: the profile's window that
     * names m1 no longer fits, and says so at its own line. */
    load_bad(DIR "replaces_models.json", DIR "profiles/tiny.json:13:47: "
                                             "providers[0].windows[0].model: \"m1\" is not a model "
                                             "of this provider");
}

static void check_profile(const char *path, const char *want)
{
    cm_err err = {{0}};
    cm_json *doc = cm_json_load(path, &err);
    assert_non_null(doc);
    int rc = mock_profile_check(doc, &err);
    cm_json_free(doc);
    if (!want) {
        if (rc != 0)
            fail_msg("%s: %s", path, err.msg);
        return;
    }
    assert_int_equal(rc, -1);
    if (!strstr(err.msg, want))
        fail_msg("got \"%s\", want \"%s\"", err.msg, want);
}

static void profile_files_are_checked(void **state)
{
    (void)state;
    check_profile(DIR "profiles/tiny.json", NULL);
    check_profile(DIR "profiles/bad_date.json",
                  "bad_date.json:4:60: sources[0].read: the date the source was read, YYYY-MM-DD");
    check_profile(DIR "profiles/named.json", "named.json:5:25: provider.name: a profile's provider "
                                             "is named by the scenario that uses it");
    check_profile(DIR "profiles/nested.json",
                  "nested.json:5:28: provider.profile: a profile cannot start from another");
    check_profile(DIR "profiles/no_sources.json", "sources: required field is missing");
    /* The library the repository ships. */
    static const char *const lib[] = {"openai",          "anthropic",    "groq-free",   "moonshot",
                                      "openrouter-free", "azure-openai", "gemini-free", NULL};
    char path[128];
    for (int i = 0; lib[i]; i++) {
        snprintf(path, sizeof path, "scenarios/profiles/%s.json", lib[i]);
        check_profile(path, NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_provider_starts_from_its_profile),
        cmocka_unit_test(problems_are_reported_where_they_are),
        cmocka_unit_test(profile_files_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
