/* plot.h: the report's pictures: for each, a data file (.dat) and a gnuplot
 * script (.gp) written into the report folder, both kept so a user can re-run
 * or tweak them. Overlay pictures (success, ladder, latency, load) hold every
 * run; per-run pictures (timeline, outcomes) get one file per run. */
#ifndef REP_PLOT_H
#define REP_PLOT_H
#include <stddef.h>
#include <stdio.h>

#include "common/jsonpos.h"
#include "reports/run_load.h"

#define REP_MAX_RUNS 128
#define REP_MAX_PICS (10 * REP_MAX_RUNS)
#define REP_CAPTION_MAX 1000
#define REP_TIMELINES_PER_GROUP 2 /* attempt timelines drawn per scenario */

typedef struct rep_picture {
    char name[64];                 /* file stem: NAME.gp, NAME.png, NAME.svg */
    char title[300];               /* what the picture shows */
    char caption[REP_CAPTION_MAX]; /* how to read it */
    char group[REP_PATH_MAX];      /* the scenario whose runs it shows (rep_html_run_key) */
    int height;                    /* pixels (REP_PNG_W wide); grows with a long key */
} rep_picture;

typedef struct rep_plotset {
    rep_picture pics[REP_MAX_PICS];
    size_t n;
    char group[REP_PATH_MAX]; /* copied into each picture added */
} rep_plotset;

typedef struct rep_plot_opts {
    const char *out; /* the report folder (exists) */
    int formats;     /* REP_FMT_PNG | REP_FMT_SVG */
    int tasks;       /* timeline: first N tasks */
} rep_plot_opts;

/* Writes the data files and scripts of every picture for runs[n] and lists
 * them in *ps. Runs of the same scenario share the overlay pictures and one
 * outcomes picture; a report on several scenarios gets one set per scenario.
 * Attempt timelines: per scenario, its checked runs (own policy or own
 * expect.json; up to REP_TIMELINES_PER_GROUP), else its first run.
 * 0, or -1 with err ("out/x.dat: cannot write: ..."). */
int rep_plot_write(const rep_run *runs, size_t n, const rep_plot_opts *o, rep_plotset *ps,
                   cm_err *err);

/* ---- shared by the plot_*.c files ---- */

/* The runs one overlay picture holds: all runs of one scenario. Data files
 * are named by the run's position on the command line (ids[i] + 1); the
 * overlay scripts by NAME + suffix ("" when the report has one scenario). */
typedef struct rep_group {
    const rep_run *runs[REP_MAX_RUNS];
    size_t ids[REP_MAX_RUNS];
    size_t n;
    char suffix[16];              /* "", or "_s2", "_s3"... for the second scenario on */
    char title[REP_NAME_MAX + 8]; /* "" or ": SCENARIO" appended to picture titles */
} rep_group;

/* The unit of the time axes, chosen from the longest run. */
typedef struct rep_tunit {
    double div;       /* seconds per unit */
    const char *name; /* "s", "min", "h" */
} rep_tunit;
rep_tunit rep_tunit_for(const rep_group *g);
/* The group's scenario name for a picture's second title line ("" when the
 * report has one scenario). */
const char *rep_group_name(const rep_group *g);
/* A key entry for run r of g: its legend via rep_gp_key_text. */
void rep_group_key(const rep_group *g, size_t r, char *out, size_t size);
/* The same for an axis that ends at `end` seconds. */
rep_tunit rep_tunit_span(double end);

/* Colour and point type of an outcome class (same in every picture). */
const char *rep_class_colour(rep_class c);
int rep_class_point(rep_class c);
/* A distinct line colour for run or series i. */
const char *rep_series_colour(size_t i);

/* Opens OUT/NAME for writing; NULL with err filled. */
FILE *rep_data_open(const rep_plot_opts *o, const char *name, cm_err *err);
/* Closes a data or script file; -1 with err when a write failed. */
int rep_file_close(FILE *f, const rep_plot_opts *o, const char *name, cm_err *err);
/* Opens OUT/NAME.gp with its header (rep_gp_open); NULL with err filled. */
FILE *rep_script_open(const rep_plot_opts *o, const char *name, const char *what, cm_err *err);
/* rep_gp_finish; -1 with err on a write error. */
int rep_script_close(FILE *f, const rep_plot_opts *o, const char *name, cm_err *err);
/* Adds a picture to ps (silently ignored past REP_MAX_PICS). */
void rep_pic_add(rep_plotset *ps, const char *name, const char *title, const char *caption);
/* Sets the height of the picture added last (rep_gp_begin_plot_sized's). */
void rep_pic_height(rep_plotset *ps, int height);

int rep_plot_success(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
int rep_plot_latency(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
int rep_plot_load(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
int rep_plot_ladder(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
int rep_plot_timeline(const rep_run *run, size_t index, const rep_plot_opts *o, rep_plotset *ps,
                      cm_err *err);
int rep_plot_outcomes(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
/* Every run of the group as a point: success rate against calls per success,
 * coloured by p95 task duration, named by its policy (nothing for one run). */
int rep_plot_overview(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);
/* For groups with streamed answers: the time-to-first-token CDF and the share
 * of streams by how they ended, per run (nothing when no run streamed). */
int rep_plot_streams(const rep_group *g, const rep_plot_opts *o, rep_plotset *ps, cm_err *err);

#endif
