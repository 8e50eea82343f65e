/* cmd_import.c: `retrylab import SOURCE --out SCENARIO.json`: a scenario
 * that replays what a run folder or a mockserver journal saw. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "engine/cli/cli.h"
#include "engine/core/engine.h"
#include "engine/import/import.h"

typedef struct import_args {
    const char *source, *out, *policy, *name;
} import_args;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: retrylab import SOURCE --out SCENARIO.json [--policy POLICY] [--name NAME]\n"
            "  Writes a scenario that replays what SOURCE saw: a run folder (a live or mock\n"
            "  run, or a graded journal) or a mockserver journal (--journal FILE, or GET\n"
            "  /__admin/journal). Providers and models, each model's latency, windows from\n"
            "  the rate-limit headers, Retry-After, phases for runs of errors, faults for\n"
            "  scattered ones, and a workload matching the arrivals; its description says\n"
            "  where each value came from.\n"
            "  --out FILE       the scenario to write (required)\n"
            "  --policy POLICY  the scenario's policy and its key names (default: a run\n"
            "                   folder's own policy)\n"
            "  --name NAME      the scenario's name (default: imported-SOURCE)\n"
            "  Exit 0 done; 2 bad input (file:line, the flag); 3 cannot write.\n");
}

static int parse_args(int argc, char **argv, import_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
            return 1;
        const char **s = strcmp(o, "--out") == 0      ? &a->out
                         : strcmp(o, "--policy") == 0 ? &a->policy
                         : strcmp(o, "--name") == 0   ? &a->name
                                                      : NULL;
        if (s && i + 1 >= argc) {
            fprintf(stderr, "retrylab import: %s: needs a value\n", o);
            return 2;
        }
        if (s)
            *s = argv[++i];
        else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "retrylab import: unknown option '%s'\n", o);
            return 2;
        } else if (a->source) {
            fprintf(stderr, "retrylab import: one SOURCE only\n");
            return 2;
        } else
            a->source = o;
    }
    if (!a->source || !a->out) {
        fprintf(stderr, "retrylab import: %s\n",
                !a->source ? "which SOURCE?" : "--out is required");
        return 2;
    }
    return 0;
}

static void warn_stderr(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "retrylab import: warning: %s\n", msg);
}

/* A source file that is a HAR: its JSON starts with {"log": ... */
static bool looks_like_har(const char *path)
{
    FILE *f = fopen(path, "rb");
    char head[256] = "";
    size_t n = f ? fread(head, 1, sizeof head - 1, f) : 0;
    if (f)
        fclose(f);
    head[n] = '\0';
    const char *p = head + strspn(head, " \t\r\n");
    return *p == '{' && strstr(p, "\"log\"") != NULL;
}

static int read_source(const import_args *a, rl_exchanges *x, cm_err *err)
{
    struct stat st;
    if (stat(a->source, &st) == 0 && S_ISDIR(st.st_mode))
        return rl_import_run(a->source, x, warn_stderr, NULL, err);
    int rc = looks_like_har(a->source) ? rl_import_har(a->source, x, warn_stderr, NULL, err)
                                       : rl_import_journal(a->source, x, warn_stderr, NULL, err);
    if (rc == 0 && rl_import_group(x, 60 * CM_US_PER_S) != 0) {
        cm_err_set(err, "import: out of memory");
        rc = CM_ERR_RUNTIME;
    }
    return rc;
}

/* The policy's key names as "provider/KEY" (for the scenario's test keys). */
static size_t policy_keys(const char *path, char (*names)[200], size_t max, cm_err *err)
{
    rl_policy *p = NULL;
    if (rl_policy_load(path, &p, err) != 0)
        return (size_t)-1;
    size_t n = 0;
    for (size_t i = 0; i < rl_policy_candidate_count(p); i++) {
        rl_candidate_info ci;
        rl_policy_candidate(p, i, &ci);
        for (size_t k = 0; k < ci.nkeys && n < max; k++)
            snprintf(names[n++], sizeof names[0], "%s/%s", ci.provider, ci.keys[k]);
    }
    rl_policy_free(p);
    return n;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fputc('\n', f) == EOF) {
        fprintf(stderr, "retrylab import: %s: cannot write: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return CM_EXIT_RUNTIME;
    }
    return fclose(f) == 0 ? 0 : CM_EXIT_RUNTIME;
}

static int import_now(const import_args *a)
{
    rl_exchanges x = {0};
    cm_err err;
    int rc = read_source(a, &x, &err);
    if (rc != 0) {
        fprintf(stderr, "retrylab import: %s\n", err.msg);
        rl_exchanges_free(&x);
        return cm_exit_of(rc);
    }
    const char *policy = a->policy ? a->policy : x.policy[0] ? x.policy : NULL;
    static char names[256][200];
    const char *keys[256];
    size_t nk = policy ? policy_keys(policy, names, 256, &err) : 0;
    if (nk == (size_t)-1) {
        fprintf(stderr, "%s\n", err.msg);
        rl_exchanges_free(&x);
        return CM_EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < nk; i++)
        keys[i] = names[i];
    char abs[PATH_MAX], name[200];
    const char *base = strrchr(a->source, '/');
    snprintf(name, sizeof name, "imported-%s", base && base[1] ? base + 1 : a->source);
    for (char *c = name; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *c))
            *c = '-';
    rl_import_scenario_opts o = {.name = a->name ? a->name : name,
                                 .policy_path = policy && realpath(policy, abs) ? abs : NULL,
                                 .keys = keys,
                                 .nkeys = nk};
    char *text = rl_import_scenario(&x, &o, &err);
    rc = text ? write_file(a->out, text) : CM_EXIT_RUNTIME;
    if (rc == 0)
        printf("import: %zu attempts in %zu tasks -> %s\n", x.n, x.ntasks, a->out);
    free(text);
    rl_exchanges_free(&x);
    return rc;
}

int rl_cmd_import(int argc, char **argv)
{
    import_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc != 0) {
        usage(stderr);
        return CM_EXIT_BAD_INPUT;
    }
    return import_now(&a);
}
