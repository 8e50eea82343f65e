/* stream.h: the policy's "stream" section: whether attempts ask for a
 * token stream, how long a silent stream may idle, and what the task does
 * when a stream fails before its first token or after it: retry, rotate to
 * the next candidate, or fail. The official SDKs retry only before the
 * response headers arrived and never once a 200 stream has started
 * (openai-node 7.60.0 src/client.ts, @anthropic-ai/sdk 1.17.0
 * src/core/api-promise.ts; read 2026-12-04): "after_first_token": "fail"
 * is their behaviour; the other choices are what applications add. Pure. */
#ifndef RL_STREAM_H
#define RL_STREAM_H
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonpos.h"
#include "common/timeu.h"
#include "engine/core/classify.h"

typedef struct rl_stream_cfg {
    bool on;                  /* attempts ask for a stream */
    bool usage;               /* OpenAI: stream_options.include_usage */
    cm_us idle_timeout;       /* no byte for this long ends the attempt as stalled; 0 none */
    rl_decision before_first; /* a stream that failed before any token: retry, rotate, fail */
    rl_decision after_first;  /* after tokens arrived */
    bool resume;              /* a retried stream asks only for the tokens still missing */
} rl_stream_cfg;

/* Off; when on: idle timeout none, retry before the first token, fail after
 * it (the SDKs' behaviour), start over. */
void rl_stream_defaults(rl_stream_cfg *c);
/* Parses "stream" (may be NULL). 0 or -1 with err. */
int rl_stream_parse(const cm_json *doc, const cJSON *node, rl_stream_cfg *c, cm_err *err);

/* What a failed stream means: `tokens` received before it failed. */
rl_decision rl_stream_decide(const rl_stream_cfg *c, uint32_t tokens);

#endif
