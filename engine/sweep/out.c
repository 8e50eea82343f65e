/* out.c: the rows of a sweep as CSV and JSON lines, written in
 * variant order and whole lines only; the Pareto marks patched in place at
 * the end; the best variant's policy file. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sweep/sweep.h"

/* ---- formatting ---- */

typedef struct sbuf {
    char *p;
    size_t size, len;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->len >= b->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->len = b->len + (size_t)w < b->size ? b->len + (size_t)w : b->size - 1;
}

/* A figure: %.6g, or `none` when not finite. */
static void put_num(sbuf *b, double v, const char *none)
{
    if (isfinite(v))
        put(b, "%.6g", v);
    else
        put(b, "%s", none);
}

static void put_csv_text(sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        put(b, "%s", s);
        return;
    }
    put(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            put(b, "\"\"");
        else
            put(b, "%c", *s == '\n' || *s == '\r' ? ' ' : *s);
    }
    put(b, "\"");
}

static void put_json_text(sbuf *b, const char *s)
{
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(b, "\\%c", c);
        else if (c < 0x20)
            put(b, "\\u%04x", c);
        else
            put(b, "%c", c);
    }
    put(b, "\"");
}

static void put_value_json(sbuf *b, const sw_value *v)
{
    if (v->type == SW_STR)
        put_json_text(b, v->text);
    else
        put(b, "%s", v->text);
}

/* "success_rate(3/5);max_attempts(5/5)": the kinds that failed, in how many runs. */
static void failed_list(const sw_row *r, char *out, size_t size, char sep)
{
    size_t at = 0;
    out[0] = '\0';
    for (int k = 0; k < SW_E_COUNT && at < size; k++) {
        if (!r->expect_fail[k])
            continue;
        int w = snprintf(out + at, size - at, "%s%s(%u/%u)", at ? (sep == ';' ? ";" : ",") : "",
                         sw_expect_name((sw_expect_kind)k), r->expect_fail[k], r->seeds);
        at += w > 0 ? (size_t)w : 0;
    }
}

static const char *expect_word(const sw_row *r)
{
    return !r->ok || r->expect < 0 ? NULL : r->expect ? "holds" : "fails";
}

size_t sw_csv_header(const sw_grid *g, char *out, size_t size)
{
    sbuf b = {out, size, 0};
    out[0] = '\0';
    put(&b, "variant,pareto");
    for (size_t i = 0; i < g->n; i++)
        put(&b, ",%s", g->axes[i].column);
    put(&b, ",seeds,tasks");
    for (int m = 0; m < SW_M_COUNT; m++)
        put(&b, ",%s", sw_metric_name((sw_metric)m));
    put(&b, ",expect,expect_failed,error");
    return b.len;
}

size_t sw_row_csv(const sw_grid *g, const sw_row *r, char *out, size_t size)
{
    sbuf b = {out, size, 0};
    size_t idx[SW_MAX_AXES];
    sw_grid_index(g, r->variant, idx);
    out[0] = '\0';
    put(&b, "%llu,0", (unsigned long long)r->variant);
    for (size_t i = 0; i < g->n; i++)
        put(&b, ",%s", g->axes[i].values[idx[i]].text);
    if (!r->ok) {
        put(&b, ",,");
        for (int m = 0; m < SW_M_COUNT; m++)
            put(&b, ",");
        put(&b, ",,,");
        put_csv_text(&b, r->error);
        return b.len;
    }
    put(&b, ",%u,%llu", r->seeds, (unsigned long long)r->tasks);
    for (int m = 0; m < SW_M_COUNT; m++) {
        put(&b, ",");
        put_num(&b, r->m[m], "");
    }
    char failed[400];
    failed_list(r, failed, sizeof failed, ';');
    const char *w = expect_word(r);
    put(&b, ",%s,%s,", w ? w : "-", failed);
    return b.len;
}

size_t sw_row_json(const sw_grid *g, const sw_row *r, char *out, size_t size)
{
    sbuf b = {out, size, 0};
    size_t idx[SW_MAX_AXES];
    sw_grid_index(g, r->variant, idx);
    out[0] = '\0';
    put(&b, "{\"variant\":%llu,\"pareto\":0,\"values\":{", (unsigned long long)r->variant);
    for (size_t i = 0; i < g->n; i++) {
        put(&b, "%s", i ? "," : "");
        put_json_text(&b, g->axes[i].column);
        put(&b, ":");
        put_value_json(&b, &g->axes[i].values[idx[i]]);
    }
    put(&b, "}");
    if (!r->ok) {
        put(&b, ",\"error\":");
        put_json_text(&b, r->error);
        put(&b, "}");
        return b.len;
    }
    put(&b, ",\"seeds\":%u,\"tasks\":%llu", r->seeds, (unsigned long long)r->tasks);
    for (int m = 0; m < SW_M_COUNT; m++) {
        put(&b, ",\"%s\":", sw_metric_name((sw_metric)m));
        put_num(&b, r->m[m], "null");
    }
    const char *w = expect_word(r);
    put(&b, ",\"expect\":");
    if (w)
        put(&b, "\"%s\"", w);
    else
        put(&b, "null");
    char failed[400];
    failed_list(r, failed, sizeof failed, ',');
    put(&b, ",\"expect_failed\":[");
    for (char *save = NULL, *t = strtok_r(failed, ",", &save); t; t = strtok_r(NULL, ",", &save))
        put(&b, "%s\"%s\"", b.p[b.len - 1] == '[' ? "" : ",", t);
    put(&b, "]}");
    return b.len;
}

/* A quoted field from p (just after its opening quote), unquoted in place
 * ("" is one quote); returns where the field's text ends. */
static char *unquote(char *p, char **field)
{
    char *w = p;
    *field = w;
    while (*p) {
        if (*p == '"' && p[1] == '"') {
            *w++ = '"';
            p += 2;
        } else if (*p == '"') {
            p++;
            break;
        } else
            *w++ = *p++;
    }
    char *end = p;
    *w = '\0'; /* w < p: the opening quote was consumed */
    return end;
}

size_t sw_csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"')
            p = unquote(p + 1, &fields[n++]);
        else {
            fields[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p != ',') {
            *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    return n;
}

/* ---- the row files ---- */

#define FILE_BUF (64 * 1024)

static int file_open(sw_file *f, const char *dir, const char *name, cm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(f, 0, sizeof *f);
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0 || !(f->buf = malloc(FILE_BUF))) {
        cm_err_set(err, "%.400s: cannot write: %s", path,
                   f->fd < 0 ? strerror(errno) : "no memory");
        if (f->fd >= 0)
            close(f->fd);
        f->fd = -1;
        return -1;
    }
    return 0;
}

static bool file_flush(sw_file *f)
{
    size_t done = 0;
    while (done < f->len) {
        ssize_t w = write(f->fd, f->buf + done, f->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    f->len = 0;
    return true;
}

/* Adds one line (a newline is appended); returns the offset it starts at. */
static uint64_t file_line(sw_file *f, bool *failed, const char *line, size_t len)
{
    uint64_t start = f->at;
    if (f->len + len + 1 > FILE_BUF && !file_flush(f))
        *failed = true;
    if (len + 1 > FILE_BUF) { /* longer than the buffer: out in one go */
        if (write(f->fd, line, len) != (ssize_t)len || write(f->fd, "\n", 1) != 1)
            *failed = true;
    } else {
        memcpy(f->buf + f->len, line, len);
        f->buf[f->len + len] = '\n';
        f->len += len + 1;
    }
    f->at += len + 1;
    return start;
}

static bool file_close(sw_file *f)
{
    bool ok = f->fd < 0 || file_flush(f);
    if (f->fd >= 0 && close(f->fd) != 0)
        ok = false;
    free(f->buf);
    f->buf = NULL;
    f->fd = -1;
    return ok;
}

int sw_out_open(sw_out *o, const char *dir, const sw_grid *g, cm_err *err)
{
    memset(o, 0, sizeof *o);
    o->csv.fd = o->jsonl.fd = -1;
    if (file_open(&o->csv, dir, "sweep.csv", err) != 0)
        return -1;
    if (file_open(&o->jsonl, dir, "rows.jsonl", err) != 0) {
        file_close(&o->csv);
        return -1;
    }
    if (g) {
        char head[8192];
        size_t n = sw_csv_header(g, head, sizeof head);
        file_line(&o->csv, &o->failed, head, n);
    }
    return 0;
}

uint64_t sw_out_csv_line(sw_out *o, const char *line, size_t len)
{
    return file_line(&o->csv, &o->failed, line, len);
}

uint64_t sw_out_jsonl_line(sw_out *o, const char *line, size_t len)
{
    o->rows++;
    return file_line(&o->jsonl, &o->failed, line, len);
}

void sw_out_flush(sw_out *o)
{
    if (!file_flush(&o->csv) || !file_flush(&o->jsonl))
        o->failed = true;
}

void sw_out_row(sw_out *o, const sw_grid *g, const sw_row *r, sw_front_item *it)
{
    char line[16384];
    size_t n = sw_row_csv(g, r, line, sizeof line);
    uint64_t c = sw_out_csv_line(o, line, n);
    n = sw_row_json(g, r, line, sizeof line);
    uint64_t j = sw_out_jsonl_line(o, line, n);
    int digits = snprintf(line, sizeof line, "%llu", (unsigned long long)r->variant);
    *it = (sw_front_item){.variant = r->variant,
                          .rate = r->m[SW_M_SUCCESS_RATE],
                          .calls = r->m[SW_M_CALLS_PER_SUCCESS],
                          .p95 = r->m[SW_M_P95_DURATION],
                          .csv_at = c + (uint64_t)digits + 1,
                          .jsonl_at = j + strlen("{\"variant\":") + (uint64_t)digits +
                                      strlen(",\"pareto\":")};
}

static int mark(const sw_file *f, uint64_t at)
{
    return pwrite(f->fd, "1", 1, (off_t)at) == 1 ? 0 : -1;
}

int sw_out_close(sw_out *o, const sw_front *f, cm_err *err)
{
    sw_out_flush(o);
    bool bad = o->failed;
    int saved = errno;
    for (size_t i = 0; !bad && f && i < f->n; i++)
        bad = mark(&o->csv, f->items[i].csv_at) != 0 || mark(&o->jsonl, f->items[i].jsonl_at) != 0;
    if (bad)
        saved = errno;
    bad |= !file_close(&o->csv);
    bad |= !file_close(&o->jsonl);
    if (bad)
        cm_err_set(err, "sweep.csv or rows.jsonl: cannot write: %s", strerror(saved ? saved : EIO));
    return bad ? -1 : 0;
}

int sw_write_file(const char *path, const char *text, size_t len, cm_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        cm_err_set(err, "%.400s: cannot write: %s", path, strerror(errno));
        return -1;
    }
    bool bad = fwrite(text, 1, len, f) != len;
    int saved = errno;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        cm_err_set(err, "%.400s: cannot write: %s", path, strerror(bad ? saved : errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ---- the best variant's policy file ---- */

typedef struct patch {
    size_t at, len;
    char text[SW_VALUE_TEXT + 4];
} patch;

/* The byte offset of line:col (from 1) in text; SIZE_MAX past the end. */
static size_t offset_of(const char *text, int line, int col)
{
    size_t off = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* a BOM: line 1 follows it */
    for (int l = 1; l < line; l++) {
        const char *nl = strchr(text + off, '\n');
        if (!nl)
            return (size_t)-1;
        off = (size_t)(nl - text) + 1;
    }
    off += (size_t)col - 1;
    return off <= strlen(text) ? off : (size_t)-1;
}

/* The length of the JSON scalar that starts at s. */
static size_t token_len(const char *s)
{
    if (*s != '"')
        return strspn(s, "+-0123456789.eEtrufalsn");
    size_t i = 1;
    while (s[i] && s[i] != '"')
        i += s[i] == '\\' && s[i + 1] ? 2 : 1;
    return s[i] == '"' ? i + 1 : i;
}

static int by_offset_desc(const void *a, const void *b)
{
    size_t x = ((const patch *)a)->at, y = ((const patch *)b)->at;
    return x < y ? 1 : x > y ? -1 : 0;
}

static char *printed(const cJSON *root, const sw_grid *g, const size_t *idx)
{
    cJSON *copy = cJSON_Duplicate(root, true);
    for (size_t i = 0; copy && i < g->n; i++) {
        cm_err ignored;
        if (g->axes[i].target == SW_POLICY)
            sw_path_set(copy, &g->axes[i].path, &g->axes[i].values[idx[i]], &ignored);
    }
    char *text = copy ? cJSON_Print(copy) : NULL;
    cJSON_Delete(copy);
    size_t n = text ? strlen(text) : 0;
    char *out = text ? realloc(text, n + 2) : NULL;
    if (!out) {
        free(text);
        return NULL;
    }
    memcpy(out + n, "\n", 2);
    return out;
}

char *sw_policy_text_for(const char *text, const cJSON *root, const sw_grid *g, const size_t *idx)
{
    patch ps[SW_MAX_AXES];
    size_t n = 0, len = strlen(text);
    for (size_t i = 0; i < g->n; i++) {
        const sw_axis *a = &g->axes[i];
        if (a->target != SW_POLICY)
            continue;
        size_t at = a->existed && a->line > 0 ? offset_of(text, a->line, a->col) : (size_t)-1;
        if (at == (size_t)-1)
            return printed(root, g, idx);
        ps[n].at = at;
        ps[n].len = token_len(text + at);
        const sw_value *v = &a->values[idx[i]];
        snprintf(ps[n].text, sizeof ps[n].text, v->type == SW_STR ? "\"%s\"" : "%s", v->text);
        len += strlen(ps[n].text);
        n++;
    }
    qsort(ps, n, sizeof *ps, by_offset_desc);
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, text, strlen(text) + 1);
    for (size_t i = 0; i < n; i++) {
        size_t tl = strlen(ps[i].text), rest = strlen(out + ps[i].at + ps[i].len);
        memmove(out + ps[i].at + tl, out + ps[i].at + ps[i].len, rest + 1);
        memcpy(out + ps[i].at, ps[i].text, tl);
    }
    return out;
}
