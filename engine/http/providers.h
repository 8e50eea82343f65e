/* providers.h: providers files (JSON, kind "providers") for live runs: where
 * each provider is (an SDK-style base URL), its API shape, and which
 * environment variable holds each of its keys. The file never holds a key
 * value. Loading reads the file and nothing else (no environment). */
#ifndef RL_PROVIDERS_H
#define RL_PROVIDERS_H
#include <stddef.h>

#include "common/jsonpos.h"
#include "engine/http/runner.h"

/* Most providers in one file, and keys per provider. */
#define RL_PROVIDERS_MAX 64
#define RL_PROVIDERS_MAX_KEYS 256

typedef struct rl_providers rl_providers;

typedef struct rl_provider_info {
    const char *name;
    const char *base_url; /* e.g. "https://api.groq.com/openai/v1" */
    rl_shape shape;
} rl_provider_info;

/* Loads and validates a providers file. 0 and *out (free with
 * rl_providers_free), or -1 with err = "file:line:col: field: message".
 * Unknown fields are errors; a base_url must be https, or http to a loopback
 * host only (keys must not cross a network in clear). */
int rl_providers_load(const char *path, rl_providers **out, cm_err *err);
/* Same from a loaded document, which must outlive the result. */
int rl_providers_from_json(const cm_json *doc, rl_providers **out, cm_err *err);
void rl_providers_free(rl_providers *p);

size_t rl_providers_count(const rl_providers *p);
void rl_providers_get(const rl_providers *p, size_t i, rl_provider_info *out);
/* Index of the provider called `name`, or -1. */
int rl_providers_find(const rl_providers *p, const char *name);
/* The environment variable that holds key `key_name` of provider i: its entry
 * in the provider's "keys" map, else key_name itself (a key name may be the
 * variable's name). Borrowed; never NULL. */
const char *rl_providers_key_env(const rl_providers *p, size_t i, const char *key_name);

#endif
