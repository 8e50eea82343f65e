/* sweep_merge.c: `retrylab sweep-merge`. */
#include "engine/cli/cli.h"
int rl_cmd_sweep_merge(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 2;
}
