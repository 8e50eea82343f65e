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

#endif
