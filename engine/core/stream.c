/* stream.c: the policy's "stream" section. */
#include "engine/core/stream.h"

#include <string.h>

#define CTX "stream"

void rl_stream_defaults(rl_stream_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->before_first = RL_DECIDE_RETRY;
    c->after_first = RL_DECIDE_FAIL;
}

/* "retry" | "rotate" | "fail" at `key`. */
static int parse_choice(const cm_json *doc, const cJSON *node, const char *key, rl_decision *out,
                        cm_err *err)
{
    static const char *const names[] = {"retry", "rotate", "fail", NULL};
    static const rl_decision as[] = {RL_DECIDE_RETRY, RL_DECIDE_ROTATE, RL_DECIDE_FAIL};
    int i = -1;
    if (cm_json_get_enum(doc, node, CTX, key, false, names, &i, err))
        return -1;
    if (i >= 0)
        *out = as[i];
    return 0;
}

int rl_stream_parse(const cm_json *doc, const cJSON *node, rl_stream_cfg *c, cm_err *err)
{
    static const char *const keys[] = {"enabled",
                                       "include_usage",
                                       "idle_timeout_s",
                                       "before_first_token",
                                       "after_first_token",
                                       "resume",
                                       "comment",
                                       "source",
                                       NULL};
    rl_stream_defaults(c);
    if (!node)
        return 0;
    double idle = 0;
    c->on = true;
    if (cm_json_check_keys(doc, node, CTX, keys, err) ||
        cm_json_get_bool(doc, node, CTX, "enabled", false, &c->on, err) ||
        cm_json_get_bool(doc, node, CTX, "include_usage", false, &c->usage, err) ||
        cm_json_get_number(doc, node, CTX, "idle_timeout_s", false, 0, 365.0 * 24 * 3600, &idle,
                           err) ||
        parse_choice(doc, node, "before_first_token", &c->before_first, err) ||
        parse_choice(doc, node, "after_first_token", &c->after_first, err) ||
        cm_json_get_bool(doc, node, CTX, "resume", false, &c->resume, err)) {
        rl_stream_defaults(c);
        return -1;
    }
    c->idle_timeout = cm_us_from_s(idle);
    return 0;
}

rl_decision rl_stream_decide(const rl_stream_cfg *c, uint32_t tokens)
{
    return tokens == 0 ? c->before_first : c->after_first;
}
