/* outdir.h: the report folder holds one report. Each report lists the files
 * it wrote in DIR/.retrylab-report-files; the next report into DIR first
 * removes the files of that list, so pictures and data of runs that are no
 * longer reported do not linger beside the new page. Only files of the kinds
 * report writes (.png, .svg, .dat, .gp, index.html, gnuplot.log) and new or
 * changed during the report go on the list; others (a user's own) are never
 * touched. */
#ifndef REP_OUTDIR_H
#define REP_OUTDIR_H
#include <stddef.h>

/* The regular files of the folder as they were before the report (name,
 * inode, size, modification time), to tell afterwards which it wrote. */
typedef struct rep_outdir {
    const char *dir;
    struct rep_outdir_file *files;
    size_t n;
    int lost; /* out of memory while noting: no list is written */
} rep_outdir;

/* Removes the files the last report listed in `dir` (plain names only: a
 * name with a '/' or a leading '.' is skipped), then notes the files that
 * remain. Never fails: out of memory, rep_outdir_end writes no list. */
void rep_outdir_begin(rep_outdir *o, const char *dir);

/* Lists every regular file of the folder that is new or changed since
 * rep_outdir_begin as this report's, and frees o. 0, or -1 when the list
 * cannot be written (the report stands; only the next clean-up is lost). */
int rep_outdir_end(rep_outdir *o);

#endif
