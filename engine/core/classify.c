/* classify.c: outcome -> decision, and final failure -> user-facing message. */
#include "engine/core/classify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sbuf.h"
#include "engine/core/engine.h"

static const char *const decision_names[] = {
#define X(name, text) text,
    RL_DECISIONS(X)
#undef X
        NULL};

static const char *const reason_names[] = {
#define X(name, text) text,
    RL_FAIL_REASONS(X)
#undef X
        NULL};

static const char *const error_names[] = {
#define X(name, text) text,
    RL_TRANSPORT_ERRORS(X)
#undef X
        NULL};

const char *rl_fail_reason_name(rl_fail_reason r)
{
    return (unsigned)r < sizeof reason_names / sizeof *reason_names - 1 ? reason_names[r] : "?";
}

/* Error bodies that say the account is out of money or over its spend
 * limit: a 429 that waiting does not cure. OpenAI: type (and code)
 * "insufficient_quota", "You exceeded your current quota"
 * (developers.openai.com/docs/guides/error-codes; openai-python#1671 and
 * langchainjs#1929: clients that retried it); Anthropic: a monthly spend cap
 * reached is a 429 with error.details.error_code "enforced_spend_limit_reached"
 * and no retry-after (platform.claude.com/docs/api/rate-limits). */
const char *const rl_quota_names[] = {"insufficient_quota", "enforced_spend_limit_reached", NULL};

void rl_classify_defaults(rl_classify *c)
{
    memset(c, 0, sizeof *c);
    c->x_should_retry = true;
    c->error_body = true;
}

/* The longest type or code a body pattern names. */
#define BODY_NAME_MAX 64

/* "type:NAME" or "code:NAME" into p; false when s is neither. */
static bool body_pattern(const char *s, rl_pattern *p)
{
    int kind = strncmp(s, "type:", 5) == 0   ? RL_PAT_TYPE
               : strncmp(s, "code:", 5) == 0 ? RL_PAT_CODE
                                             : 0;
    size_t n = kind ? strlen(s + 5) : 0;
    if (!kind || n == 0 || n > BODY_NAME_MAX)
        return false;
    p->body = kind;
    p->name = s + 5;
    return true;
}

int rl_pattern_parse(const char *s, unsigned allow, rl_pattern *p)
{
    memset(p, 0, sizeof *p);
    if (strcmp(s, "default") == 0) {
        p->any = true;
        return 0;
    }
    if ((allow & RL_PAT_ALLOW_BODY) && body_pattern(s, p))
        return 0;
    size_t len = strlen(s);
    if (len == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
        p->cls = s[0] - '0';
        return 0;
    }
    if (len == 3 && s[0] >= '1' && s[0] <= '5') {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno == 0 && *end == '\0' && v >= 100 && v <= 599) {
            p->status = (int)v;
            return 0;
        }
    }
    for (int i = 1; error_names[i]; i++) /* "none" is not an error */
        if (strcmp(s, error_names[i]) == 0) {
            p->error = i + 1;
            return 0;
        }
    for (int i = 0; (allow & RL_PAT_ALLOW_REASON) && reason_names[i]; i++)
        if (strcmp(s, reason_names[i]) == 0) {
            p->reason = i + 1;
            return 0;
        }
    return -1;
}

static int check_unique(const cm_json *doc, const cJSON *obj, const cJSON *ch, const char *ctx,
                        cm_err *err)
{
    char field[256];
    for (const cJSON *o = obj->child; o != ch; o = o->next)
        if (strcmp(o->string, ch->string) == 0)
            return cm_json_fail(err, doc, ch, cm_json_field(field, sizeof field, ctx, ch->string),
                                "duplicate field");
    return 0;
}

static bool is_note(const char *key)
{
    return strcmp(key, "comment") == 0 || strcmp(key, "source") == 0;
}

/* "x_should_retry" and "error_body": true when key is one of them (set). */
static int parse_flag(const cm_json *doc, const cJSON *ch, const char *field, rl_classify *c,
                      bool *was_flag, cm_err *err)
{
    bool *dst = strcmp(ch->string, "x_should_retry") == 0 ? &c->x_should_retry
                : strcmp(ch->string, "error_body") == 0   ? &c->error_body
                                                          : NULL;
    *was_flag = dst != NULL;
    if (!dst)
        return 0;
    if (!cJSON_IsBool(ch))
        return cm_json_fail(err, doc, ch, field, "must be true or false");
    *dst = cJSON_IsTrue(ch);
    return 0;
}

static int parse_rules(const cm_json *doc, const cJSON *obj, rl_classify *c, cm_err *err)
{
    if (!cJSON_IsObject(obj))
        return cm_json_fail(err, doc, obj, "classify", "must be an object");
    char field[256];
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        cm_json_field(field, sizeof field, "classify", ch->string);
        if (check_unique(doc, obj, ch, "classify", err))
            return -1;
        if (is_note(ch->string)) {
            if (!cJSON_IsString(ch))
                return cm_json_fail(err, doc, ch, field, "must be a string");
            continue;
        }
        bool flag;
        if (parse_flag(doc, ch, field, c, &flag, err))
            return -1;
        if (flag)
            continue;
        rl_pattern pat;
        if (rl_pattern_parse(ch->string, RL_PAT_ALLOW_BODY, &pat))
            return cm_json_fail(err, doc, ch, field,
                                "unknown field (expected a status like \"429\", a class like "
                                "\"5xx\", a transport error, \"type:NAME\", \"code:NAME\", "
                                "\"default\", \"x_should_retry\" or \"error_body\")");
        int d = -1;
        for (int i = 0; cJSON_IsString(ch) && decision_names[i]; i++)
            if (strcmp(ch->valuestring, decision_names[i]) == 0)
                d = i;
        if (d < 0)
            return cm_json_fail(err, doc, ch, field,
                                "must be one of: success, retry, rotate, rotate_key, fail");
        if (c->nrules == RL_CLASSIFY_MAX)
            return cm_json_fail(err, doc, ch, field, "too many rules (limit %d)", RL_CLASSIFY_MAX);
        c->rules[c->nrules].pat = pat;
        c->rules[c->nrules++].decision = (rl_decision)d;
        c->body_rules |= pat.body != 0;
    }
    const cJSON *eb = cJSON_GetObjectItemCaseSensitive(obj, "error_body");
    if (c->body_rules && !c->error_body)
        return cm_json_fail(err, doc, eb, "classify.error_body",
                            "false, but a type:/code: rule needs the error body");
    return 0;
}

/* The variables a message template may name, as {name}. */
enum {
    VAR_STATUS,
    VAR_ERROR,
    VAR_ATTEMPTS,
    VAR_PROVIDER,
    VAR_MODEL,
    VAR_RETRY_AFTER,
    VAR_AVAILABLE,
    VAR_REASON,
    VAR_COUNT
};
static const char *const var_names[VAR_COUNT] = {"status", "error",       "attempts",  "provider",
                                                 "model",  "retry_after", "available", "reason"};

/* The variable named by name[0..n), or VAR_COUNT. */
static int var_find(const char *name, size_t n)
{
    for (int i = 0; i < VAR_COUNT; i++)
        if (strlen(var_names[i]) == n && !strncmp(name, var_names[i], n))
            return i;
    return VAR_COUNT;
}

/* A template's {word} must name a variable (expand would print a typo such as
 * {retry_afer} as it stands); braces around anything else are literal text. */
static int check_vars(const cm_json *doc, const cJSON *ch, const char *field, cm_err *err)
{
    for (const char *p = strchr(ch->valuestring, '{'); p; p = strchr(p + 1, '{')) {
        size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
        if (n && n <= 31 && p[1 + n] == '}' && var_find(p + 1, n) == VAR_COUNT)
            return cm_json_fail(err, doc, ch, field,
                                "unknown variable {%.*s} (known: {status}, {error}, {attempts}, "
                                "{provider}, {model}, {retry_after}, {available}, {reason})",
                                (int)n, p + 1);
    }
    return 0;
}

static int parse_messages(const cm_json *doc, const cJSON *obj, rl_classify *c, cm_err *err)
{
    if (!cJSON_IsObject(obj))
        return cm_json_fail(err, doc, obj, "messages", "must be an object");
    char field[256];
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        cm_json_field(field, sizeof field, "messages", ch->string);
        if (check_unique(doc, obj, ch, "messages", err))
            return -1;
        if (!cJSON_IsString(ch) || !ch->valuestring[0])
            return cm_json_fail(err, doc, ch, field, "must be a non-empty string");
        if (strlen(ch->valuestring) > 1000)
            return cm_json_fail(err, doc, ch, field, "is too long (limit 1000 characters)");
        if (is_note(ch->string))
            continue;
        if (check_vars(doc, ch, field, err))
            return -1;
        rl_pattern pat;
        if (rl_pattern_parse(ch->string, RL_PAT_ALLOW_REASON, &pat))
            return cm_json_fail(err, doc, ch, field,
                                "unknown field (expected a status, a class like \"4xx\", a "
                                "transport error, an engine reason or \"default\")");
        if (c->nmessages == RL_MESSAGES_MAX)
            return cm_json_fail(err, doc, ch, field, "too many messages");
        c->messages[c->nmessages].pat = pat;
        c->messages[c->nmessages++].text = ch->valuestring;
    }
    return 0;
}

int rl_classify_parse(const cm_json *doc, const cJSON *classify, const cJSON *messages,
                      rl_classify *c, cm_err *err)
{
    rl_classify_defaults(c);
    if (classify && parse_rules(doc, classify, c, err))
        return -1;
    if (messages && parse_messages(doc, messages, c, err))
        return -1;
    return 0;
}

static rl_decision default_decision(int status, int error)
{
    if (error != RL_TE_NONE || status <= 0)
        return RL_DECIDE_RETRY;
    if (status >= 200 && status < 300)
        return RL_DECIDE_SUCCESS;
    if (status == 401 || status == 403)
        return RL_DECIDE_ROTATE_KEY;
    if (status == 408 || status == 409 || status == 429 || status >= 500)
        return RL_DECIDE_RETRY;
    return RL_DECIDE_FAIL;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static inline int rank(const rl_pattern *p, int status, int error, const rl_error_body *body)
{
    if (p->body)
        return body && same(p->body == RL_PAT_TYPE ? body->type : body->code, p->name) ? 4 : 0;
    if (error != RL_TE_NONE)
        return p->error == error + 1 ? 3 : p->any ? 1 : 0;
    if (p->status && p->status == status)
        return 3;
    if (p->cls && p->cls == status / 100)
        return 2;
    return p->any ? 1 : 0;
}

int rl_pattern_rank(const rl_pattern *p, int status, int error, const rl_error_body *body)
{
    return rank(p, status, error, body);
}

static int match_rank(const rl_pattern *p, int status, int error)
{
    return rank(p, status, error, NULL);
}

/* The body's type or code is one of rl_quota_names. */
static bool says_quota(const rl_error_body *body)
{
    for (int i = 0; body && rl_quota_names[i]; i++)
        if (same(body->type, rl_quota_names[i]) || same(body->code, rl_quota_names[i]))
            return true;
    return false;
}

rl_decision rl_classify_outcome(const rl_classify *c, int status, int error, int should_retry,
                                const rl_error_body *body)
{
    bool ok = error == RL_TE_NONE && status >= 200 && status < 300;
    if (!ok && c->x_should_retry && should_retry >= 0)
        return should_retry ? RL_DECIDE_RETRY : RL_DECIDE_FAIL;
    if (ok || !c->error_body)
        body = NULL;
    int best = 0;
    rl_decision d = default_decision(status, error);
    if (body && says_quota(body)) {
        best = 4; /* only a type:/code: rule of the policy (rank 4, listed first) wins */
        d = RL_DECIDE_FAIL;
        for (size_t i = 0; i < c->nrules; i++)
            if (rank(&c->rules[i].pat, status, error, body) == 4)
                return c->rules[i].decision;
    }
    for (size_t i = 0; i < c->nrules; i++) {
        int r = rank(&c->rules[i].pat, status, error, body);
        if (ok && r == 1) /* "default" is for failures: a 2xx needs its own rule */
            continue;
        if (r > best) {
            best = r;
            d = c->rules[i].decision;
        }
    }
    return d;
}

static const char *find_template(const rl_classify *c, const rl_message_vars *v)
{
    for (size_t i = 0; i < c->nmessages; i++)
        if (c->messages[i].pat.reason == (int)v->reason + 1 && v->reason != RL_FAIL_OUTCOME)
            return c->messages[i].text;
    int err = RL_TE_NONE;
    for (int i = 1; v->error && error_names[i]; i++)
        if (strcmp(v->error, error_names[i]) == 0)
            err = i;
    const char *best = NULL;
    int rank = 0;
    for (size_t i = 0; i < c->nmessages; i++) {
        if (c->messages[i].pat.reason)
            continue;
        int r = match_rank(&c->messages[i].pat, v->status, err);
        if (r > rank) {
            rank = r;
            best = c->messages[i].text;
        }
    }
    return best;
}

/* Appends the value of variable `name` (len n); an unknown one as {name}. */
static void put_var(const rl_message_vars *v, const char *name, size_t n, cm_sbuf *b)
{
    char tmp[128];
    switch (var_find(name, n)) {
    case VAR_STATUS:
        cm_sbuf_i64(b, v->status);
        break;
    case VAR_ERROR:
        cm_sbuf_str(b, v->error ? v->error : "none");
        break;
    case VAR_ATTEMPTS:
        cm_sbuf_u64_pad(b, v->attempts, 0);
        break;
    case VAR_PROVIDER:
        cm_sbuf_str(b, v->provider ? v->provider : "");
        break;
    case VAR_MODEL:
        cm_sbuf_str(b, v->model ? v->model : "");
        break;
    case VAR_RETRY_AFTER: /* %.0f rounds as printf does; a huge value is cut at 127 */
        snprintf(tmp, sizeof tmp, "%.0f", v->retry_after_s > 0 ? v->retry_after_s : 0);
        cm_sbuf_str(b, tmp);
        break;
    case VAR_AVAILABLE:
        cm_sbuf_str(b, v->available ? v->available : "");
        break;
    case VAR_REASON:
        cm_sbuf_str(b, rl_fail_reason_name(v->reason));
        break;
    default:
        cm_sbuf_char(b, '{');
        cm_sbuf_mem(b, name, n < 100 ? n : 100);
        cm_sbuf_char(b, '}');
    }
}

/* The template with its {variables} filled in, cut to fit out[size]. Built
 * with cm_sbuf, not snprintf per piece: a run where thousands of tasks give
 * up writes thousands of these (a tenth of a simulated attempt's cost). */
static void expand(const char *tpl, const rl_message_vars *v, char *out, size_t size)
{
    cm_sbuf b;
    cm_sbuf_init(&b, out, size);
    const char *p = tpl;
    while (*p && b.len + 1 < size) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close && close - p <= 32) {
            put_var(v, p + 1, (size_t)(close - p - 1), &b);
            p = close + 1;
            continue;
        }
        size_t run = 1 + strcspn(p + 1, "{"); /* literal text up to the next '{' */
        cm_sbuf_mem(&b, p, run);
        p += run;
    }
}

bool rl_classify_message_names_available(const rl_classify *c, const rl_message_vars *v)
{
    const char *tpl = find_template(c, v);
    return tpl ? strstr(tpl, "{available}") != NULL : v->reason == RL_FAIL_ALL_COOLING;
}

void rl_classify_message(const rl_classify *c, const rl_message_vars *v, char *out, size_t size)
{
    if (!size)
        return;
    const char *tpl = find_template(c, v);
    if (tpl) {
        expand(tpl, v, out, size);
        return;
    }
    if (v->reason == RL_FAIL_ALL_COOLING)
        expand("all candidates are cooling down or open ({available}); the first is back in "
               "{retry_after} s",
               v, out, size);
    else if (v->error && strcmp(v->error, "none") != 0)
        expand("failed after {attempts} attempts ({reason}): last error {error} on "
               "{provider}/{model}",
               v, out, size);
    else
        expand("failed after {attempts} attempts ({reason}): last status {status} on "
               "{provider}/{model}",
               v, out, size);
}
