/* cmd_compare.c: `retrylab compare A B [--max-drop-success PTS] ...
 * [--format text|json|junit] [--junit FILE] [--annotations github]`: run B
 * (or each run folder under B) against its baseline A, measure by measure. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "reports/compare.h"
#include "reports/reports.h"
#include "reports/results.h"
#include "reports/run_load.h"

#define MAX_PAIRS 4096

static const char usage[] =
    "usage: retrylab compare A B [--max-drop-success PTS] [--max-rise-attempts PCT]\n"
    "                        [--max-rise-calls PCT] [--max-wait-ks D] [--max-rise-duration PCT]\n"
    "                        [--format text|json|junit] [--junit FILE] [--annotations github]\n"
    "  Compares run B with its baseline A (run folders: trace.jsonl, summary.json), or\n"
    "  each run folder under B with the one of the same name under A, and says per\n"
    "  measure whether B is worse than allowed:\n"
    "  --max-drop-success   success rate, percentage points down (default 2)\n"
    "  --max-rise-attempts  attempts per task, percent up (default 10)\n"
    "  --max-rise-calls     calls per success, percent up (default 10; a run without a\n"
    "                       success after one with some fails)\n"
    "  --max-wait-ks        Kolmogorov-Smirnov distance between the two runs' planned\n"
    "                       wait delays, 0 to 1 (default 0.25: the waits changed shape)\n"
    "  --max-rise-duration  task duration p50, p95 and p99 (first send to done), percent\n"
    "                       up, and by more than 1 s (default 25)\n"
    "  --format             what stdout gets: text (a table per pair, the default), json\n"
    "                       or junit (a testsuite per pair, a testcase per measure)\n"
    "  --junit              also write JUnit XML to FILE (default: none)\n"
    "  --annotations        github: one ::error line per measure worse than allowed,\n"
    "                       pointing at B's policy file (with --format text)\n"
    "  A run under A with no run of its name under B fails; one only under B is noted.\n"
    "  Exit 0 no measure worse than allowed; 1 one is; 2 bad input (a folder, a flag);\n"
    "  3 runtime failure (out of memory, the --junit FILE cannot be written).\n";

typedef enum cmp_format { FMT_TEXT, FMT_JSON, FMT_JUNIT } cmp_format;

typedef struct cmp_args {
    const char *a, *b;
    rep_cmp_limits lim;
    cmp_format format;
    const char *junit;
    bool github;
} cmp_args;

static int bad_flag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_flag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "retrylab compare: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", usage);
    va_end(ap);
    return CM_EXIT_BAD_INPUT;
}

/* A limit flag's value: a number from 0 to `max`. */
static int limit_value(const char *flag, const char *v, double max, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= 0) || x > max)
        return bad_flag("%s: a number from 0 to %g, not \"%s\"", flag, max, v);
    *out = x;
    return 0;
}

/* Handles option `o` with value `v`: 0, or 2 after a message. */
static int parse_option(const char *o, const char *v, cmp_args *a)
{
    static const char *const limits[] = {"--max-drop-success", "--max-rise-attempts",
                                         "--max-rise-calls", "--max-wait-ks",
                                         "--max-rise-duration"};
    double *slot[] = {&a->lim.drop_success_pts, &a->lim.rise_attempts_pct, &a->lim.rise_calls_pct,
                      &a->lim.waits_ks, &a->lim.rise_duration_pct};
    const double max[] = {100, 1e6, 1e6, 1, 1e6};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (strcmp(o, limits[i]) == 0)
            return v ? limit_value(o, v, max[i], slot[i]) : bad_flag("%s: needs a value", o);
    if (strcmp(o, "--format") && strcmp(o, "--junit") && strcmp(o, "--annotations"))
        return bad_flag("unknown option \"%s\"", o);
    if (!v)
        return bad_flag("%s: needs a value", o);
    if (strcmp(o, "--junit") == 0)
        a->junit = v;
    else if (strcmp(o, "--annotations") == 0) {
        if (strcmp(v, "github") != 0)
            return bad_flag("--annotations: github is the one style, not \"%s\"", v);
        a->github = true;
    } else if (strcmp(v, "text") == 0)
        a->format = FMT_TEXT;
    else if (strcmp(v, "json") == 0)
        a->format = FMT_JSON;
    else if (strcmp(v, "junit") == 0)
        a->format = FMT_JUNIT;
    else
        return bad_flag("--format: text, json or junit, not \"%s\"", v);
    return 0;
}

/* 0 parsed, 1 help printed, 2 bad arguments (message printed). */
static int parse_args(int argc, char **argv, cmp_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (o[0] == '-' && o[1]) {
            if (parse_option(o, v, a))
                return 2;
            i++;
        } else if (!a->a) {
            a->a = o;
        } else if (!a->b) {
            a->b = o;
        } else {
            return bad_flag("two folders: A (the baseline) and B, not also \"%s\"", o);
        }
    }
    if (!a->b)
        return bad_flag("%s", "give two folders: A (the baseline) and B");
    if (a->github && a->format != FMT_TEXT) {
        fprintf(stderr, "retrylab compare: --annotations github goes with --format text; write "
                        "the XML with --junit FILE\n");
        return 2;
    }
    return 0;
}

/* DIR holds a trace.jsonl (of any kind: run_load refuses what is no file). */
static bool is_run(const char *dir)
{
    char path[3 * REP_PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/trace.jsonl", dir);
    return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0;
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names of the run folders in `dir`, sorted, malloc'd (free each and
 * the array). -1 with err when dir cannot be read. */
static int run_names(const char *dir, char ***out, size_t *n, cm_err *err)
{
    DIR *d = opendir(dir);
    *out = NULL, *n = 0;
    if (!d) {
        cm_err_set(err, "%s: cannot read: %s", dir, strerror(errno));
        return -1;
    }
    char **v = calloc(MAX_PAIRS, sizeof *v), path[2 * REP_PATH_MAX];
    for (struct dirent *e; v && (e = readdir(d)) && *n < MAX_PAIRS;) {
        snprintf(path, sizeof path, "%.1500s/%.255s", dir, e->d_name);
        if (e->d_name[0] != '.' && is_run(path) && !(v[*n] = strdup(e->d_name)))
            break;
        *n += e->d_name[0] != '.' && is_run(path);
    }
    closedir(d);
    if (!v) {
        cm_err_set(err, "out of memory");
        return -1;
    }
    qsort(v, *n, sizeof *v, cmp_names);
    *out = v;
    return 0;
}

static bool has_name(char **names, size_t n, const char *name)
{
    return bsearch(&name, names, n, sizeof *names, cmp_names) != NULL;
}

/* One pair compared. */
typedef struct cmp_pair {
    char name[REP_PATH_MAX];
    char a[2 * REP_PATH_MAX], b[2 * REP_PATH_MAX];
    int rc;          /* 0 no worse, 1 worse, 2 bad input, 3 runtime */
    char error[700]; /* rc 2, 3, or a missing B: why */
    bool missing;    /* A has it, B does not */
    rep_cmp_row rows[REP_CMP_ROWS];
    size_t bad;                /* rows worse than allowed */
    char note[800];            /* the runs played different scenario files, ... */
    char policy[REP_PATH_MAX]; /* B's policy path, for annotations */
} cmp_pair;

/* Notes what makes the pair less than like for like. */
static void pair_note(cmp_pair *p, const rep_run *ra, const rep_run *rb)
{
    if (ra->scenario_name[0] && rb->scenario_name[0] &&
        strcmp(ra->scenario_name, rb->scenario_name) != 0)
        snprintf(p->note, sizeof p->note,
                 "note: the runs played different scenarios (%.200s, %.200s)", ra->scenario_name,
                 rb->scenario_name);
    else if (ra->scenario_digest[0] && rb->scenario_digest[0] &&
             strcmp(ra->scenario_digest, rb->scenario_digest) != 0)
        snprintf(p->note, sizeof p->note,
                 "note: the scenario file differs between the runs (%s, %s): the change is the "
                 "scenario's as well as the policy's",
                 ra->scenario_digest, rb->scenario_digest);
    else if (ra->has_seed && rb->has_seed && ra->seed != rb->seed)
        snprintf(p->note, sizeof p->note, "note: the runs used different seeds (%.0f, %.0f)",
                 ra->seed, rb->seed);
}

static void compare_pair(cmp_pair *p, const rep_cmp_limits *lim)
{
    rep_run ra, rb;
    rep_cmp_run ma, mb;
    cm_err err = {{0}};
    if (rep_run_load(p->a, &ra, &err) != 0) {
        snprintf(p->error, sizeof p->error, "%s", err.msg);
        p->rc = 2;
        return;
    }
    if (rep_run_load(p->b, &rb, &err) != 0) {
        snprintf(p->error, sizeof p->error, "%s", err.msg);
        rep_run_free(&ra);
        p->rc = 2;
        return;
    }
    rep_run_warn_cut(&ra, "compare");
    rep_run_warn_cut(&rb, "compare");
    snprintf(p->policy, sizeof p->policy, "%s", rb.policy_path);
    pair_note(p, &ra, &rb);
    if (rep_cmp_measure(&ra, &ma) != 0 || rep_cmp_measure(&rb, &mb) != 0) {
        snprintf(p->error, sizeof p->error, "out of memory");
        p->rc = 3;
    } else {
        p->bad = rep_cmp_judge(&ma, &mb, lim, p->rows);
        p->rc = p->bad ? 1 : 0;
    }
    rep_cmp_run_free(&ma);
    rep_cmp_run_free(&mb);
    rep_run_free(&ra);
    rep_run_free(&rb);
}

static void text_pair(const cmp_pair *p)
{
    fflush(stdout);
    if (p->note[0])
        fprintf(stderr, "retrylab compare: %s: %s\n", p->name, p->note);
    if (p->rc >= 2 || p->missing) {
        if (p->missing)
            printf("compare %s: %s\n", p->name, p->error);
        else
            fprintf(stderr, "retrylab compare: %s\n", p->error);
        return;
    }
    printf("compare %s -> %s\n", p->a, p->b);
    printf("  %-20s %18s %18s %10s %10s  %s\n", "measure", "baseline (A)", "this run (B)", "change",
           "allowed", "verdict");
    for (size_t i = 0; i < REP_CMP_ROWS; i++) {
        const rep_cmp_row *r = &p->rows[i];
        printf("  %-20s %18s %18s %10s %10s  %s\n", r->label, r->a, r->b, r->change, r->limit,
               r->ok ? "ok" : "WORSE");
    }
    if (p->bad)
        printf("compare %s: %zu of %d measures worse than allowed\n", p->name, p->bad,
               REP_CMP_ROWS);
    else
        printf("compare %s: no measure worse than allowed\n", p->name);
}

static int suite_of(const cmp_pair *p, rep_tsuite *s)
{
    snprintf(s->name, sizeof s->name, "%s", p->name);
    if (p->rc >= 2)
        return rep_tsuite_add(s, "runs", REP_T_ERROR, p->error, NULL, p->b, 0);
    if (p->missing)
        return rep_tsuite_add(s, "runs", REP_T_FAIL, p->error, NULL, p->a, 0);
    for (size_t i = 0; i < REP_CMP_ROWS; i++)
        if (rep_tsuite_add(s, p->rows[i].name, p->rows[i].ok ? REP_T_PASS : REP_T_FAIL,
                           p->rows[i].text, NULL, p->policy, 0))
            return -1;
    return 0;
}

static cJSON *json_pair(const cmp_pair *p)
{
    cJSON *o = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "a", p->a);
    cJSON_AddStringToObject(o, "b", p->b);
    cJSON_AddStringToObject(o, "result",
                            p->missing   ? "missing"
                            : p->rc == 0 ? "no worse"
                            : p->rc == 1 ? "worse"
                            : p->rc == 2 ? "bad input"
                                         : "runtime failure");
    if (p->error[0])
        cJSON_AddStringToObject(o, "error", p->error);
    if (p->note[0])
        cJSON_AddStringToObject(o, "note", p->note);
    for (size_t i = 0; p->rc < 2 && !p->missing && i < REP_CMP_ROWS; i++) {
        const rep_cmp_row *r = &p->rows[i];
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "name", r->name);
        cJSON_AddNumberToObject(m, "a", isfinite(r->va) ? r->va : -1);
        cJSON_AddNumberToObject(m, "b", isfinite(r->vb) ? r->vb : -1);
        cJSON_AddNumberToObject(m, "change", isfinite(r->delta) ? r->delta : 1e300);
        cJSON_AddStringToObject(m, "allowed", r->limit);
        cJSON_AddBoolToObject(m, "ok", r->ok);
        cJSON_AddStringToObject(m, "text", r->text);
        cJSON_AddItemToArray(rows, m);
    }
    cJSON_AddItemToObject(o, "measures", rows);
    return o;
}

/* The pairs to compare: A and B, or the run folders under them by name.
 * Returns the count, or -1 (bad input, message printed). */
static long make_pairs(const cmp_args *a, cmp_pair **out)
{
    bool ra = is_run(a->a), rb = is_run(a->b);
    if (ra != rb) {
        fprintf(stderr,
                "retrylab compare: %s is %sa run folder and %s is %s: give two run folders, "
                "or two folders of run folders\n",
                a->a, ra ? "" : "not ", a->b, rb ? "one" : "not");
        return -1;
    }
    if (ra) {
        *out = calloc(1, sizeof **out);
        if (!*out)
            return -1;
        snprintf((*out)->name, sizeof(*out)->name, "%s", a->b);
        snprintf((*out)->a, sizeof(*out)->a, "%s", a->a);
        snprintf((*out)->b, sizeof(*out)->b, "%s", a->b);
        return 1;
    }
    char **na, **nb;
    size_t ca, cb;
    cm_err err = {{0}};
    if (run_names(a->a, &na, &ca, &err) || run_names(a->b, &nb, &cb, &err)) {
        fprintf(stderr, "retrylab compare: %s\n", err.msg);
        return -1;
    }
    *out = calloc(ca ? ca : 1, sizeof **out);
    for (size_t i = 0; *out && i < ca; i++) {
        cmp_pair *p = &(*out)[i];
        snprintf(p->name, sizeof p->name, "%s", na[i]);
        snprintf(p->a, sizeof p->a, "%.1500s/%.255s", a->a, na[i]);
        snprintf(p->b, sizeof p->b, "%.1500s/%.255s", a->b, na[i]);
        p->missing = !has_name(nb, cb, na[i]);
        if (p->missing)
            snprintf(p->error, sizeof p->error, "%.600s has no run %.60s: the baseline has one",
                     a->b, na[i]);
    }
    for (size_t i = 0; i < cb; i++)
        if (!has_name(na, ca, nb[i]))
            fprintf(stderr, "retrylab compare: note: %s/%s has no baseline in %s (not compared)\n",
                    a->b, nb[i], a->a);
    for (size_t i = 0; i < ca; i++)
        free(na[i]);
    for (size_t i = 0; i < cb; i++)
        free(nb[i]);
    free(na);
    free(nb);
    if (ca == 0)
        fprintf(stderr, "retrylab compare: %s holds no run folder (with a trace.jsonl)\n", a->a);
    return *out && ca ? (long)ca : -1;
}

static int output(cmp_pair *pairs, size_t n, const cmp_args *a, int rc)
{
    rep_tsuite *suites = calloc(n, sizeof *suites);
    if (!suites)
        return 3;
    for (size_t i = 0; i < n; i++)
        if (suite_of(&pairs[i], &suites[i]) != 0)
            rc = 3;
    if (a->format == FMT_TEXT && a->github)
        rep_gh_annotate(stdout, suites, n);
    if (a->format == FMT_JUNIT)
        rep_junit_write(stdout, "retrylab.compare", suites, n);
    if (a->format == FMT_JSON) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
        cJSON_AddStringToObject(root, "kind", "compare");
        cJSON_AddItemToObject(root, "pairs", arr);
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(arr, json_pair(&pairs[i]));
        cJSON_AddNumberToObject(root, "exit", rc);
        char *text = cJSON_Print(root);
        cJSON_Delete(root);
        if (text)
            printf("%s\n", text);
        rc = text ? rc : 3;
        free(text);
    }
    cm_err err = {{0}};
    if (a->junit && rep_junit_save(a->junit, "retrylab.compare", suites, n, &err) != 0) {
        fprintf(stderr, "retrylab compare: %s\n", err.msg);
        rc = 3;
    }
    for (size_t i = 0; i < n; i++)
        rep_tsuite_free(&suites[i]);
    free(suites);
    return rc;
}

int rep_cmd_compare(int argc, char **argv)
{
    cmp_args a = {.lim = REP_CMP_LIMITS_DEFAULT};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;
    cmp_pair *pairs = NULL;
    long n = make_pairs(&a, &pairs);
    if (n < 0) {
        free(pairs);
        return 2;
    }
    size_t worse = 0;
    for (long i = 0; i < n; i++) {
        cmp_pair *p = &pairs[i];
        if (!p->missing)
            compare_pair(p, &a.lim);
        int one = p->missing ? 1 : p->rc;
        rc = one > rc ? one : rc;
        worse += one == 1;
        if (a.format == FMT_TEXT)
            text_pair(p);
    }
    if (a.format == FMT_TEXT && n > 1)
        printf("compare: %ld pairs: %zu worse than allowed\n", n, worse);
    rc = output(pairs, (size_t)n, &a, rc);
    free(pairs);
    return rc;
}
