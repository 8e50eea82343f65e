/* profile.h: provider profiles (JSON, kind "profile"): a provider's
 * behaviour as read from its documentation (headers, error bodies, limits
 * per tier, request ids), with the sources it was read from. A scenario's
 * provider says "profile": "NAME" and starts from it; its own members
 * replace the profile's. */
#ifndef MOCK_PROFILE_H
#define MOCK_PROFILE_H
#include <cjson/cJSON.h>

#include "common/jsonpos.h"

/* Checks a loaded profile document: kind, name, description, notes,
 * sources (each {"url", "read": "YYYY-MM-DD", "says"}) and the provider
 * (as a scenario's provider, without "name" or "profile"). 0, or -1 with
 * err at the culprit. */
int mock_profile_check(const cm_json *doc, cm_err *err);

/* Applies the profile that provider object `prov` (of the scenario document
 * `doc`, read from `scenario_path`, path `ctx`) names in "profile", if any:
 * loads and checks it, then moves every member of the profile's provider
 * that `prov` does not have into `prov`. `doc` adopts the profile's document,
 * so messages about moved members name the profile file and its line. A
 * name (letters, digits, '-', '_', '.') is looked up as profiles/NAME.json
 * in the scenario's folder; anything else is a path relative to it. 0, or
 * -1 with err. */
int mock_profile_apply(cm_json *doc, cJSON *prov, const char *scenario_path, const char *ctx,
                       cm_err *err);

#endif
