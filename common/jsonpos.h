/* jsonpos.h: JSON files loaded with cJSON, plus the line and column of every
 * value, so that loaders (policies, scenarios, expectations, provider files)
 * can say "file:line:col: field: what is wrong". Also the small schema helpers
 * every loader uses: typed getters with bounds and "unknown field" checks.
 *
 * Errors: functions that can fail return 0 on success and -1 on failure, and
 * fill the caller's cm_err with one line "FILE:LINE:COL: FIELD: MESSAGE". */
#ifndef CM_JSONPOS_H
#define CM_JSONPOS_H
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef struct cm_json cm_json;

/* Largest file a loader will read. */
#define CM_JSON_MAX_BYTES (16u << 20)
/* Deepest nesting of arrays and objects: cJSON's own limit, which it applies
 * without saying so (CJSON_NESTING_LIMIT, cJSON.h of cJSON 1.7.15,
 * github.com/DaveGamble/cJSON). */
#define CM_JSON_MAX_DEPTH 1000
/* Most values (objects, arrays, members, items, scalars) in one document.
 * cJSON builds a node per value (~100 bytes with this loader's position
 * table), so a 16 MiB file of numbers would take gigabytes; the largest real
 * file (scenarios/seed-001-groq-fallback.json) holds 263. */
#define CM_JSON_MAX_VALUES 1000000

/* Reads and parses `path`. Returns a document the caller frees with
 * cm_json_free, or NULL with err filled (unreadable, too large, not JSON:
 * "path:line:col: JSON syntax error"). */
cm_json *cm_json_load(const char *path, cm_err *err);
/* Same for text already in memory; `name` stands for the file in messages.
 * The text is copied. */
cm_json *cm_json_parse(const char *name, const char *text, size_t len, cm_err *err);
void cm_json_free(cm_json *doc);

/* The offset in `text` of the first bracket nested past CM_JSON_MAX_DEPTH or
 * the first value past CM_JSON_MAX_VALUES, with *why ("JSON nested deeper
 * than 1000 levels", "more than 1000000 values (the limit)"); len when the
 * text stays within both. One pass, nothing allocated: for text cJSON is
 * about to parse (cm_json_parse calls it; so may readers of JSON lines). */
size_t cm_json_limit_spot(const char *text, size_t len, const char **why);
/* doc takes `other` (freed with doc): nodes moved from other's tree into
 * doc's keep their positions, and messages about them name other's file. */
void cm_json_adopt(cm_json *doc, cm_json *other);

const cJSON *cm_json_root(const cm_json *doc);
const char *cm_json_name(const cm_json *doc);
/* Line and column (from 1) where `node`'s value starts; 0, 0 if unknown. */
void cm_json_pos(const cm_json *doc, const cJSON *node, int *line, int *col);

/* Formats "name:line:col: field: message" at `node` into err; returns -1 so a
 * loader can `return cm_json_fail(...)`. `field` may be NULL. */
int cm_json_fail(cm_err *err, const cm_json *doc, const cJSON *node, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Builds a field path "ctx.key" (or "key" when ctx is NULL or "") into buf. */
const char *cm_json_field(char *buf, size_t size, const char *ctx, const char *key);

/* Checks that `obj` is an object whose keys all appear in the NULL-terminated
 * list `allowed` and that no key appears twice. `ctx` is obj's field path. */
int cm_json_check_keys(const cm_json *doc, const cJSON *obj, const char *ctx,
                       const char *const *allowed, cm_err *err);

/* Typed getters. Each looks up `key` in object `obj` (path `ctx`). When the key
 * is absent: error if `required`, else 0 with *out untouched (set the default
 * first). When present but of the wrong type or out of [min, max]: error. */
int cm_json_get_number(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, double min, double max, double *out, cm_err *err);
int cm_json_get_int(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                    bool required, int64_t min, int64_t max, int64_t *out, cm_err *err);
int cm_json_get_bool(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                     bool required, bool *out, cm_err *err);
/* *out points into the document (valid until cm_json_free); empty strings and
 * strings longer than max_len are errors. */
int cm_json_get_string(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, size_t max_len, const char **out, cm_err *err);
/* A string that must be one of the NULL-terminated `names`; *out is its index. */
int cm_json_get_enum(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                     bool required, const char *const *names, int *out, cm_err *err);
/* An object or array child (type checked); *out NULL when absent and optional. */
int cm_json_get_object(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, const cJSON **out, cm_err *err);
int cm_json_get_array(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                      bool required, size_t min_items, size_t max_items, const cJSON **out,
                      cm_err *err);

#endif
