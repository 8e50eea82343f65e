/* gnuplot.h: writing gnuplot scripts that stay re-runnable by hand (quoted
 * labels, one terminal block per picture format) and running gnuplot as a
 * child process in the report folder. */
#ifndef REP_GNUPLOT_H
#define REP_GNUPLOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REP_FMT_PNG 1
#define REP_FMT_SVG 2
#define REP_PNG_W 900
#define REP_PNG_H 540      /* the least height; pictures with a long key grow */
#define REP_PNG_H_MAX 1400 /* the most */
#define REP_KEY_MAX 40     /* characters of one key entry; the rest is cut ("...") */

/* Writes `s` as a gnuplot single-quoted string (quotes doubled, control
 * characters replaced by spaces, bytes that start no valid UTF-8 character
 * by U+FFFD, at most 200 characters). */
void rep_gp_quote(FILE *f, const char *s);

/* Writes `s` as a string column of a data file: in double quotes, with a
 * double quote inside as ' (a data file cannot escape it), control
 * characters as spaces, bytes that start no valid UTF-8 character as U+FFFD,
 * at most 200 characters. */
void rep_gp_data_string(FILE *f, const char *s);

/* Writes "set title": what the picture shows, and on a second line the
 * scenario when not NULL or "" (both quoted). */
void rep_gp_title(FILE *f, const char *what, const char *scenario);

/* Opens DIR/NAME.gp for writing and writes its header comment and common
 * settings; NULL on error (errno set). Then: rep_gp_begin_plot, the
 * picture's settings and one plot command, rep_gp_finish. */
FILE *rep_gp_open(const char *dir, const char *name, const char *what);
/* Writes the terminal and output lines of the first format (PNG when asked
 * for, else SVG): the picture goes to NAME.png or NAME.svg. */
void rep_gp_begin_plot(FILE *f, const char *name, int formats);
/* The same for a picture `height` pixels high (clamped to
 * REP_PNG_H..REP_PNG_H_MAX; the script's variable rl_h holds it). */
void rep_gp_begin_plot_sized(FILE *f, const char *name, int formats, int height);
/* `height` clamped to REP_PNG_H..REP_PNG_H_MAX. */
int rep_gp_height(int height);
/* The height a picture needs for a key of `entries` rows beside it (clamped). */
int rep_gp_key_height(size_t entries);
/* A key entry: s without an "@base" qualifier ("#N peer@base (mock)" ->
 * "#N peer (mock)"), cut to REP_KEY_MAX characters (and to size) with "...". */
void rep_gp_key_text(char *out, size_t size, const char *s);
/* Adds the second format (replot) and closes f. 0, or -1 on a write error. */
int rep_gp_finish(FILE *f, const char *name, int formats);

/* For a picture that replot cannot redo (a multiplot): writes body[len]
 * after the first format's terminal, again after the second's, and closes
 * f. 0, or -1 on a write error. */
int rep_gp_finish_body(FILE *f, const char *name, int formats, const char *body, size_t len);

/* True when an executable `gnuplot` is on PATH. */
bool rep_gp_available(void);
/* Runs "gnuplot NAME.gp" with cwd = dir, its output appended to
 * dir/gnuplot.log. 0 when gnuplot exited 0, else -1 (msg says why). */
int rep_gp_run(const char *dir, const char *name, char *msg, size_t msg_size);

/* Runs "gnuplot NAME.gp" for each of names[n], up to `jobs` at a time
 * (1..REP_GP_MAX_JOBS). 0 when every one exited 0, else -1 with the first
 * failure in msg (all started children are waited for either way). */
#define REP_GP_MAX_JOBS 8
int rep_gp_run_all(const char *dir, const char *const *names, size_t n, int jobs, char *msg,
                   size_t msg_size);

#endif
