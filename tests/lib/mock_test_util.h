/* mock_test_util.h: helpers shared by the provider model tests: build a
 * scenario from inline JSON, send a request at a scenario time, read headers. */
#ifndef MOCK_TEST_UTIL_H
#define MOCK_TEST_UTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mockserver/model/model.h"
#include "mockserver/model/plan.h"
#include "mockserver/scenario/scenario.h"

typedef struct fixture {
    mock_scenario *sc;
    mock_model *m;
} fixture;

static inline void fx_open(fixture *fx, const char *json)
{
    cm_err err = {{0}};
    if (mock_scenario_parse("inline.json", json, strlen(json), &fx->sc, &err) != 0)
        fail_msg("scenario did not load: %s", err.msg);
    fx->m = mock_model_new(fx->sc);
    assert_non_null(fx->m);
}

static inline void fx_close(fixture *fx)
{
    mock_model_free(fx->m);
    mock_scenario_free(fx->sc);
}

/* The message a scenario gives when it must not load (into err). */
static inline void fx_bad(const char *json, cm_err *err)
{
    mock_scenario *sc = NULL;
    assert_int_equal(mock_scenario_parse("inline.json", json, strlen(json), &sc, err), -1);
    assert_null(sc);
}

/* Sends a chat/messages request (endpoint from the provider's shape). */
static inline mock_plan fx_send(fixture *fx, const char *provider, const char *model,
                                const char *key, double t_s)
{
    int pi = mock_scenario_provider_find(fx->sc, provider);
    mock_shape shape =
        pi >= 0 ? mock_scenario_provider_shape(fx->sc, (size_t)pi) : MOCK_SHAPE_OPENAI;
    mock_request req = {.provider = provider,
                        .endpoint = shape == MOCK_SHAPE_OPENAI ? MOCK_EP_CHAT : MOCK_EP_MESSAGES,
                        .model = model,
                        .key = key,
                        .tokens = 100,
                        .now = cm_us_from_s(t_s)};
    mock_plan p;
    mock_model_respond(fx->m, &req, &p);
    return p;
}

static inline const char *hdr(const mock_plan *p, const char *name)
{
    const char *v = mock_plan_header_get(p, name);
    return v ? v : "(absent)";
}

#endif
