/* main.c: the retrylab command line: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "commit.h"
#include "common/err.h"
#include "common/version.h"
#include "engine/cli/cli.h"
#include "reports/reports.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;
} command;

static const command commands[] = {
    {"sim", rl_cmd_sim, "SCENARIO [--policy POLICY] [--seed N] [--out DIR] [--quiet]"},
    {"run", rl_cmd_run,
     "SCENARIO [--policy POLICY] --target URL [--time-scale X] [--concurrency N] [--out DIR]\n"
     "                       --live PROVIDERS --policy POLICY [--tasks N] [--concurrency N]"
     " [--out DIR]"},
    {"sweep", rl_cmd_sweep,
     "SCENARIO [--policy POLICY] --vary PATH=V1,V2,... [--vary PATH=LO..HI:STEP]\n"
     "                       [--vary-scenario PATH=VALUES] [--seeds N] [--jobs J] [--out DIR]\n"
     "                       [--shard K/N] [--objective TEXT] [--peers DIR]"},
    {"sweep-merge", rl_cmd_sweep_merge, "DIR... [--out DIR] [--objective TEXT]"},
    {"journal", rl_cmd_journal, "JOURNAL --out DIR [--scenario S] [--policy POLICY] [--window S]"},
    {"import", rl_cmd_import,
     "SOURCE --out SCENARIO.json [--policy POLICY] [--name NAME]   (SOURCE: a run\n"
     "                       folder, a mockserver journal or a HAR file)"},
    {"check", rep_cmd_check,
     "DIR... [--expect FILE] [--format text|json|junit] [--junit FILE]\n"
     "                       [--annotations github] [--strict]"},
    {"compare", rep_cmd_compare,
     "A B [--max-drop-success PTS] [--max-rise-calls PCT] ... [--format text|json|junit]"},
    {"report", rep_cmd_report,
     "DIR... [--out DIR] [--format png,svg] [--tasks N] [--conformance FILE]"},
    {"validate", rl_cmd_validate, "FILE..."},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: retrylab COMMAND [ARGS]   (COMMAND --help: every flag, its default)\n"
                "       retrylab --version\n"
                "  Tests retry and rotation policies against fake rate-limited providers:\n"
                "  sim (virtual time), run (over HTTP), sweep (a grid of policy variants and its\n"
                "  Pareto front), sweep-merge (joins sharded sweeps), journal (a mockserver\n"
                "  journal of any client as a run), import (a scenario from a run, journal or\n"
                "  HAR), check (CI verdict), compare (a run against a baseline), report\n"
                "  (pictures), validate (policy, scenario, expect and providers files).\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  retrylab %-11s %s\n", commands[i].name, commands[i].synopsis);
    fprintf(to, "\nexit codes:\n");
    for (int code = 0; code < 4; code++)
        fprintf(to, "  %d  %s\n", code, cm_exit_meaning(code));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CM_EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("retrylab %s (commit %s)\n", CM_VERSION, CM_COMMIT);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "retrylab: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CM_EXIT_BAD_INPUT;
}
