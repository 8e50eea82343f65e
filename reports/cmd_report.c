/* cmd_report.c: `retrylab report DIR... [--out DIR] [--format png,svg]
 * [--tasks N]`: run directories in, data files + gnuplot scripts + pictures +
 * index.html out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/gnuplot.h"
#include "reports/html.h"
#include "reports/outdir.h"
#include "reports/plot.h"
#include "reports/reports.h"
#include "reports/run_expect.h"
#include "reports/run_load.h"
#include "reports/sweep.h"

static const char usage[] =
    "usage: retrylab report DIR... [--out DIR] [--format png,svg] [--tasks N]\n"
    "                       [--conformance FILE]\n"
    "  Reads each run folder (trace.jsonl, summary.json) and each sweep folder\n"
    "  (retrylab sweep: sweep.json, sweep.csv) and writes data files (.dat), gnuplot\n"
    "  scripts (.gp), pictures and index.html: an overview, the claims beside what\n"
    "  was measured, a section per scenario (its runs overlaid in each picture), one\n"
    "  per sweep. The scenario and policy files a trace names are found from any\n"
    "  folder (where the run ran, here, or above the run folder).\n"
    "  --out          report folder, created if missing (default out/report)\n"
    "  --format       png, svg or png,svg (default png,svg)\n"
    "  --tasks        tasks in each attempt timeline, 1 to 1000 (default 20): the failed,\n"
    "                 the longest and those with the most attempts first\n"
    "  --conformance  make conformance's table.json, shown as a section (default: none)\n"
    "  Exit 0 written; 2 bad input (a run folder, a flag, the --conformance FILE);\n"
    "  3 runtime failure (the --out folder cannot be written, gnuplot missing or\n"
    "  failing: the data files, scripts and the page's tables are still written).\n";

typedef struct report_args {
    const char *dirs[REP_MAX_RUNS];
    size_t n;
    const char *out;
    const char *conformance;
    int formats;
    int tasks;
} report_args;

static int bad_arg(const char *what, const char *arg)
{
    fprintf(stderr, "retrylab report: %s \"%s\"\n%s", what, arg, usage);
    return 2;
}

/* png, svg, png,svg or svg,png: each once, no empty item (no stray comma). */
static int parse_formats(const char *s, int *out)
{
    *out = 0;
    for (;;) {
        size_t len = strcspn(s, ",");
        int f = len != 3                    ? 0
                : strncmp(s, "png", 3) == 0 ? REP_FMT_PNG
                : strncmp(s, "svg", 3) == 0 ? REP_FMT_SVG
                                            : 0;
        if (!f || (*out & f))
            return -1;
        *out |= f;
        if (s[len] == '\0')
            return 0;
        s += len + 1;
    }
}

static int parse_tasks(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 1000)
        return -1;
    *out = (int)v;
    return 0;
}

/* 0 parsed, 1 help printed, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, report_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(arg, "--out") == 0 && val) {
            a->out = argv[++i];
        } else if (strcmp(arg, "--conformance") == 0 && val) {
            a->conformance = argv[++i];
        } else if (strcmp(arg, "--format") == 0 && val) {
            if (parse_formats(argv[++i], &a->formats))
                return bad_arg("--format must be png, svg or png,svg, not", val);
        } else if (strcmp(arg, "--tasks") == 0 && val) {
            if (parse_tasks(argv[++i], &a->tasks))
                return bad_arg("--tasks must be a whole number from 1 to 1000, not", val);
        } else if (!val && (strcmp(arg, "--out") == 0 || strcmp(arg, "--format") == 0 ||
                            strcmp(arg, "--tasks") == 0 || strcmp(arg, "--conformance") == 0)) {
            return bad_arg("a value must follow", arg);
        } else if (arg[0] == '-') {
            return bad_arg("unknown option", arg);
        } else if (a->n == REP_MAX_RUNS) {
            return bad_arg("too many run directories (limit 128) at", arg);
        } else {
            a->dirs[a->n++] = arg;
        }
    }
    if (a->n == 0) {
        fprintf(stderr, "retrylab report: no run directory given\n%s", usage);
        return 2;
    }
    return 0;
}

/* mkdir -p. 0, or -1 with errno. */
static int make_dirs(const char *path)
{
    char buf[REP_PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return errno = ENAMETOOLONG, -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* A picture file exists and is not empty. */
static int picture_ok(const char *dir, const char *name, const char *ext)
{
    char path[REP_PATH_MAX + 100];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Runs gnuplot on every script (as many at once as there are processors, up
 * to REP_GP_MAX_JOBS) and checks each picture; 0, or -1 with msg. */
static int render(const rep_plotset *ps, const report_args *a, char *msg, size_t size)
{
    const char **names = malloc((ps->n ? ps->n : 1) * sizeof *names);
    if (!names) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < ps->n; i++)
        names[i] = ps->pics[i].name;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int rc = rep_gp_run_all(a->out, names, ps->n, cpus > 0 ? (int)cpus : 1, msg, size);
    free(names);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < ps->n; i++) {
        const char *name = ps->pics[i].name;
        if (((a->formats & REP_FMT_PNG) && !picture_ok(a->out, name, "png")) ||
            ((a->formats & REP_FMT_SVG) && !picture_ok(a->out, name, "svg"))) {
            snprintf(msg, size, "gnuplot wrote no picture for %.100s.gp; see %.600s/gnuplot.log",
                     name, a->out);
            return -1;
        }
    }
    return 0;
}

/* Two runs with one label (same scenario and policy) would share a legend
 * entry: the later ones get their position appended. */
static void unique_labels(rep_run *runs, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(runs[i].label, runs[j].label) == 0) {
                size_t len = strlen(runs[i].label);
                snprintf(runs[i].label + len, sizeof runs[i].label - len, " #%zu", i + 1);
                break;
            }
}

/* A run whose scenario file is not found still gets its pictures; say what
 * the page leaves out. */
static void warn_scenario(const rep_run *run)
{
    if (run->scenario_missing)
        fprintf(stderr, "retrylab report: warning: %s: %s: claims%s left out\n", run->dir,
                run->scenario_note, rep_run_has_expect_file(run) ? "" : " and checks");
}

/* A run folder's own expect.json must parse, as for check: 0 or -1 with err. */
static int folder_expect_ok(const rep_run *run, cm_err *err)
{
    cm_expect e;
    rep_expect_from from;
    if (!rep_run_has_expect_file(run))
        return 0;
    int rc = rep_run_expect_load(run, NULL, &e, &from, err);
    cm_expect_free(&e);
    return rc < 0 ? -1 : 0;
}

/* Moves the sweep folders among a->dirs into sweeps (loaded). 0, or -1. */
static int load_sweeps(report_args *a, rep_sweep *sweeps, size_t *n_sweeps)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (!rep_sweep_is(a->dirs[i])) {
            a->dirs[k++] = a->dirs[i];
            continue;
        }
        cm_err err = {{0}};
        if (*n_sweeps == REP_MAX_SWEEPS || rep_sweep_load(a->dirs[i], &sweeps[*n_sweeps], &err)) {
            fprintf(stderr, "retrylab report: %s\n",
                    *n_sweeps == REP_MAX_SWEEPS ? "too many sweep folders (limit 32)" : err.msg);
            return -1;
        }
        (*n_sweeps)++;
    }
    a->n = k;
    return 0;
}

static int load_runs(const report_args *a, rep_run *runs)
{
    for (size_t i = 0; i < a->n; i++) {
        cm_err err = {{0}};
        if (rep_run_load(a->dirs[i], &runs[i], &err) != 0) {
            fprintf(stderr, "retrylab report: %s\n", err.msg);
        } else if (folder_expect_ok(&runs[i], &err) != 0) {
            fprintf(stderr, "retrylab report: %s\n", err.msg);
            rep_run_free(&runs[i]);
        } else if (runs[i].n_ev == 0) {
            fprintf(stderr, "retrylab report: %s/trace.jsonl: no events: nothing to draw\n",
                    a->dirs[i]);
            rep_run_free(&runs[i]);
        } else {
            rep_run_warn_cut(&runs[i], "report");
            warn_scenario(&runs[i]);
            rep_run_warn_changed(&runs[i], "report");
            continue;
        }
        for (size_t j = 0; j < i; j++)
            rep_run_free(&runs[j]);
        return -1;
    }
    unique_labels(runs, a->n);
    for (size_t i = 0; i < a->n; i++) {
        char tail[sizeof runs[i].legend];
        snprintf(tail, sizeof tail, "%s", runs[i].legend);
        snprintf(runs[i].legend, sizeof runs[i].legend, "#%zu %.140s", i + 1, tail);
    }
    return 0;
}

/* Writes data, scripts, pictures and the page; the exit code. */
static int build(const report_args *a, const rep_run *runs, rep_plotset *ps, rep_sweep *sweeps,
                 size_t n_sweeps, const cm_json *conformance)
{
    cm_err err = {{0}};
    rep_plot_opts po = {a->out, a->formats, a->tasks};
    char msg[1024] = "", log[REP_PATH_MAX + 32];
    int rc = rep_plot_write(runs, a->n, &po, ps, &err);
    for (size_t i = 0; rc == 0 && i < n_sweeps; i++)
        rc = rep_sweep_plot(&sweeps[i], i, &po, ps, &err);
    if (rc != 0) {
        fprintf(stderr, "retrylab report: %s\n", err.msg);
        return 3;
    }
    snprintf(log, sizeof log, "%s/gnuplot.log", a->out);
    remove(log);
    bool have = rep_gp_available();
    if (!have)
        snprintf(msg, sizeof msg,
                 "gnuplot is not installed (not on PATH): install the Debian "
                 "package gnuplot-nox (apt-get install gnuplot-nox), then run retrylab report "
                 "again; the data files, the scripts and these tables were written");
    bool pictures = have && render(ps, a, msg, sizeof msg) == 0;
    rep_html_opts ho = {a->out, a->formats, pictures,    msg[0] ? msg : NULL,
                        sweeps, n_sweeps,   conformance, a->conformance};
    if (rep_html_write(runs, a->n, ps, &ho, &err) != 0) {
        fprintf(stderr, "retrylab report: %s\n", err.msg);
        return 3;
    }
    if (!pictures) {
        fprintf(stderr, "retrylab report: %s\n", msg);
        return 3;
    }
    printf("report: %s/index.html (%zu pictures from %zu runs%s)\n", a->out, ps->n, a->n,
           n_sweeps ? " and sweeps" : "");
    return 0;
}

/* make conformance's table.json: a JSON object of "kind": "conformance".
 * NULL with a message (bad input) when it is not; NULL without one when
 * not asked for. */
static cm_json *load_conformance(const char *path, bool *bad)
{
    cm_err err = {{0}};
    *bad = false;
    if (!path)
        return NULL;
    cm_json *doc = cm_json_load(path, &err);
    const cJSON *kind = doc ? cJSON_GetObjectItemCaseSensitive(cm_json_root(doc), "kind") : NULL;
    if (doc && !(cJSON_IsString(kind) && strcmp(kind->valuestring, "conformance") == 0)) {
        cm_json_fail(&err, doc, kind ? kind : cm_json_root(doc), "kind",
                     "not a conformance table (make conformance writes one: "
                     "out/conformance/table.json)");
        cm_json_free(doc);
        doc = NULL;
    }
    if (!doc) {
        fprintf(stderr, "retrylab report: --conformance: %s\n", err.msg);
        *bad = true;
    }
    return doc;
}

/* What the report holds while it is made (on the heap: about 4 MB). */
typedef struct report_state {
    rep_run runs[REP_MAX_RUNS];
    rep_plotset ps;
    rep_sweep sweeps[REP_MAX_SWEEPS];
    size_t n_sweeps;
} report_state;

static int report(report_args *a, report_state *st)
{
    bool bad;
    cm_json *conf = load_conformance(a->conformance, &bad);
    if (bad || load_sweeps(a, st->sweeps, &st->n_sweeps) != 0 || load_runs(a, st->runs) != 0) {
        cm_json_free(conf);
        return 2;
    }
    int rc;
    if (make_dirs(a->out) != 0) {
        fprintf(stderr, "retrylab report: %s: cannot create: %s\n", a->out, strerror(errno));
        rc = 3;
    } else {
        rep_outdir od;
        rep_outdir_begin(&od, a->out); /* the last report's files go */
        rc = build(a, st->runs, &st->ps, st->sweeps, st->n_sweeps, conf);
        if (rep_outdir_end(&od) != 0)
            fprintf(stderr,
                    "retrylab report: warning: %s/.retrylab-report-files: cannot "
                    "write the list of this report's files\n",
                    a->out);
    }
    for (size_t i = 0; i < a->n; i++)
        rep_run_free(&st->runs[i]);
    cm_json_free(conf);
    return rc;
}

int rep_cmd_report(int argc, char **argv)
{
    report_args a = {.out = "out/report", .formats = REP_FMT_PNG | REP_FMT_SVG, .tasks = 20};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;
    report_state *st = calloc(1, sizeof *st);
    if (!st) {
        fprintf(stderr, "retrylab report: out of memory\n");
        return 3;
    }
    rc = report(&a, st);
    for (size_t i = 0; i < st->n_sweeps; i++)
        rep_sweep_free(&st->sweeps[i]);
    free(st);
    return rc;
}
