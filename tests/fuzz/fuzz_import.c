/* fuzz_import.c: libFuzzer target for the readers of outside data: the
 * bytes as a mockserver journal and as a HAR file (engine/import), grouped
 * and turned into a scenario. Bad input must end in an error, never a crash.
 * Build: make fuzz FUZZ_TARGETS=fuzz_import. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(int (*read)(const char *, rl_exchanges *, rl_import_warn, void *, cm_err *),
                const char *path)
{
    rl_exchanges x = {0};
    cm_err err;
    if (read(path, &x, NULL, NULL, &err) == 0 && rl_import_group(&x, 60 * CM_US_PER_S) == 0) {
        rl_import_scenario_opts o = {.name = "fuzz"};
        free(rl_import_scenario(&x, &o, &err));
    }
    rl_exchanges_free(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_import_%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    one(rl_import_journal, path);
    one(rl_import_har, path);
    remove(path);
    return 0;
}
