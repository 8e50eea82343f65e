/* journal.c: the request journal: formatted JSON lines in a bounded ring. */
#include "mockserver/front/journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/attempt_id.h"
#include "common/keyid.h"
#include "mockserver/front/textbuf.h"

struct mock_journal {
    char **lines;                /* ring of capacity malloc'd lines, NULL when empty */
    size_t capacity, head, kept; /* head = next slot to write */
    uint64_t total, dropped, lost;
    FILE *file;
    const char *path;   /* names the file in the error message */
    uint64_t pending;   /* lines written to the file since its last good flush */
    uint64_t file_lost; /* lines the file lost, since the start (not cleared) */
    uint64_t all_total, all_dropped, all_lost; /* since the start (not cleared) */
    bool file_reported;                        /* the first file error has been printed */
};

mock_journal *mock_journal_new(size_t capacity, FILE *file)
{
    if (capacity == 0)
        capacity = 1;
    mock_journal *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->lines = calloc(capacity, sizeof *j->lines);
    if (!j->lines) {
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
    free(j->lines);
    free(j);
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
    mock_buf_puts(b, "}");
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

static void file_write(mock_journal *j, const char *line, size_t len)
{
    j->pending++;
    errno = 0;
    if (fwrite(line, 1, len, j->file) != len || fputc('\n', j->file) == EOF || ferror(j->file))
        file_failed(j, errno);
}

uint64_t mock_journal_add_line(mock_journal *j, const char *line, size_t len)
{
    uint64_t seq = j->total++;
    j->all_total++;
    if (len && j->file)
        file_write(j, line, len);
    char *copy = len ? malloc(len + 1) : NULL;
    if (!copy) {
        j->lost++;
        j->all_lost++;
        return seq;
    }
    memcpy(copy, line, len);
    copy[len] = '\0';
    if (j->lines[j->head]) {
        free(j->lines[j->head]);
        j->dropped++;
        j->all_dropped++;
        j->kept--;
    }
    j->lines[j->head] = copy;
    j->head = (j->head + 1) % j->capacity;
    j->kept++;
    return seq;
}

uint64_t mock_journal_add(mock_journal *j, const mock_journal_entry *e)
{
    char line[MOCK_JOURNAL_LINE_MAX];
    size_t len = mock_journal_format(e, line, sizeof line);
    return mock_journal_add_line(j, line, len);
}

void mock_journal_clear(mock_journal *j)
{
    for (size_t i = 0; i < j->capacity; i++) {
        free(j->lines[i]);
        j->lines[i] = NULL;
    }
    j->head = j->kept = 0;
    j->total = j->dropped = j->lost = 0;
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
    out->all_total = j->all_total;
    out->all_dropped = j->all_dropped;
    out->all_lost = j->all_lost;
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
        const char *line = j->lines[(first + i) % j->capacity];
        if (!jsonl && i)
            mock_buf_puts(&b, ",\n");
        mock_buf_puts(&b, line);
        if (jsonl)
            mock_buf_puts(&b, "\n");
    }
    if (!jsonl)
        mock_buf_puts(&b, "]\n");
    mock_buf_add(&b, "", 0); /* allocates even an empty JSON Lines document */
    return mock_buf_take(&b, len);
}
