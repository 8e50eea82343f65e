/* budget.h: the retry budget that all tasks of one run share, so that a
 * retry policy cannot become a retry storm. Five kinds: none, token_quota
 * (AWS SDK "standard" retry quota), grpc (gRPC retry throttling), ratio
 * (Finagle RetryBudget) and adaptive (Google SRE client-side throttling).
 * A budget only ever refuses RETRIES: first attempts always go out. Pure:
 * every call takes `now`; randomness only from the cm_rng passed in; no
 * allocation after rl_budget_init (fixed ring of per-second buckets).
 *
 * Protocol for the task (all calls on the run's one rl_budget):
 *   before any attempt is sent:     rl_budget_on_attempt(b, now, is_retry)
 *   when an attempt's result is in: rl_budget_on_result(b, now, success, charged)
 *   before sending a retry:         rl_budget_try_retry(b, now, after_timeout, rng, &charged)
 *                                   (false: do not retry; the task fails or rotates)
 * `charged` is what the most recent allowed retry of the same task cost (0
 * when the task has not retried yet); the task keeps it and passes it back
 * with each result. `success` means the server answered 2xx.
 *
 * Exactly what each kind does (the tests state the resulting numbers):
 *  token_quota: quota starts at capacity (500). A retry needs retry_cost (5),
 *    or timeout_retry_cost (10) when the failed attempt timed out; it is
 *    refused when the quota holds less, else the cost is taken. A success
 *    gives back `charged` when the task had retried (botocore refunds the
 *    cost of the request's last retry), else no_retry_increment (1); the
 *    quota never exceeds capacity. Failures change nothing.
 *  grpc: tokens start at max_tokens (10), kept in thousandths as gRPC does.
 *    Each failure takes 1 token (floor 0), each success gives token_ratio
 *    (0.1), capped at max_tokens. A retry is allowed only while tokens >
 *    max_tokens / 2; allowing costs nothing more.
 *  ratio: a sliding window of ttl_s (10) seconds. Each first attempt
 *    deposits 1 request, each allowed retry withdraws 1/percent_can_retry
 *    (0.2 -> 5) requests; the balance is the window's deposits minus
 *    withdrawals plus a fixed reserve of min_retries_per_sec (10) x ttl_s
 *    retries. A retry is allowed when the balance covers one withdrawal.
 *    (Finagle's TokenRetryBudget, in units of 1/1000 request.) With
 *    percent_can_retry 0 deposits count for nothing: only the reserve.
 *  adaptive: a sliding window of window_s (120) seconds counts requests
 *    (every attempt sent, plus every retry this budget refused) and accepts
 *    (successes). A retry is refused with probability
 *    max(0, (requests - k * accepts) / (requests + 1)), k default 2, drawn
 *    from the rng; a refused retry counts as a request. */
#ifndef RL_BUDGET_H
#define RL_BUDGET_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/rng.h"
#include "common/timeu.h"

#define RL_BUDGET_KINDS(X)                                                                         \
    X(NONE, "none")                                                                                \
    X(TOKEN_QUOTA, "token_quota")                                                                  \
    X(GRPC, "grpc")                                                                                \
    X(RATIO, "ratio")                                                                              \
    X(ADAPTIVE, "adaptive")
typedef enum rl_budget_kind {
#define X(name, text) RL_BUDGET_##name,
    RL_BUDGET_KINDS(X)
#undef X
} rl_budget_kind;

/* Most seconds a ratio or adaptive window may span (one bucket per second). */
#define RL_BUDGET_MAX_WINDOW_S 600

typedef struct rl_budget_cfg {
    rl_budget_kind kind;
    /* token_quota: JSON keys capacity, retry_cost, timeout_retry_cost, no_retry_increment */
    int64_t capacity, retry_cost, timeout_retry_cost, no_retry_increment;
    /* grpc: max_tokens (1..1000), token_ratio (> 0, <= max_tokens; 3 decimals used) */
    double max_tokens, token_ratio;
    /* ratio: ttl_s (1..60), percent_can_retry (0..10), min_retries_per_sec (0..1000000) */
    int64_t ttl_s;
    double percent_can_retry;
    int64_t min_retries_per_sec;
    /* adaptive: k (>= 1), window_s (1..RL_BUDGET_MAX_WINDOW_S) */
    double k;
    int64_t window_s;
} rl_budget_cfg;

/* One second of a sliding window. */
typedef struct rl_budget_bucket {
    int64_t sec; /* scenario second this bucket holds; -1 empty */
    int64_t a;   /* ratio: net balance in 1/1000 requests; adaptive: requests */
    int64_t b;   /* adaptive: accepts */
} rl_budget_bucket;

typedef struct rl_budget {
    rl_budget_cfg cfg;
    int64_t tokens; /* token_quota: quota; grpc: thousandths of a token */
    rl_budget_bucket ring[RL_BUDGET_MAX_WINDOW_S];
    uint64_t retries_allowed, retries_refused;
} rl_budget;

/* Parses the policy's "budget" object `node` (ctx = its field path, e.g.
 * "budget"): {"kind": "token_quota", ...the kind's keys above..., "comment"}.
 * "kind" is required when the object is present; a key that belongs to
 * another kind is an error like any unknown key. node NULL (section absent)
 * gives kind none and 0. Returns 0 with *cfg filled (defaults for the keys
 * not given), or -1 with err = "file:line:col: field: message" (*cfg then
 * holds the defaults with kind none). */
int rl_budget_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_budget_cfg *cfg,
                    cm_err *err);

/* Kind none with every kind's defaults filled in. */
void rl_budget_cfg_default(rl_budget_cfg *cfg);

/* Starts a full budget for cfg (copied). */
void rl_budget_init(rl_budget *b, const rl_budget_cfg *cfg);

/* Records an attempt about to be sent (first attempts and retries alike). */
void rl_budget_on_attempt(rl_budget *b, cm_us now, bool is_retry);

/* Records an attempt's result; `charged` as in the protocol above. */
void rl_budget_on_result(rl_budget *b, cm_us now, bool success, uint32_t charged);

/* Asks for one retry. true: allowed, and the budget has been charged;
 * *charged (may be NULL) receives the cost to pass back with the results
 * (token_quota: the cost taken; other kinds 0). false: refused, nothing
 * taken, *charged untouched. Kind none always allows. rng is used only by
 * adaptive (NULL there: treated as a draw of 0.5). */
bool rl_budget_try_retry(rl_budget *b, cm_us now, bool after_timeout, cm_rng *rng,
                         uint32_t *charged);

/* "none", "token_quota", ...; "?" outside the enum. */
const char *rl_budget_kind_name(rl_budget_kind k);

/* The budget's state at `now` for summary.json's "budget": {"kind",
 * "retries_allowed", "retries_refused", and per kind "tokens"/"capacity"
 * (token_quota), "tokens"/"max_tokens" (grpc), "balance_retries" (ratio),
 * "requests"/"accepts"/"reject_probability" (adaptive)}. Caller frees; NULL
 * when out of memory. */
cJSON *rl_budget_json(const rl_budget *b, cm_us now);

#endif
