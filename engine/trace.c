/* trace.c: the trace writer: JSON lines built by hand into one buffer (no
 * allocation per event) and written out at line boundaries only. */
#include "engine/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (256u * 1024u)
/* Room left before each event: larger than any line (strings are cut at
 * STR_MAX bytes, at most 6 escaped bytes each, at most 8 strings a line). */
#define LINE_RESERVE (64u * 1024u)
#define STR_MAX 1024u

struct rl_trace {
    int fd;
    bool failed;
    bool flush_on_done;
    uint64_t lines;
    size_t len;
    char buf[OUT_CAP];
};

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int rl_trace_flush(rl_trace *tr)
{
    if (tr->len > 0 && !tr->failed && write_all(tr->fd, tr->buf, tr->len) != 0)
        tr->failed = true;
    tr->len = 0;
    return tr->failed ? -1 : 0;
}

int rl_trace_open(const char *path, rl_trace **out, cm_err *err)
{
    rl_trace *tr = malloc(sizeof *tr);
    if (!tr) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot create: out of memory", path);
        return -1;
    }
    tr->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (tr->fd < 0) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot create: %s", path, strerror(errno));
        free(tr);
        return -1;
    }
    tr->failed = false;
    tr->flush_on_done = false;
    tr->lines = 0;
    tr->len = 0;
    *out = tr;
    return 0;
}

int rl_trace_close(rl_trace *tr)
{
    if (!tr)
        return 0;
    int rc = rl_trace_flush(tr);
    if (close(tr->fd) != 0)
        rc = -1;
    free(tr);
    return rc;
}

void rl_trace_set_flush_on_done(rl_trace *tr, bool on)
{
    tr->flush_on_done = on;
}

uint64_t rl_trace_lines(const rl_trace *tr)
{
    return tr->lines;
}

int rl_trace_digest_file(const char *path, char out[RL_DIGEST_LEN])
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        snprintf(out, RL_DIGEST_LEN, "unreadable");
        return -1;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        for (size_t i = 0; i < n; i++)
            h = (h ^ chunk[i]) * 0x100000001b3ULL;
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(out, RL_DIGEST_LEN, "unreadable");
        return -1;
    }
    snprintf(out, RL_DIGEST_LEN, "fnv1a64:%016llx", (unsigned long long)h);
    return 0;
}

void rl_trace_reply_init(rl_trace_reply *r)
{
    memset(r, 0, sizeof *r);
    r->latency = -1;
    r->retry_after = -1;
    r->limit = r->remaining = r->limit_tokens = r->remaining_tokens = -1;
    r->reset = r->reset_tokens = -1;
}

/* ---- appending (callers made room: see LINE_RESERVE) ---- */

static void put(rl_trace *tr, const char *s, size_t n)
{
    if (n > OUT_CAP - tr->len)
        n = OUT_CAP - tr->len; /* cannot happen with the reserve; never overrun */
    memcpy(tr->buf + tr->len, s, n);
    tr->len += n;
}

static void put_lit(rl_trace *tr, const char *s)
{
    put(tr, s, strlen(s));
}

static void put_u64(rl_trace *tr, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(tr, tmp + i, sizeof tmp - i);
}

static void put_i64(rl_trace *tr, int64_t v)
{
    if (v < 0) {
        put(tr, "-", 1);
        put_u64(tr, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(tr, (uint64_t)v);
    }
}

/* Microseconds as seconds with exactly six decimals: exact and byte-stable. */
static void put_secs(rl_trace *tr, cm_us us)
{
    uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    if (us < 0)
        put(tr, "-", 1);
    put_u64(tr, a / 1000000u);
    char frac[7];
    uint64_t f = a % 1000000u;
    frac[0] = '.';
    for (int i = 6; i >= 1; i--) {
        frac[i] = (char)('0' + f % 10);
        f /= 10;
    }
    put(tr, frac, 7);
}

static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
}

/* A JSON string: runs of plain bytes are copied at once, the rest escaped. */
static void put_str(rl_trace *tr, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *stop = p + strnlen(s, STR_MAX);
    put(tr, "\"", 1);
    while (p < stop) {
        const unsigned char *run = p;
        while (p < stop && plain_byte(*p))
            p++;
        put(tr, (const char *)run, (size_t)(p - run));
        if (p == stop)
            break;
        unsigned char c = *p++;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(tr, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(tr, e, 6);
        }
    }
    put(tr, "\"", 1);
}

/* ,"name": as a literal and its length, so no key is measured at run time. */
#define KEY(name) ",\"" name "\":", sizeof(",\"" name "\":") - 1

static void put_key(rl_trace *tr, const char *key, size_t klen)
{
    put(tr, key, klen);
}

static void field_str(rl_trace *tr, const char *key, size_t klen, const char *v)
{
    if (!v)
        return;
    put(tr, key, klen);
    put_str(tr, v);
}

static void field_int(rl_trace *tr, const char *key, size_t klen, int64_t v)
{
    put(tr, key, klen);
    put_i64(tr, v);
}

static void field_secs(rl_trace *tr, const char *key, size_t klen, cm_us v)
{
    put(tr, key, klen);
    put_secs(tr, v);
}

static void begin(rl_trace *tr, cm_us t, const char *event)
{
    if (OUT_CAP - tr->len < LINE_RESERVE)
        rl_trace_flush(tr);
    put(tr, "{\"t\":", sizeof "{\"t\":" - 1);
    put_secs(tr, t);
    put(tr, ",\"event\":\"", sizeof ",\"event\":\"" - 1);
    put_lit(tr, event);
    put(tr, "\"", 1);
}

static void end(rl_trace *tr)
{
    put(tr, "}\n", 2);
    tr->lines++;
}

/* ---- events ---- */

/* Whether s is already a key id ("k-" and 8 lower-case hex digits, or
 * "k-none"), so that it can be written as is. */
static bool is_key_id(const char *s)
{
    if (s[0] != 'k' || s[1] != '-')
        return false;
    int i = 2;
    while (i < CM_KEYID_LEN - 1 && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
        i++;
    if (i == CM_KEYID_LEN - 1 && s[i] == '\0')
        return true;
    return strcmp(s, "k-none") == 0;
}

static void put_who(rl_trace *tr, const rl_trace_who *who)
{
    field_int(tr, KEY("task"), who->task);
    field_int(tr, KEY("attempt"), who->attempt);
    field_str(tr, KEY("provider"), who->provider);
    field_str(tr, KEY("model"), who->model);
    if (!who->key_id)
        return;
    if (is_key_id(who->key_id)) {
        field_str(tr, KEY("key"), who->key_id);
    } else {
        char id[CM_KEYID_LEN];
        cm_keyid(who->key_id, id);
        field_str(tr, KEY("key"), id);
    }
}

static void put_double(rl_trace *tr, const char *key, size_t klen, double v)
{
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.17g", v);
    if (n <= 0 || (size_t)n >= sizeof tmp || v != v || v - v != 0)
        return; /* non-finite numbers are not JSON: leave the field out */
    put(tr, key, klen);
    put(tr, tmp, (size_t)n);
}

void rl_trace_start(rl_trace *tr, const rl_trace_start_info *info)
{
    begin(tr, 0, "start");
    field_str(tr, KEY("format"), "retrylab-trace/1");
    field_str(tr, KEY("scenario"), info->scenario);
    field_str(tr, KEY("scenario_name"), info->scenario_name);
    field_str(tr, KEY("policy"), info->policy);
    field_str(tr, KEY("policy_name"), info->policy_name);
    put_key(tr, KEY("seed"));
    put_u64(tr, info->seed);
    field_str(tr, KEY("mode"), info->mode);
    put_double(tr, KEY("time_scale"), info->time_scale);
    field_str(tr, KEY("target"), info->target);
    put_key(tr, KEY("digests"));
    put(tr, "{\"scenario\":", sizeof "{\"scenario\":" - 1);
    put_str(tr, info->scenario_digest ? info->scenario_digest : "none");
    put(tr, ",\"policy\":", sizeof ",\"policy\":" - 1);
    put_str(tr, info->policy_digest ? info->policy_digest : "none");
    put(tr, "}", 1);
    put_key(tr, KEY("tasks"));
    put_u64(tr, info->tasks);
    end(tr);
}

void rl_trace_send(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us timeout)
{
    begin(tr, t, "send");
    put_who(tr, who);
    if (timeout > 0)
        field_secs(tr, KEY("timeout"), timeout);
    end(tr);
}

static void put_limits(rl_trace *tr, const rl_trace_reply *r)
{
    if (r->limit >= 0)
        field_int(tr, KEY("limit"), r->limit);
    if (r->remaining >= 0)
        field_int(tr, KEY("remaining"), r->remaining);
    if (r->reset >= 0)
        field_secs(tr, KEY("reset"), r->reset);
    if (r->limit_tokens >= 0)
        field_int(tr, KEY("limit_tokens"), r->limit_tokens);
    if (r->remaining_tokens >= 0)
        field_int(tr, KEY("remaining_tokens"), r->remaining_tokens);
    if (r->reset_tokens >= 0)
        field_secs(tr, KEY("reset_tokens"), r->reset_tokens);
}

void rl_trace_response(rl_trace *tr, cm_us t, const rl_trace_who *who,
                       const rl_trace_reply *r)
{
    begin(tr, t, "response");
    put_who(tr, who);
    field_int(tr, KEY("status"), r->status);
    if (r->error && strcmp(r->error, "none") != 0)
        field_str(tr, KEY("error"), r->error);
    if (r->latency >= 0)
        field_secs(tr, KEY("latency"), r->latency);
    if (r->retry_after >= 0)
        field_secs(tr, KEY("retry_after"), r->retry_after);
    field_str(tr, KEY("retry_after_note"), r->retry_after_note);
    put_limits(tr, r);
    field_str(tr, KEY("tier"), r->tier);
    end(tr);
}

void rl_trace_wait(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us delay, cm_us observed,
                   const char *reason, const char *note)
{
    begin(tr, t, "wait");
    put_who(tr, who);
    field_secs(tr, KEY("delay"), delay);
    if (observed >= 0)
        field_secs(tr, KEY("observed"), observed);
    field_str(tr, KEY("reason"), reason ? reason : "backoff");
    if (note && *note)
        field_str(tr, KEY("note"), note);
    end(tr);
}

void rl_trace_done(rl_trace *tr, cm_us t, uint32_t task, uint32_t attempts, bool success,
                   cm_us total_wait, const char *message)
{
    begin(tr, t, "done");
    field_int(tr, KEY("task"), task);
    field_int(tr, KEY("attempt"), attempts);
    field_str(tr, KEY("outcome"), success ? "success" : "failure");
    field_int(tr, KEY("attempts"), attempts);
    field_secs(tr, KEY("total_wait"), total_wait);
    if (message && *message)
        field_str(tr, KEY("message"), message);
    else if (!success)
        field_str(tr, KEY("message"), "the request failed");
    end(tr);
}
