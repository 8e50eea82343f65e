/* cli_util.c: what the subcommands share: the stop flag their signal handler
 * sets, and strict parsing of unsigned numbers given as flag values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"

#include "common/rng.h"

volatile sig_atomic_t rl_cli_stop;

static void on_signal(int sig)
{
    rl_cli_stop = sig;
}

void rl_cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int rl_cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int rl_cli_parse_seed(const char *s, uint64_t *out)
{
    uint64_t v;
    if (rl_cli_parse_u64(s, &v) != 0 || v > (uint64_t)CM_SEED_MAX)
        return -1;
    *out = v;
    return 0;
}
