/* journal.c: the request journal: formatted JSON lines in a bounded ring. */
#include "mockserver/front/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attempt_id.h"
#include "common/keyid.h"
#include "mockserver/front/textbuf.h"

/* One kept entry: its line without the fate's members (they are added when
 * it is rendered or written), so closing an entry never reformats it. */
typedef struct journal_slot {
    char *open;   /* malloc'd, NUL-terminated; NULL when the slot is empty */
    size_t len;   /* bytes of open */
    uint64_t seq; /* the entry's number in its generation */
    uint8_t fate; /* mock_journal_fate */
} journal_slot;

struct mock_journal {
    journal_slot *slots;         /* ring of capacity slots */
    size_t capacity, head, kept; /* head = next slot to write */
    uint64_t gen;                /* clears so far */
    uint64_t total, dropped, lost, undelivered;
    FILE *file;
    const char *path;   /* names the file in the error message */
    uint64_t pending;   /* lines written to the file since its last good flush */
    uint64_t file_lost; /* lines the file lost, since the start (not cleared) */
    uint64_t all_total, all_dropped, all_lost, all_undelivered; /* since the start */
    bool file_reported; /* the first file error has been printed */
};

mock_journal *mock_journal_new(size_t capacity, FILE *file)
{
    if (capacity == 0)
        capacity = 1;
    mock_journal *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->slots = calloc(capacity, sizeof *j->slots);
    if (!j->slots) {
        free(j);
        return NULL;
    }
    j->capacity = capacity;
    j->file = file;
    return j;
}

void mock_journal_free(mock_journal *j)
{
    if (!j)
        return;
    mock_journal_clear(j);
    free(j->slots);
    free(j);
}

/* The members that end a line, per fate (the closing brace included). */
static const char *const fate_tail[MOCK_FATE_COUNT] = {
    [MOCK_FATE_DELIVERED] = ",\"delivered\":true,\"reason\":null}",
    [MOCK_FATE_PENDING] = ",\"delivered\":null,\"reason\":null}",
    [MOCK_FATE_CLIENT_CLOSED] = ",\"delivered\":false,\"reason\":\"client closed\"}",
    [MOCK_FATE_SEND_FAILED] = ",\"delivered\":false,\"reason\":\"send failed\"}",
    [MOCK_FATE_TIMEOUT] = ",\"delivered\":false,\"reason\":\"timeout\"}",
    [MOCK_FATE_SERVER_STOPPED] = ",\"delivered\":false,\"reason\":\"server stopped\"}",
    [MOCK_FATE_NO_MEMORY] = ",\"delivered\":false,\"reason\":\"out of memory\"}",
};

static const char *const fate_reason[MOCK_FATE_COUNT] = {
    [MOCK_FATE_CLIENT_CLOSED] = "client closed",
    [MOCK_FATE_SEND_FAILED] = "send failed",
    [MOCK_FATE_TIMEOUT] = "timeout",
    [MOCK_FATE_SERVER_STOPPED] = "server stopped",
    [MOCK_FATE_NO_MEMORY] = "out of memory",
};

static mock_journal_fate fate_ok(mock_journal_fate f)
{
    return (unsigned)f < MOCK_FATE_COUNT ? f : MOCK_FATE_SEND_FAILED;
}

const char *mock_journal_fate_reason(mock_journal_fate fate)
{
    return fate_reason[fate_ok(fate)];
}

static void format_headers(mock_buf *b, const mock_header *h, size_t n)
{
    mock_buf_puts(b, ",\"headers\":{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            mock_buf_puts(b, ",");
        mock_buf_json_key(b, h[i].name);
        mock_buf_json_str(b, h[i].value);
    }
    mock_buf_puts(b, "}");
}

uint64_t mock_journal_digest(const void *p, size_t n)
{
    const unsigned char *q = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ q[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

/* A request header value, cut to MOCK_JOURNAL_HEADER_VALUE_MAX bytes (at a
 * character boundary: mock_buf_json_str repairs what is not UTF-8). */
static void format_value(mock_buf *b, const char *v)
{
    char cut[MOCK_JOURNAL_HEADER_VALUE_MAX + 1];
    if (v && strlen(v) > MOCK_JOURNAL_HEADER_VALUE_MAX) {
        size_t n = MOCK_JOURNAL_HEADER_VALUE_MAX;
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            n--;
        memcpy(cut, v, n);
        cut[n] = '\0';
        v = cut;
    }
    mock_buf_json_str(b, v);
}

/* The members a grader groups attempts by (mockserver/README.md, journal). */
static void format_request(mock_buf *b, const mock_journal_entry *e)
{
    mock_buf_puts(b, ",\"endpoint\":");
    mock_buf_json_str(b, e->endpoint);
    mock_buf_puts(b, ",\"task\":");
    format_value(b, e->task_header);
    mock_buf_puts(b, ",\"idempotency_key\":");
    format_value(b, e->idempotency_key);
    mock_buf_puts(b, ",\"retry_count\":");
    if (e->has_retry_count)
        mock_buf_int(b, e->retry_count);
    else
        mock_buf_puts(b, "null");
    mock_buf_puts(b, ",\"body\":");
    char digest[32];
    if (e->body_digest)
        snprintf(digest, sizeof digest, "fnv1a64:%016llx", (unsigned long long)e->body_digest);
    mock_buf_json_str(b, e->body_digest ? digest : NULL);
    mock_buf_puts(b, ",\"error_type\":");
    mock_buf_json_str(b, e->error_type && *e->error_type ? e->error_type : NULL);
    mock_buf_puts(b, ",\"error_code\":");
    mock_buf_json_str(b, e->error_code && *e->error_code ? e->error_code : NULL);
}

static void format_entry(mock_buf *b, const mock_journal_entry *e)
{
    char kid[CM_KEYID_LEN];
    cm_keyid(e->key, kid);
    mock_buf_puts(b, "{\"t\":");
    mock_buf_us_as_s(b, e->t);
    mock_buf_puts(b, ",\"provider\":");
    mock_buf_json_str(b, e->provider);
    mock_buf_puts(b, ",\"model\":");
    mock_buf_json_str(b, e->model);
    mock_buf_puts(b, ",\"key\":");
    mock_buf_json_str(b, kid);
    mock_buf_puts(b, ",\"status\":");
    mock_buf_int(b, e->status);
    format_headers(b, e->headers, e->nheaders);
    mock_buf_puts(b, ",\"latency_s\":");
    mock_buf_us_as_s(b, e->latency);
    mock_buf_puts(b, ",\"fault\":");
    mock_buf_json_str(b, e->fault);
    mock_buf_puts(b, ",\"note\":");
    mock_buf_json_str(b, e->note ? e->note : "");
    char attempt[CM_ATTEMPT_TEXT_MAX];
    if (e->attempt_id)
        cm_attempt_format(e->attempt_id, attempt);
    mock_buf_puts(b, ",\"attempt\":");
    mock_buf_json_str(b, e->attempt_id ? attempt : NULL);
    if (e->stream && e->stream->on) { /* a streamed answer, as planned */
        mock_buf_puts(b, ",\"stream\":{\"tokens\":");
        mock_buf_int(b, mock_stream_delivered(e->stream));
        mock_buf_puts(b, ",\"fault\":");
        mock_buf_json_str(b, e->stream->fault == MOCK_STREAM_NONE
                                 ? NULL
                                 : mock_stream_fault_name(e->stream->fault));
        if (e->stream->fault != MOCK_STREAM_NONE) {
            mock_buf_puts(b, ",\"after_tokens\":");
            mock_buf_int(b, e->stream->fault_after);
        }
        mock_buf_puts(b, ",\"ttft_s\":");
        mock_buf_us_as_s(b, cm_us_add(e->latency, e->stream->first));
        mock_buf_puts(b, "}");
    }
    format_request(b, e);
    mock_buf_puts(b, fate_tail[fate_ok(e->fate)]);
}

size_t mock_journal_format(const mock_journal_entry *e, char *buf, size_t size)
{
    mock_buf b;
    mock_buf_init_fixed(&b, buf, size);
    format_entry(&b, e);
    if (b.failed) {
        mock_journal_entry stub = *e;
        stub.nheaders = 0;
        stub.model = e->model && strlen(e->model) < 200 ? e->model : NULL;
        stub.note = "journal line too long: headers left out";
        mock_buf_init_fixed(&b, buf, size);
        format_entry(&b, &stub);
    }
    return b.failed ? 0 : b.len;
}

void mock_journal_set_path(mock_journal *j, const char *path)
{
    j->path = path;
}

/* A write or flush of the file failed (errno says why): every line since
 * the last good flush counts as lost; the first failure is printed. */
static void file_failed(mock_journal *j, int err)
{
    j->lost += j->pending;
    j->all_lost += j->pending;
    j->file_lost += j->pending;
    j->pending = 0;
    clearerr(j->file); /* so the next failure is seen too */
    if (j->file_reported)
        return;
    j->file_reported = true;
    fprintf(stderr, "mockserver: --journal: cannot write %s: %s (entries are being lost)\n",
            j->path ? j->path : "the journal file", strerror(err ? err : EIO));
}

/* One line to the file: the open part, then the fate's members. */
static void file_write(mock_journal *j, const char *open, size_t len, mock_journal_fate fate)
{
    if (!j->file || !len)
        return;
    j->pending++;
    errno = 0;
    const char *tail = fate_tail[fate];
    size_t tl = strlen(tail);
    if (fwrite(open, 1, len, j->file) != len || fwrite(tail, 1, tl, j->file) != tl ||
        fputc('\n', j->file) == EOF || ferror(j->file))
        file_failed(j, errno);
}

/* Keeps open[len] (copied) in the ring with `fate`; fills *t. */
static void ring_put(mock_journal *j, const char *open, size_t len, mock_journal_fate fate,
                     mock_journal_ticket *t)
{
    *t = (mock_journal_ticket){.gen = j->gen, .seq = j->total++};
    j->all_total++;
    char *copy = len ? malloc(len + 1) : NULL;
    if (!copy) {
        j->lost++;
        j->all_lost++;
        return;
    }
    memcpy(copy, open, len);
    copy[len] = '\0';
    journal_slot *sl = &j->slots[j->head];
    if (sl->open) {
        free(sl->open);
        j->dropped++;
        j->all_dropped++;
        j->kept--;
    }
    *sl = (journal_slot){.open = copy, .len = len, .seq = t->seq, .fate = (uint8_t)fate};
    t->slot = j->head;
    t->kept = true;
    j->head = (j->head + 1) % j->capacity;
    j->kept++;
}

/* The length of `line` without the members of `fate` that end it (0 when
 * it does not end with them). */
static size_t open_len(const char *line, size_t len, mock_journal_fate fate)
{
    size_t tl = strlen(fate_tail[fate]);
    return len >= tl && memcmp(line + len - tl, fate_tail[fate], tl) == 0 ? len - tl : 0;
}

uint64_t mock_journal_generation(const mock_journal *j)
{
    return j->gen;
}

void mock_journal_open(mock_journal *j, uint64_t gen, const char *line, size_t len,
                       mock_journal_ticket *t)
{
    size_t ol = open_len(line, len, MOCK_FATE_PENDING);
    if (gen != j->gen) { /* decided before a clear: the old side's */
        *t = (mock_journal_ticket){.gen = gen};
        j->all_total++;
        if (!ol)
            j->all_lost++;
        return;
    }
    ring_put(j, line, ol, MOCK_FATE_PENDING, t);
}

void mock_journal_close(mock_journal *j, const mock_journal_ticket *t, const char *line, size_t len,
                        mock_journal_fate fate)
{
    fate = fate_ok(fate);
    bool same = t->gen == j->gen;
    if (fate != MOCK_FATE_DELIVERED && fate != MOCK_FATE_PENDING) {
        j->all_undelivered++;
        j->undelivered += same;
    }
    journal_slot *sl = same && t->kept ? &j->slots[t->slot] : NULL;
    if (sl && sl->open && sl->seq == t->seq)
        sl->fate = (uint8_t)fate;
    size_t ol = open_len(line, len, MOCK_FATE_PENDING);
    if (fate != MOCK_FATE_PENDING)
        file_write(j, line, ol, fate);
}

uint64_t mock_journal_add(mock_journal *j, const mock_journal_entry *e)
{
    char line[MOCK_JOURNAL_LINE_MAX];
    mock_journal_entry pending = *e;
    pending.fate = MOCK_FATE_PENDING;
    size_t len = mock_journal_format(&pending, line, sizeof line);
    mock_journal_ticket t;
    mock_journal_open(j, j->gen, line, len, &t);
    if (e->fate != MOCK_FATE_PENDING)
        mock_journal_close(j, &t, line, len, e->fate);
    return t.seq;
}

void mock_journal_clear(mock_journal *j)
{
    for (size_t i = 0; i < j->capacity; i++) {
        free(j->slots[i].open);
        j->slots[i].open = NULL;
    }
    j->head = j->kept = 0;
    j->total = j->dropped = j->lost = j->undelivered = 0;
    j->gen++;
}

void mock_journal_flush(mock_journal *j)
{
    if (!j->file)
        return;
    errno = 0;
    if (fflush(j->file) != 0 || ferror(j->file))
        file_failed(j, errno);
    else
        j->pending = 0;
}

uint64_t mock_journal_file_lost(const mock_journal *j)
{
    return j->file_lost;
}

void mock_journal_counts_get(const mock_journal *j, mock_journal_counts *out)
{
    out->total = j->total;
    out->kept = j->kept;
    out->capacity = j->capacity;
    out->dropped = j->dropped;
    out->lost = j->lost;
    out->undelivered = j->undelivered;
    out->all_total = j->all_total;
    out->all_dropped = j->all_dropped;
    out->all_lost = j->all_lost;
    out->all_undelivered = j->all_undelivered;
}

char *mock_journal_render(const mock_journal *j, bool jsonl, size_t limit, size_t *len)
{
    size_t n = limit < j->kept ? limit : j->kept;
    size_t first = (j->head + j->capacity - n) % j->capacity;
    mock_buf b;
    mock_buf_init(&b, (size_t)1 << 30);
    if (!jsonl)
        mock_buf_puts(&b, "[");
    for (size_t i = 0; i < n; i++) {
        const journal_slot *sl = &j->slots[(first + i) % j->capacity];
        if (!jsonl && i)
            mock_buf_puts(&b, ",\n");
        mock_buf_add(&b, sl->open, sl->len);
        mock_buf_puts(&b, fate_tail[sl->fate]);
        if (jsonl)
            mock_buf_puts(&b, "\n");
    }
    if (!jsonl)
        mock_buf_puts(&b, "]\n");
    mock_buf_add(&b, "", 0); /* allocates even an empty JSON Lines document */
    return mock_buf_take(&b, len);
}
