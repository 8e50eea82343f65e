/* fuzz_scenario.c: libFuzzer target over the scenario loader and the provider
 * model. The input is a scenario file; when it loads, a fixed sequence of
 * requests goes through mock_model_respond and every plan is checked. Build:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined \
 *     tests/fuzz/fuzz_scenario.c mockserver/scenario*.c mockserver/window.c \
 *     mockserver/plan.c mockserver/limit_headers.c \
 *     mockserver/model_state.c mockserver/provider.c common/[a-z]*.c -lcjson -lm \
 *     -o build/fuzz_scenario
 * Seeds: tests/data/scenarios/good/ and bad/. Not part of `make test`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mockserver/model.h"
#include "mockserver/scenario.h"

static void drive(const mock_scenario *sc)
{
    mock_model *m = mock_model_new(sc);
    if (!m)
        return;
    for (size_t i = 0; i < 64; i++) {
        size_t np = mock_scenario_provider_count(sc);
        const char *prov = mock_scenario_provider_name(sc, i % (np + 1));
        mock_request req = {.provider = prov,
                            .endpoint = (mock_endpoint)(i % 3),
                            .model = i % 5 ? "m" : NULL,
                            .key = i % 7 ? "k" : NULL,
                            .tokens = (int64_t)(i * 37) - 100,
                            .now = (cm_us)(i * i) * 250000};
        mock_plan p;
        mock_model_respond(m, &req, &p);
        if (p.status < 100 || p.status > 599 || p.nheaders > MOCK_MAX_HEADERS || p.latency < 0)
            abort();
    }
    cJSON_Delete(mock_model_state_json(m, 1000000));
    mock_model_free(m);
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
