/* scenario_parse.h: the parsers the scenario loader splits across files
 * (providers and models, rate windows and tiers, scripts/phases/faults);
 * mockserver/ only. Each returns 0, or -1 with err filled at the culprit. */
#ifndef MOCK_SCENARIO_PARSE_H
#define MOCK_SCENARIO_PARSE_H
#include "mockserver/scenario/internal.h"

/* Parses one element of "providers" (path ctx) into p; p is zeroed first.
 * On failure p may hold owned arrays: free them with mock_provider_def_free. */
int mock_parse_provider(const cm_json *doc, const cJSON *obj, const char *ctx, mock_provider_def *p,
                        cm_err *err);
/* The same for a profile's provider: `fixed_name` stands for the name,
 * which must then be absent (NULL: as mock_parse_provider). */
int mock_parse_provider_as(const cm_json *doc, const cJSON *obj, const char *ctx,
                           const char *fixed_name, mock_provider_def *p, cm_err *err);
/* Frees what a provider owns (steps, tiers), not p itself. */
void mock_provider_def_free(mock_provider_def *p);

/* "latency" of a model. */
int mock_parse_latency(const cm_json *doc, const cJSON *obj, const char *ctx, mock_latency *out,
                       cm_err *err);
/* An array of windows at `arr` (path ctx) into out[MOCK_MAX_WINDOWS]; models
 * named in a window must exist in p. */
int mock_parse_windows(const cm_json *doc, const cJSON *arr, const char *ctx,
                       const mock_provider_def *p, mock_window_def *out, size_t *n, cm_err *err);
/* "tiers" object and "tier" name of a provider (models already parsed). */
int mock_parse_tiers(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                     cm_err *err);
/* A map of extra headers {"name": "value"}. */
int mock_parse_headers(const cm_json *doc, const cJSON *obj, const char *ctx,
                       mock_extra_header *out, size_t *n, cm_err *err);
/* "scripts", "phases", "faults" of a provider (models, keys, tiers parsed). */
int mock_parse_rules(const cm_json *doc, const cJSON *prov, const char *ctx, mock_provider_def *p,
                     cm_err *err);

/* A model's "stream" object (parse_stream.c). */
int mock_parse_model_stream(const cm_json *doc, const cJSON *obj, const char *ctx,
                            mock_stream_cfg *out, cm_err *err);
/* An answer's "stream_fault" object, into a's stream fields. */
int mock_parse_stream_fault(const cm_json *doc, const cJSON *obj, const char *ctx, mock_answer *a,
                            cm_err *err);

#endif
