/* cmd_sweep_merge.c: `retrylab sweep-merge DIR... [--out DIR] [--objective
 * TEXT]`: joins the slices of one sweep (each from `retrylab sweep
 * --shard K/N`) into one folder, row for row what one unsharded run writes:
 * the rows in variant order, the Pareto front and the best variant judged
 * again over all of them. Streams: memory does not grow with the rows. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/io/file.h"
#include "engine/cli/cli.h"
#include "engine/driver/rundir.h"
#include "engine/sweep/sweep.h"

#define MAX_SLICES 4096
#define MAX_FIELDS (SW_MAX_AXES + SW_M_COUNT + 8)

static const char usage[] =
    "usage: retrylab sweep-merge DIR... [--out DIR] [--objective TEXT]\n"
    "  Joins the folders of one sweep run in slices (retrylab sweep --shard K/N, one\n"
    "  per job of a batch system) into one folder: sweep.csv, rows.jsonl and\n"
    "  sweep.json in variant order, the Pareto front judged again over every row.\n"
    "  --out        merged folder (default out/sweeps/SCENARIO-NAME); not one of DIR\n"
    "  --objective  pick the best variant over all rows (default: the slices' own\n"
    "               --objective) and write DIR/best-policy.json\n"
    "  Exit 0 done; 1 no variant meets the objective; 2 bad input (a folder that is\n"
    "  not a sweep, slices of different sweeps, a slice given twice); 3 runtime\n"
    "  failure, or slices missing or cut short (the merged folder is written,\n"
    "  marked partial).\n";

typedef struct slice {
    const char *dir;
    cm_json *doc;
    uint64_t first, end, index;
    bool partial;
} slice;

typedef struct merge {
    slice s[MAX_SLICES];
    size_t n;
    const char *out, *objective;
    char dir[RL_RUNDIR_MAX];
    sw_grid g;
    sw_objective obj;
    sw_out o;
    sw_front front;
    sw_row best;
    bool has_best, partial;
    uint64_t rows, errors, next;
    int col_metric[SW_M_COUNT], col_expect, col_error, col_seeds, col_tasks;
    char header[8192];
} merge;

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("retrylab sweep-merge: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CM_EXIT_BAD_INPUT;
}

static int parse_args(int argc, char **argv, merge *m)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--out") == 0 || strcmp(a, "--objective") == 0) {
            if (!v || !v[0])
                return bad("%s: needs a value", a);
            *(a[2] == 'o' && a[3] == 'u' ? &m->out : &m->objective) = v;
            i++;
        } else if (a[0] == '-')
            return bad("unknown option '%s'", a);
        else if (m->n == MAX_SLICES)
            return bad("at most %d folders", MAX_SLICES);
        else
            m->s[m->n++].dir = a;
    }
    return m->n ? 0 : bad("which sweep folders?");
}

/* ---- the slices ---- */

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int load_slice(slice *s)
{
    char path[4096];
    cm_err err;
    snprintf(path, sizeof path, "%s/sweep.json", s->dir);
    if (!(s->doc = cm_json_load(path, &err)))
        return bad("%s", err.msg);
    const cJSON *r = cm_json_root(s->doc), *sh = cJSON_GetObjectItemCaseSensitive(r, "shard");
    if (strcmp(str(r, "kind"), "sweep") != 0 || !cJSON_IsObject(sh))
        return bad("%s: not a sweep folder (its sweep.json has no \"kind\": \"sweep\")", s->dir);
    s->first = (uint64_t)num(sh, "first");
    s->end = (uint64_t)num(sh, "end");
    s->index = (uint64_t)num(sh, "index");
    s->partial = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "partial")) ||
                 strcmp(str(r, "state"), "done") != 0;
    return 0;
}

/* Slices of one sweep agree on what was swept. 0, or 2 after a message. */
static int same_sweep(const slice *a, const slice *b)
{
    static const char *const keys[] = {"scenario_digest", "policy_digest", "seeds", "first_seed",
                                       "variants",        "axes",          NULL};
    const cJSON *x = cm_json_root(a->doc), *y = cm_json_root(b->doc);
    for (size_t k = 0; keys[k]; k++)
        if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(x, keys[k]),
                           cJSON_GetObjectItemCaseSensitive(y, keys[k]), true))
            return bad("%s and %s are slices of different sweeps (their \"%s\" differ)", a->dir,
                       b->dir, keys[k]);
    if (num(cJSON_GetObjectItemCaseSensitive(x, "shard"), "count") !=
        num(cJSON_GetObjectItemCaseSensitive(y, "shard"), "count"))
        return bad("%s and %s were cut in different numbers of slices", a->dir, b->dir);
    return 0;
}

static int by_first(const void *a, const void *b)
{
    const slice *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

static int load_slices(merge *m)
{
    for (size_t i = 0; i < m->n; i++) {
        int rc = load_slice(&m->s[i]);
        if (rc == 0 && i > 0)
            rc = same_sweep(&m->s[0], &m->s[i]);
        if (rc != 0)
            return rc;
    }
    qsort(m->s, m->n, sizeof *m->s, by_first);
    for (size_t i = 1; i < m->n; i++)
        if (m->s[i].first < m->s[i - 1].end)
            return bad(
                "%s and %s hold the same slice (%llu of %.0f)", m->s[i - 1].dir, m->s[i].dir,
                (unsigned long long)m->s[i].index,
                num(cJSON_GetObjectItemCaseSensitive(cm_json_root(m->s[i].doc), "shard"), "count"));
    return 0;
}

/* The grid again, from the axes of the first slice. 0, or 2. */
static int grid_of(merge *m)
{
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(cm_json_root(m->s[0].doc), "axes"), *a;
    cm_err err;
    cJSON_ArrayForEach(a, axes)
    {
        sw_target t = strcmp(str(a, "target"), "scenario") == 0 ? SW_SCENARIO : SW_POLICY;
        if (sw_grid_add(&m->g, str(a, "spec"), t, &err) != 0)
            return bad("%s: %s", m->s[0].dir, err.msg);
    }
    if (sw_grid_finish(&m->g, &err) != 0)
        return bad("%s: %s", m->s[0].dir, err.msg);
    return 0;
}

/* ---- rows ---- */

static int column_of(char **f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return (int)i;
    return -1;
}

static int read_header(merge *m, const char *line, const slice *s)
{
    if (m->header[0])
        return strcmp(m->header, line) == 0
                   ? 0
                   : bad("%s/sweep.csv: its header differs from the first slice's", s->dir);
    snprintf(m->header, sizeof m->header, "%s", line);
    char copy[sizeof m->header], *f[MAX_FIELDS];
    snprintf(copy, sizeof copy, "%s", line);
    size_t n = sw_csv_split(copy, f, MAX_FIELDS);
    for (int k = 0; k < SW_M_COUNT; k++)
        if ((m->col_metric[k] = column_of(f, n, sw_metric_name((sw_metric)k))) < 0)
            return bad("%s/sweep.csv: no column %s", s->dir, sw_metric_name((sw_metric)k));
    m->col_expect = column_of(f, n, "expect");
    m->col_error = column_of(f, n, "error");
    m->col_seeds = column_of(f, n, "seeds");
    m->col_tasks = column_of(f, n, "tasks");
    if (m->col_expect < 0 || m->col_error < 0 || m->col_seeds < 0 || m->col_tasks < 0)
        return bad("%s/sweep.csv: not a sweep table (no expect, error, seeds or tasks)", s->dir);
    sw_out_csv_line(&m->o, line, strlen(line));
    return 0;
}

/* The row of a CSV line (its figures, for the front and the objective). */
static void row_of(const merge *m, char *line, uint64_t variant, sw_row *r)
{
    char *f[MAX_FIELDS];
    size_t n = sw_csv_split(line, f, MAX_FIELDS);
    memset(r, 0, sizeof *r);
    r->variant = variant;
    const char *err = (size_t)m->col_error < n ? f[m->col_error] : "missing fields";
    r->ok = err[0] == '\0';
    snprintf(r->error, sizeof r->error, "%s", err);
    for (int k = 0; k < SW_M_COUNT; k++) {
        const char *t = (size_t)m->col_metric[k] < n ? f[m->col_metric[k]] : "";
        r->m[k] = t[0] ? strtod(t, NULL) : k == SW_M_CALLS_PER_SUCCESS ? INFINITY : NAN;
    }
    const char *e = (size_t)m->col_expect < n ? f[m->col_expect] : "-";
    r->expect = strcmp(e, "holds") == 0 ? 1 : strcmp(e, "fails") == 0 ? 0 : -1;
    r->seeds = (uint32_t)strtoul((size_t)m->col_seeds < n ? f[m->col_seeds] : "0", NULL, 10);
    r->tasks = strtoull((size_t)m->col_tasks < n ? f[m->col_tasks] : "0", NULL, 10);
}

/* "N,P,..." -> N with P reset to 0; -1 when the line is not a row. */
static int64_t csv_variant(char *line)
{
    char *end;
    unsigned long long v = strtoull(line, &end, 10);
    if (end == line || end[0] != ',' || (end[1] != '0' && end[1] != '1') || end[2] != ',')
        return -1;
    end[1] = '0';
    return (int64_t)v;
}

static int64_t jsonl_variant(char *line)
{
    static const char head[] = "{\"variant\":", mid[] = ",\"pareto\":";
    if (strncmp(line, head, sizeof head - 1) != 0)
        return -1;
    char *end;
    unsigned long long v = strtoull(line + sizeof head - 1, &end, 10);
    if (strncmp(end, mid, sizeof mid - 1) != 0)
        return -1;
    end += sizeof mid - 1;
    if (*end != '0' && *end != '1')
        return -1;
    *end = '0';
    return (int64_t)v;
}

static void chomp(char *s, ssize_t *n)
{
    while (*n > 0 && (s[*n - 1] == '\n' || s[*n - 1] == '\r'))
        s[--*n] = '\0';
}

static void take_row(merge *m, uint64_t v, char *csv, size_t clen, const char *js, size_t jlen)
{
    uint64_t c = sw_out_csv_line(&m->o, csv, clen), j = sw_out_jsonl_line(&m->o, js, jlen);
    sw_row r;
    row_of(m, csv, v, &r);
    int digits = snprintf(NULL, 0, "%llu", (unsigned long long)v);
    sw_front_item it = {.variant = v,
                        .rate = r.m[SW_M_SUCCESS_RATE],
                        .calls = r.m[SW_M_CALLS_PER_SUCCESS],
                        .p95 = r.m[SW_M_P95_DURATION],
                        .csv_at = c + (uint64_t)digits + 1,
                        .jsonl_at = j + 11 + (uint64_t)digits + 10};
    m->rows++;
    if (!r.ok)
        m->errors++;
    else if (sw_front_offer(&m->front, &it) != 0)
        m->o.failed = true;
    if (r.ok && m->objective && sw_objective_feasible(&m->obj, &r) &&
        (!m->has_best || sw_objective_better(&m->obj, &r, &m->best))) {
        m->best = r;
        m->has_best = true;
    }
}

/* Copies one slice's rows. 0, or 2 after a message. */
static int copy_slice(merge *m, const slice *s)
{
    char p1[4096], p2[4096];
    cm_err err;
    snprintf(p1, sizeof p1, "%s/sweep.csv", s->dir);
    snprintf(p2, sizeof p2, "%s/rows.jsonl", s->dir);
    FILE *fc = cm_file_open(p1, &err), *fj = fc ? cm_file_open(p2, &err) : NULL;
    char *a = NULL, *b = NULL;
    size_t ca = 0, cb = 0;
    int rc = 0;
    ssize_t na = fc && fj ? getline(&a, &ca, fc) : -1, nb;
    if (!fc || !fj)
        rc = bad("%s", err.msg);
    else if (na <= 0)
        rc = bad("%s: empty", p1);
    else {
        chomp(a, &na);
        rc = read_header(m, a, s);
    }
    uint64_t expect = s->first;
    while (rc == 0 && (na = getline(&a, &ca, fc)) > 0) {
        chomp(a, &na);
        if ((nb = getline(&b, &cb, fj)) <= 0) {
            rc = bad("%s: fewer lines than %s", p2, p1);
            break;
        }
        chomp(b, &nb);
        int64_t v = csv_variant(a), w = jsonl_variant(b);
        if (v < 0 || w != v || (uint64_t)v != expect || (uint64_t)v >= s->end)
            rc = bad("%s: row of variant %lld is not variant %llu of the slice, or %s disagrees",
                     p1, (long long)v, (unsigned long long)expect, p2);
        else {
            m->partial |= (uint64_t)v != m->next;
            take_row(m, (uint64_t)v, a, (size_t)na, b, (size_t)nb);
            m->next = (uint64_t)v + 1;
            expect++;
        }
    }
    m->partial |= expect < s->end;
    m->next = s->end;
    free(a);
    free(b);
    if (fc)
        fclose(fc);
    if (fj)
        fclose(fj);
    return rc;
}

/* ---- the merged folder ---- */

static int prepare_out(merge *m)
{
    const cJSON *r = cm_json_root(m->s[0].doc);
    if (m->out)
        snprintf(m->dir, sizeof m->dir, "%s", m->out);
    else {
        char runs[RL_RUNDIR_MAX];
        rl_rundir_default(str(r, "scenario_name"), runs, sizeof runs);
        snprintf(m->dir, sizeof m->dir, "out/sweeps/%.900s", runs + strlen("out/runs/"));
    }
    if (rl_rundir_make(m->dir) != 0) {
        fprintf(stderr, "retrylab sweep-merge: %s: cannot create: %s\n", m->dir, strerror(errno));
        return CM_EXIT_RUNTIME;
    }
    char out[PATH_MAX], in[PATH_MAX];
    for (size_t i = 0; i < m->n; i++)
        if (realpath(m->dir, out) && realpath(m->s[i].dir, in) && strcmp(out, in) == 0)
            return bad("--out %s: is one of the slices; merge into another folder", m->dir);
    cm_err err;
    if (sw_out_open(&m->o, m->dir, NULL, &err) != 0) {
        fprintf(stderr, "retrylab sweep-merge: %s\n", err.msg);
        return CM_EXIT_RUNTIME;
    }
    return 0;
}

/* best-policy.json from the policy text the slices carry. */
static int write_best(merge *m, const char *text)
{
    cm_err err;
    cm_json *doc = cm_json_parse("policy", text, strlen(text), &err);
    if (!doc) {
        fprintf(stderr, "retrylab sweep-merge: the slices' policy_text: %s\n", err.msg);
        return CM_EXIT_RUNTIME;
    }
    for (size_t i = 0; i < m->g.n; i++)
        if (m->g.axes[i].target == SW_POLICY)
            sw_axis_locate(&m->g.axes[i], doc);
    size_t idx[SW_MAX_AXES];
    sw_grid_index(&m->g, m->best.variant, idx);
    char *out = sw_policy_text_for(text, cm_json_root(doc), &m->g, idx);
    char path[RL_RUNDIR_MAX + 32];
    snprintf(path, sizeof path, "%s/best-policy.json", m->dir);
    int rc = out ? sw_write_file(path, out, strlen(out), &err) : -1;
    if (rc != 0)
        fprintf(stderr, "retrylab sweep-merge: %s\n", out ? err.msg : "out of memory");
    free(out);
    cm_json_free(doc);
    return rc ? CM_EXIT_RUNTIME : 0;
}

static int write_meta(merge *m, const char *note)
{
    const cJSON *r = cm_json_root(m->s[0].doc),
                *cur = cJSON_GetObjectItemCaseSensitive(r, "current_variant");
    sw_meta meta = {.state = m->partial ? "partial" : "done",
                    .partial = m->partial,
                    .scenario = str(r, "scenario"),
                    .scenario_name = str(r, "scenario_name"),
                    .scenario_digest = str(r, "scenario_digest"),
                    .policy = str(r, "policy"),
                    .policy_name = str(r, "policy_name"),
                    .policy_digest = str(r, "policy_digest"),
                    .policy_text = str(r, "policy_text"),
                    .g = &m->g,
                    .seeds = (uint32_t)num(r, "seeds"),
                    .first_seed = (uint64_t)num(r, "first_seed"),
                    .shard = 0,
                    .shards = 1,
                    .first = 0,
                    .end = m->g.total,
                    .rows = m->rows,
                    .errors = m->errors,
                    .current = cJSON_IsNumber(cur) ? (uint64_t)cur->valuedouble : 0,
                    .has_current = cJSON_IsNumber(cur),
                    .front = &m->front,
                    .objective = m->objective,
                    .best = m->has_best ? &m->best : NULL,
                    .best_file = m->has_best ? "best-policy.json" : NULL,
                    .best_note = note,
                    .points = cJSON_GetObjectItemCaseSensitive(r, "points"),
                    .expect_source = "slices"};
    /* the judged kinds as the slices wrote them */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "expect"), *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(e, "judged"))
    {
        for (int i = 0; i < SW_E_COUNT; i++)
            if (cJSON_IsString(k) && strcmp(k->valuestring, sw_expect_name((sw_expect_kind)i)) == 0)
                meta.judged |= 1u << i;
    }
    char skipped[128] = "";
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(e, "skipped_need_trace"))
    {
        if (cJSON_IsString(k))
            snprintf(skipped + strlen(skipped), sizeof skipped - strlen(skipped), "%s%s",
                     skipped[0] ? "," : "", k->valuestring);
    }
    meta.skipped = skipped;
    meta.expect_source = str(e, "source");
    cm_err err;
    if (sw_meta_write(m->dir, &meta, &err) != 0) {
        fprintf(stderr, "retrylab sweep-merge: %s\n", err.msg);
        return CM_EXIT_RUNTIME;
    }
    return 0;
}

static int run_merge(merge *m)
{
    int rc = prepare_out(m);
    for (size_t i = 0; rc == 0 && i < m->n; i++)
        rc = copy_slice(m, &m->s[i]);
    m->partial |= m->next < m->g.total;
    for (size_t i = 0; i < m->n; i++)
        m->partial |= m->s[i].partial;
    if (rc != 0) {
        cm_err err;
        if (m->o.csv.fd >= 0)
            sw_out_close(&m->o, NULL, &err);
        return rc;
    }
    cm_err err;
    if (sw_out_close(&m->o, &m->front, &err) != 0) {
        fprintf(stderr, "retrylab sweep-merge: %s/%s\n", m->dir, err.msg);
        return CM_EXIT_RUNTIME;
    }
    char note[600] = "";
    if (m->objective && !m->has_best)
        snprintf(note, sizeof note, "no variant meets the objective '%.500s'", m->objective);
    if (m->has_best)
        rc = write_best(m, str(cm_json_root(m->s[0].doc), "policy_text"));
    if (rc == 0)
        rc = write_meta(m, note[0] ? note : NULL);
    if (rc != 0)
        return rc;
    printf("sweep-merge: %zu slices, %llu of %llu variants, front: %zu variants%s -> %s\n", m->n,
           (unsigned long long)m->rows, (unsigned long long)m->g.total, m->front.n,
           m->partial ? " (partial: slices missing or cut short)" : "", m->dir);
    if (m->partial)
        return CM_EXIT_RUNTIME;
    if (note[0]) {
        fprintf(stderr, "retrylab sweep-merge: %s\n", note);
        return CM_EXIT_CHECK_FAILED;
    }
    return 0;
}

int rl_cmd_sweep_merge(int argc, char **argv)
{
    static merge m;
    memset(&m, 0, sizeof m);
    m.o.csv.fd = m.o.jsonl.fd = -1;
    int rc = parse_args(argc, argv, &m);
    if (rc == 1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc == 0)
        rc = load_slices(&m);
    if (rc == 0 && !m.objective) {
        const cJSON *best = cJSON_GetObjectItemCaseSensitive(cm_json_root(m.s[0].doc), "best");
        const char *o = cJSON_IsObject(best) ? str(best, "objective") : NULL;
        m.objective = o && o[0] ? o : NULL;
    }
    cm_err err;
    if (rc == 0 && m.objective && sw_objective_parse(m.objective, &m.obj, &err) != 0)
        rc = bad("%s", err.msg);
    if (rc == 0)
        rc = grid_of(&m);
    if (rc == 0)
        rc = run_merge(&m);
    sw_front_free(&m.front);
    sw_grid_free(&m.g);
    for (size_t i = 0; i < m.n; i++)
        cm_json_free(m.s[i].doc);
    return rc;
}
