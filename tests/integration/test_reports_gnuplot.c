/* test_reports_gnuplot.c: reports/gnuplot: label quoting, key entries,
 * two-line titles, picture heights, a multiplot written once per format,
 * finding gnuplot on PATH, and running scripts as child processes several at
 * a time (a failing script is reported by name; the others still finish). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "reports/gnuplot.h"

static char tmp_dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/rl-test-gnuplot-XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static long file_size(const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void quote_doubles_quotes_and_drops_control_characters(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_gp_quote(f, "it's a\nlabel");
    fputc('|', f);
    rep_gp_quote(f, NULL);
    fclose(f);
    assert_string_equal(buf, "'it''s a label'|''");
    free(buf);
}

static void key_text_drops_the_base_policy_and_cuts_long_names(void **state)
{
    (void)state;
    char out[REP_KEY_MAX + 1];
    rep_gp_key_text(out, sizeof out, "#58 peer-anthropic-sdk@seed-003-tier-aware (mock)");
    assert_string_equal(out, "#58 peer-anthropic-sdk (mock)");
    rep_gp_key_text(out, sizeof out, "#7 seed-003-tier-aware");
    assert_string_equal(out, "#7 seed-003-tier-aware");
    rep_gp_key_text(out, sizeof out,
                    "#12 a-policy-name-that-is-far-too-long-for-any-key-entry-at-all");
    assert_int_equal(strlen(out), REP_KEY_MAX);
    assert_string_equal(out + REP_KEY_MAX - 3, "...");
    assert_int_equal(strncmp(out, "#12 a-policy-name", 17), 0);
    char tiny[6];
    rep_gp_key_text(tiny, sizeof tiny, "#1234567");
    assert_string_equal(tiny, "#1...");
}

static void heights_grow_with_the_key_within_bounds(void **state)
{
    (void)state;
    assert_int_equal(rep_gp_height(10), REP_PNG_H);
    assert_int_equal(rep_gp_height(100000), REP_PNG_H_MAX);
    assert_int_equal(rep_gp_key_height(3), REP_PNG_H);
    int h40 = rep_gp_key_height(40), h60 = rep_gp_key_height(60);
    assert_true(h40 > REP_PNG_H);
    assert_true(h60 > h40);
    assert_int_equal(rep_gp_key_height(100000), REP_PNG_H_MAX);
}

static void title_has_the_scenario_on_a_second_line(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    rep_gp_title(f, "Backoff ladder", "seed '003'");
    rep_gp_title(f, "Success", "");
    fclose(f);
    assert_string_equal(buf, "set title 'Backoff ladder' . \"\\n\" . 'seed ''003'''\n"
                             "set title 'Success'\n");
    free(buf);
}

/* A multiplot cannot be redone with replot: the body is written after each
 * terminal, so the PNG and the SVG both get every panel. */
static void finish_body_writes_the_body_once_per_format(void **state)
{
    (void)state;
    if (!rep_gp_available())
        skip();
    FILE *f = rep_gp_open(tmp_dir, "panels", "two panels");
    assert_non_null(f);
    rep_gp_begin_plot_sized(f, "panels", REP_FMT_PNG | REP_FMT_SVG, 700);
    const char *body = "set multiplot layout 2,1\nplot x title 'upper'\n"
                       "plot x*x title 'lower'\nunset multiplot\n";
    assert_int_equal(rep_gp_finish_body(f, "panels", REP_FMT_PNG | REP_FMT_SVG, body, strlen(body)),
                     0);
    char msg[1024] = "";
    assert_int_equal(rep_gp_run(tmp_dir, "panels", msg, sizeof msg), 0);
    assert_true(file_size("panels.png") > 1000);
    char path[400];
    static char text[200000];
    snprintf(path, sizeof path, "%s/panels.svg", tmp_dir);
    FILE *svg = fopen(path, "r");
    assert_non_null(svg);
    size_t n = fread(text, 1, sizeof text - 1, svg);
    fclose(svg);
    text[n] = '\0';
    assert_non_null(strstr(text, "upper"));
    assert_non_null(strstr(text, "lower"));
    assert_non_null(strstr(text, "height=\"700\""));
}

static void available_follows_path(void **state)
{
    (void)state;
    char *saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", tmp_dir, 1);
    assert_false(rep_gp_available());
    write_file("gnuplot", "#!/bin/sh\nexit 0\n");
    char path[400];
    snprintf(path, sizeof path, "%s/gnuplot", tmp_dir);
    chmod(path, 0755);
    assert_true(rep_gp_available());
    remove(path);
    if (saved)
        setenv("PATH", saved, 1);
    free(saved);
}

static void run_all_reports_the_failing_script(void **state)
{
    (void)state;
    if (!rep_gp_available())
        skip();
    for (int i = 0; i < 4; i++) {
        char name[32], text[200];
        snprintf(name, sizeof name, "ok%d.gp", i);
        snprintf(text, sizeof text,
                 "set terminal svg size 200,100\nset output 'ok%d.svg'\n"
                 "plot x*%d notitle\n",
                 i, i + 1);
        write_file(name, text);
    }
    write_file("broken.gp", "set terminal svg\nset output 'broken.svg'\nplot [[[ nonsense\n");
    const char *good[] = {"ok0", "ok1", "ok2", "ok3"};
    char msg[1024] = "";
    assert_int_equal(rep_gp_run_all(tmp_dir, good, 4, 3, msg, sizeof msg), 0);
    for (int i = 0; i < 4; i++) {
        char svg[32];
        snprintf(svg, sizeof svg, "ok%d.svg", i);
        assert_true(file_size(svg) > 100);
    }
    const char *mixed[] = {"ok0", "broken", "ok1", "ok2"};
    assert_int_equal(rep_gp_run_all(tmp_dir, mixed, 4, 2, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "gnuplot broken.gp failed"));
    assert_non_null(strstr(msg, "gnuplot.log"));
    assert_true(file_size("gnuplot.log") > 0);
    assert_int_equal(rep_gp_run(tmp_dir, "ok3", msg, sizeof msg), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quote_doubles_quotes_and_drops_control_characters),
        cmocka_unit_test(key_text_drops_the_base_policy_and_cuts_long_names),
        cmocka_unit_test(heights_grow_with_the_key_within_bounds),
        cmocka_unit_test(title_has_the_scenario_on_a_second_line),
        cmocka_unit_test(finish_body_writes_the_body_once_per_format),
        cmocka_unit_test(available_follows_path),
        cmocka_unit_test(run_all_reports_the_failing_script),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
