/* rundir.h: the run directory of a driver (DIR/trace.jsonl, DIR/summary.json):
 * its default name out/runs/NAME and its creation (mkdir -p). */
#ifndef RL_RUNDIR_H
#define RL_RUNDIR_H
#include <stddef.h>

/* "out/runs/NAME" into buf, NAME reduced to [A-Za-z0-9._-] (no leading dot;
 * "unnamed" when empty). */
void rl_rundir_default(const char *name, char *buf, size_t size);

/* mkdir -p `path`. 0, or -1 with errno set (ENAMETOOLONG past 1023 bytes,
 * ENOTDIR when something else is there). */
int rl_rundir_make(const char *path);

#define RL_RUNDIR_MAX 1024

/* Where a driver writes: the run directory and its two files. */
typedef struct rl_rundir {
    char dir[RL_RUNDIR_MAX];
    char trace[RL_RUNDIR_MAX + 16];   /* DIR/trace.jsonl */
    char summary[RL_RUNDIR_MAX + 16]; /* DIR/summary.json */
} rl_rundir;

/* Fills `d` from `out` (--out, may be NULL: then out/runs/NAME from
 * `default_name`) and creates the directory. 0 (with a warning on stderr
 * when DIR/expect.json is already there: check and report would judge the
 * new run by it); 2 when `out` is empty; 3 (the exit code) after
 * "retrylab CMD: DIR: cannot create: REASON" on stderr. */
int rl_rundir_prepare(rl_rundir *d, const char *cmd, const char *out, const char *default_name);

#endif
