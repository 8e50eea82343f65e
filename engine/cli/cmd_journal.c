/* cmd_journal.c: `retrylab journal JOURNAL --out DIR`: a mockserver journal
 * (a user's own client run against the mockserver) turned into a run folder
 * that check, report and compare read like any other run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "engine/cli/cli.h"
#include "engine/import/import.h"
#include "mockserver/scenario/scenario.h"

#define DEFAULT_WINDOW_S 60.0

typedef struct journal_args {
    const char *journal, *out, *scenario, *policy;
    double window_s;
} journal_args;

static void usage(FILE *to)
{
    fprintf(to, "usage: retrylab journal JOURNAL --out DIR [--scenario S] [--policy POLICY]\n"
                "                        [--window SECONDS]\n"
                "  Turns a mockserver journal (--journal FILE, or GET /__admin/journal) into a\n"
                "  run folder, DIR/trace.jsonl and DIR/summary.json, that check and report read.\n"
                "  Attempts are grouped into the client's tasks by, in order: X-Retrylab-Task,\n"
                "  retrylab's X-Retrylab-Attempt, Idempotency-Key, x-stainless-retry-count\n"
                "  chained with an identical body, an identical body within --window; each\n"
                "  response event says which rule grouped its task (\"group\"). Waits are\n"
                "  measured: from the end of one attempt to the next send.\n"
                "  --out DIR          the run folder (required), created if missing\n"
                "  --scenario S       the scenario the mockserver played: check judges the run by\n"
                "                     its expect; a journal naming a provider or model S does\n"
                "                     not have is refused (exit 2: a journal of another scenario)\n"
                "  --policy POLICY    named in the trace (the client's policy, when it has one)\n"
                "  --window SECONDS   an identical body within this long after a failed attempt\n"
                "                     is a retry of it (default 60)\n"
                "  Exit 0 done; 2 bad input (file:line, or the flag); 3 cannot write DIR.\n");
}

static int parse_args(int argc, char **argv, journal_args *a)
{
    memset(a, 0, sizeof *a);
    a->window_s = DEFAULT_WINDOW_S;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
            return 1;
        const char **s = strcmp(o, "--out") == 0        ? &a->out
                         : strcmp(o, "--scenario") == 0 ? &a->scenario
                         : strcmp(o, "--policy") == 0   ? &a->policy
                                                        : NULL;
        bool window = strcmp(o, "--window") == 0;
        if ((s || window) && i + 1 >= argc) {
            fprintf(stderr, "retrylab journal: %s: needs a value\n", o);
            return 2;
        }
        if (s) {
            *s = argv[++i];
        } else if (window) {
            char *end = NULL;
            errno = 0;
            a->window_s = strtod(argv[++i], &end);
            if (errno || end == argv[i] || *end || !isfinite(a->window_s) || a->window_s < 0 ||
                a->window_s > 1e7) {
                fprintf(stderr, "retrylab journal: --window: bad value '%s'\n", argv[i]);
                return 2;
            }
        } else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "retrylab journal: unknown option '%s'\n", o);
            return 2;
        } else if (a->journal) {
            fprintf(stderr, "retrylab journal: one journal only (got '%s' and '%s')\n", a->journal,
                    o);
            return 2;
        } else {
            a->journal = o;
        }
    }
    if (!a->journal || !a->out) {
        fprintf(stderr, "retrylab journal: %s\n",
                !a->journal ? "which journal?" : "--out DIR is required");
        return 2;
    }
    return 0;
}

static void warn_stderr(void *ctx, const char *msg)
{
    fprintf(stderr, "%s: warning: %s\n", (const char *)ctx, msg);
}

/* With --scenario: every provider and model of the journal must be S's. */
static int same_scenario(const rl_exchanges *x, const mock_scenario *sc, const char *path)
{
    for (size_t i = 0; i < x->n; i++) {
        const rl_exchange *e = &x->v[i];
        int pi = mock_scenario_provider_find(sc, e->provider);
        if (pi >= 0)
            continue;
        fprintf(stderr,
                "retrylab journal: %s: entry at t=%.3f s names provider \"%s\", which %s "
                "(scenario \"%s\") does not have: a journal of another scenario?\n",
                x->source, cm_s_from_us(e->t), e->provider, path, mock_scenario_name(sc));
        return CM_EXIT_BAD_INPUT;
    }
    return 0;
}

/* The file name of path, without folders. */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int convert(const journal_args *a, mock_scenario *sc)
{
    rl_exchanges x = {0};
    cm_err err;
    int rc = rl_import_journal(a->journal, &x, warn_stderr, "retrylab journal", &err);
    if (rc == 0 && sc)
        rc = same_scenario(&x, sc, a->scenario) ? CM_ERR_INPUT : 0;
    else if (rc != 0)
        fprintf(stderr, "retrylab journal: %s\n", err.msg);
    if (rc == 0 && rl_import_group(&x, cm_us_from_s(a->window_s)) != 0) {
        fprintf(stderr, "retrylab journal: out of memory\n");
        rc = CM_ERR_RUNTIME;
    }
    rl_import_run_info info = {.mode = "journal",
                               .scenario = sc ? a->scenario : NULL,
                               .scenario_name = sc ? mock_scenario_name(sc) : base_name(a->journal),
                               .policy = a->policy,
                               .policy_name = a->policy ? base_name(a->policy) : "client"};
    if (rc == 0 && (rc = rl_import_write_run(&x, &info, a->out, &err)) != 0)
        fprintf(stderr, "retrylab journal: %s\n", err.msg);
    if (rc == 0)
        printf("journal: %zu attempts in %zu tasks (%zu entries skipped) -> %s\n", x.n, x.ntasks,
               x.skipped, a->out);
    rl_exchanges_free(&x);
    return cm_exit_of(rc);
}

int rl_cmd_journal(int argc, char **argv)
{
    journal_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc != 0) {
        usage(stderr);
        return CM_EXIT_BAD_INPUT;
    }
    mock_scenario *sc = NULL;
    cm_err err;
    if (a.scenario && mock_scenario_load(a.scenario, &sc, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CM_EXIT_BAD_INPUT;
    }
    rc = convert(&a, sc);
    mock_scenario_free(sc);
    return rc;
}
