/* sweep.h: a sweep folder (retrylab sweep: sweep.json, sweep.csv) in the
 * report: its picture (every variant's success against calls per success,
 * coloured by p95 task duration, the Pareto front joined, the policy as it
 * is and the peers' presets marked) and its own section of the page. Reads
 * the files only. */
#ifndef REP_SWEEP_H
#define REP_SWEEP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/jsonpos.h"
#include "reports/plot.h"

#define REP_MAX_SWEEPS 32

typedef struct rep_sweep {
    char dir[REP_PATH_MAX];
    cm_json *doc;      /* DIR/sweep.json */
    char pic[64];      /* the picture's stem ("" until drawn) */
    size_t drawn;      /* variants in the picture */
    size_t no_success; /* variants left out: no success, no calls per success */
    double cmin, cmax; /* calls per success drawn, least and most */
} rep_sweep;

/* True when DIR holds a sweep.json (then DIR is a sweep folder, not a run). */
bool rep_sweep_is(const char *dir);
/* Loads DIR/sweep.json ("kind": "sweep"). 0, or -1 with err. */
int rep_sweep_load(const char *dir, rep_sweep *s, cm_err *err);
void rep_sweep_free(rep_sweep *s);
/* Writes sweep_N.dat and sweep_N.gp (N = index + 1) and lists the picture.
 * 0, or -1 with err. */
int rep_sweep_plot(rep_sweep *s, size_t index, const rep_plot_opts *o, rep_plotset *ps,
                   cm_err *err);
/* The table of contents entries (<li> items) and the sections of the sweeps. */
void rep_sweep_toc(FILE *f, const rep_sweep *s, size_t n);
void rep_sweep_sections(FILE *f, const rep_sweep *s, size_t n, const rep_plotset *ps, int formats,
                        bool pictures);

#endif
