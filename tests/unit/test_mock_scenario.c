/* test_mock_scenario.c: scenario files: the good examples load with the
 * values they say, and every malformed file in tests/data/scenarios/bad gives
 * the message listed for it in bad/EXPECTED (file:line:col included). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mockserver/scenario/scenario.h"
#include "tests/lib/test_assert.h"

#define GOOD "tests/data/scenarios/good/"
#define BAD "tests/data/scenarios/bad/"

static mock_scenario *load_ok(const char *path)
{
    mock_scenario *sc = NULL;
    cm_err err = {{0}};
    int rc = mock_scenario_load(path, &sc, &err);
    if (rc != 0)
        fail_msg("%s did not load: %s", path, err.msg);
    assert_non_null(sc);
    return sc;
}

static void design_example_loads(void **state)
{
    (void)state;
    mock_scenario *sc = load_ok(GOOD "design_example.json");
    assert_string_equal(mock_scenario_name(sc), "seed-003-moonshot-free-tier");
    assert_int_equal(mock_scenario_seed(sc), 3);
    assert_string_equal(mock_scenario_policy_path(sc), GOOD "policies/seed-003-tier-aware.json");
    assert_int_equal(mock_scenario_provider_count(sc), 1);
    assert_string_equal(mock_scenario_provider_name(sc, 0), "moonshot");
    assert_int_equal(mock_scenario_provider_find(sc, "moonshot"), 0);
    assert_int_equal(mock_scenario_provider_find(sc, "groq"), -1);
    assert_int_equal(mock_scenario_provider_shape(sc, 0), MOCK_SHAPE_OPENAI);
    assert_string_equal(mock_scenario_key_value(sc, 0, "MOONSHOT_KEY_1"), "sk-test-1");
    assert_null(mock_scenario_key_value(sc, 0, "MOONSHOT_KEY_2"));
    const mock_workload *w = mock_scenario_workload(sc);
    assert_int_equal(w->clients, 1);
    assert_int_equal(w->tasks_per_client, 1);
    assert_int_equal(w->arrival, MOCK_ARRIVAL_BURST);
    assert_int_equal(w->tokens, 100);
    const cJSON *ex = mock_scenario_expect(sc);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(ex, "ladder"));
    assert_int_equal(cJSON_GetArraySize(mock_scenario_claims(sc)), 1);
    assert_non_null(mock_scenario_doc(sc));
    mock_scenario_free(sc);
}

static void two_shapes_loads(void **state)
{
    (void)state;
    mock_scenario *sc = load_ok(GOOD "two_shapes.json");
    assert_null(mock_scenario_policy_path(sc));
    assert_int_equal(mock_scenario_provider_count(sc), 2);
    assert_int_equal(mock_scenario_provider_shape(sc, 1), MOCK_SHAPE_ANTHROPIC);
    assert_string_equal(mock_scenario_key_value(sc, 0, "GROQ_KEY_2"), "gsk-test-2");
    const mock_workload *w = mock_scenario_workload(sc);
    assert_int_equal(w->clients, 4);
    assert_int_equal(w->tasks_per_client, 25);
    assert_int_equal(w->arrival, MOCK_ARRIVAL_POISSON);
    assert_num_equal(w->rate_per_s, 2.0);
    assert_int_equal(w->tokens, 250);
    mock_scenario_free(sc);
}

/* Every file in good/ loads. */
static void every_good_file_loads(void **state)
{
    (void)state;
    FILE *ls = popen("ls " GOOD "*.json", "r");
    assert_non_null(ls);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = '\0';
        mock_scenario_free(load_ok(line));
        n++;
    }
    pclose(ls);
    assert_true(n >= 2);
}

/* Every line "file.json<TAB>expected substring" of bad/EXPECTED fails to load
 * with a message that starts with the file's path and holds the substring;
 * and every .json file in bad/ has a line. */
static void every_bad_file_fails_as_expected(void **state)
{
    (void)state;
    FILE *f = fopen(BAD "EXPECTED", "r");
    assert_non_null(f);
    char line[1024];
    int n = 0, failures = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!line[0] || line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        char path[1200];
        snprintf(path, sizeof path, BAD "%s", line);
        mock_scenario *sc = NULL;
        cm_err err = {{0}};
        int rc = mock_scenario_load(path, &sc, &err);
        if (rc == 0 || sc || strncmp(err.msg, path, strlen(path)) != 0 ||
            !strstr(err.msg, tab + 1)) {
            print_error("%s: want \"%s\", got rc %d \"%s\"\n", line, tab + 1, rc, err.msg);
            failures++;
        }
        mock_scenario_free(sc);
        n++;
    }
    fclose(f);
    assert_int_equal(failures, 0);
    assert_true(n >= 20);
    FILE *ls = popen("ls " BAD "*.json | wc -l", "r");
    assert_non_null(ls);
    int files = 0;
    assert_int_equal(fscanf(ls, "%d", &files), 1);
    pclose(ls);
    assert_int_equal(files, n);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The README's complete example is the file the tests load, byte for byte. */
static void readme_example_is_the_tested_file(void **state)
{
    (void)state;
    char *readme = strdup(slurp("mockserver/README.md"));
    assert_non_null(readme);
    const char *sec = strstr(readme, "### Complete example");
    assert_non_null(sec);
    const char *start = strstr(sec, "```json\n");
    assert_non_null(start);
    start += 8;
    const char *end = strstr(start, "```");
    assert_non_null(end);
    const char *file = slurp(GOOD "reference_example.json");
    assert_int_equal(strlen(file), (size_t)(end - start));
    assert_memory_equal(file, start, strlen(file));
    free(readme);
    mock_scenario *sc = load_ok(GOOD "reference_example.json");
    assert_string_equal(mock_scenario_policy_path(sc), GOOD "../policies/example.json");
    assert_int_equal(mock_scenario_seed(sc), 42);
    assert_int_equal(mock_scenario_provider_count(sc), 2);
    mock_scenario_free(sc);
}

static void workload_defaults_and_uniform(void **state)
{
    (void)state;
    const char *json = "{\"kind\":\"scenario\",\"workload\":{\"arrival\":\"uniform\","
                       "\"over_s\":90.5},\"providers\":[{\"name\":\"p\",\"shape\":\"openai\","
                       "\"models\":[{\"name\":\"m\"}]}]}";
    mock_scenario *sc = NULL;
    cm_err err = {{0}};
    assert_int_equal(mock_scenario_parse("/abs/dir/s.json", json, strlen(json), &sc, &err), 0);
    const mock_workload *w = mock_scenario_workload(sc);
    assert_int_equal(w->arrival, MOCK_ARRIVAL_UNIFORM);
    assert_int_equal(w->over, 90500000);
    assert_int_equal(w->clients, 1);
    assert_int_equal(w->tokens, 100);
    assert_string_equal(mock_scenario_name(sc), "unnamed");
    assert_null(mock_scenario_expect(sc));
    assert_null(mock_scenario_claims(sc));
    assert_int_equal(mock_scenario_seed(sc), 0);
    mock_scenario_free(sc);
    /* A missing file is an error naming it, not a crash. */
    assert_int_equal(mock_scenario_load("tests/data/scenarios/none.json", &sc, &err), -1);
    assert_null(sc);
    assert_non_null(strstr(err.msg, "tests/data/scenarios/none.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(design_example_loads),
        cmocka_unit_test(two_shapes_loads),
        cmocka_unit_test(every_good_file_loads),
        cmocka_unit_test(every_bad_file_fails_as_expected),
        cmocka_unit_test(readme_example_is_the_tested_file),
        cmocka_unit_test(workload_defaults_and_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
