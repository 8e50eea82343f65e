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

/* The rendered ,"provider":..,"model":..,"key":.. part of a line, with the
 * strings it was rendered from. Why: nearly every line names one of a few
 * candidate/key pairs, and comparing three short strings costs a fraction of
 * escaping them again. Only key ids are kept here, never key values. */
#define WHO_MEMOS 8
#define WHO_MEMO_STR 64
typedef struct who_memo {
    bool used, has_provider, has_model, has_key;
    char provider[WHO_MEMO_STR], model[WHO_MEMO_STR], key[CM_KEYID_LEN];
    uint16_t len;
    char text[3 * WHO_MEMO_STR + 64];
} who_memo;

struct rl_trace {
    int fd;
    bool failed;
    bool flush_on_done;
    uint64_t lines;
    size_t len;
    unsigned memo_next; /* the memo to replace next (round robin) */
    who_memo memo[WHO_MEMOS];
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
    tr->memo_next = 0;
    for (size_t i = 0; i < WHO_MEMOS; i++)
        tr->memo[i].used = false;
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

void rl_trace_reply_of(rl_trace_reply *r, const rl_outcome *o, const rl_action *a)
{
    rl_trace_reply_init(r);
    r->status = o->status;
    r->error = rl_transport_error_name(o->error);
    r->latency = o->latency;
    const rl_signals *g = &a->signals;
    if (g->has_retry_after)
        r->retry_after = g->retry_after;
    r->retry_after_note = g->retry_after_note;
    r->limit = g->limit_requests;
    r->remaining = g->remaining_requests;
    r->reset = g->reset_requests;
    r->limit_tokens = g->limit_tokens;
    r->remaining_tokens = g->remaining_tokens;
    r->reset_tokens = g->reset_tokens;
    r->tier = a->tier;
}

/* ---- appending (callers made room: see LINE_RESERVE) ---- */

/* Inlined everywhere so that the many fixed-size pieces (keys, literals)
 * become plain stores instead of memcpy calls: a trace line has dozens. */
#define TRACE_INLINE static inline __attribute__((always_inline))

TRACE_INLINE void put(rl_trace *tr, const char *s, size_t n)
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

/* "00".."99": numbers are written two digits per division, since every
 * trace line carries several of them. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Decimal digits of v. */
static size_t count_digits(uint64_t v)
{
    size_t n = 1;
    for (; v >= 100; v /= 100)
        n += 2;
    return n + (v >= 10);
}

/* Writes v straight into the buffer, last digits first. */
static void put_u64(rl_trace *tr, uint64_t v)
{
    size_t n = count_digits(v);
    if (n > OUT_CAP - tr->len)
        return; /* cannot happen with the reserve; never overrun */
    char *end = tr->buf + tr->len + n;
    tr->len += n;
    while (v >= 100) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(end - 2, digit_pairs + 2 * v, 2);
    else
        end[-1] = (char)('0' + v);
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
    memcpy(frac + 1, digit_pairs + 2 * (f / 10000), 2);
    memcpy(frac + 3, digit_pairs + 2 * (f / 100 % 100), 2);
    memcpy(frac + 5, digit_pairs + 2 * (f % 100), 2);
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

TRACE_INLINE void put_key(rl_trace *tr, const char *key, size_t klen)
{
    put(tr, key, klen);
}

TRACE_INLINE void field_str(rl_trace *tr, const char *key, size_t klen, const char *v)
{
    if (!v)
        return;
    put(tr, key, klen);
    put_str(tr, v);
}

TRACE_INLINE void field_int(rl_trace *tr, const char *key, size_t klen, int64_t v)
{
    put(tr, key, klen);
    put_i64(tr, v);
}

TRACE_INLINE void field_secs(rl_trace *tr, const char *key, size_t klen, cm_us v)
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

/* The provider, model and key fields as they have always been written. */
static void put_names(rl_trace *tr, const rl_trace_who *who)
{
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

/* Whether optional string s (NULL = absent) equals the memo's copy. */
static bool memo_same(bool has, const char *copy, const char *s)
{
    return s ? has && strcmp(copy, s) == 0 : !has;
}

/* Whether s fits a memo slot of `size` bytes (NULL fits). */
static bool memo_fits(const char *s, size_t size)
{
    return !s || strnlen(s, size) < size;
}

static who_memo *memo_find(rl_trace *tr, const rl_trace_who *who)
{
    for (size_t i = 0; i < WHO_MEMOS; i++) {
        who_memo *m = &tr->memo[i];
        if (m->used && memo_same(m->has_key, m->key, who->key_id) &&
            memo_same(m->has_model, m->model, who->model) &&
            memo_same(m->has_provider, m->provider, who->provider))
            return m;
    }
    return NULL;
}

/* Keeps the names just written at buf[from..len) for the next lines. */
static void memo_store(rl_trace *tr, const rl_trace_who *who, size_t from)
{
    size_t n = tr->len - from;
    if (n > sizeof tr->memo[0].text || !memo_fits(who->provider, WHO_MEMO_STR) ||
        !memo_fits(who->model, WHO_MEMO_STR) || (who->key_id && !is_key_id(who->key_id)))
        return;
    who_memo *m = &tr->memo[tr->memo_next];
    tr->memo_next = (tr->memo_next + 1) % WHO_MEMOS;
    m->used = true;
    m->has_provider = who->provider != NULL;
    m->has_model = who->model != NULL;
    m->has_key = who->key_id != NULL;
    snprintf(m->provider, sizeof m->provider, "%s", who->provider ? who->provider : "");
    snprintf(m->model, sizeof m->model, "%s", who->model ? who->model : "");
    snprintf(m->key, sizeof m->key, "%s", who->key_id ? who->key_id : "");
    memcpy(m->text, tr->buf + from, n);
    m->len = (uint16_t)n;
}

static void put_who(rl_trace *tr, const rl_trace_who *who)
{
    field_int(tr, KEY("task"), who->task);
    field_int(tr, KEY("attempt"), who->attempt);
    const who_memo *m = memo_find(tr, who);
    if (m) {
        put(tr, m->text, m->len);
        return;
    }
    size_t from = tr->len;
    put_names(tr, who);
    memo_store(tr, who, from);
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
