/* outdir.h: the report folder holds one report. Each report lists the files
 * it wrote in DIR/.retrylab-report-files; the next report into DIR first
 * removes the files of that list, so pictures and data of runs that are no
 * longer reported do not linger beside the new page. Files the list does not
 * name (a user's own) are never touched. */
#ifndef REP_OUTDIR_H
#define REP_OUTDIR_H
#include <time.h>

/* Removes the files the last report listed in `dir` (plain names only: a
 * name with a '/' or a leading '.' is skipped) and returns the moment from
 * which this report's files count as its own (the modification time of a
 * marker it writes now, on the file system's own clock). */
struct timespec rep_outdir_begin(const char *dir);

/* Lists every regular file of `dir` modified at or after `since` as this
 * report's files. 0, or -1 when the list cannot be written (the report
 * itself stands; only the next clean-up is lost). */
int rep_outdir_end(const char *dir, struct timespec since);

#endif
