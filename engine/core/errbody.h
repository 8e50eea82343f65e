/* errbody.h: what a non-2xx response's error body tells the engine: the
 * error's type and code (for classification: a 429 that says
 * insufficient_quota is not a rate limit) and a retry delay the body names
 * (Gemini's RetryInfo, or "Please try again in 20s" in the message). The
 * drivers read the JSON (engine/http/request.c) or the provider model's
 * values (engine/sim/sim.c); the two delay readers here are shared so that
 * both read a delay alike. Pure: no clock, no allocation. */
#ifndef RL_ERRBODY_H
#define RL_ERRBODY_H
#include <stddef.h>

#include "common/timeu.h"

typedef struct rl_error_body {
    /* error.type (OpenAI, Anthropic, Moonshot); Gemini: error.status
     * ("RESOURCE_EXHAUSTED"); OpenRouter: error.metadata.error_type. NULL
     * when the body has none. */
    const char *type;
    /* error.code when a string (OpenAI); Anthropic: error.details.error_code;
     * Gemini: the ErrorInfo detail's reason. NULL when none. */
    const char *code;
    cm_us retry_delay;   /* Gemini: the RetryInfo detail's retryDelay; -1 none */
    cm_us message_delay; /* a delay error.message names (rl_message_delay); -1 none */
} rl_error_body;

/* Sets b to "nothing read": NULL strings, -1 delays. */
void rl_error_body_clear(rl_error_body *b);

/* The delay an error message asks for, or -1. Read after the first of
 * "try again in", "retry in", "try again after", "retry after" (any case)
 * that is followed by one: a Go-style duration ("20s", "2m13s", "1.5s",
 * "250ms", "55.576865699s") or a number and a unit word ("37 seconds",
 * "0 seconds", "500 milliseconds", "2 minutes"). A number without a unit is
 * not read. Forms seen: OpenAI "Please try again in 20s." (a 429 body quoted
 * in research/providers.md 1.2), Gemini "Please retry in 55.576865699s."
 * (continuedev/continue#12205), Moonshot "please try again after 0 seconds"
 * (forum.moonshot.ai/t/569), Azure OpenAI "Please retry after 37 seconds."
 * (learn.microsoft.com/en-us/answers/questions/2140040). At most `len`
 * bytes of msg are read; msg need not be NUL-terminated. */
cm_us rl_message_delay(const char *msg, size_t len);

/* A google.protobuf.Duration in its JSON form ("26s", "0.5s",
 * "1.000340012s"): digits, an optional fraction of up to 9 digits, then
 * "s" (protocolbuffers/protobuf src/google/protobuf/duration.proto, "JSON
 * Mapping"). Gemini's RetryInfo.retryDelay is one (googleapis/googleapis@047d3a8a
 * google/rpc/error_details.proto; "26s" in RooCodeInc/Roo-Code#3883). -1 for
 * anything else, negative values included. */
cm_us rl_proto_duration(const char *s, size_t len);

#endif
