/* file.h: reading an input file whole, the one way every loader does it
 * (policies, scenarios, expectations, providers files, run summaries).
 * What is not a regular file is refused before any read: a FIFO would
 * block forever and a device such as /dev/zero never ends. */
#ifndef CM_FILE_H
#define CM_FILE_H
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

/* Reads the regular file `path`, at most `max` bytes. 0 with *out (malloc'd,
 * NUL-terminated, the caller frees) and *len; -1 with err = "PATH: cannot
 * open: REASON", "PATH: not a regular file (a FIFO)", "PATH: file too large
 * (limit N MiB)" or "PATH: cannot read: REASON", and nothing to free. */
int cm_file_read(const char *path, size_t max, char **out, size_t *len, cm_err *err);

/* Opens the regular file `path` for reading as a stream (for line-by-line
 * readers). The stream, or NULL with err as cm_file_read's. */
FILE *cm_file_open(const char *path, cm_err *err);

/* What kind of thing `mode` (a stat st_mode) is, in words: "a directory",
 * "a FIFO", "a socket", "a character device", ... */
const char *cm_file_kind(unsigned mode);

#endif
