/* model_state.h: the mutable state of the provider model (window instances
 * per scope, script cursors, fault hit counters, the RNG) shared by
 * provider.c (decisions) and model_state.c (allocation, lookup, admin view);
 * mockserver/ only. */
#ifndef MOCK_MODEL_STATE_H
#define MOCK_MODEL_STATE_H
#include "common/keyid.h"
#include "common/rng.h"
#include "mockserver/model/model.h"
#include "mockserver/model/window.h"
#include "mockserver/scenario/internal.h"

/* Most scope instances one window keeps; further ones share "overflow". */
#define MOCK_MAX_INSTANCES 4096
#define MOCK_INSTANCE_ID 64

/* All instances of one window definition, one per scope value. */
typedef struct mock_window_set {
    const mock_window_def *def;
    mock_window *inst;
    char (*ids)[MOCK_INSTANCE_ID];
    size_t n, cap;
} mock_window_set;

typedef struct mock_script_cursor {
    size_t step;  /* index of the current step */
    int64_t used; /* requests the current step has answered */
} mock_script_cursor;

typedef struct mock_prov_state {
    mock_window_set *sets; /* provider windows, then each tier's windows */
    size_t nsets;
    size_t tier_first[MOCK_MAX_TIERS]; /* index in sets of tier t's first window */
    mock_script_cursor *cursors;       /* nscripts x (nkeys + 1); the last is "shared" */
    int64_t *fault_hits;               /* consecutive hits per fault rule */
} mock_prov_state;

/* One window instance a request in flight holds a slot of. */
typedef struct mock_hold_slot {
    uint16_t set;  /* index in the provider's sets */
    uint16_t inst; /* index of the instance in that set */
} mock_hold_slot;

/* The concurrency slots one request in flight holds, until
 * mock_model_release(ticket). */
typedef struct mock_hold {
    uint64_t ticket; /* 0: this entry is free */
    cm_us end;       /* when the answer is planned to end; CM_US_MAX: unknown (a hang) */
    uint16_t provider;
    uint8_t n;
    mock_hold_slot w[MOCK_MAX_CONCURRENCY];
} mock_hold;

struct mock_model {
    const mock_scenario *sc;
    cm_rng rng;  /* the shared stream, in arrival order */
    cm_rng base; /* seeded once from the seed, never drawn from: parent of per-attempt streams */
    mock_prov_state *ps; /* one per provider */
    /* The Date header of the last scenario second answered in, formatted
     * once per second rather than once per request (-1: none yet). */
    cm_us date_second;
    char date_text[40];
    int64_t epoch_s;  /* Unix second of scenario time 0 (mock_model_set_epoch) */
    mock_hold *holds; /* requests in flight that hold concurrency slots */
    size_t nholds, cap_holds;
    uint32_t *free_holds; /* indices of free entries of holds */
    size_t nfree_holds;
    uint64_t hold_seq; /* makes every ticket unique */
    uint64_t requests; /* requests answered since the start or reset (request ids) */
};

/* The instance of set `s` for scope value `id`, created empty when new; NULL
 * only when out of memory. */
mock_window *mock_window_set_get(mock_window_set *s, const char *id);
/* The scenario time where a day of window d begins (days of epoch + t,
 * starting at d->day_offset after 00:00 UTC), in [0, 1 day). */
cm_us mock_day_origin(const mock_model *m, const mock_window_def *d);
/* A hold entry for a new ticket (its ticket set, n = 0); NULL when out of memory. */
mock_hold *mock_hold_new(mock_model *m);
/* Forgets every hold (a reset: the instances they point at are gone). */
void mock_holds_clear(mock_model *m);
/* The cursor of script `script` of provider state ps for key index `key`
 * (-1 or a per-key-less script: the shared cursor). */
mock_script_cursor *mock_script_cursor_of(mock_prov_state *ps, const mock_provider_def *p,
                                          size_t script, int key);

#endif
