/* cmd_pending.c: subcommands whose implementation has not landed yet. Each
 * says so plainly and exits 3; remove an entry when its real file lands. */
#include <stdio.h>

#include "engine/cli.h"
#include "reports/reports.h"

static int pending(const char *name)
{
    fprintf(stderr, "retrylab %s: not implemented yet\n", name);
    return 3;
}

int rl_cmd_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    return pending("run");
}
