/* trace.c: the trace writer: JSON lines built by hand into one buffer (no
 * allocation per event) and written out at line boundaries only. */
#include "engine/driver/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define OUT_CAP (256u * 1024u)
/* Room left before each event: larger than any line (strings are cut at
 * STR_MAX bytes, at most 6 escaped bytes each, at most 9 strings a line,
 * the start event's). */
#define LINE_RESERVE (128u * 1024u)
#define STR_MAX 1024u
/* Evidence strings (rl_trace_evidence) are cut shorter: a response carries
 * up to 4 + 2 x RL_EVIDENCE_MAX_HEADERS of them. */
#define EV_STR_MAX 128u
_Static_assert(9 * (6 * STR_MAX + 2) + (4 + 2 * RL_EVIDENCE_MAX_HEADERS) * (6 * EV_STR_MAX + 8) +
                       1024 <
                   LINE_RESERVE,
               "a line fits the reserve");

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

#define X(name, text) +1
enum { WAIT_REASONS = 0 RL_WAIT_REASONS(X) };
#undef X
#define REASON_TEXT 48

/* The same part for callers that number their name sets (who->names_id). */
#define NAME_SLOTS_LOG2 4
typedef struct names_slot {
    uint32_t id; /* 0: empty */
    uint16_t len;
    char text[3 * WHO_MEMO_STR + 64];
} names_slot;

struct rl_trace {
    int fd;
    bool failed;
    int failed_errno; /* why the first failed write failed */
    rl_trace_level level;
    uint64_t bytes;   /* written to the file so far */
    uint64_t warn_at; /* rl_trace_warn_due's threshold; 0 after it said so, or none */
    bool t_valid;     /* t_text holds the start of a line at scenario time t_at */
    uint8_t t_len;
    cm_us t_at;
    char t_text[64]; /* {"t":SECS,"event":" */
    uint64_t lines;
    size_t len;
    unsigned memo_next; /* the memo to replace next (round robin) */
    who_memo memo[WHO_MEMOS];
    names_slot slots[1u << NAME_SLOTS_LOG2];
    /* The last response line's part after the names, with the numbers it was
     * rendered from (kept only for replies without strings: no transport
     * error, note or tier). Why: the 429s of one moment repeat it exactly. */
    bool tail_valid;
    uint16_t tail_len;
    rl_trace_reply tail_of;
    char tail_text[320];
    /* ,"reason":"NAME" of each rl_wait_reason_name(), rendered at open: a
     * reason given as one of those very pointers (string literals, so their
     * text is fixed) is copied, not escaped again. */
    const char *reason_name[WAIT_REASONS];
    uint8_t reason_len[WAIT_REASONS];
    char reason_text[WAIT_REASONS][REASON_TEXT];
    char buf[OUT_CAP];
};

static const char *const level_names[] = {"none", "summary", "full", NULL};

/* Writes all n bytes: 0, or the errno of the failure. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int rl_trace_flush(rl_trace *tr)
{
    if (tr->len > 0 && !tr->failed && (tr->failed_errno = write_all(tr->fd, tr->buf, tr->len)))
        tr->failed = true;
    tr->bytes += tr->len;
    tr->len = 0;
    return tr->failed ? -1 : 0;
}

static void render_reasons(rl_trace *tr);

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
    tr->failed_errno = 0;
    tr->level = RL_TRACE_FULL;
    tr->bytes = 0;
    tr->warn_at = 0;
    tr->lines = 0;
    tr->len = 0;
    tr->memo_next = 0;
    for (size_t i = 0; i < WHO_MEMOS; i++)
        tr->memo[i].used = false;
    tr->t_valid = false;
    tr->tail_valid = false;
    for (size_t i = 0; i < (1u << NAME_SLOTS_LOG2); i++)
        tr->slots[i].id = 0;
    render_reasons(tr);
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

int rl_trace_failed(const rl_trace *tr)
{
    return tr->failed ? tr->failed_errno : 0;
}

uint64_t rl_trace_lines(const rl_trace *tr)
{
    return tr->lines;
}

uint64_t rl_trace_bytes(const rl_trace *tr)
{
    return tr->bytes + tr->len;
}

void rl_trace_set_warn(rl_trace *tr, uint64_t bytes)
{
    tr->warn_at = bytes;
}

uint64_t rl_trace_warn_due(rl_trace *tr)
{
    uint64_t at = tr->warn_at;
    if (!at || tr->bytes + tr->len < at)
        return 0;
    tr->warn_at = 0;
    return at;
}

void rl_trace_set_level(rl_trace *tr, rl_trace_level level)
{
    tr->level = level;
}

int rl_trace_level_parse(const char *name, rl_trace_level *out)
{
    for (int i = 0; level_names[i]; i++)
        if (strcmp(name, level_names[i]) == 0) {
            *out = (rl_trace_level)i;
            return 0;
        }
    return -1;
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

/* Request id headers, in the order they are preferred: OpenAI and Groq
 * (openai-node src/core/error.ts reads x-request-id), Anthropic
 * (docs.claude.com/en/api/errors: request-id), AWS Bedrock
 * (x-amzn-requestid), OpenRouter (X-Generation-Id,
 * OpenRouterTeam/docs api_reference/streaming.mdx), Cloudflare in front of
 * many providers (cf-ray). */
static const char *const request_id_names[] = {"x-request-id", "request-id", "x-amzn-requestid",
                                               "x-generation-id", "cf-ray"};

static bool rate_like(const char *name)
{
    static const char *const parts[] = {"ratelimit", "rate-limit", "retry", "quota", "throttl"};
    char low[64];
    size_t n = strnlen(name, sizeof low - 1);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strstr(low, parts[i]))
            return true;
    return false;
}

size_t rl_trace_evidence_headers(const rl_header *in, size_t n, rl_header *out, size_t max,
                                 const char **request_id)
{
    size_t k = 0, best = sizeof request_id_names / sizeof request_id_names[0];
    *request_id = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!in[i].name || !in[i].value)
            continue;
        for (size_t j = 0; j < best; j++)
            if (strcasecmp(in[i].name, request_id_names[j]) == 0) {
                *request_id = in[i].value;
                best = j;
            }
        if (k < max && rate_like(in[i].name) && !rl_header_known(in[i].name))
            out[k++] = in[i];
    }
    return k;
}

void rl_trace_reply_init(rl_trace_reply *r)
{
    memset(r, 0, sizeof *r);
    r->latency = -1;
    r->retry_after = -1;
    r->limit = r->remaining = r->limit_tokens = r->remaining_tokens = -1;
    r->reset = r->reset_tokens = -1;
    r->ttft = -1;
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
    if (o->stream != RL_STREAM_NONE) {
        r->stream = rl_stream_end_name(o->stream);
        r->tokens = o->tokens;
        r->ttft = o->ttft;
        r->stream_error = o->stream_error;
    }
}

/* ---- appending ----
 * Every line starts with at least LINE_RESERVE bytes free (begin), more than
 * any line takes, so the writers below store through a cursor without
 * checking room, and some store a few bytes more than they keep (fixed-size
 * copies that the compiler turns into plain moves). Each returns the cursor
 * after what it wrote. */

#define TRACE_INLINE static inline __attribute__((always_inline))

TRACE_INLINE char *put_bytes(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* Copies string literal s to p (its size known when compiled); the end. */
#define PUT_LIT(p, s) put_bytes((p), (s), sizeof(s) - 1)

/* ,"name": as a literal, so no key is measured at run time. */
#define KEY(name) ",\"" name "\":"

/* "00".."99": numbers are written two digits at a time. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

TRACE_INLINE char *put_pair(char *p, uint32_t v)
{
    memcpy(p, digit_pairs + 2 * v, 2);
    return p + 2;
}

/* Decimal digits of v. */
static size_t count_digits(uint64_t v)
{
    size_t n = 1;
    for (; v >= 100; v /= 100)
        n += 2;
    return n + (v >= 10);
}

/* Any v: its digits from the end, two per division. */
static char *put_u64_long(char *p, uint64_t v)
{
    char *stop = p + count_digits(v), *end = stop;
    while (v >= 100) {
        end -= 2;
        put_pair(end, (uint32_t)(v % 100));
        v /= 100;
    }
    if (v >= 10)
        put_pair(end - 2, (uint32_t)v);
    else
        end[-1] = (char)('0' + v);
    return stop;
}

/* v in decimal; under 10,000 (tasks, attempts, statuses, seconds, limits:
 * nearly every number of a trace) without a loop. */
TRACE_INLINE char *put_u64(char *p, uint64_t v)
{
    if (v < 100) {
        if (v < 10) {
            *p = (char)('0' + v);
            return p + 1;
        }
        return put_pair(p, (uint32_t)v);
    }
    if (v >= 10000)
        return put_u64_long(p, v);
    uint32_t hi = (uint32_t)v / 100;
    if (hi < 10)
        *p++ = (char)('0' + hi);
    else
        p = put_pair(p, hi);
    return put_pair(p, (uint32_t)v % 100);
}

static char *put_i64(char *p, int64_t v)
{
    if (v >= 0)
        return put_u64(p, (uint64_t)v);
    *p++ = '-';
    return put_u64(p, (uint64_t)0 - (uint64_t)v);
}

/* Microseconds as seconds with exactly six decimals: exact and byte-stable. */
static char *put_secs(char *p, cm_us us)
{
    uint64_t a = (uint64_t)us;
    if (us < 0) {
        *p++ = '-';
        a = (uint64_t)0 - a;
    }
    uint64_t whole = a / 1000000u;
    uint32_t f = (uint32_t)(a - whole * 1000000u);
    p = put_u64(p, whole);
    memcpy(p, ".000000", 8); /* 7 kept; whole seconds are common */
    if (f != 0) {
        put_pair(p + 1, f / 10000);
        put_pair(p + 3, f / 100 % 100);
        put_pair(p + 5, f % 100);
    }
    return p + 7;
}

static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
}

/* A JSON string (cut at STR_MAX bytes, never inside a UTF-8 sequence): runs
 * of plain bytes are copied at once, the rest escaped. */
static char *put_str(char *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *q = (const unsigned char *)s;
    size_t n = strnlen(s, STR_MAX);
    bool cut = n == STR_MAX && s[n];
    while (cut && n > 0 && (q[n] & 0xC0) == 0x80) /* q[n]: the first byte left out */
        n--;
    const unsigned char *stop = q + n;
    *p++ = '"';
    while (q < stop) {
        const unsigned char *run = q;
        while (q < stop && plain_byte(*q))
            q++;
        memcpy(p, run, (size_t)(q - run));
        p += q - run;
        if (q == stop)
            break;
        unsigned char c = *q++;
        if (c == '"' || c == '\\') {
            p[0] = '\\';
            p[1] = (char)c;
            p += 2;
        } else {
            p = PUT_LIT(p, "\\u00");
            p[0] = hex[c >> 4];
            p[1] = hex[c & 15];
            p += 2;
        }
    }
    *p++ = '"';
    return p;
}

/* Makes room for a line and writes {"t":SECS,"event":" (the caller adds the
 * event's name and closing quote). The part up to the event is kept for the
 * next line, since runs of lines share one scenario time. */
static char *begin(rl_trace *tr, cm_us t)
{
    if (OUT_CAP - tr->len < LINE_RESERVE)
        rl_trace_flush(tr);
    if (!tr->t_valid || t != tr->t_at) {
        char *e = put_secs(PUT_LIT(tr->t_text, "{\"t\":"), t);
        e = PUT_LIT(e, ",\"event\":\"");
        tr->t_len = (uint8_t)(e - tr->t_text);
        tr->t_at = t;
        tr->t_valid = true;
    }
    char *p = tr->buf + tr->len;
    memcpy(p, tr->t_text, sizeof tr->t_text);
    return p + tr->t_len;
}

static void end(rl_trace *tr, char *p)
{
    p = PUT_LIT(p, "}\n");
    tr->len = (size_t)(p - tr->buf);
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

/* The provider, model and key fields: ,"provider":P,"model":M,"key":K (each when set). */
static char *put_names(char *p, const rl_trace_who *who)
{
    if (who->provider)
        p = put_str(PUT_LIT(p, KEY("provider")), who->provider);
    if (who->model)
        p = put_str(PUT_LIT(p, KEY("model")), who->model);
    if (!who->key_id)
        return p;
    p = PUT_LIT(p, KEY("key"));
    if (is_key_id(who->key_id))
        return put_str(p, who->key_id);
    char id[CM_KEYID_LEN];
    cm_keyid(who->key_id, id);
    return put_str(p, id);
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

/* Keeps the names just written (text, n bytes) for the next lines. */
static void memo_store(rl_trace *tr, const rl_trace_who *who, const char *text, size_t n)
{
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
    memcpy(m->text, text, n);
    m->len = (uint16_t)n;
}

/* The names of a caller that numbers them (who->names_id): one slot per id,
 * found by a hash of it, no string compared. */
static char *put_names_by_id(rl_trace *tr, char *p, const rl_trace_who *who)
{
    names_slot *sl = &tr->slots[(who->names_id * 2654435761u) >> (32 - NAME_SLOTS_LOG2)];
    if (sl->id == who->names_id) {
        if (sl->len <= 128)
            memcpy(p, sl->text, 128); /* a fixed size: plain moves, no call */
        else
            memcpy(p, sl->text, sl->len);
        return p + sl->len;
    }
    char *e = put_names(p, who);
    size_t n = (size_t)(e - p);
    if (n <= sizeof sl->text) {
        sl->id = who->names_id;
        sl->len = (uint16_t)n;
        memcpy(sl->text, p, n);
    }
    return e;
}

static char *put_who(rl_trace *tr, char *p, const rl_trace_who *who)
{
    p = put_u64(PUT_LIT(p, KEY("task")), who->task);
    p = put_u64(PUT_LIT(p, KEY("attempt")), who->attempt);
    if (!who->provider && !who->model && !who->key_id)
        return p;
    if (who->names_id != 0)
        return put_names_by_id(tr, p, who);
    const who_memo *m = memo_find(tr, who);
    if (m) {
        memcpy(p, m->text, m->len);
        return p + m->len;
    }
    char *e = put_names(p, who);
    memo_store(tr, who, p, (size_t)(e - p));
    return e;
}

static char *put_double(char *p, const char *key, double v)
{
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.17g", v);
    if (n <= 0 || (size_t)n >= sizeof tmp || v != v || v - v != 0)
        return p; /* non-finite numbers are not JSON: leave the field out */
    size_t k = strlen(key);
    memcpy(p, key, k);
    memcpy(p + k, tmp, (size_t)n);
    return p + k + (size_t)n;
}

/* ,"key":"v" when v is not NULL. */
static char *put_opt_str(char *p, const char *key, size_t klen, const char *v)
{
    if (!v)
        return p;
    memcpy(p, key, klen);
    return put_str(p + klen, v);
}
#define OPT_STR(p, name, v) put_opt_str((p), KEY(name), sizeof(KEY(name)) - 1, (v))

void rl_trace_start(rl_trace *tr, const rl_trace_start_info *info)
{
    char *p = PUT_LIT(begin(tr, 0), "start\"");
    p = OPT_STR(p, "format", "retrylab-trace/1");
    p = OPT_STR(p, "scenario", info->scenario);
    p = OPT_STR(p, "scenario_name", info->scenario_name);
    p = OPT_STR(p, "policy", info->policy);
    p = OPT_STR(p, "policy_name", info->policy_name);
    p = put_u64(PUT_LIT(p, KEY("seed")), info->seed);
    p = OPT_STR(p, "mode", info->mode);
    p = put_double(p, KEY("time_scale"), info->time_scale);
    p = OPT_STR(p, "target", info->target);
    p = OPT_STR(p, "cwd", info->cwd);
    p = PUT_LIT(p, KEY("digests") "{\"scenario\":");
    p = put_str(p, info->scenario_digest ? info->scenario_digest : "none");
    p = PUT_LIT(p, ",\"policy\":");
    p = put_str(p, info->policy_digest ? info->policy_digest : "none");
    p = put_u64(PUT_LIT(p, "}" KEY("tasks")), info->tasks);
    if (tr->level != RL_TRACE_FULL) /* a reader learns which events it will not find */
        p = put_str(PUT_LIT(p, KEY("trace")), level_names[tr->level]);
    end(tr, p);
}

void rl_trace_send(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us timeout)
{
    if (tr->level < RL_TRACE_FULL)
        return;
    char *p = put_who(tr, PUT_LIT(begin(tr, t), "send\""), who);
    if (timeout > 0)
        p = put_secs(PUT_LIT(p, KEY("timeout")), timeout);
    end(tr, p);
}

static char *put_limits(char *p, const rl_trace_reply *r)
{
    if (r->limit >= 0)
        p = put_u64(PUT_LIT(p, KEY("limit")), (uint64_t)r->limit);
    if (r->remaining >= 0)
        p = put_u64(PUT_LIT(p, KEY("remaining")), (uint64_t)r->remaining);
    if (r->reset >= 0)
        p = put_secs(PUT_LIT(p, KEY("reset")), r->reset);
    if (r->limit_tokens >= 0)
        p = put_u64(PUT_LIT(p, KEY("limit_tokens")), (uint64_t)r->limit_tokens);
    if (r->remaining_tokens >= 0)
        p = put_u64(PUT_LIT(p, KEY("remaining_tokens")), (uint64_t)r->remaining_tokens);
    if (r->reset_tokens >= 0)
        p = put_secs(PUT_LIT(p, KEY("reset_tokens")), r->reset_tokens);
    return p;
}

/* Whether a transport error name says there was none. */
static bool no_error(const char *e)
{
    return !e || (e[0] == 'n' && e[1] == 'o' && e[2] == 'n' && e[3] == 'e' && e[4] == '\0');
}

/* s cut to EV_STR_MAX bytes (at a character boundary), as a JSON string. */
static char *put_ev_str(char *p, const char *s)
{
    char cut[EV_STR_MAX + 1];
    size_t n = strnlen(s, EV_STR_MAX + 1);
    if (n > EV_STR_MAX) {
        n = EV_STR_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        memcpy(cut, s, n);
        cut[n] = '\0';
        s = cut;
    }
    return put_str(p, s);
}

/* ,"key":"v" (cut to EV_STR_MAX) when v is not NULL. */
#define EV_STR(p, name, v) ((v) ? put_ev_str(PUT_LIT((p), KEY(name)), (v)) : (p))

/* The evidence members of a response line (trace.h). */
static char *put_evidence(char *p, const rl_trace_evidence *ev)
{
    p = EV_STR(p, "error_type", ev->error_type);
    p = EV_STR(p, "error_code", ev->error_code);
    p = EV_STR(p, "request_id", ev->request_id);
    p = EV_STR(p, "group", ev->group);
    size_t n = ev->nheaders < RL_EVIDENCE_MAX_HEADERS ? ev->nheaders : RL_EVIDENCE_MAX_HEADERS;
    if (n == 0 || !ev->headers)
        return p;
    p = PUT_LIT(p, KEY("headers") "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        p = put_ev_str(p, ev->headers[i].name ? ev->headers[i].name : "");
        *p++ = ':';
        p = put_ev_str(p, ev->headers[i].value ? ev->headers[i].value : "");
    }
    *p++ = '}';
    return p;
}

/* Everything of a response line after the names. */
static char *put_reply(char *p, const rl_trace_reply *r)
{
    p = put_i64(PUT_LIT(p, KEY("status")), r->status);
    if (!no_error(r->error))
        p = put_str(PUT_LIT(p, KEY("error")), r->error);
    if (r->latency >= 0)
        p = put_secs(PUT_LIT(p, KEY("latency")), r->latency);
    if (r->retry_after >= 0)
        p = put_secs(PUT_LIT(p, KEY("retry_after")), r->retry_after);
    p = OPT_STR(p, "retry_after_note", r->retry_after_note);
    p = put_limits(p, r);
    p = OPT_STR(p, "tier", r->tier);
    if (r->evidence)
        p = put_evidence(p, r->evidence);
    if (!r->stream)
        return p;
    p = put_str(PUT_LIT(p, KEY("stream")), r->stream);
    p = put_i64(PUT_LIT(p, KEY("tokens")), r->tokens);
    if (r->ttft >= 0)
        p = put_secs(PUT_LIT(p, KEY("ttft")), r->ttft);
    return OPT_STR(p, "stream_error", r->stream_error && *r->stream_error ? r->stream_error : NULL);
}

/* Whether two replies without strings render the same (the numbers only). */
static bool same_numbers(const rl_trace_reply *a, const rl_trace_reply *b)
{
    return a->status == b->status && a->latency == b->latency && a->retry_after == b->retry_after &&
           a->limit == b->limit && a->remaining == b->remaining && a->reset == b->reset &&
           a->limit_tokens == b->limit_tokens && a->remaining_tokens == b->remaining_tokens &&
           a->reset_tokens == b->reset_tokens;
}

void rl_trace_response(rl_trace *tr, cm_us t, const rl_trace_who *who, const rl_trace_reply *r)
{
    if (tr->level < RL_TRACE_FULL)
        return;
    char *p = put_who(tr, PUT_LIT(begin(tr, t), "response\""), who);
    if (!no_error(r->error) || r->retry_after_note || r->tier || r->stream || r->evidence) {
        end(tr, put_reply(p, r));
        return;
    }
    if (tr->tail_valid && same_numbers(&tr->tail_of, r)) {
        if (tr->tail_len <= 128)
            memcpy(p, tr->tail_text, 128); /* a fixed size: plain moves, no call */
        else
            memcpy(p, tr->tail_text, tr->tail_len);
        end(tr, p + tr->tail_len);
        return;
    }
    char *e = put_reply(p, r);
    tr->tail_valid = (size_t)(e - p) <= sizeof tr->tail_text;
    if (tr->tail_valid) {
        tr->tail_of = *r;
        tr->tail_len = (uint16_t)(e - p);
        memcpy(tr->tail_text, p, tr->tail_len);
    }
    end(tr, e);
}

static void render_reasons(rl_trace *tr)
{
    for (int i = 0; i < WAIT_REASONS; i++) {
        tr->reason_name[i] = rl_wait_reason_name((rl_wait_reason)i);
        char *e = put_str(PUT_LIT(tr->reason_text[i], KEY("reason")), tr->reason_name[i]);
        tr->reason_len[i] = (uint8_t)(e - tr->reason_text[i]);
    }
}

/* ,"reason":"..." */
static char *put_reason(const rl_trace *tr, char *p, const char *reason)
{
    for (int i = 0; i < WAIT_REASONS; i++)
        if (reason == tr->reason_name[i]) {
            memcpy(p, tr->reason_text[i], REASON_TEXT);
            return p + tr->reason_len[i];
        }
    return put_str(PUT_LIT(p, KEY("reason")), reason);
}

void rl_trace_wait(rl_trace *tr, cm_us t, const rl_trace_who *who, cm_us delay, cm_us observed,
                   const char *reason, const char *note)
{
    if (tr->level < RL_TRACE_FULL)
        return;
    char *p = put_who(tr, PUT_LIT(begin(tr, t), "wait\""), who);
    p = put_secs(PUT_LIT(p, KEY("delay")), delay);
    if (observed >= 0)
        p = put_secs(PUT_LIT(p, KEY("observed")), observed);
    p = put_reason(tr, p, reason ? reason : "backoff");
    if (note && *note)
        p = put_str(PUT_LIT(p, KEY("note")), note);
    end(tr, p);
}

void rl_trace_done(rl_trace *tr, cm_us t, uint32_t task, uint32_t attempts, bool success,
                   cm_us total_wait, const char *message)
{
    if (tr->level < RL_TRACE_SUMMARY)
        return;
    char *p = put_u64(PUT_LIT(PUT_LIT(begin(tr, t), "done\""), KEY("task")), task);
    p = put_u64(PUT_LIT(p, KEY("attempt")), attempts);
    p = success ? PUT_LIT(p, KEY("outcome") "\"success\"")
                : PUT_LIT(p, KEY("outcome") "\"failure\"");
    p = put_u64(PUT_LIT(p, KEY("attempts")), attempts);
    p = put_secs(PUT_LIT(p, KEY("total_wait")), total_wait);
    if (message && *message)
        p = put_str(PUT_LIT(p, KEY("message")), message);
    else if (!success)
        p = PUT_LIT(p, KEY("message") "\"the request failed\"");
    end(tr, p);
}
