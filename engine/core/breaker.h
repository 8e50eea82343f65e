/* breaker.h: the circuit breaker kept per candidate (seed 004): closed ->
 * open after N consecutive failures -> half-open after open_s -> a limited
 * number of probes -> closed when they all succeed, open again on a probe
 * failure. Pure: every call takes `now`; no allocation. */
#ifndef RL_BREAKER_H
#define RL_BREAKER_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"

/* Every state once, with its printable name (used in traces and summaries). */
#define RL_BREAKER_STATES(X)                                                                       \
    X(CLOSED, "closed")       /* calls flow; counting consecutive failures */                      \
    X(OPEN, "open")           /* calls refused until open_until */                                 \
    X(HALF_OPEN, "half_open") /* up to half_open_probes probe calls admitted */
typedef enum rl_breaker_state {
#define X(name, text) RL_BREAKER_##name,
    RL_BREAKER_STATES(X)
#undef X
} rl_breaker_state;

typedef struct rl_breaker_cfg {
    bool enabled;              /* false: allows() is always true, record() does nothing */
    uint32_t failures;         /* consecutive failures that open it (default 5) */
    cm_us open_for;            /* time spent open before half-open (default 30 s) */
    uint32_t half_open_probes; /* probes admitted while half-open (default 1) */
} rl_breaker_cfg;

typedef struct rl_breaker {
    rl_breaker_state state;
    uint32_t consecutive_failures; /* while closed */
    uint32_t probes_sent;          /* while half-open: probes admitted so far */
    uint32_t probes_ok;            /* while half-open: probes that succeeded */
    cm_us open_until;              /* while open: when it turns half-open */
    cm_us probe_at;                /* while half-open: when the last probe was sent */
    uint64_t opens;                /* how many times it opened (closed->open or half_open->open) */
} rl_breaker;

/* Parses the policy's "breaker" object `node` (ctx = its field path, e.g.
 * "breaker"): {"failures": 5, "open_s": 30, "half_open_probes": 1,
 * "enabled": true, "comment": "..."}; every key optional (defaults as above),
 * unknown keys are errors. failures 1..1000000, open_s 0.001 s .. 1 year,
 * half_open_probes 1..1000. node NULL (section absent) gives a disabled
 * breaker and 0. Returns 0 with *cfg filled, or -1 with err =
 * "file:line:col: field: message" (*cfg then holds defaults, disabled). */
int rl_breaker_parse(const cm_json *doc, const cJSON *node, const char *ctx, rl_breaker_cfg *cfg,
                     cm_err *err);

/* The defaults above, disabled. */
void rl_breaker_cfg_default(rl_breaker_cfg *cfg);

/* A closed breaker with no history. */
void rl_breaker_init(rl_breaker *b);

/* May a call go to this candidate at `now`? Moves open -> half-open when
 * open_until has come. Half-open allows while probes_sent < half_open_probes.
 * Does not reserve a probe: call rl_breaker_on_send when the call is made. */
bool rl_breaker_allows(rl_breaker *b, const rl_breaker_cfg *c, cm_us now);

/* A call is being sent to this candidate (after allows() said yes): in
 * half-open it takes one probe slot. Harmless in other states. */
void rl_breaker_on_send(rl_breaker *b, const rl_breaker_cfg *c, cm_us now);

/* The earliest time at which allows() may say yes: `now` when it would now,
 * open_until when open, CM_US_MAX when half-open with every probe slot taken
 * (it depends on the probes' results, not on time). */
cm_us rl_breaker_ready_at(const rl_breaker *b, const rl_breaker_cfg *c, cm_us now);

/* When a task that finds this breaker closed to it should look again (never
 * `now` unless allows() would say yes now): rl_breaker_ready_at, except
 * half-open with every probe in flight: when the last probe's result must be
 * known (probe_at + probe_timeout, the attempt timeout its SEND had) but at
 * most open_for from now, as if it were open once more; when that bound has
 * passed already (a result overdue), now + open_for. So a waiting task
 * re-checks at least every open_for and never spins at zero delay. */
cm_us rl_breaker_recheck_at(const rl_breaker *b, const rl_breaker_cfg *c, cm_us probe_timeout,
                            cm_us now);

/* The result of a call to this candidate. Closed: a failure counts (opening
 * at cfg.failures), a success resets the count. Half-open: a failure re-opens
 * at once (open_until = now + open_for); half_open_probes successes close it.
 * Open: results of calls sent before it opened are ignored. */
void rl_breaker_record(rl_breaker *b, const rl_breaker_cfg *c, cm_us now, bool ok);

/* "closed", "open", "half_open"; "?" for a value outside the enum. */
const char *rl_breaker_state_name(rl_breaker_state s);

/* {"state", "consecutive_failures", "opens", "open_until_s" (open only, in
 * scenario seconds)} for summary.json; the caller frees; NULL when out of memory. */
cJSON *rl_breaker_json(const rl_breaker *b, const rl_breaker_cfg *c, cm_us now);

#endif
