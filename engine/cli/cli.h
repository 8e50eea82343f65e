/* cli.h: the retrylab subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code:
 * 0 ok, 1 a check fell short, 2 bad input, 3 runtime failure. */
#ifndef RL_CLI_H
#define RL_CLI_H

int rl_cmd_sim(int argc, char **argv);
int rl_cmd_run(int argc, char **argv);
int rl_cmd_validate(int argc, char **argv);
int rl_cmd_sweep(int argc, char **argv);
int rl_cmd_sweep_merge(int argc, char **argv);
int rl_cmd_journal(int argc, char **argv);
int rl_cmd_import(int argc, char **argv);

/* ---- what the commands share (cli_util.c) ---- */
#include <signal.h>
#include <stdint.h>

/* The signal that asked a run to stop (SIGINT or SIGTERM), 0 until then. */
extern volatile sig_atomic_t rl_cli_stop;
/* Routes SIGINT and SIGTERM to rl_cli_stop (no SA_RESTART, so a blocking wait
 * returns at once) and ignores SIGPIPE, so a peer or reader that goes away
 * gives a write error instead of killing the run. */
void rl_cli_catch_signals(void);
/* A decimal unsigned 64-bit number: digits only, no sign or space. 0, or -1. */
int rl_cli_parse_u64(const char *s, uint64_t *out);
/* A run seed: as rl_cli_parse_u64, and at most CM_SEED_MAX (2^53 - 1, what a
 * scenario's "seed" allows and a JSON number holds exactly). 0 or -1. */
int rl_cli_parse_seed(const char *s, uint64_t *out);

#endif
