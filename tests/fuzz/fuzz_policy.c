/* fuzz_policy.c: libFuzzer target over the policy loader and the task state
 * machine. The input is a policy; when it loads, a few tasks are driven with
 * outcomes drawn from a seeded RNG, checking the protocol's invariants
 * (WAIT until = now + delay >= now, SEND candidate/key in range, attempts
 * within max_attempts, DONE reached). Build:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -I/usr/include/cjson \
 *     -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_policy.c \
 *     engine/{backoff,breaker,budget,classify,cooldown,headers,metrics,policy,retry_after,rotation,run,task,tier}.c
 * \ common/{jsonpos,rng,sbuf,timefmt}.c -lcjson -lm -o build/fuzz_policy
 *   ./build/fuzz_policy -max_total_time=60 tests/data/policies/good
 * Not part of `make test`. */
#include <stdint.h>
#include <stdlib.h>

#include "engine/core/engine.h"

static const int statuses[] = {200, 400, 401, 403, 404, 408, 409, 429, 429, 500, 503, 529, 0};
static const rl_header hs[][2] = {
    {{"retry-after", "3"}, {"x-ratelimit-limit-requests", "3"}},
    {{"retry-after", "-1"}, {"x-should-retry", "true"}},
    {{"retry-after-ms", "0"}, {"x-should-retry", "false"}},
    {{"retry-after", "99999999999999"}, {"x-ratelimit-limit-requests", "100000"}},
};

static void check(int ok)
{
    if (!ok)
        abort();
}

static void drive(const rl_policy *p, rl_run *run, uint32_t id, cm_rng *rng)
{
    rl_task t;
    rl_action a;
    cm_us now = (cm_us)id * CM_US_PER_S;
    rl_task_start(&t, run, id, now);
    rl_task_next(&t, run, NULL, now, rng, &a);
    for (int step = 0; step < 300 && a.kind != RL_DONE && now < CM_US_MAX; step++) {
        if (a.kind == RL_WAIT) {
            check(a.delay >= 0 && a.until == now + a.delay);
            now = a.until;
            rl_task_next(&t, run, NULL, now, rng, &a);
            continue;
        }
        rl_candidate_info c;
        check(a.candidate < rl_policy_candidate_count(p));
        rl_policy_candidate(p, a.candidate, &c);
        check(c.nkeys == 0 ? a.key == 0 : a.key < c.nkeys);
        uint64_t r = cm_rng_next(rng);
        int st = statuses[r % (sizeof statuses / sizeof *statuses)];
        rl_outcome o = {st,
                        st ? RL_TE_NONE : (rl_transport_error)(1 + (r >> 8) % 5),
                        hs[(r >> 16) % 4],
                        (r >> 20) % 3,
                        (cm_us)((r >> 24) % 5000000),
                        NULL};
        now += o.latency;
        rl_task_next(&t, run, &o, now, rng, &a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_err err;
    cm_json *doc = cm_json_parse("fuzz.json", (const char *)data, size, &err);
    if (!doc)
        return 0;
    rl_policy *p = NULL;
    if (rl_policy_from_json(doc, &p, &err) == 0) {
        rl_run *run = rl_run_new(p, 1);
        cm_rng rng;
        cm_rng_seed(&rng, size);
        for (uint32_t id = 0; run && id < 4; id++)
            drive(p, run, id, &rng);
        cJSON *sum = run ? rl_run_summary_json(run, 0) : NULL;
        cJSON_Delete(sum);
        rl_run_free(run);
        rl_policy_free(p);
    }
    cm_json_free(doc);
    return 0;
}
