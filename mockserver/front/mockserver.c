/* main.c: the mockserver command line: parse flags, load the scenario,
 * serve until SIGINT/SIGTERM, then stop cleanly and exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include "commit.h"
#include "common/io/fdlimit.h"
#include "common/jsonpos.h"
#include "common/version.h"
#include "mockserver/front/journal.h"
#include "mockserver/front/server.h"
#include "mockserver/front/upstream.h"
#include "mockserver/scenario/scenario.h"

static const char usage[] =
    "usage: mockserver SCENARIO [--port P] [--bind ADDR] [--time-scale X]\n"
    "                  [--journal FILE] [--journal-size N] [--threads N] [--max-hung N]\n"
    "       mockserver --version\n"
    "Serves the fake providers of SCENARIO over HTTP (see mockserver/README.md).\n"
    "  --port P          port to listen on (default 8080; 0 = a free port)\n"
    "  --bind ADDR       address to bind (default 127.0.0.1)\n"
    "  --time-scale X    scenario seconds per wall second (default 1)\n"
    "  --journal FILE    append every journal entry to FILE as JSON Lines (default: none)\n"
    "  --journal-size N  journal entries kept in memory (default 100000)\n"
    "  --threads N       polling threads (default 2)\n"
    "  --max-hung N      hanging connections at most; more hang faults get 504 (default 1024)\n"
    "  --upstream URL    forward every provider request to URL (a real provider, or any\n"
    "                    server) and journal the exchange; NAME=URL sends /NAME/REST to\n"
    "                    URL/REST; repeatable. SCENARIO is then optional. Keys pass through\n"
    "                    in their headers and are journalled by their id only\n"
    "The first line on stdout is \"listening on http://ADDR:PORT\".\n"
    "Exit 0 after SIGINT/SIGTERM; 2 a bad flag or scenario; 3 cannot listen, or\n"
    "journal entries could not be written to the --journal file.\n";

typedef struct options {
    const char *scenario;
    const char *journal_path;
    mock_http_config http;
} options;

/* An integer flag value in [min, max]: 0, or -1 with the message printed. */
static int int_value(const char *flag, const char *v, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        fprintf(stderr, "mockserver: %s: expected an integer from %lld to %lld, got \"%s\"\n", flag,
                min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int scale_value(const char *v, double *out)
{
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x) || x <= 0 || x > 1e9) {
        fprintf(stderr, "mockserver: --time-scale: expected a number > 0 and <= 1e9, got \"%s\"\n",
                v);
        return -1;
    }
    *out = x;
    return 0;
}

/* One "--flag value" pair: 0, or -1 with the message printed. */
static int parse_flag(options *o, const char *flag, const char *v)
{
    long long n;
    if (strcmp(flag, "--bind") == 0) {
        unsigned char addr[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1) {
            fprintf(stderr, "mockserver: --bind: not an IPv4 or IPv6 address: \"%s\"\n", v);
            return -1;
        }
        o->http.bind = v;
        return 0;
    }
    if (strcmp(flag, "--journal") == 0) {
        o->journal_path = v;
        return 0;
    }
    if (strcmp(flag, "--upstream") == 0) {
        char err[256];
        if (mock_upstream_add(&o->http.upstream, v, err, sizeof err) == 0)
            return 0;
        fprintf(stderr, "mockserver: %s\n", err);
        return -1;
    }
    if (strcmp(flag, "--time-scale") == 0)
        return scale_value(v, &o->http.time_scale);
    if (strcmp(flag, "--port") == 0 && int_value(flag, v, 0, 65535, &n) == 0)
        o->http.port = (int)n;
    else if (strcmp(flag, "--journal-size") == 0 && int_value(flag, v, 1, 10000000, &n) == 0)
        o->http.journal_size = (size_t)n;
    else if (strcmp(flag, "--threads") == 0 && int_value(flag, v, 1, 256, &n) == 0)
        o->http.threads = (unsigned)n;
    else if (strcmp(flag, "--max-hung") == 0 && int_value(flag, v, 0, 1000000, &n) == 0)
        o->http.max_hung = (size_t)n;
    else
        return -1;
    return 0;
}

static bool known_flag(const char *a)
{
    static const char *const flags[] = {"--port",     "--bind",         "--time-scale",
                                        "--journal",  "--journal-size", "--threads",
                                        "--max-hung", "--upstream",     NULL};
    for (int i = 0; flags[i]; i++)
        if (strcmp(a, flags[i]) == 0)
            return true;
    return false;
}

/* 0 ok, 1 help or version printed, 2 bad command line (message printed). */
static int parse_args(int argc, char **argv, options *o)
{
    o->http = (mock_http_config){.bind = "127.0.0.1",
                                 .port = 8080,
                                 .time_scale = 1.0,
                                 .journal_size = MOCK_JOURNAL_DEFAULT_SIZE,
                                 .threads = 2,
                                 .max_hung = 1024};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("mockserver %s (commit %s)\n", CM_VERSION, CM_COMMIT);
            return 1;
        }
        if (a[0] == '-' && a[1] != '\0') {
            if (!known_flag(a)) {
                fprintf(stderr, "mockserver: %s: unknown flag (see --help)\n", a);
                return 2;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "mockserver: %s: missing value\n", a);
                return 2;
            }
            if (parse_flag(o, a, argv[++i]) != 0)
                return 2;
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            fprintf(stderr, "mockserver: %s: only one SCENARIO may be given\n", a);
            return 2;
        }
    }
    if (!o->scenario && !o->http.upstream) {
        fprintf(stderr, "mockserver: SCENARIO: missing\n%s", usage);
        return 2;
    }
    return 0;
}

static void print_listening(const char *bind, int port)
{
    bool v6 = strchr(bind, ':') != NULL;
    printf("listening on http://%s%s%s:%d\n", v6 ? "[" : "", bind, v6 ? "]" : "", port);
    fflush(stdout);
}

/* Serves until SIGINT or SIGTERM (blocked in every thread, taken here). */
static int serve(const mock_scenario *sc, options *o, const sigset_t *stop_sigs)
{
    cm_err err;
    mock_server *srv = NULL;
    if (mock_server_start(sc, &o->http, &srv, &err) != 0) {
        fprintf(stderr, "mockserver: %s\n", err.msg);
        return 3;
    }
    print_listening(o->http.bind, mock_server_port(srv));
    int sig = 0;
    while (sigwait(stop_sigs, &sig) != 0)
        ;
    uint64_t lost = mock_server_stop(srv);
    if (lost) {
        fprintf(stderr, "mockserver: --journal: %llu entries could not be written to %s\n",
                (unsigned long long)lost, o->journal_path);
        return 3;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return mock_upstream_free(o.http.upstream), rc == 1 ? 0 : 2;
    cm_err err;
    mock_scenario *sc = NULL;
    /* --upstream without SCENARIO: a scenario only to name the server */
    static const char none[] = "{\"kind\":\"scenario\",\"name\":\"upstream\",\"providers\":"
                               "[{\"name\":\"upstream\",\"shape\":\"openai\",\"models\":"
                               "[{\"name\":\"any\"}]}]}";
    int lr = o.scenario ? mock_scenario_load(o.scenario, &sc, &err)
                        : mock_scenario_parse("upstream", none, sizeof none - 1, &sc, &err);
    if (lr != 0) {
        fprintf(stderr, "%s\n", err.msg);
        mock_upstream_free(o.http.upstream);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    FILE *journal = NULL;
    if (o.journal_path && !(journal = fopen(o.journal_path, "a"))) {
        fprintf(stderr, "mockserver: --journal: cannot open %s: %s\n", o.journal_path,
                strerror(errno));
        mock_scenario_free(sc);
        return 2;
    }
    if (journal)
        setvbuf(journal, NULL, _IOFBF, 1 << 20); /* one write per MiB, not per entry */
    o.http.journal_file = journal;
    o.http.journal_path = o.journal_path;
    sigset_t stop_sigs;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    cm_raise_fd_limit();
    rc = serve(sc, &o, &stop_sigs);
    if (journal && fclose(journal) != 0) {
        fprintf(stderr, "mockserver: --journal: write error on %s\n", o.journal_path);
        if (rc == 0)
            rc = 3;
    }
    mock_scenario_free(sc);
    mock_upstream_free(o.http.upstream);
    curl_global_cleanup();
    return rc;
}
