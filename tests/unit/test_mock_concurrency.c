/* test_mock_concurrency.c: "concurrency" windows (requests in flight): a
 * request beyond the limit gets 429 until mock_model_release gives a slot
 * back; the Retry-After is until the first holder is planned to end;
 * releases of unknown, repeated or pre-reset tickets change nothing. */
#include <stdlib.h>

#include "tests/lib/mock_test_util.h"

static const char *const one_at_a_time =
    "{\"kind\":\"scenario\",\"providers\":["
    "{\"name\":\"ms\",\"shape\":\"openai\",\"keys\":{\"K1\":\"sk-1\",\"K2\":\"sk-2\"},"
    " \"organisations\":{\"acme\":[\"K1\",\"K2\"]},"
    " \"models\":[{\"name\":\"kimi\",\"latency\":{\"kind\":\"fixed\",\"s\":2}},"
    "             {\"name\":\"hang\"}],"
    " \"windows\":[{\"name\":\"org-concurrency\",\"scope\":\"organisation\","
    "               \"algorithm\":\"concurrency\",\"limit\":1},"
    "              {\"name\":\"rpm\",\"limit\":3,\"period_s\":60}],"
    " \"faults\":[{\"model\":\"hang\",\"probability\":1,\"fault\":\"hang\"}]}]}";

static void second_request_in_flight_gets_429_until_release(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, one_at_a_time);
    mock_plan a = fx_send(&fx, "ms", "kimi", "sk-1", 0);
    assert_int_equal(a.status, 200);
    assert_true(a.ticket != 0);
    /* Another key of the same organisation shares the slot. */
    mock_plan b = fx_send(&fx, "ms", "kimi", "sk-2", 0.5);
    assert_int_equal(b.status, 429);
    assert_int_equal(b.ticket, 0);
    assert_string_equal(hdr(&b, "Retry-After"), "2"); /* a ends at t = 2: 1.5 s, rounded up */
    assert_string_equal(b.note, "window org-concurrency");
    assert_non_null(strstr(b.error_message, "in flight"));
    /* The refused request is counted nowhere: K2's rpm still has all 3. */
    assert_string_equal(hdr(&b, "x-ratelimit-remaining-requests"), "3");
    mock_model_release(fx.m, a.ticket, cm_us_from_s(2));
    mock_plan c = fx_send(&fx, "ms", "kimi", "sk-2", 2);
    assert_int_equal(c.status, 200);
    assert_true(c.ticket != 0 && c.ticket != a.ticket);
    fx_close(&fx);
}

static void stale_and_unknown_tickets_change_nothing(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, one_at_a_time);
    mock_plan a = fx_send(&fx, "ms", "kimi", "sk-1", 0);
    mock_model_release(fx.m, a.ticket, 1);
    mock_plan b = fx_send(&fx, "ms", "kimi", "sk-1", 1); /* reuses a's entry */
    assert_int_equal(b.status, 200);
    mock_model_release(fx.m, a.ticket, 1); /* a again: must not free b's slot */
    mock_model_release(fx.m, 0, 1);
    mock_model_release(fx.m, UINT64_C(0xffffffffffff), 1);
    assert_int_equal(fx_send(&fx, "ms", "kimi", "sk-1", 1.5).status, 429);
    /* A reset forgets holds: b's ticket is then stale too. */
    mock_model_reset(fx.m);
    mock_plan c = fx_send(&fx, "ms", "kimi", "sk-1", 0);
    assert_int_equal(c.status, 200);
    mock_model_release(fx.m, b.ticket, 0);
    assert_int_equal(fx_send(&fx, "ms", "kimi", "sk-1", 0.1).status, 429);
    fx_close(&fx);
}

/* A hang holds its slot until its client gives up: no planned end, so a
 * refusal says Retry-After 1. */
static void a_hang_holds_its_slot(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, one_at_a_time);
    mock_plan h = fx_send(&fx, "ms", "hang", "sk-1", 0);
    assert_int_equal(h.fault, MOCK_FAULT_HANG);
    assert_true(h.ticket != 0);
    mock_plan b = fx_send(&fx, "ms", "kimi", "sk-1", 30);
    assert_int_equal(b.status, 429);
    assert_string_equal(hdr(&b, "Retry-After"), "1");
    mock_model_release(fx.m, h.ticket, cm_us_from_s(31));
    assert_int_equal(fx_send(&fx, "ms", "kimi", "sk-1", 31).status, 200);
    fx_close(&fx);
}

/* The admin state shows the slots in use. */
static void state_shows_requests_in_flight(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, one_at_a_time);
    fx_send(&fx, "ms", "kimi", "sk-1", 0);
    cJSON *j = mock_model_state_json(fx.m, 1);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"window\":\"org-concurrency\""));
    assert_non_null(strstr(text, "\"algorithm\":\"concurrency\""));
    assert_non_null(strstr(text, "\"instance\":\"acme\""));
    assert_non_null(strstr(text, "\"used\":1,\"remaining\":0"));
    free(text);
    cJSON_Delete(j);
    fx_close(&fx);
}

static void bad_concurrency_windows_are_refused(void **state)
{
    (void)state;
    cm_err err;
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"algorithm\":\"concurrency\","
           "\"limit\":1,\"period_s\":60}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "providers[0].windows[0].period_s: a \"concurrency\" window "
                                    "has no period_s"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"algorithm\":\"concurrency\","
           "\"unit\":\"tokens\",\"limit\":1}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "counts requests"));
    fx_bad("{\"kind\":\"scenario\",\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
           "\"models\":[{\"name\":\"m\"}],\"windows\":[{\"limit\":1}]}]}",
           &err);
    assert_non_null(strstr(err.msg, "period_s"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(second_request_in_flight_gets_429_until_release),
        cmocka_unit_test(stale_and_unknown_tickets_change_nothing),
        cmocka_unit_test(a_hang_holds_its_slot),
        cmocka_unit_test(state_shows_requests_in_flight),
        cmocka_unit_test(bad_concurrency_windows_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
