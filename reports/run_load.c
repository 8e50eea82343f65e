/* run.c: reads a run directory (trace.jsonl, summary.json, the scenario it
 * names) into a rep_run; a malformed trace line is bad input, never a crash. */
#include "reports/run_load.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/io/file.h"
#include "reports/grow.h"
#include "reports/text.h"

#define CLASS_NAME(id, name) name,
static const char *const class_names[] = {REP_CLASS_MAP(CLASS_NAME) NULL};
#undef CLASS_NAME

const char *rep_class_name(rep_class c)
{
    return c < REP_CLASS_N ? class_names[c] : "other";
}

#define STREAM_NAME(id, name) name,
static const char *const stream_names[] = {REP_STREAM_MAP(STREAM_NAME) NULL};
#undef STREAM_NAME

const char *rep_stream_name(rep_stream s)
{
    return s < REP_STREAM_N ? stream_names[s] : "other";
}

/* The stream outcome named `name` (an unknown one is OTHER: the format may grow). */
static rep_stream stream_of(const char *name)
{
    for (int i = REP_STREAM_COMPLETE; i < REP_STREAM_OTHER; i++)
        if (strcmp(name, stream_names[i]) == 0)
            return (rep_stream)i;
    return REP_STREAM_OTHER;
}

rep_class rep_class_of(int status, const char *error)
{
    if (status >= 200 && status < 300)
        return REP_CLASS_OK;
    if (status == 401 || status == 403)
        return REP_CLASS_AUTH;
    if (status == 429)
        return REP_CLASS_LIMITED;
    if (status >= 500 && status < 600)
        return REP_CLASS_SERVER;
    if (status == 0 && error && strcmp(error, "timeout") == 0)
        return REP_CLASS_TIMEOUT;
    if (status == 0 && error && strcmp(error, "reset") == 0)
        return REP_CLASS_RESET;
    return REP_CLASS_OTHER;
}

/* Context of one trace line, for messages. */
typedef struct line_ctx {
    const char *file;
    size_t line;
    cm_err *err;
    bool first; /* the first line that is not blank: must be the start event */
} line_ctx;

/* The trace format this reader understands: major version 1 (a minor
 * version, "retrylab-trace/1.N", only adds fields and events). */
#define TRACE_FORMAT "retrylab-trace/1"

static int line_fail(const line_ctx *lc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The first line must be a start event whose "format" is TRACE_FORMAT or
 * TRACE_FORMAT.N; 0 or -1 with err. */
static int check_format(const line_ctx *lc, const char *event, const cJSON *o)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "format");
    const char *v = cJSON_IsString(f) ? f->valuestring : NULL;
    size_t n = strlen(TRACE_FORMAT);
    bool start = event && strcmp(event, "start") == 0;
    if (start && v && strncmp(v, TRACE_FORMAT, n) == 0 &&
        (v[n] == '\0' || (v[n] == '.' && v[n + 1] >= '0' && v[n + 1] <= '9')))
        return 0;
    if (!start)
        return line_fail(lc,
                         "the first line is not a start event: not a retrylab trace "
                         "(format %s)",
                         TRACE_FORMAT);
    if (!v)
        return line_fail(lc, "format (none) is not one this retrylab reads (%s)", TRACE_FORMAT);
    return line_fail(lc, "format \"%.100s\" is not one this retrylab reads (%s)", v, TRACE_FORMAT);
}

static int line_fail(const line_ctx *lc, const char *fmt, ...)
{
    int n = snprintf(lc->err->msg, sizeof lc->err->msg, "%s:%zu: ", lc->file, lc->line);
    if (n > 0 && (size_t)n < sizeof lc->err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(lc->err->msg + n, sizeof lc->err->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A number field: 1 read, 0 absent, -1 present but not a finite number. */
static int num_field(const cJSON *o, const char *key, double *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!n)
        return 0;
    if (!cJSON_IsNumber(n) || !isfinite(n->valuedouble))
        return -1;
    *out = n->valuedouble;
    return 1;
}

/* A string field or NULL (absent or not a string). */
static const char *str_field(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* Copies the name src (NULL: "") made fit for every output (reports/text.h):
 * valid UTF-8, control characters replaced by '?', so names from a trace
 * can break neither a line in the data files or scripts nor the page. */
static void copy_str(char *dst, size_t size, const char *src)
{
    rep_text_copy(dst, size, src);
}

/* Copies the path src (NULL: "") with only control characters replaced by
 * '?': its other bytes stay, so that it still opens the file it names (the
 * outputs repair what is not UTF-8 when they escape it). */
static void copy_path(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* Index of candidate provider/model, added when new; -1 when out of memory,
 * -2 past REP_MAX_CANDS distinct candidates. */
static int cand_index(rep_run *run, const char *provider, const char *model)
{
    char raw[REP_NAME_MAX], name[REP_NAME_MAX];
    snprintf(raw, sizeof raw, "%s/%s", provider, model);
    copy_str(name, sizeof name, raw);
    for (size_t i = 0; i < run->n_cands; i++)
        if (strcmp(run->cands[i].name, name) == 0)
            return (int)i;
    if (run->n_cands == REP_MAX_CANDS)
        return -2;
    rep_cand *grown = rep_grow(run->cands, run->n_cands, &run->cap_cands, sizeof *grown, 16);
    if (!grown)
        return -1;
    run->cands = grown;
    rep_cand *c = &run->cands[run->n_cands];
    memset(c, 0, sizeof *c);
    copy_str(c->name, sizeof c->name, name);
    copy_str(c->provider, sizeof c->provider, provider);
    return (int)run->n_cands++;
}

/* Index of key id `id` in run->keys, added when new; -1 when out of memory
 * or past REP_MAX_KEYS distinct ids (the event then names no key). */
static int key_index(rep_run *run, const char *id)
{
    char name[REP_KEY_ID_MAX];
    copy_str(name, sizeof name, id);
    for (size_t i = 0; i < run->n_keys; i++)
        if (strcmp(run->keys[i], name) == 0)
            return (int)i;
    if (run->n_keys == REP_MAX_KEYS)
        return -1;
    char(*grown)[REP_KEY_ID_MAX] =
        rep_grow(run->keys, run->n_keys, &run->cap_keys, sizeof *grown, 16);
    if (!grown)
        return -1;
    run->keys = grown;
    memcpy(run->keys[run->n_keys], name, sizeof name);
    return (int)run->n_keys++;
}

/* The start event's "digests": {"scenario", "policy"}. */
static void read_digests(rep_run *run, const cJSON *o)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "digests");
    copy_str(run->scenario_digest, sizeof run->scenario_digest, str_field(d, "scenario"));
    copy_str(run->policy_digest, sizeof run->policy_digest, str_field(d, "policy"));
}

static int read_start(rep_run *run, const cJSON *o)
{
    copy_path(run->cwd, sizeof run->cwd, str_field(o, "cwd"));
    read_digests(run, o);
    copy_path(run->scenario_path, sizeof run->scenario_path, str_field(o, "scenario"));
    copy_path(run->policy_path, sizeof run->policy_path, str_field(o, "policy"));
    copy_str(run->scenario_name, sizeof run->scenario_name, str_field(o, "scenario_name"));
    copy_str(run->policy_name, sizeof run->policy_name, str_field(o, "policy_name"));
    copy_str(run->mode, sizeof run->mode, str_field(o, "mode"));
    double tasks = -1;
    int seed = num_field(o, "seed", &run->seed);
    if (num_field(o, "time_scale", &run->time_scale) < 0 || seed < 0 ||
        num_field(o, "tasks", &tasks) < 0)
        return -1;
    run->has_seed = seed > 0;
    if (tasks >= 0 && tasks <= (double)REP_MAX_TASKS && tasks == floor(tasks)) {
        run->has_start_tasks = true;
        run->start_tasks = (int64_t)tasks;
    }
    if (!run->summary.present && tasks >= 0)
        run->summary.tasks = tasks;
    return 0;
}

/* task and attempt: task required (0..REP_MAX_TASKS, and below the start
 * event's "tasks" when it gave one), attempt optional. */
static int read_who(const rep_run *run, const line_ctx *lc, const cJSON *o, rep_event *e)
{
    double task = -1, attempt = 0;
    int r = num_field(o, "task", &task);
    if (r == 0)
        return line_fail(lc, "field \"task\" is missing");
    if (r < 0 || task < 0 || task >= (double)REP_MAX_TASKS || task != floor(task))
        return line_fail(lc, "field \"task\" must be a whole number from 0 to %lld",
                         (long long)REP_MAX_TASKS - 1);
    if (run->has_start_tasks && task >= (double)run->start_tasks)
        return line_fail(lc,
                         "field \"task\" is %.0f, but the start event says the run has %lld "
                         "task%s",
                         task, (long long)run->start_tasks, run->start_tasks == 1 ? "" : "s");
    if (num_field(o, "attempt", &attempt) < 0 || attempt < 0 || attempt > 1e9)
        return line_fail(lc, "field \"attempt\" must be a whole number from 0");
    e->task = (int64_t)task;
    e->attempt = (int64_t)attempt;
    return 0;
}

static int read_candidate(rep_run *run, const line_ctx *lc, const cJSON *o, rep_event *e)
{
    const char *p = str_field(o, "provider"), *m = str_field(o, "model");
    if (!p || !m) {
        if (e->kind == REP_WAIT || e->kind == REP_DONE)
            return 0; /* waits and dones may omit the candidate */
        return line_fail(lc, "fields \"provider\" and \"model\" must be strings");
    }
    e->cand = cand_index(run, p, m);
    if (e->cand == -2)
        return line_fail(lc, "more than %d distinct provider/model pairs", REP_MAX_CANDS);
    if (e->cand < 0)
        return line_fail(lc, "out of memory");
    const char *key = str_field(o, "key");
    e->key = key ? key_index(run, key) : -1;
    return 0;
}

static int read_response(rep_run *run, const line_ctx *lc, const cJSON *o, rep_event *e)
{
    double status = -1;
    if (num_field(o, "status", &status) <= 0 || status < 0 || status > 999)
        return line_fail(lc, "field \"status\" must be a number from 0 to 999");
    e->status = (int)status;
    const char *error = str_field(o, "error");
    e->cls = rep_class_of(e->status, error);
    run->connect_errors += e->status == 0 && error && strcmp(error, "connect") == 0;
    if (num_field(o, "latency", &e->latency) < 0 || num_field(o, "limit", &e->limit) < 0 ||
        num_field(o, "retry_after", &e->retry_after) < 0)
        return line_fail(lc, "fields \"latency\", \"limit\" and \"retry_after\" must be numbers");
    const char *stream = str_field(o, "stream");
    double tokens = -1;
    if (stream) {
        e->stream = stream_of(stream);
        run->streams++;
    }
    int has_ttft = num_field(o, "ttft", &e->ttft), has_tokens = num_field(o, "tokens", &tokens);
    if (has_ttft < 0 || (has_ttft && e->ttft < 0) || has_tokens < 0 ||
        (has_tokens && (tokens < 0 || tokens > 1e15)))
        return line_fail(lc, "fields \"ttft\" and \"tokens\" must be numbers >= 0");
    e->tokens = has_tokens ? (long)tokens : -1;
    rep_cand *c = &run->cands[e->cand];
    c->by_class[e->cls]++;
    if (e->latency >= 0) {
        c->latency_sum += e->latency;
        c->latency_n++;
    }
    return 0;
}

static int read_wait(const line_ctx *lc, const cJSON *o, rep_event *e)
{
    if (num_field(o, "delay", &e->delay) <= 0 || e->delay < 0)
        return line_fail(lc, "field \"delay\" must be a number of seconds >= 0");
    if (num_field(o, "observed", &e->observed) < 0)
        return line_fail(lc, "field \"observed\" must be a number");
    return 0;
}

static int read_done(const line_ctx *lc, const cJSON *o, rep_event *e)
{
    const char *outcome = str_field(o, "outcome");
    if (!outcome || (strcmp(outcome, "success") && strcmp(outcome, "failure")))
        return line_fail(lc, "field \"outcome\" must be \"success\" or \"failure\"");
    e->success = strcmp(outcome, "success") == 0;
    const char *msg = str_field(o, "message");
    if (msg && !(e->message = rep_text_dup(msg)))
        return line_fail(lc, "out of memory");
    return 0;
}

static int kind_of(const char *name, rep_kind *out)
{
    static const char *const names[] = {"send", "response", "wait", "done"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (rep_kind)i;
            return 1;
        }
    return 0;
}

static int push_event(rep_run *run, const rep_event *e)
{
    rep_event *v = rep_grow(run->ev, run->n_ev, &run->cap_ev, sizeof *v, 256);
    if (!v)
        return -1;
    run->ev = v;
    run->ev[run->n_ev++] = *e;
    return 0;
}

/* Fills e from an event object of kind e->kind (not start). */
static int read_event(rep_run *run, const line_ctx *lc, const cJSON *o, rep_event *e)
{
    if (read_who(run, lc, o, e) || read_candidate(run, lc, o, e))
        return -1;
    if (e->kind == REP_SEND) {
        if (e->cand < 0)
            return line_fail(lc, "a send needs \"provider\" and \"model\"");
        run->cands[e->cand].requests++;
        return 0;
    }
    if (e->kind == REP_RESPONSE)
        return read_response(run, lc, o, e);
    if (e->kind == REP_WAIT)
        return read_wait(lc, o, e);
    return read_done(lc, o, e);
}

static int parse_line(rep_run *run, const line_ctx *lc, const char *text, size_t len)
{
    const char *why = NULL;
    if (cm_json_limit_spot(text, len, &why) < len)
        return line_fail(lc, "%s", why);
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return line_fail(lc, "not a JSON object");
    }
    rep_event e = {.cand = -1,
                   .latency = -1,
                   .limit = -1,
                   .observed = -1,
                   .retry_after = -1,
                   .key = -1,
                   .tokens = -1,
                   .ttft = -1};
    const char *ev = str_field(o, "event");
    int r = num_field(o, "t", &e.t), rc = 0;
    if (lc->first && check_format(lc, ev, o) != 0)
        rc = -1;
    else if (r <= 0 || e.t < -1e12 || e.t > 1e12)
        rc = line_fail(lc, "field \"t\" must be a number of seconds");
    else if (!ev)
        rc = line_fail(lc, "field \"event\" must be a string");
    else if (strcmp(ev, "start") == 0)
        rc = read_start(run, o) ? line_fail(lc, "start: bad number") : 0;
    else if (kind_of(ev, &e.kind)) /* unknown event names are newer kinds: skipped */
        rc = read_event(run, lc, o, &e) || push_event(run, &e) ? -1 : 0;
    if (rc != 0)
        free(e.message);
    if (rc == 0 && e.t > run->end_t)
        run->end_t = e.t;
    cJSON_Delete(o);
    return rc;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* Reads a trace line by line without ever holding more of a line than
 * REP_MAX_LINE bytes plus one read: a longer line is refused as soon as that
 * much of it is in, however long it goes on (getline would grow to hold a
 * line of any length, gigabytes for a file without newlines). The buffer
 * starts at LR_FIRST and doubles, up to LR_CAP, only while a line needs it. */
typedef struct line_reader {
    FILE *f;
    char *buf;         /* cap bytes */
    size_t cap;        /* LR_FIRST .. LR_CAP */
    size_t start, end; /* the bytes read and not yet returned: buf[start, end) */
    bool eof;
} line_reader;

#define LR_FIRST (64u << 10)
#define LR_CAP (REP_MAX_LINE + LR_FIRST)

/* The next line, its '\n' included when it has one (only the file's last
 * line may lack it), in *line (valid until the next call) and *len: 1; 0 at
 * the end of the file; -1 a read error (errno); -2 the line is longer than
 * REP_MAX_LINE bytes; -3 out of memory. */
static int lr_next(line_reader *r, const char **line, size_t *len)
{
    for (;;) {
        size_t have = r->end - r->start;
        const char *nl = memchr(r->buf + r->start, '\n', have);
        if (nl)
            have = (size_t)(nl - (r->buf + r->start)) + 1;
        if (have > REP_MAX_LINE)
            return -2;
        if (nl || (r->eof && have)) {
            *line = r->buf + r->start;
            *len = have;
            r->start += have;
            return 1;
        }
        if (r->eof)
            return 0;
        memmove(r->buf, r->buf + r->start, have);
        r->start = 0;
        r->end = have;
        if (r->end == r->cap) { /* a line longer than the buffer, and <= REP_MAX_LINE < LR_CAP */
            size_t cap = 2 * r->cap < LR_CAP ? 2 * r->cap : LR_CAP;
            char *grown = realloc(r->buf, cap);
            if (!grown)
                return -3;
            r->buf = grown;
            r->cap = cap;
        }
        size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
        r->end += got;
        if (got == 0 && ferror(r->f))
            return -1;
        r->eof = got == 0;
    }
}

/* Reads trace lines from f; `name` stands for the file in messages. */
static int read_lines(rep_run *run, FILE *f, const char *name, cm_err *err)
{
    line_reader r = {.f = f, .buf = malloc(LR_FIRST), .cap = LR_FIRST};
    line_ctx lc = {name, 0, err, true};
    if (!r.buf)
        return line_fail(&lc, "out of memory");
    const char *text;
    size_t len;
    int rc = 0, got = 0;
    while (rc == 0 && (got = lr_next(&r, &text, &len)) > 0) {
        lc.line++;
        if (blank(text, len))
            continue;
        rc = parse_line(run, &lc, text, len);
        lc.first = false;
        if (rc != 0 && text[len - 1] != '\n') { /* the last line, cut off: the writer died */
            run->cut_line = lc.line;            /* mid-line; keep what came before */
            err->msg[0] = '\0';
            rc = 0;
        }
    }
    if (rc == 0 && got == -2) { /* never a cut line: no writer's line is that long */
        lc.line++;
        rc = line_fail(&lc, "line longer than %u MiB", REP_MAX_LINE >> 20);
    } else if (rc == 0 && got == -1) {
        rc = line_fail(&lc, "read error: %s", strerror(errno));
    } else if (rc == 0 && got == -3) {
        rc = line_fail(&lc, "out of memory");
    }
    free(r.buf);
    return rc;
}

/* DIR/trace.jsonl: a regular file (cm_file_open refuses a FIFO, which would
 * block, and a device, which never ends). */
static int read_trace(rep_run *run, const char *path, cm_err *err)
{
    FILE *f = cm_file_open(path, err);
    if (!f)
        return -1;
    int rc = read_lines(run, f, path, err);
    fclose(f);
    return rc;
}

/* summary.json: optional; when present (whatever it is: a FIFO or a folder
 * there is bad input, not an absent summary) its numbers must be numbers. */
static int read_summary(rep_run *run, const char *path, cm_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return 0;
    cm_json *doc = cm_json_load(path, err);
    if (!doc)
        return -1;
    const cJSON *o = cm_json_root(doc);
    rep_summary *s = &run->summary;
    s->tasks = s->successes = s->attempts = s->total_wait_s = s->success_rate = -1;
    int rc = 0;
    if (!cJSON_IsObject(o))
        rc = cm_json_fail(err, doc, o, NULL, "summary must be a JSON object");
    else if (cm_json_get_number(doc, o, "", "tasks", false, 0, 1e12, &s->tasks, err) ||
             cm_json_get_number(doc, o, "", "successes", false, 0, 1e12, &s->successes, err) ||
             cm_json_get_number(doc, o, "", "success_rate", false, 0, 1, &s->success_rate, err) ||
             cm_json_get_number(doc, o, "", "attempts", false, 0, 1e15, &s->attempts, err) ||
             cm_json_get_number(doc, o, "", "total_wait_s", false, 0, 1e15, &s->total_wait_s,
                                err) ||
             cm_json_get_bool(doc, o, "", "partial", false, &s->partial, err))
        rc = -1;
    s->present = rc == 0;
    if (rc == 0) {
        copy_path(s->scenario, sizeof s->scenario, str_field(o, "scenario"));
        copy_str(s->scenario_name, sizeof s->scenario_name, str_field(o, "scenario_name"));
        copy_path(s->policy, sizeof s->policy, str_field(o, "policy"));
        copy_str(s->policy_name, sizeof s->policy_name, str_field(o, "policy_name"));
        copy_str(s->mode, sizeof s->mode, str_field(o, "mode"));
        s->has_seed = num_field(o, "seed", &s->seed) > 0;
    }
    cm_json_free(doc);
    return rc;
}

/* Both given and different. */
static bool differ(const char *a, const char *b)
{
    return a[0] && b[0] && strcmp(a, b) != 0;
}

/* "scenario X, seed N, tasks T" (+ ", mode M, policy P" when `more`) of one
 * side, into buf: the fields it gives; names when both sides give names. */
static void identity_text(char *buf, size_t size, bool names, const char *scenario,
                          const char *scenario_name, bool has_seed, double seed, double tasks,
                          bool more, const char *mode, const char *policy)
{
    size_t n = 0;
#define ADD(...) (n += n < size ? (size_t)snprintf(buf + n, size - n, __VA_ARGS__) : 0)
    buf[0] = '\0';
    const char *sc = names ? scenario_name : scenario;
    if (sc[0])
        ADD("scenario %.200s", sc);
    if (has_seed)
        ADD("%sseed %.0f", n ? ", " : "", seed);
    if (tasks >= 0)
        ADD("%stasks %.0f", n ? ", " : "", tasks);
    if (more && mode[0])
        ADD("%smode %.15s", n ? ", " : "", mode);
    if (more && policy[0])
        ADD("%spolicy %.200s", n ? ", " : "", policy);
#undef ADD
}

/* The summary must be of the run the trace records (see rep_run_load). */
static int check_same_run(const rep_run *run, const rep_summary *s, cm_err *err)
{
    double trace_tasks = run->has_start_tasks ? (double)run->start_tasks : -1;
    bool names = s->scenario_name[0] && run->scenario_name[0];
    bool other_mode = differ(s->mode, run->mode);
    bool other_policy =
        differ(s->policy, run->policy_path) || differ(s->policy_name, run->policy_name);
    bool other = differ(s->scenario, run->scenario_path) ||
                 differ(s->scenario_name, run->scenario_name) ||
                 (s->has_seed && run->has_seed && s->seed != run->seed) ||
                 (s->tasks >= 0 && trace_tasks >= 0 && s->tasks != trace_tasks) || other_mode ||
                 other_policy;
    if (!other)
        return 0;
    char a[600], b[600];
    bool by_name = other_policy && s->policy_name[0] && run->policy_name[0] &&
                   !differ(s->policy, run->policy_path);
    identity_text(a, sizeof a, names, s->scenario, s->scenario_name, s->has_seed, s->seed, s->tasks,
                  other_mode || other_policy, other_mode ? s->mode : "",
                  !other_policy ? ""
                  : by_name     ? s->policy_name
                                : s->policy);
    identity_text(b, sizeof b, names, run->scenario_path, run->scenario_name, run->has_seed,
                  run->seed, trace_tasks, other_mode || other_policy, other_mode ? run->mode : "",
                  !other_policy ? ""
                  : by_name     ? run->policy_name
                                : run->policy_path);
    cm_err_set(err,
               "%s: summary.json (%s) does not match trace.jsonl (%s): the folder mixes two runs",
               run->dir, a, b);
    return -1;
}

static void task_add(rep_task *k, const rep_event *e)
{
    if (isnan(k->first_t)) /* its first event */
        k->first_t = e->t;
    if (e->kind == REP_SEND && k->sends++ == 0)
        k->first_send_t = e->t;
    if (e->kind == REP_WAIT) {
        k->waits++;
        k->wait_planned += e->delay;
        if (e->observed >= 0)
            k->wait_observed = (k->wait_observed < 0 ? 0 : k->wait_observed) + e->observed;
    }
    if (e->kind == REP_DONE && k->outcome == 0) {
        k->outcome = e->success ? 1 : 2;
        k->done_t = e->t;
        k->message = e->message;
    }
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The row of task `id` in run->tasks (which holds it). */
static size_t task_row(const rep_run *run, int64_t id)
{
    size_t lo = 0, hi = run->n_tasks;
    if ((uint64_t)id < run->n_tasks && run->tasks[id].id == id)
        return (size_t)id; /* tasks 0..N-1, the usual trace */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (run->tasks[mid].id <= id)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* One row per task number that has events, in number order: the table grows
 * with the trace, never with the task numbers or the start event's count. */
static int build_tasks(rep_run *run, cm_err *err)
{
    if (run->n_ev == 0)
        return 0;
    int64_t *ids = malloc(run->n_ev * sizeof *ids);
    if (!ids) {
        snprintf(err->msg, sizeof err->msg, "%.400s: out of memory", run->dir);
        return -1;
    }
    for (size_t i = 0; i < run->n_ev; i++)
        ids[i] = run->ev[i].task;
    qsort(ids, run->n_ev, sizeof *ids, cmp_id);
    size_t n = 0;
    for (size_t i = 0; i < run->n_ev; i++)
        if (n == 0 || ids[i] != ids[n - 1])
            ids[n++] = ids[i];
    run->tasks = calloc(n, sizeof *run->tasks);
    if (!run->tasks) {
        free(ids);
        snprintf(err->msg, sizeof err->msg, "%.400s: out of memory for %zu tasks", run->dir, n);
        return -1;
    }
    run->n_tasks = n;
    for (size_t i = 0; i < n; i++)
        run->tasks[i] = (rep_task){
            .id = ids[i], .first_t = NAN, .first_send_t = -1, .done_t = -1, .wait_observed = -1};
    free(ids);
    for (size_t i = 0; i < run->n_ev; i++) {
        rep_event *e = &run->ev[i];
        e->ti = task_row(run, e->task);
        task_add(&run->tasks[e->ti], e);
    }
    return 0;
}

const rep_task *rep_run_task(const rep_run *run, int64_t id)
{
    if (run->n_tasks == 0)
        return NULL;
    const rep_task *k = &run->tasks[task_row(run, id)];
    return k->id == id ? k : NULL;
}

/* The scenario file named by the start event, found from here (see
 * rep_run_locate), and the policy file beside it. Failure is not an error:
 * it is noted for the report. */
static void load_scenario(rep_run *run)
{
    cm_err e = {{0}};
    if (run->policy_path[0])
        rep_run_locate(run, run->policy_path, run->policy_digest, run->policy_file,
                       sizeof run->policy_file, &run->policy_changed);
    if (!run->scenario_path[0]) {
        copy_str(run->scenario_note, sizeof run->scenario_note, "the trace names no scenario");
        return;
    }
    if (rep_run_locate(run, run->scenario_path, run->scenario_digest, run->scenario_file,
                       sizeof run->scenario_file, &run->scenario_changed) != 0) {
        run->scenario_missing = true;
        snprintf(run->scenario_note, sizeof run->scenario_note, "scenario file %.800s not found%s",
                 run->scenario_path,
                 run->scenario_path[0] == '/' ? ""
                                              : " (looked in the folder the run ran in, the "
                                                "current folder and those above the run folder)");
        return;
    }
    run->scenario = cm_json_load(run->scenario_file, &e);
    if (!run->scenario)
        snprintf(run->scenario_note, sizeof run->scenario_note, "%s", e.msg);
    else if (!cJSON_IsObject(cm_json_root(run->scenario))) {
        snprintf(run->scenario_note, sizeof run->scenario_note, "%s: not a JSON object",
                 run->scenario_file);
        cm_json_free(run->scenario);
        run->scenario = NULL;
    }
}

/* The label and legend, each part cut to fit at a character boundary. */
static void make_label(rep_run *run)
{
    char sc[121], po[121], mode[16];
    rep_text_copy(sc, sizeof sc, run->scenario_name[0] ? run->scenario_name : run->dir);
    rep_text_copy(po, sizeof po, run->policy_name[0] ? run->policy_name : "default policy");
    rep_text_copy(mode, sizeof mode, run->mode);
    if (mode[0] && strcmp(mode, "sim") != 0) {
        snprintf(run->label, sizeof run->label, "%s / %s (%s)", sc, po, mode);
        snprintf(run->legend, sizeof run->legend, "%s (%s)", po, mode);
    } else {
        snprintf(run->label, sizeof run->label, "%s / %s", sc, po);
        snprintf(run->legend, sizeof run->legend, "%s", po);
    }
}

int rep_run_load(const char *dir, rep_run *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    char path[REP_PATH_MAX + 32];
    copy_path(out->dir, sizeof out->dir, dir);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    int rc = read_summary(out, path, err);
    snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    if (rc == 0)
        rc = read_trace(out, path, err);
    if (rc == 0 && out->summary.present)
        rc = check_same_run(out, &out->summary, err);
    if (rc == 0)
        rc = build_tasks(out, err);
    if (rc != 0) {
        rep_run_free(out);
        return -1;
    }
    load_scenario(out);
    make_label(out);
    return 0;
}

void rep_run_free(rep_run *run)
{
    if (!run)
        return;
    for (size_t i = 0; i < run->n_ev; i++)
        free(run->ev[i].message);
    free(run->ev);
    free(run->cands);
    free(run->keys);
    free(run->tasks);
    cm_json_free(run->scenario);
    memset(run, 0, sizeof *run);
}

const cJSON *rep_run_expect_node(const rep_run *run)
{
    return run->scenario ? cJSON_GetObjectItemCaseSensitive(cm_json_root(run->scenario), "expect")
                         : NULL;
}

const cJSON *rep_run_claims(const rep_run *run)
{
    const cJSON *c = run->scenario
                         ? cJSON_GetObjectItemCaseSensitive(cm_json_root(run->scenario), "claims")
                         : NULL;
    return cJSON_IsArray(c) ? c : NULL;
}

double rep_task_duration(const rep_run *run, size_t k)
{
    if (k >= run->n_tasks || run->tasks[k].first_send_t < 0)
        return -1;
    const rep_task *t = &run->tasks[k];
    return (t->done_t >= 0 ? t->done_t : run->end_t) - t->first_send_t;
}

double rep_run_task_count(const rep_run *run)
{
    if (run->summary.tasks > 0)
        return run->summary.tasks;
    return (double)run->n_tasks;
}

int rep_run_from_text(const char *name, const char *text, size_t len, rep_run *out, cm_err *err)
{
    memset(out, 0, sizeof *out);
    copy_path(out->dir, sizeof out->dir, name);
    FILE *f = len ? fmemopen((void *)text, len, "r") : NULL;
    int rc = len && !f ? -1 : 0;
    if (rc)
        snprintf(err->msg, sizeof err->msg, "%.400s: cannot read from memory", name);
    if (rc == 0 && f)
        rc = read_lines(out, f, name, err);
    if (f)
        fclose(f);
    if (rc == 0)
        rc = build_tasks(out, err);
    if (rc != 0) {
        rep_run_free(out);
        return -1;
    }
    make_label(out);
    return 0;
}

void rep_run_warn_changed(const rep_run *run, const char *cmd)
{
    char now[40];
    if (run->scenario_changed)
        fprintf(stderr,
                "retrylab %s: warning: %s: scenario file %s changed since the run (digest %s "
                "then, %s now): its claims and expectations may not be the run's\n",
                cmd, run->dir, run->scenario_file, run->scenario_digest,
                rep_file_digest(run->scenario_file, now) == 0 ? now : "unreadable");
    if (run->policy_changed)
        fprintf(stderr,
                "retrylab %s: warning: %s: policy file %s changed since the run (digest %s "
                "then, %s now): the run does not measure the policy as it is\n",
                cmd, run->dir, run->policy_file, run->policy_digest,
                rep_file_digest(run->policy_file, now) == 0 ? now : "unreadable");
}

/* Prints the warning for a trace whose cut-off last line was skipped. */
void rep_run_warn_cut(const rep_run *run, const char *cmd)
{
    if (run->cut_line)
        fprintf(stderr, "retrylab %s: warning: %s/trace.jsonl:%zu: last line cut off; ignored\n",
                cmd, run->dir, run->cut_line);
}
