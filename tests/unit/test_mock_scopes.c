/* test_mock_scopes.c: who shares a quota and for how long: a window shared
 * by a named group of models ("scope": "group"), an organisation-wide
 * window over every model and key, calendar-day windows ("algorithm":
 * "day", days of epoch + t with an offset from UTC), and windows that count
 * but stay out of the headers ("report": false, Groq's RPD/TPM headers). */
#include "tests/lib/mock_test_util.h"

static const char *const scopes =
    "{\"kind\":\"scenario\",\"providers\":["
    "{\"name\":\"an\",\"shape\":\"anthropic\",\"keys\":{\"K1\":\"sk-1\",\"K2\":\"sk-2\",\"K3\":"
    "\"sk-3\"},"
    " \"organisations\":{\"acme\":[\"K1\",\"K2\"]},"
    " \"models\":[{\"name\":\"opus-4\"},{\"name\":\"opus-4.1\"},{\"name\":\"haiku\"}],"
    " \"windows\":[{\"name\":\"opus-family\",\"scope\":\"group\",\"models\":[\"opus-4\",\"opus-4."
    "1\"],"
    "               \"limit\":2,\"period_s\":60},"
    "              "
    "{\"name\":\"org-rpm\",\"scope\":\"organisation\",\"limit\":4,\"period_s\":60}]}]}";

static void a_group_of_models_shares_one_quota(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, scopes);
    assert_int_equal(fx_send(&fx, "an", "opus-4", "sk-1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "an", "opus-4.1", "sk-3", 1).status, 200);
    mock_plan p = fx_send(&fx, "an", "opus-4", "sk-3", 2); /* another key, same group */
    assert_int_equal(p.status, 429);
    assert_string_equal(p.note, "window opus-family");
    assert_string_equal(hdr(&p, "retry-after"), "58");
    /* A model outside the group is not counted by it. */
    assert_int_equal(fx_send(&fx, "an", "haiku", "sk-3", 3).status, 200);
    fx_close(&fx);
}

static void an_organisation_window_counts_every_model_and_key(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, scopes);
    assert_int_equal(fx_send(&fx, "an", "haiku", "sk-1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "an", "haiku", "sk-2", 0).status, 200);
    assert_int_equal(fx_send(&fx, "an", "opus-4", "sk-1", 0).status, 200);
    assert_int_equal(fx_send(&fx, "an", "opus-4.1", "sk-2", 0).status, 200);
    mock_plan p = fx_send(&fx, "an", "haiku", "sk-1", 0);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.note, "window org-rpm");
    assert_int_equal(fx_send(&fx, "an", "haiku", "sk-3", 0).status, 200); /* its own org */
    fx_close(&fx);
}

static const char *const days =
    "{\"kind\":\"scenario\",\"providers\":["
    "{\"name\":\"g\",\"shape\":\"openai\",\"models\":[{\"name\":\"m\"},{\"name\":\"pt\"}],"
    " \"windows\":[{\"name\":\"rpd\",\"algorithm\":\"day\",\"limit\":2,\"model\":\"m\"},"
    "              {\"name\":\"rpd-pacific\",\"algorithm\":\"day\",\"limit\":1,"
    "               \"day_offset_h\":8,\"model\":\"pt\"}]}]}";

/* Days of epoch + t: in the simulation's epoch (2026-01-01T00:00:00Z) a day
 * ends at t = 86400; a day that starts at 08:00 UTC ends at t = 8 h. */
static void a_day_window_ends_at_midnight(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, days);
    assert_int_equal(fx_send(&fx, "g", "m", "k", 100).status, 200);
    mock_plan p = fx_send(&fx, "g", "m", "k", 200);
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "23h56m40s");
    p = fx_send(&fx, "g", "m", "k", 300);
    assert_int_equal(p.status, 429);
    assert_string_equal(hdr(&p, "Retry-After"), "86100");
    assert_int_equal(fx_send(&fx, "g", "m", "k", 86399.5).status, 429);
    assert_int_equal(fx_send(&fx, "g", "m", "k", 86400).status, 200);
    assert_int_equal(fx_send(&fx, "g", "pt", "k", 3600).status, 200);
    p = fx_send(&fx, "g", "pt", "k", 3601);
    assert_string_equal(hdr(&p, "Retry-After"), "25199"); /* until 08:00 */
    assert_int_equal(fx_send(&fx, "g", "pt", "k", 8 * 3600).status, 200);
    /* Another epoch moves the day: 2026-12-04T16:00:00Z ends its day at t = 8 h. */
    mock_model_reset(fx.m);
    mock_model_set_epoch(fx.m, INT64_C(1796400000));
    assert_int_equal(fx_send(&fx, "g", "m", "k", 0).status, 200);
    assert_int_equal(fx_send(&fx, "g", "m", "k", 1).status, 200);
    p = fx_send(&fx, "g", "m", "k", 2);
    assert_string_equal(hdr(&p, "Retry-After"), "28798");
    fx_close(&fx);
}

/* Groq: the requests headers show the per-day window, the tokens headers
 * the per-minute one (console.groq.com/docs/rate-limits, read 2026-12-04);
 * a window with "report": false still refuses. */
static void unreported_windows_count_but_stay_out_of_the_headers(void **state)
{
    (void)state;
    fixture fx;
    fx_open(
        &fx,
        "{\"kind\":\"scenario\",\"providers\":["
        "{\"name\":\"groq\",\"shape\":\"openai\",\"models\":[{\"name\":\"llama\"}],"
        " \"windows\":[{\"name\":\"rpm\",\"limit\":2,\"period_s\":60,\"report\":false},"
        "  {\"name\":\"rpd\",\"algorithm\":\"token_bucket\",\"limit\":14400,\"period_s\":86400},"
        "  {\"name\":\"tpm\",\"unit\":\"tokens\",\"algorithm\":\"token_bucket\","
        "   \"limit\":6000,\"period_s\":60},"
        "  {\"name\":\"tpd\",\"unit\":\"tokens\",\"limit\":500000,\"period_s\":86400,"
        "   \"report\":false}]}]}");
    mock_plan p = fx_send(&fx, "groq", "llama", "k", 0);
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "14400");
    assert_string_equal(hdr(&p, "x-ratelimit-remaining-requests"), "14399");
    assert_string_equal(hdr(&p, "x-ratelimit-reset-requests"), "6s");
    assert_string_equal(hdr(&p, "x-ratelimit-limit-tokens"), "6000");
    fx_send(&fx, "groq", "llama", "k", 1);
    p = fx_send(&fx, "groq", "llama", "k", 2);
    assert_int_equal(p.status, 429);
    assert_string_equal(p.note, "window rpm");
    assert_string_equal(hdr(&p, "x-ratelimit-limit-requests"), "14400");
    fx_close(&fx);
}

static void bad_group_and_day_windows_are_refused(void **state)
{
    (void)state;
    cm_err err;
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"scope\":\"group\",\"limit\":1,"
           "\"period_s\":60}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "scope \"group\" needs \"models\""));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"models\":[\"m\",\"x\"],\"limit\":1,"
           "\"period_s\":60}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "windows[0].models: \"x\" is not a model of this provider"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"algorithm\":\"day\",\"limit\":1,"
           "\"period_s\":60}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "a \"day\" window has no period_s"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"limit\":1,\"period_s\":60,"
           "\"day_offset_h\":3}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "only a \"day\" window has day_offset_h"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_group_of_models_shares_one_quota),
        cmocka_unit_test(an_organisation_window_counts_every_model_and_key),
        cmocka_unit_test(a_day_window_ends_at_midnight),
        cmocka_unit_test(unreported_windows_count_but_stay_out_of_the_headers),
        cmocka_unit_test(bad_group_and_day_windows_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
