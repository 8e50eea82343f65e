/* parse_stream.c: what a scenario says about streamed answers: a model's
 * "stream" (time to the first token, tokens a second, answer length) and a
 * rule's "stream_fault" (an error event, a cut, a stall or a malformed
 * event after N tokens). */
#include <string.h>

#include "mockserver/scenario/internal.h"
#include "mockserver/scenario/parse.h"

int mock_parse_model_stream(const cm_json *doc, const cJSON *obj, const char *ctx,
                            mock_stream_cfg *out, cm_err *err)
{
    static const char *const keys[] = {"ttft", "tokens_per_s", "tokens", NULL};
    const cJSON *ttft;
    char field[200];
    if (cm_json_check_keys(doc, obj, ctx, keys, err) != 0 ||
        cm_json_get_number(doc, obj, ctx, "tokens_per_s", false, 0.001, 1e6, &out->tokens_per_s,
                           err) != 0 ||
        cm_json_get_int(doc, obj, ctx, "tokens", false, 1, 1000000, &out->tokens, err) != 0 ||
        cm_json_get_object(doc, obj, ctx, "ttft", false, &ttft, err) != 0)
        return -1;
    out->has_ttft = ttft != NULL;
    return ttft ? mock_parse_latency(doc, ttft, cm_json_field(field, sizeof field, ctx, "ttft"),
                                     &out->ttft, err)
                : 0;
}

int mock_parse_stream_fault(const cm_json *doc, const cJSON *obj, const char *ctx, mock_answer *a,
                            cm_err *err)
{
    static const char *const keys[] = {"kind", "after_tokens", "error", "stall_s", NULL};
    static const char *const kinds[] = {"error", "cut", "stall", "malformed", NULL};
    static const mock_stream_fault as[] = {MOCK_STREAM_ERROR, MOCK_STREAM_CUT, MOCK_STREAM_STALL,
                                           MOCK_STREAM_MALFORMED};
    int kind = -1;
    int64_t after = 0;
    double stall = -1;
    if (cm_json_check_keys(doc, obj, ctx, keys, err) != 0 ||
        cm_json_get_enum(doc, obj, ctx, "kind", true, kinds, &kind, err) != 0 ||
        cm_json_get_int(doc, obj, ctx, "after_tokens", false, 0, 1000000, &after, err) != 0 ||
        cm_json_get_string(doc, obj, ctx, "error", false, 47, &a->stream_error, err) != 0 ||
        cm_json_get_number(doc, obj, ctx, "stall_s", false, 0, 3.15e9, &stall, err) != 0)
        return -1;
    a->stream_fault = as[kind];
    a->fault_after = (uint32_t)after;
    a->stall = stall < 0 ? -1 : cm_us_from_s(stall);
    char field[200];
    if (a->stream_error && a->stream_fault != MOCK_STREAM_ERROR)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "error"),
                            cm_json_field(field, sizeof field, ctx, "error"),
                            "only a fault of kind \"error\" sends an error");
    if (cJSON_GetObjectItemCaseSensitive(obj, "stall_s") && a->stream_fault != MOCK_STREAM_STALL)
        return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, "stall_s"),
                            cm_json_field(field, sizeof field, ctx, "stall_s"),
                            "only a fault of kind \"stall\" lasts");
    return 0;
}
