/* fuzz_scenario.c: libFuzzer target over the scenario loader and the provider
 * model. The input is a scenario file; when it loads, a fixed sequence of
 * requests goes through mock_model_respond and every plan is checked, and
 * asked the simulation's way of a second model must be the same plan. Build:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined \
 *     tests/fuzz/fuzz_scenario.c mockserver/scenario*.c mockserver/window.c \
 *     mockserver/plan.c mockserver/limit_headers.c \
 *     mockserver/model_state.c mockserver/provider.c common/[a-z]*.c -lcjson -lm \
 *     -o build/fuzz_scenario
 * Seeds: tests/data/scenarios/good/ and bad/. Not part of `make test`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/attempt_id.h"
#include "mockserver/model/model.h"
#include "mockserver/scenario/scenario.h"

/* The same answer asked the HTTP front's way (a) and the simulation's way
 * (b: values only, no texts, names resolved once) must be the same plan once
 * b's deferred header text is rendered. */
static void same_plan(const mock_plan *a, mock_plan *b)
{
    mock_plan_render_known(b);
    if (a->status != b->status || a->latency != b->latency || a->fault != b->fault ||
        a->body != b->body || a->nheaders != b->nheaders)
        abort();
    for (size_t h = 0; h < a->nheaders; h++)
        if (strcmp(a->headers[h].name, b->headers[h].name) != 0 ||
            strcmp(a->headers[h].value, b->headers[h].value) != 0)
            abort();
}

static void drive(const mock_scenario *sc)
{
    mock_model *m = mock_model_new(sc), *m2 = mock_model_new(sc);
    if (!m || !m2) {
        mock_model_free(m);
        mock_model_free(m2);
        return;
    }
    for (size_t i = 0; i < 64; i++) {
        size_t np = mock_scenario_provider_count(sc);
        const char *prov = mock_scenario_provider_name(sc, i % (np + 1));
        mock_request req = {.provider = prov,
                            .endpoint = (mock_endpoint)(i % 3),
                            .model = i % 5 ? "m" : NULL,
                            .key = i % 7 ? "k" : NULL,
                            .tokens = (int64_t)(i * 37) - 100,
                            .now = (cm_us)(i * i) * 250000,
                            .attempt_id =
                                i % 4 ? cm_attempt_id((uint32_t)(i % 9), (uint32_t)i + 1) : 0};
        mock_plan p, q;
        mock_model_respond(m, &req, &p);
        if (p.status < 100 || p.status > 599 || p.nheaders > MOCK_MAX_HEADERS || p.latency < 0)
            abort();
        mock_request sim = req;
        sim.values_only = true;
        sim.no_text = true;
        mock_model_resolve(m2, &sim);
        mock_model_respond(m2, &sim, &q);
        same_plan(&p, &q);
    }
    cJSON_Delete(mock_model_state_json(m, 1000000));
    mock_model_free(m);
    mock_model_free(m2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mock_scenario *sc = NULL;
    cm_err err;
    if (mock_scenario_parse("fuzz.json", (const char *)data, size, &sc, &err) == 0) {
        drive(sc);
        mock_scenario_free(sc);
    } else if (strncmp(err.msg, "fuzz.json:", 10) != 0) {
        abort();
    }
    return 0;
}
