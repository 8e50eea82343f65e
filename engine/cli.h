/* cli.h: the retrylab subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code:
 * 0 ok, 1 a check fell short, 2 bad input, 3 runtime failure. */
#ifndef RL_CLI_H
#define RL_CLI_H

int rl_cmd_sim(int argc, char **argv);
int rl_cmd_run(int argc, char **argv);
int rl_cmd_validate(int argc, char **argv);

#endif
