/* metrics.c: bounded request counters and their Prometheus text page. */
#include "mockserver/front/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "mockserver/front/textbuf.h"

typedef struct series {
    char provider[64];
    char model[128];
    int status;
    uint64_t count;
} series;

struct mock_metrics {
    series *v;
    size_t n;
    size_t last; /* index of the last series hit: most traffic repeats it */
    uint64_t undelivered[MOCK_FATE_COUNT];
};

mock_metrics *mock_metrics_new(void)
{
    mock_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->v = calloc(MOCK_METRICS_MAX_SERIES, sizeof *m->v);
    if (!m->v) {
        free(m);
        return NULL;
    }
    return m;
}

void mock_metrics_free(mock_metrics *m)
{
    if (!m)
        return;
    free(m->v);
    free(m);
}

static int same(const series *s, const char *provider, const char *model, int status)
{
    return s->status == status && strcmp(s->provider, provider) == 0 &&
           strcmp(s->model, model) == 0;
}

static series *find_or_add(mock_metrics *m, const char *provider, const char *model, int status)
{
    if (m->n && same(&m->v[m->last], provider, model, status))
        return &m->v[m->last];
    for (size_t i = 0; i < m->n; i++) {
        if (same(&m->v[i], provider, model, status)) {
            m->last = i;
            return &m->v[i];
        }
    }
    if (m->n + 1 >= MOCK_METRICS_MAX_SERIES) /* keep the last slot for "_other" */
        return NULL;
    series *s = &m->v[m->n];
    snprintf(s->provider, sizeof s->provider, "%s", provider);
    snprintf(s->model, sizeof s->model, "%s", model);
    s->status = status;
    m->last = m->n++;
    return s;
}

void mock_metrics_count(mock_metrics *m, const char *provider, const char *model, int status)
{
    series *s = find_or_add(m, provider ? provider : "", model ? model : "", status);
    if (!s) {
        s = &m->v[MOCK_METRICS_MAX_SERIES - 1];
        snprintf(s->provider, sizeof s->provider, "_other");
        snprintf(s->model, sizeof s->model, "_other");
        s->status = 0;
    }
    s->count++;
}

void mock_metrics_count_undelivered(mock_metrics *m, mock_journal_fate fate)
{
    if (mock_journal_fate_reason(fate))
        m->undelivered[fate]++;
}

/* A label value: backslash, double quote and newline escaped; a byte that
 * does not start valid UTF-8 becomes U+FFFD (the text format is UTF-8). */
static void label(mock_buf *b, const char *v)
{
    for (const char *c = v; *c; c++) {
        size_t n = (unsigned char)*c >= 0x80 ? cm_utf8_len(c, strnlen(c, 4)) : 1;
        if (n == 0) {
            mock_buf_add(b, "\xef\xbf\xbd", 3);
            continue;
        }
        if (*c == '\\' || *c == '"')
            mock_buf_add(b, "\\", 1);
        if (*c == '\n')
            mock_buf_add(b, "\\n", 2);
        else
            mock_buf_add(b, c, n);
        c += n - 1;
    }
}

static void render_requests(mock_buf *b, const mock_metrics *m)
{
    mock_buf_puts(b, "# HELP mock_requests_total Answers decided, by provider, model and status.\n"
                     "# TYPE mock_requests_total counter\n");
    for (size_t i = 0; i < MOCK_METRICS_MAX_SERIES; i++) {
        const series *s = &m->v[i];
        if (i >= m->n && (i != MOCK_METRICS_MAX_SERIES - 1 || s->count == 0))
            continue;
        mock_buf_puts(b, "mock_requests_total{provider=\"");
        label(b, s->provider);
        mock_buf_puts(b, "\",model=\"");
        label(b, s->model);
        mock_buf_printf(b, "\",status=\"%d\"} %llu\n", s->status, (unsigned long long)s->count);
    }
}

static void render_undelivered(mock_buf *b, const mock_metrics *m)
{
    mock_buf_puts(b, "# HELP mock_undelivered_total Decided answers that did not reach the client, "
                     "by reason.\n# TYPE mock_undelivered_total counter\n");
    for (int f = 0; f < MOCK_FATE_COUNT; f++) {
        const char *reason = mock_journal_fate_reason((mock_journal_fate)f);
        if (reason)
            mock_buf_printf(b, "mock_undelivered_total{reason=\"%s\"} %llu\n", reason,
                            (unsigned long long)m->undelivered[f]);
    }
}

static void metric(mock_buf *b, const char *name, const char *type, const char *help, double v)
{
    mock_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s ", name, help, name, type, name);
    mock_buf_num(b, v);
    mock_buf_puts(b, "\n");
}

char *mock_metrics_render(const mock_metrics *m, const mock_metrics_extra *x, size_t *len)
{
    mock_buf b;
    mock_buf_init(&b, (size_t)4 << 20);
    render_requests(&b, m);
    render_undelivered(&b, m);
    metric(&b, "mock_hung_connections", "gauge", "Connections hanging now.", (double)x->hung_now);
    metric(&b, "mock_hung_rejected_total", "counter",
           "Hang faults answered 504 because --max-hung was reached.", (double)x->hung_rejected);
    metric(&b, "mock_suspended_connections", "gauge",
           "Connections suspended for latency or slow bodies now.", (double)x->suspended_now);
    metric(&b, "mock_journal_entries_total", "counter",
           "Journal entries recorded since start (POST /__admin/reset does not zero it).",
           (double)x->journal_total);
    metric(&b, "mock_journal_dropped_total", "counter",
           "Journal entries pushed out of the in-memory ring since start.",
           (double)x->journal_dropped);
    metric(&b, "mock_journal_lost_total", "counter",
           "Journal entries not kept (no memory) or not written to the journal file, since start.",
           (double)x->journal_lost);
    metric(&b, "mock_scenario_time_seconds", "gauge", "Scenario time now.", x->now_s);
    metric(&b, "mock_time_scale", "gauge", "Scenario seconds per wall second.", x->time_scale);
    return mock_buf_take(&b, len);
}
