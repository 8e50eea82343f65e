/* fuzz_reports.c: libFuzzer target over what `retrylab check` reads: an
 * expect object (common/expect) and a trace (reports/run), then the check and
 * the metrics on the pair. The input is "EXPECT-JSON\n---\nTRACE-LINES"; with
 * no separator the whole input is a trace checked against an empty expect.
 * Invariants: no crash, no leak, failed verdicts <= verdicts, failed
 * expectations <= expectations <= verdicts, successes <= tasks. Build:
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -I/usr/include/cjson \
 *     -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_reports.c \
 *     reports/run.c reports/check.c reports/stats.c common/expect.c common/jsonpos.c \
 *     -lcjson -lm -o build/fuzz_reports
 *   ./build/fuzz_reports -max_total_time=60 -max_len=4096
 * Not part of `make test`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "reports/check.h"
#include "reports/run_load.h"
#include "reports/stats.h"

static void check_pair(const rep_run *run, const cm_expect *e)
{
    rep_verdicts vs = {0};
    int failed = rep_check_run(run, e, &vs);
    if (failed >= 0 &&
        ((size_t)failed > vs.n || vs.failed_expect > vs.n_expect || vs.n_expect > vs.n))
        abort();
    rep_verdicts_free(&vs);
    rep_stats s;
    rep_stats_compute(run, &s);
    if (s.success_rate < 0 ||
        (s.tasks > 0 && s.successes > s.tasks + 1e-9 && !run->summary.present))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *sep = size >= 5 ? memmem(text, size, "\n---\n", 5) : NULL;
    size_t elen = sep ? (size_t)(sep - text) : 0;
    const char *trace = sep ? sep + 5 : text;
    size_t tlen = size - (size_t)(trace - text);
    cm_err err;
    cm_expect e;
    memset(&e, 0, sizeof e);
    cm_json *doc = sep ? cm_json_parse("fuzz.json", text, elen, &err) : NULL;
    if (sep && (!doc || cm_expect_parse(doc, cm_json_root(doc), NULL, &e, &err) != 0)) {
        cm_json_free(doc);
        return 0;
    }
    rep_run run;
    if (rep_run_from_text("fuzz/trace.jsonl", trace, tlen, &run, &err) == 0) {
        check_pair(&run, &e);
        rep_run_free(&run);
    }
    cm_expect_free(&e);
    cm_json_free(doc);
    return 0;
}
