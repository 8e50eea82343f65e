/* test_engine_alloc.c: the decision path allocates nothing per attempt. This
 * file replaces malloc/calloc/realloc with wrappers around glibc's
 * __libc_* functions that count calls while `counting` is set, then drives
 * 1,000+ rl_task_next calls through every branch (ladders with jitter,
 * Retry-After, tiers, rotation, cooldowns, breakers, budget, messages, the
 * transport layer), then again under a policy that reads error bodies
 * (type:/code: rules, the quota rule, delays from the message and RetryInfo,
 * ladders per outcome, a combined and a resetting server wait).
 *
 * Under AddressSanitizer the wrappers are left out (ASan replaces the
 * allocator, and mixing the two would corrupt it), so the counting
 * assertion is skipped there: the test then only checks that the calls run. */
#include "tests/lib/engine_fixture.h"

#if defined(__SANITIZE_ADDRESS__)
#define COUNTING_ALLOCATOR 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNTING_ALLOCATOR 0
#endif
#endif
#ifndef COUNTING_ALLOCATOR
#define COUNTING_ALLOCATOR 1
#endif

static volatile int counting;
static volatile long allocations;

#if COUNTING_ALLOCATOR
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

void *malloc(size_t size)
{
    if (counting)
        allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, size);
}
#endif

#define POLICY                                                                                     \
    "{\"kind\":\"policy\",\"name\":\"alloc\",\"candidates\":["                                     \
    "{\"provider\":\"groq\",\"model\":\"a\",\"keys\":[\"K1\",\"K2\"]},"                            \
    "{\"provider\":\"groq\",\"model\":\"b\"},{\"provider\":\"openai\",\"model\":\"c\"}],"          \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":1,\"cap_s\":60,\"jitter\":\"decorrelated\"}" \
    ","                                                                                            \
    "\"retry_after\":{\"max_s\":60,\"above_max\":\"rotate\"},"                                     \
    "\"tiers\":{\"table\":[{\"name\":\"free\",\"up_to\":3,\"base_s\":20},"                         \
    "{\"name\":\"paid\",\"base_s\":0.3}]},"                                                        \
    "\"classify\":{\"503\":\"rotate\"},\"cooldown\":{\"default_s\":30},"                           \
    "\"rotation\":{\"when_none_available\":\"wait\"},"                                             \
    "\"breaker\":{\"failures\":3,\"open_s\":10},"                                                  \
    "\"budget\":{\"kind\":\"adaptive\"},"                                                          \
    "\"transport\":{\"retries\":2,\"statuses\":[500],\"errors\":[\"timeout\"],"                    \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":0.5,\"jitter\":\"full\"},"                   \
    "\"first_retry_immediate\":true},"                                                             \
    "\"limits\":{\"max_attempts\":12,\"attempt_timeout_s\":30},"                                   \
    "\"messages\":{\"all_cooling\":\"none left ({available}), back in {retry_after} s\","          \
    "\"429\":\"busy on {provider}/{model} after {attempts}\"}}"

#define BODY_POLICY                                                                                \
    "{\"kind\":\"policy\",\"name\":\"alloc-body\",\"candidates\":["                                \
    "{\"provider\":\"gemini\",\"model\":\"a\"},{\"provider\":\"openai\",\"model\":\"c\"}],"        \
    "\"backoff\":{\"kind\":\"exponential\",\"base_s\":0.1,\"cap_s\":20,\"jitter\":\"full\","       \
    "\"by_outcome\":{\"429\":{\"kind\":\"list\",\"waits_s\":[1,2],\"jitter\":\"additive\","        \
    "\"jitter_range\":[0,0.75]}}},"                                                                \
    "\"retry_after\":{\"from\":[\"retry_info\",\"headers\",\"message\"],\"min_s\":0,"              \
    "\"min_inclusive\":false,\"below_min\":\"ladder\",\"max_s\":30,\"above_max\":\"rotate\","      \
    "\"combine\":\"bounded\",\"bounded_plus_s\":5,\"ladder_after\":\"reset\","                     \
    "\"statuses\":[429,503],\"past_date\":\"ladder\"},"                                            \
    "\"classify\":{\"type:RESOURCE_EXHAUSTED\":\"retry\",\"code:API_KEY_INVALID\":\"rotate\"},"    \
    "\"cooldown\":{\"default_s\":5},\"rotation\":{\"when_none_available\":\"wait\"},"              \
    "\"limits\":{\"max_attempts\":9}}"

static const rl_error_body b_info = {"RESOURCE_EXHAUSTED", NULL, 26000000, -1};
static const rl_error_body b_msg = {"requests", "rate_limit_exceeded", -1, 20000000};
static const rl_error_body b_quota = {"insufficient_quota", "insufficient_quota", -1, -1};
static const rl_error_body b_key = {"INVALID_ARGUMENT", "API_KEY_INVALID", -1, -1};

static const rl_header h_ra[] = {{"retry-after", "7"}, {"x-ratelimit-limit-requests", "3"}};
static const rl_header h_long[] = {{"Retry-After", "Sun, 06 Nov 2044 08:49:37 GMT"}};
static const rl_header h_bad[] = {{"retry-after", "-1"}, {"x-should-retry", "true"}};

static void outcome_for(uint32_t i, rl_outcome *o)
{
    static const int statuses[] = {429, 503, 401, 500, 429, 200, 0, 429, 400, 200};
    int s = statuses[i % 10];
    *o = (rl_outcome){
        .status = s, .error = s ? RL_TE_NONE : RL_TE_TIMEOUT, .latency = (cm_us)(i % 7) * 100000};
    if (i % 3 == 0)
        o->headers = h_ra, o->nheaders = 2;
    else if (i % 5 == 0)
        o->headers = h_long, o->nheaders = 1;
    else if (i % 4 == 0)
        o->headers = h_bad, o->nheaders = 2;
}

static void body_outcome_for(uint32_t i, rl_outcome *o)
{
    outcome_for(i, o);
    static const rl_error_body *const bodies[] = {&b_info, &b_msg, NULL, &b_quota, &b_key, NULL};
    if (o->status >= 400)
        o->body = bodies[i % 6];
}

/* Drives 64 tasks through 1,000+ calls of `policy`, counting allocations. */
static void drive_counting(const char *policy, void (*outcome)(uint32_t, rl_outcome *))
{
    fx_policy f;
    fx_load(&f, policy);
    enum { TASKS = 64 };
    static rl_task tasks[TASKS];
    rl_action a[TASKS];
    cm_us now = 0;
    cm_rng rng;
    cm_rng_seed(&rng, 5);
    long calls = 0, sends = 0, waits = 0, dones = 0;
    counting = 1;
    for (uint32_t i = 0; i < TASKS; i++) {
        rl_task_start(&tasks[i], f.run, i, now);
        rl_task_next(&tasks[i], f.run, NULL, now, &rng, &a[i]);
        calls++;
    }
    for (uint32_t round = 0; calls < 1000 || round < 40; round++) {
        now += CM_US_PER_S;
        for (uint32_t i = 0; i < TASKS; i++) {
            rl_outcome o;
            if (a[i].kind == RL_DONE) {
                dones++;
                rl_task_start(&tasks[i], f.run, i, now);
                rl_task_next(&tasks[i], f.run, NULL, now, &rng, &a[i]);
            } else if (a[i].kind == RL_SEND) {
                sends++;
                outcome(round * TASKS + i, &o);
                rl_task_next(&tasks[i], f.run, &o, now, &rng, &a[i]);
            } else {
                waits++;
                rl_task_next(&tasks[i], f.run, NULL, now, &rng, &a[i]);
            }
            calls++;
        }
    }
    counting = 0;
    assert_true(calls >= 1000);
    assert_true(sends > 100 && waits > 100 && dones > 10);
#if COUNTING_ALLOCATOR
    assert_int_equal(allocations, 0);
    /* The counter itself works: loading allocates. */
    counting = 1;
    cm_err err;
    cm_json *doc = cm_json_parse("x.json", "{}", 2, &err);
    counting = 0;
    cm_json_free(doc);
    assert_true(allocations > 0);
#else
    print_message("AddressSanitizer build: allocation counting skipped\n");
#endif
    fx_free(&f);
}

static void decision_path_allocates_nothing(void **state)
{
    (void)state;
    drive_counting(POLICY, outcome_for);
}

static void reading_error_bodies_allocates_nothing(void **state)
{
    (void)state;
    allocations = 0;
    drive_counting(BODY_POLICY, body_outcome_for);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decision_path_allocates_nothing),
        cmocka_unit_test(reading_error_bodies_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
