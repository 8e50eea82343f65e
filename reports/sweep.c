/* sweep.c: a sweep folder in the report: one picture (every variant,
 * the Pareto front, the policy as it is, the peers' presets) and one
 * section (the grid, the front, the points, the best variant). */
#include "reports/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/gnuplot.h"
#include "reports/html.h"

bool rep_sweep_is(const char *dir)
{
    char path[REP_PATH_MAX + 16];
    struct stat st;
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int rep_sweep_load(const char *dir, rep_sweep *s, cm_err *err)
{
    char path[REP_PATH_MAX + 16];
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    snprintf(path, sizeof path, "%s/sweep.json", dir);
    if (!(s->doc = cm_json_load(path, err)))
        return -1;
    if (strcmp(str(cm_json_root(s->doc), "kind"), "sweep") != 0) {
        cm_err_set(err, "%s: not a sweep (no \"kind\": \"sweep\")", path);
        rep_sweep_free(s);
        return -1;
    }
    return 0;
}

void rep_sweep_free(rep_sweep *s)
{
    cm_json_free(s->doc);
    s->doc = NULL;
}

/* ---- the picture ---- */

/* Splits a CSV line in place (quoted fields unquoted); the field count. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *w = ++p;
            f[n++] = w;
            while (*p && !(*p == '"' && p[1] != '"')) {
                *w++ = *p;
                p += *p == '"' ? 2 : 1;
            }
            p += *p == '"';
            char *end = p;
            *w = '\0';
            p = end;
        } else {
            f[n++] = p;
            p += strcspn(p, ",\n\r");
        }
        if (*p != ',') {
            *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    return n;
}

static int column(char **f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0)
            return (int)i;
    return -1;
}

/* Block 0 of the data: every variant with a success (calls success p95 variant). */
static int variants_block(rep_sweep *s, FILE *out, double *pmin, double *pmax)
{
    char path[REP_PATH_MAX + 16], *line = NULL, *f[64];
    size_t cap = 0;
    snprintf(path, sizeof path, "%s/sweep.csv", s->dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    int cc = -1, cs = -1, cp = -1;
    fputs("# block 0: every variant (calls_per_success success_rate p95_duration_s variant)\n",
          out);
    for (bool head = true; getline(&line, &cap, in) > 0; head = false) {
        size_t n = split(line, f, 64);
        if (head) {
            cc = column(f, n, "calls_per_success");
            cs = column(f, n, "success_rate");
            cp = column(f, n, "p95_duration_s");
            continue;
        }
        if (cc < 0 || cs < 0 || cp < 0 || (size_t)cc >= n || (size_t)cs >= n || (size_t)cp >= n)
            break;
        if (!f[cs][0])
            continue; /* a variant the simulation refused (its error column says why) */
        double p95 = strtod(f[cp], NULL), calls = f[cc][0] ? strtod(f[cc], NULL) : -1;
        if (calls < 0)
            s->no_success++; /* drawn at the right edge, x = rl_none */
        else {
            s->cmin = fmin(s->cmin, calls);
            s->cmax = fmax(s->cmax, calls);
        }
        *pmin = fmin(*pmin, p95);
        *pmax = fmax(*pmax, p95);
        fprintf(out, "%.6g %s %s %s\n", calls, f[cs], f[cp], f[0]);
        s->drawn++;
    }
    free(line);
    fclose(in);
    fputs("\n\n", out);
    return cc < 0 ? -1 : 0;
}

static int by_calls(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (y[1] > x[1]) - (y[1] < x[1]);
}

/* Block 1: the front, by calls per success. */
static void front_block(const rep_sweep *s, FILE *out)
{
    const cJSON *front = cJSON_GetObjectItemCaseSensitive(cm_json_root(s->doc), "front"), *it;
    size_t n = 0, k = 0;
    cJSON_ArrayForEach(it, front) n++;
    double *v = calloc(n ? 2 * n : 2, sizeof *v);
    cJSON_ArrayForEach(it, front)
    {
        double c = num(it, "calls_per_success"), r = num(it, "success_rate");
        if (v && isfinite(c) && isfinite(r)) {
            v[2 * k] = c;
            v[2 * k++ + 1] = r;
        }
    }
    if (v)
        qsort(v, k, 2 * sizeof *v, by_calls);
    fputs("# block 1: the Pareto front (calls_per_success success_rate)\n", out);
    for (size_t i = 0; v && i < k; i++)
        fprintf(out, "%.6g %.6g\n", v[2 * i], v[2 * i + 1]);
    fputs(k ? "\n\n" : "0 -1\n\n\n", out);
    free(v);
}

/* Blocks 2 and 3: the policy as it is, the peers (calls success label). */
static void points_blocks(rep_sweep *s, FILE *out)
{
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(cm_json_root(s->doc), "points"), *p;
    for (int peers = 0; peers < 2; peers++) {
        size_t k = 0;
        fprintf(out, "# block %d: %s (calls_per_success success_rate label)\n", 2 + peers,
                peers ? "the peers' presets" : "the policy as it is");
        cJSON_ArrayForEach(p, pts)
        {
            bool current = strcmp(str(p, "label"), "current") == 0;
            double c = num(p, "calls_per_success"), r = num(p, "success_rate");
            c = isfinite(c) ? c : -1; /* no success: the right edge */
            if (current == (peers == 0) && isfinite(r)) {
                s->cmin = c > 0 ? fmin(s->cmin, c) : s->cmin;
                s->cmax = fmax(s->cmax, c);
                fprintf(out, "%.6g %.6g ", c, r);
                rep_gp_data_string(out, str(p, "label"));
                fputc('\n', out);
                k++;
            }
        }
        fputs(k ? "\n\n" : "0 -1 \"\"\n\n\n", out);
    }
}

static void script(FILE *f, const rep_sweep *s, const char *data, double pmin, double pmax)
{
    const cJSON *r = cm_json_root(s->doc);
    char what[300];
    snprintf(what, sizeof what, "Sweep of %.120s: success against calls per success",
             str(r, "policy_name"));
    rep_gp_title(f, what, str(r, "scenario_name"));
    fputs("set xlabel 'calls per success (attempts / successes)'\n"
          "set ylabel 'success rate (mean over seeds)'\nset yrange [0:1.05]\n"
          "set ytics ('0%%' 0, '25%%' 0.25, '50%%' 0.5, '75%%' 0.75, "
          "'100%%' 1)\nset key outside right top\nset grid\n"
          "set cblabel 'p95 task duration (s)'\nset palette rgb 33,13,10\n",
          f);
    if (pmin > 0 && pmax > 20 * pmin)
        fputs("set logscale cb\n", f);
    bool logx = s->cmin > 0 && isfinite(s->cmin) && s->cmax > 8 * s->cmin;
    double hi = s->cmax > 0 ? s->cmax : 1, edge = logx ? hi * 2 : hi * 1.15 + 0.5;
    if (logx)
        fputs("set logscale x\nset xlabel 'calls per success (attempts / successes, log scale)'\n",
              f);
    /* variants without a success have no calls per success: a column of their own at x = rl_none */
    fprintf(f, "rl_none = %g\nrl_x(c) = c < 0 ? rl_none : c\nset xrange [%g:%g]\n", edge,
            logx ? s->cmin / 1.5 : 0.0, logx ? edge * 1.6 : edge * 1.08);
    fprintf(f, "set label 2 'no success' at rl_none, 0.02 center font ',8'\n");
    fprintf(
        f,
        "plot '%s' index 0 using (rl_x($1)):2:3 with points pt 7 ps 0.8 lc palette title "
        "'variant', "
        "\\\n     '%s' index 1 using 1:2 with linespoints lw 2 pt 6 ps 1.6 lc rgb '#000000' "
        "title 'Pareto front', \\\n     '%s' index 2 using (rl_x($1)):2 with points pt 5 ps 2.2 "
        "lc rgb '#d62728' title 'the policy as it is', \\\n     '%s' index 3 using (rl_x($1)):2 "
        "with points pt 9 ps 1.8 lc rgb '#1f77b4' title 'peers'' presets', \\\n     '%s' "
        "index 3 using (rl_x($1)):2:3 with labels offset 0,1 font ',8' notitle\n",
        data, data, data, data, data);
}

int rep_sweep_plot(rep_sweep *s, size_t index, const rep_plot_opts *o, rep_plotset *ps, cm_err *err)
{
    char data[64];
    snprintf(s->pic, sizeof s->pic, "sweep_%zu", index + 1);
    snprintf(data, sizeof data, "sweep_%zu.dat", index + 1);
    FILE *f = rep_data_open(o, data, err);
    if (!f)
        return -1;
    double pmin = INFINITY, pmax = 0;
    s->cmin = INFINITY;
    s->cmax = 0;
    if (variants_block(s, f, &pmin, &pmax) != 0) {
        fclose(f);
        cm_err_set(err, "%.400s/sweep.csv: cannot read the sweep's table", s->dir);
        return -1;
    }
    front_block(s, f);
    points_blocks(s, f);
    if (rep_file_close(f, o, data, err) != 0)
        return -1;
    FILE *g = rep_script_open(o, s->pic, "every variant of a sweep", err);
    if (!g)
        return -1;
    rep_gp_begin_plot(g, s->pic, o->formats);
    script(g, s, data, pmin, pmax);
    if (rep_script_close(g, o, s->pic, err) != 0)
        return -1;
    char title[300], caption[REP_CAPTION_MAX];
    snprintf(title, sizeof title,
             "Sweep %zu: every variant, the Pareto front, the policy as it "
             "is and the peers' presets",
             index + 1);
    snprintf(caption, sizeof caption,
             "Each dot is one variant of the grid (%zu drawn; %zu without any success have no "
             "calls per success: they stand in the column 'no success' at the right edge), "
             "coloured by its p95 task duration. Up and to "
             "the left is better. The black line joins the Pareto front: no variant has a higher "
             "success rate with fewer calls per success and a shorter p95 duration. The red "
             "square is the policy file as it is; blue diamonds are the peers' presets with "
             "the policy's candidates.",
             s->drawn, s->no_success);
    snprintf(ps->group, sizeof ps->group, "sweep:%.1000s", s->dir);
    rep_pic_add(ps, s->pic, title, caption);
    return 0;
}

/* ---- the section ---- */

static void td_num(FILE *f, const cJSON *o, const char *key, int decimals, double scale,
                   const char *suffix)
{
    double v = num(o, key);
    if (isfinite(v))
        fprintf(f, "<td>%.*f%s</td>", decimals, v * scale, suffix);
    else
        fputs("<td>&ndash;</td>", f);
}

static void values_cells(FILE *f, const cJSON *values)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, values)
    {
        char *t = cJSON_PrintUnformatted(v);
        rep_html_td_text(f, t ? t : "");
        free(t);
    }
}

static void front_table(FILE *f, const cJSON *r)
{
    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(r, "axes"), *a, *it;
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(r, "current_variant");
    size_t n = 0;
    fputs("<table>\n<tr><th>variant</th>", f);
    cJSON_ArrayForEach(a, axes)
    {
        fputs("<th class=\"l\">", f);
        rep_html_esc(f, str(a, "column"));
        fputs("</th>", f);
    }
    fputs("<th>success</th><th>calls per success</th><th>p95 duration</th></tr>\n", f);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r, "front"))
    {
        if (n++ == 50)
            break;
        bool current = cJSON_IsNumber(cur) && cur->valuedouble == num(it, "variant");
        fprintf(f, "<tr%s><td>%.0f%s</td>", current ? " class=\"best\"" : "", num(it, "variant"),
                current ? " <span class=\"tag own\">the policy as it is</span>" : "");
        values_cells(f, cJSON_GetObjectItemCaseSensitive(it, "values"));
        td_num(f, it, "success_rate", 1, 100, "%");
        td_num(f, it, "calls_per_success", 2, 1, "");
        td_num(f, it, "p95_duration_s", 1, 1, " s");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void points_table(FILE *f, const cJSON *r)
{
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(r, "points"), *p;
    if (cJSON_GetArraySize(pts) == 0)
        return;
    fputs("<table>\n<tr><th class=\"l\">policy</th><th>success</th><th>95% interval</th>"
          "<th>calls per success</th><th>p95 duration</th><th>429s per minute</th>"
          "<th class=\"l\">expectations</th></tr>\n",
          f);
    cJSON_ArrayForEach(p, pts)
    {
        fputs("<tr>", f);
        rep_html_td_text(f, strcmp(str(p, "label"), "current") == 0 ? "the policy as it is"
                                                                    : str(p, "label"));
        td_num(f, p, "success_rate", 1, 100, "%");
        double lo = num(p, "success_ci_low"), hi = num(p, "success_ci_high");
        if (isfinite(lo) && isfinite(hi))
            fprintf(f, "<td>%.1f&ndash;%.1f%%</td>", lo * 100, hi * 100);
        else
            fputs("<td>&ndash;</td>", f);
        td_num(f, p, "calls_per_success", 2, 1, "");
        td_num(f, p, "p95_duration_s", 1, 1, " s");
        td_num(f, p, "rate_limited_per_min", 2, 1, "");
        rep_html_td_text(f, str(p, "expect")[0] ? str(p, "expect") : str(p, "error"));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void best_para(FILE *f, const cJSON *r)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "best"), *v;
    if (!cJSON_IsObject(b))
        return;
    fputs("<p>Objective <code>", f);
    rep_html_esc(f, str(b, "objective"));
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(b, "variant"))) {
        fputs("</code>: ", f);
        rep_html_esc(f, str(b, "note"));
        fputs(".</p>\n", f);
        return;
    }
    fprintf(f, "</code>: variant %.0f (", num(b, "variant"));
    bool first = true;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(b, "values"))
    {
        char *t = cJSON_PrintUnformatted(v);
        fputs(first ? "" : ", ", f);
        rep_html_esc(f, v->string);
        fputs(" = ", f);
        rep_html_esc(f, t ? t : "");
        free(t);
        first = false;
    }
    fprintf(f, "): %.1f%% success, %.2f calls per success, p95 %.1f s; written as <code>",
            num(b, "success_rate") * 100, num(b, "calls_per_success"), num(b, "p95_duration_s"));
    rep_html_esc(f, str(b, "policy_file"));
    fputs("</code> in the sweep folder.</p>\n", f);
}

static void lead(FILE *f, const rep_sweep *s, const cJSON *r)
{
    const cJSON *a, *e = cJSON_GetObjectItemCaseSensitive(r, "expect"), *k;
    fputs("<p class=\"lead\">Policy <code>", f);
    rep_html_esc(f, str(r, "policy"));
    fputs("</code> on scenario <code>", f);
    rep_html_esc(f, str(r, "scenario"));
    fprintf(f, "</code>: %.0f of %.0f variants, %.0f seeds each (from seed %.0f), in ",
            num(r, "rows"), num(r, "variants"), num(r, "seeds"), num(r, "first_seed"));
    rep_html_esc(f, s->dir);
    fputs(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "partial"))
              ? " <span class=\"warn\">(partial: the sweep was stopped or slices are "
                "missing)</span>"
              : "",
          f);
    fputs(". Varied:", f);
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(r, "axes"))
    {
        fputs(" <code>", f);
        rep_html_esc(f, str(a, "spec"));
        fputs("</code>", f);
    }
    fputs(". Expectations judged per run without a trace:", f);
    size_t nj = 0;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(e, "judged"))
    {
        fputs(nj++ ? ", " : " ", f);
        rep_html_esc(f, cJSON_IsString(k) ? k->valuestring : "");
    }
    fputs(nj ? "" : " none", f);
    fputs(".</p>\n", f);
}

void rep_sweep_toc(FILE *f, const rep_sweep *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = cm_json_root(s[i].doc);
        fprintf(f, "<li><a href=\"#sweep%zu\">Sweep %zu: ", i + 1, i + 1);
        rep_html_esc(f, str(r, "policy_name"));
        fputs(" on ", f);
        rep_html_esc(f, str(r, "scenario_name"));
        fprintf(f, "</a> (%.0f variants, Pareto front of %d)</li>\n", num(r, "rows"),
                cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "front")));
    }
}

void rep_sweep_sections(FILE *f, const rep_sweep *s, size_t n, const rep_plotset *ps, int formats,
                        bool pictures)
{
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = cm_json_root(s[i].doc);
        fprintf(f, "<h2 id=\"sweep%zu\">Sweep %zu: ", i + 1, i + 1);
        rep_html_esc(f, str(r, "policy_name"));
        fputs(" on ", f);
        rep_html_esc(f, str(r, "scenario_name"));
        fputs("</h2>\n", f);
        lead(f, &s[i], r);
        best_para(f, r);
        for (size_t k = 0; k < ps->n; k++) {
            const rep_picture *pic = &ps->pics[k];
            if (strcmp(pic->name, s[i].pic) != 0)
                continue;
            const char *ext = (formats & REP_FMT_PNG) ? "png" : "svg";
            fputs("<figure>\n<h4>", f);
            rep_html_esc(f, pic->title);
            fputs("</h4>\n", f);
            if (pictures)
                fprintf(f,
                        "<a href=\"%s.%s\"><img src=\"%s.%s\" width=\"%d\" height=\"%d\" "
                        "alt=\"sweep\"></a>\n",
                        pic->name, ext, pic->name, ext, REP_PNG_W, REP_PNG_H);
            fputs("<figcaption>", f);
            rep_html_esc(f, pic->caption);
            fprintf(f, " Files: <a href=\"%s.gp\">%s.gp</a>.</figcaption>\n</figure>\n", pic->name,
                    pic->name);
        }
        fputs("<h3>The Pareto front (up to 50 variants)</h3>\n", f);
        front_table(f, r);
        fputs("<h3>The policy as it is and the peers' presets, same seeds</h3>\n", f);
        points_table(f, r);
    }
}
