/* jsonpos.c: cJSON parsing plus a second, position-recording pass over the
 * same text. cJSON keeps object members and array items in text order, so a
 * small scanner can walk the text and the tree side by side and note where
 * each node's value starts. Positions live in an open-addressing table keyed
 * by node address. */
#include "common/jsonpos.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/io/file.h"
#include "common/utf8.h"

typedef struct pos_slot {
    const cJSON *node;
    size_t offset;
} pos_slot;

struct cm_json {
    char *name;
    char *text;
    size_t len;
    cJSON *root;
    pos_slot *slots;
    size_t nslots;    /* power of two */
    cm_json *adopted; /* documents whose nodes were moved into this one (owned) */
};

static size_t slot_of(const cm_json *doc, const cJSON *node)
{
    uintptr_t h = (uintptr_t)node;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 7) & (doc->nslots - 1);
}

static void pos_put(cm_json *doc, const cJSON *node, size_t offset)
{
    size_t i = slot_of(doc, node);
    while (doc->slots[i].node && doc->slots[i].node != node)
        i = (i + 1) & (doc->nslots - 1);
    doc->slots[i].node = node;
    doc->slots[i].offset = offset;
}

static size_t count_nodes(const cJSON *n)
{
    size_t c = 1;
    for (const cJSON *ch = n->child; ch; ch = ch->next)
        c += count_nodes(ch);
    return c;
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len && t[i] != '"'; i++)
        if (t[i] == '\\')
            i++;
    return i + 1;
}

/* Records node's position at t[i] and returns the offset after its value. */
static size_t scan_value(cm_json *doc, const cJSON *node, size_t i)
{
    const char *t = doc->text;
    size_t len = doc->len;
    i = skip_ws(t, len, i);
    pos_put(doc, node, i);
    if (i >= len)
        return i;
    if (t[i] == '"')
        return skip_string(t, len, i);
    if (t[i] == '{' || t[i] == '[') {
        int is_obj = t[i] == '{';
        i++;
        for (const cJSON *ch = node->child; ch; ch = ch->next) {
            i = skip_ws(t, len, i);
            if (i < len && t[i] == ',')
                i = skip_ws(t, len, i + 1);
            if (is_obj) {
                i = skip_string(t, len, i);
                i = skip_ws(t, len, i);
                if (i < len && t[i] == ':')
                    i++;
            }
            i = scan_value(doc, ch, i);
        }
        i = skip_ws(t, len, i);
        return i < len ? i + 1 : i;
    }
    while (i < len && !strchr(",]} \t\r\n", t[i]))
        i++;
    return i;
}

/* Line and column of offset `off`, counted when asked: only error messages
 * ask, so no table of line starts (8 bytes a line) is kept. */
static void offset_to_pos(const cm_json *doc, size_t off, int *line, int *col)
{
    size_t start = 0, n = 1;
    for (const char *p = doc->text; (p = memchr(p, '\n', off - (size_t)(p - doc->text)));) {
        n++;
        start = (size_t)(++p - doc->text);
    }
    *line = (int)n;
    *col = (int)(off - start) + 1;
}

#define CM_STR_(x) #x
#define CM_STR(x) CM_STR_(x)

/* One pass that finds what would cost cJSON memory out of proportion, or hit
 * its silent nesting limit, before it builds anything: the bracket past
 * CM_JSON_MAX_DEPTH, the value past CM_JSON_MAX_VALUES. Values are counted
 * where they start: the root, a container's first item, each item after a
 * comma (an object's member counts once, its key nothing). Strings are
 * skipped whole, so the text need not be valid JSON. */
size_t cm_json_limit_spot(const char *text, size_t len, const char **why)
{
    size_t values = 0, depth = 0;
    bool expect = true; /* a value may start here: at the start, after [ { or , */
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (expect && c != ']' && c != '}' && ++values > CM_JSON_MAX_VALUES) {
            *why = "more than " CM_STR(CM_JSON_MAX_VALUES) " values (the limit)";
            return i;
        }
        expect = c == '[' || c == '{' || c == ',';
        if ((c == '[' || c == '{') && ++depth > CM_JSON_MAX_DEPTH) {
            *why = "JSON nested deeper than " CM_STR(CM_JSON_MAX_DEPTH) " levels";
            return i;
        }
        if ((c == ']' || c == '}') && depth)
            depth--;
        if (c == '"')
            for (i++; i < len && text[i] != '"'; i++)
                i += text[i] == '\\';
    }
    return len;
}

/* The first offset where the text breaks RFC 8259 in a way cJSON lets
 * through, with *why: invalid UTF-8 (it would reach traces and reports, which
 * must stay JSON), a raw control character in a string, or a \u0000 escape
 * (cJSON's C strings would end there: "a\u0000b" would read as "a"). len
 * when there is none. */
static size_t lenient_spot(const char *text, size_t len, const char **why)
{
    const unsigned char *t = (const unsigned char *)text;
    bool in_str = false;
    for (size_t i = 0; i < len;) {
        size_t step = 1;
        if (t[i] >= 0x80 && !(step = cm_utf8_len(text + i, len - i))) {
            *why = "invalid UTF-8";
            return i;
        }
        if (in_str && t[i] < 0x20) {
            *why = "a control character in a string (write it as an escape such as \\n or \\t)";
            return i;
        }
        if (in_str && t[i] == '\\') {
            if (len - i >= 6 && !memcmp(text + i + 1, "u0000", 5)) {
                *why = "\\u0000 in a string (names and texts cannot hold U+0000)";
                return i;
            }
            step = len - i >= 2 && t[i + 1] < 0x80 ? 2 : 1;
        } else if (t[i] == '"') {
            in_str = !in_str;
        }
        i += step;
    }
    return len;
}

/* The innermost open container before cJSON's error offset, and the last
 * token there, as syntax_hint needs them. */
typedef struct slip_ctx {
    char open;   /* '{', '[', or 0 at the top level */
    bool member; /* in an object, a ':' came since the last '{' or ',' */
    size_t prev; /* offset of the last character outside white space before
                  * the error (a string's closing quote), or len when none */
} slip_ctx;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static slip_ctx slip_scan(const char *t, size_t len, size_t off)
{
    char open[CM_JSON_MAX_DEPTH + 1];
    bool member[CM_JSON_MAX_DEPTH + 1];
    size_t depth = 0, prev = len;
    for (size_t i = 0; i < off; i++) {
        char c = t[i];
        if (is_ws(c))
            continue;
        if (c == '"') { /* to the closing quote; one past off means the error is inside */
            for (i++; i < off && t[i] != '"'; i++)
                i += t[i] == '\\';
            if (i >= off)
                return (slip_ctx){0, false, len};
        }
        prev = i;
        if ((c == '{' || c == '[') && depth <= CM_JSON_MAX_DEPTH) {
            open[depth] = c;
            member[depth++] = false;
        } else if ((c == '}' || c == ']') && depth) {
            depth--;
        } else if ((c == ':' || c == ',') && depth) {
            member[depth - 1] = c == ':';
        }
    }
    return (slip_ctx){depth ? open[depth - 1] : 0, depth && member[depth - 1], prev};
}

/* The common slip of hand-written JSON that explains the syntax error cJSON
 * found at *off: a comment, a trailing comma, a missing comma; NULL when
 * none does. Moves *off to the slip (the comment, the trailing comma, where
 * the missing comma belongs). */
static const char *syntax_hint(const char *t, size_t len, size_t *off)
{
    for (size_t c = *off ? *off - 1 : 0; c <= *off; c++) /* cJSON stops at the first '/' */
        if (c + 1 < len && t[c] == '/' && (t[c + 1] == '/' || t[c + 1] == '*')) { /* or after */
            *off = c;
            return "JSON has no comments";
        }
    if (*off >= len)
        return NULL;
    slip_ctx k = slip_scan(t, len, *off);
    char at = t[*off], last = k.prev < len ? t[k.prev] : 0;
    if ((at == '}' || at == ']') && last == ',') {
        *off = k.prev;
        return at == '}' ? "trailing comma before '}'" : "trailing comma before ']'";
    }
    bool value_end = last && strchr("\"0123456789el}]", last);
    bool value_start = at && strchr("\"-0123456789tfn{[", at);
    if (!value_end || (k.open == '{' ? !k.member || at != '"' : k.open != '[' || !value_start))
        return NULL;
    *off = k.prev + 1;
    return k.open == '{' ? "expected ',' or '}' after a member: a comma is missing?"
                         : "expected ',' or ']' after an item: a comma is missing?";
}

cm_json *cm_json_parse(const char *name, const char *text, size_t len, cm_err *err)
{
    if (len >= 3 &&
        !memcmp(text, "\xEF\xBB\xBF", 3)) { /* a UTF-8 BOM: line 1, column 1 follow it */
        text += 3;
        len -= 3;
    }
    cm_json *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->name = strdup(name ? name : "<input>")) || !(doc->text = malloc(len + 1))) {
        cm_err_set(err, "%s: out of memory", name ? name : "<input>");
        cm_json_free(doc);
        return NULL;
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    if (memchr(text, '\0', len)) {
        int line, col;
        offset_to_pos(doc, (size_t)((const char *)memchr(text, '\0', len) - text), &line, &col);
        cm_err_set(err, "%s:%d:%d: JSON syntax error: NUL byte in the text", doc->name, line, col);
        cm_json_free(doc);
        return NULL;
    }
    const char *why = NULL;
    size_t spot = lenient_spot(text, len, &why);
    if (spot == len)
        spot = cm_json_limit_spot(text, len, &why);
    if (spot < len) {
        int line, col;
        offset_to_pos(doc, spot, &line, &col);
        cm_err_set(err, "%s:%d:%d: %s", doc->name, line, col, why);
        cm_json_free(doc);
        return NULL;
    }
    const char *end = NULL;
    doc->root = cJSON_ParseWithLengthOpts(doc->text, len, &end, 0);
    if (!doc->root) {
        size_t off = end && end >= doc->text ? (size_t)(end - doc->text) : 0;
        off = off > len ? len : off;
        const char *hint = syntax_hint(doc->text, len, &off);
        /* A document cut short past its last value ("{\"a\": 1,}\n") is
         * reported at its last byte: the slip is before the trailing space. */
        for (size_t back = off;
             !hint && back > 0 && (back >= len || strchr(" \t\r\n", doc->text[back]));) {
            size_t at = --back;
            if (!strchr(" \t\r\n", doc->text[at]) && (hint = syntax_hint(doc->text, len, &at)))
                off = at;
        }
        int line, col;
        offset_to_pos(doc, off, &line, &col);
        cm_err_set(err, "%s:%d:%d: JSON syntax error%s%s", doc->name, line, col, hint ? ": " : "",
                   hint ? hint : "");
        cm_json_free(doc);
        return NULL;
    }
    size_t after = skip_ws(doc->text, len, (size_t)(end - doc->text));
    if (after < len) {
        int line, col;
        offset_to_pos(doc, after, &line, &col);
        cm_err_set(err, "%s:%d:%d: JSON syntax error: text after the end of the document",
                   doc->name, line, col);
        cm_json_free(doc);
        return NULL;
    }
    size_t nodes = count_nodes(doc->root);
    doc->nslots = 16;
    while (doc->nslots < nodes * 2)
        doc->nslots *= 2;
    doc->slots = calloc(doc->nslots, sizeof *doc->slots);
    if (!doc->slots) {
        cm_err_set(err, "%s: out of memory", doc->name);
        cm_json_free(doc);
        return NULL;
    }
    scan_value(doc, doc->root, 0);
    return doc;
}

cm_json *cm_json_load(const char *path, cm_err *err)
{
    char *buf;
    size_t n;
    if (cm_file_read(path, CM_JSON_MAX_BYTES, &buf, &n, err) != 0)
        return NULL;
    if (n == 0) {
        cm_err_set(err, "%s:1:1: empty file (expected a JSON object)", path);
        free(buf);
        return NULL;
    }
    cm_json *doc = cm_json_parse(path, buf, n, err);
    free(buf);
    return doc;
}

void cm_json_free(cm_json *doc)
{
    if (!doc)
        return;
    cm_json_free(doc->adopted);
    cJSON_Delete(doc->root);
    free(doc->slots);
    free(doc->text);
    free(doc->name);
    free(doc);
}

const cJSON *cm_json_root(const cm_json *doc)
{
    return doc->root;
}

const char *cm_json_name(const cm_json *doc)
{
    return doc->name;
}

/* The document (doc or one it adopted) that recorded node, and where; NULL
 * when none did. */
static const cm_json *owner_of(const cm_json *doc, const cJSON *node, size_t *offset)
{
    for (; doc && node; doc = doc->adopted) {
        if (!doc->slots)
            continue;
        size_t i = slot_of(doc, node);
        while (doc->slots[i].node) {
            if (doc->slots[i].node == node) {
                *offset = doc->slots[i].offset;
                return doc;
            }
            i = (i + 1) & (doc->nslots - 1);
        }
    }
    return NULL;
}

void cm_json_pos(const cm_json *doc, const cJSON *node, int *line, int *col)
{
    size_t offset = 0;
    const cm_json *owner = owner_of(doc, node, &offset);
    *line = *col = 0;
    if (owner)
        offset_to_pos(owner, offset, line, col);
}

void cm_json_adopt(cm_json *doc, cm_json *other)
{
    while (doc->adopted)
        doc = doc->adopted;
    doc->adopted = other;
}

int cm_json_fail(cm_err *err, const cm_json *doc, const cJSON *node, const char *field,
                 const char *fmt, ...)
{
    if (!err)
        return -1;
    int line, col;
    size_t offset = 0;
    const cm_json *owner = owner_of(doc, node, &offset);
    cm_json_pos(doc, node, &line, &col);
    const char *name = owner ? owner->name : doc ? doc->name : "<input>";
    int n = snprintf(err->msg, sizeof err->msg, "%s:%d:%d: ", name, line, col);
    if (field && *field && n >= 0 && (size_t)n < sizeof err->msg)
        n += snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%s: ", field);
    if (n >= 0 && (size_t)n < sizeof err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *cm_json_field(char *buf, size_t size, const char *ctx, const char *key)
{
    if (ctx && *ctx)
        snprintf(buf, size, "%s.%s", ctx, key);
    else
        snprintf(buf, size, "%s", key);
    return buf;
}

/* Edit distance between a and b, each at most KEY_CMP_MAX bytes: insertions,
 * deletions, substitutions and swaps of two neighbours count one each
 * (optimal string alignment); past that length, or past 9, 9. */
#define KEY_CMP_MAX 64
static size_t key_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > KEY_CMP_MAX || m > KEY_CMP_MAX)
        return 9;
    unsigned char d[KEY_CMP_MAX + 1][KEY_CMP_MAX + 1]; /* distances <= KEY_CMP_MAX */
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned char)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned char)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t sub = d[i - 1][j - 1] + (size_t)(a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1u, ins = d[i][j - 1] + 1u;
            size_t best = sub < del ? sub : del;
            best = ins < best ? ins : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1u < best)
                best = d[i - 2][j - 2] + 1u;
            d[i][j] = (unsigned char)best;
        }
    return d[n][m] > 9 ? 9 : d[n][m];
}

/* The allowed key closest to `key` when it is close enough to be a slip:
 * at most 2 edits, and at most a third of the longer one's length (so "di"
 * is not taken for "id"); the first of equals. NULL when none is. Letters
 * differing only in case count as edits. */
static const char *closest_key(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (const char *const *a = allowed; *a; a++) {
        size_t d = key_distance(key, *a), longer = strlen(key);
        longer = strlen(*a) > longer ? strlen(*a) : longer;
        if (d < best_d && d * 3 <= longer) {
            best = *a;
            best_d = d;
        }
    }
    return best;
}

int cm_json_check_keys(const cm_json *doc, const cJSON *obj, const char *ctx,
                       const char *const *allowed, cm_err *err)
{
    if (!cJSON_IsObject(obj))
        return cm_json_fail(err, doc, obj, ctx, "must be an object");
    char field[256];
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        int known = 0;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, ch->string) == 0;
        const char *near = known ? NULL : closest_key(ch->string, allowed);
        if (!known)
            return cm_json_fail(err, doc, ch, cm_json_field(field, sizeof field, ctx, ch->string),
                                "unknown field%s%s%s", near ? "; did you mean \"" : "",
                                near ? near : "", near ? "\"?" : "");
        for (const cJSON *o = obj->child; o != ch; o = o->next)
            if (strcmp(o->string, ch->string) == 0)
                return cm_json_fail(err, doc, ch,
                                    cm_json_field(field, sizeof field, ctx, ch->string),
                                    "duplicate field");
    }
    return 0;
}

/* Looks up key; 1 found, 0 absent and optional, -1 error (absent and required). */
static int lookup(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                  bool required, const cJSON **out, char *field, size_t fsize, cm_err *err)
{
    cm_json_field(field, fsize, ctx, key);
    *out = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (*out)
        return 1;
    if (required)
        return cm_json_fail(err, doc, obj, field, "required field is missing");
    return 0;
}

/* v as the shortest of %.15g / %.17g that reads back as v: "1000001", not
 * "1e+06", which would put a refused value inside the range it missed. */
static const char *num_text(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, size, "%.17g", v);
    return buf;
}

int cm_json_get_number(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, double min, double max, double *out, cm_err *err)
{
    char field[256];
    const cJSON *n;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return cm_json_fail(err, doc, n, field, "must be a number");
    char lo[32], hi[32], got[32];
    if (n->valuedouble < min || n->valuedouble > max)
        return cm_json_fail(err, doc, n, field, "must be between %s and %s (got %s)",
                            num_text(min, lo, sizeof lo), num_text(max, hi, sizeof hi),
                            num_text(n->valuedouble, got, sizeof got));
    *out = n->valuedouble;
    return 0;
}

int cm_json_get_int(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                    bool required, int64_t min, int64_t max, int64_t *out, cm_err *err)
{
    char field[256];
    const cJSON *n;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    double v = cJSON_IsNumber(n) ? n->valuedouble : NAN;
    if (!isfinite(v) || v != floor(v))
        return cm_json_fail(err, doc, n, field, "must be a whole number");
    char got[32];
    if (v < (double)min || v > (double)max)
        return cm_json_fail(err, doc, n, field, "must be between %lld and %lld (got %s)",
                            (long long)min, (long long)max, num_text(v, got, sizeof got));
    *out = (int64_t)v;
    return 0;
}

int cm_json_get_bool(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                     bool required, bool *out, cm_err *err)
{
    char field[256];
    const cJSON *n;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    if (!cJSON_IsBool(n))
        return cm_json_fail(err, doc, n, field, "must be true or false");
    *out = cJSON_IsTrue(n);
    return 0;
}

int cm_json_get_string(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, size_t max_len, const char **out, cm_err *err)
{
    char field[256];
    const cJSON *n;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    if (!cJSON_IsString(n) || !n->valuestring)
        return cm_json_fail(err, doc, n, field, "must be a string");
    size_t len = strlen(n->valuestring);
    if (len == 0)
        return cm_json_fail(err, doc, n, field, "must not be empty");
    if (len > max_len)
        return cm_json_fail(err, doc, n, field, "is too long (%zu characters, limit %zu)", len,
                            max_len);
    *out = n->valuestring;
    return 0;
}

int cm_json_get_enum(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                     bool required, const char *const *names, int *out, cm_err *err)
{
    const char *s = NULL;
    if (cm_json_get_string(doc, obj, ctx, key, required, 64, &s, err) != 0)
        return -1;
    if (!s)
        return 0;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return 0;
        }
    char field[256], list[256] = "";
    size_t used = 0;
    for (int i = 0; names[i] && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
    return cm_json_fail(err, doc, cJSON_GetObjectItemCaseSensitive(obj, key),
                        cm_json_field(field, sizeof field, ctx, key), "\"%s\" is not one of: %s", s,
                        list);
}

int cm_json_get_object(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                       bool required, const cJSON **out, cm_err *err)
{
    char field[256];
    const cJSON *n;
    *out = NULL;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    if (!cJSON_IsObject(n))
        return cm_json_fail(err, doc, n, field, "must be an object");
    *out = n;
    return 0;
}

int cm_json_get_array(const cm_json *doc, const cJSON *obj, const char *ctx, const char *key,
                      bool required, size_t min_items, size_t max_items, const cJSON **out,
                      cm_err *err)
{
    char field[256];
    const cJSON *n;
    *out = NULL;
    int r = lookup(doc, obj, ctx, key, required, &n, field, sizeof field, err);
    if (r <= 0)
        return r;
    if (!cJSON_IsArray(n))
        return cm_json_fail(err, doc, n, field, "must be an array");
    size_t count = (size_t)cJSON_GetArraySize(n);
    if (count < min_items || count > max_items)
        return cm_json_fail(err, doc, n, field, "must have %zu to %zu items (has %zu)", min_items,
                            max_items, count);
    *out = n;
    return 0;
}
