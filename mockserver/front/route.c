/* route.c: URL and method -> provider endpoint or admin page. */
#include "mockserver/front/route.h"

#include <stdbool.h>
#include <string.h>

static const struct {
    const char *path;
    const char *method;
    mock_route_kind kind;
} admin_routes[] = {
    {"/__admin/state", "GET", MOCK_ROUTE_ADMIN_STATE},
    {"/__admin/journal", "GET", MOCK_ROUTE_ADMIN_JOURNAL},
    {"/__admin/reset", "POST", MOCK_ROUTE_ADMIN_RESET},
    {"/metrics", "GET", MOCK_ROUTE_METRICS},
};

static const struct {
    const char *suffix;
    const char *method;
    mock_endpoint endpoint;
} endpoints[] = {
    {"/v1/chat/completions", "POST", MOCK_EP_CHAT},
    {"/v1/messages", "POST", MOCK_EP_MESSAGES},
    {"/v1/models", "GET", MOCK_EP_MODELS},
    {"/v1/responses", "POST", MOCK_EP_RESPONSES},
    /* Gemini's OpenAI-compatible base, .../v1beta/openai/ (ai.google.dev/gemini-api/docs/openai) */
    {"/v1beta/openai/chat/completions", "POST", MOCK_EP_CHAT},
    {"/v1beta/openai/models", "GET", MOCK_EP_MODELS},
};

/* A GET route also answers HEAD (the same headers, no body), as RFC 9110
 * asks of every GET resource. */
static void set_method(mock_route *out, const char *want, const char *method)
{
    bool get = strcmp(want, "GET") == 0;
    out->allow = get ? "GET, HEAD" : want;
    out->method_ok = method && (strcmp(method, want) == 0 || (get && strcmp(method, "HEAD") == 0));
}

/* "/{provider}{suffix}" with a non-empty provider free of '/'. */
static int match_provider(const char *url, mock_route *out, const char *method)
{
    const char *name = url + 1;
    const char *slash = strchr(name, '/');
    if (!slash || slash == name || (size_t)(slash - name) >= sizeof out->provider)
        return 0;
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
        if (strcmp(slash, endpoints[i].suffix) != 0)
            continue;
        memcpy(out->provider, name, (size_t)(slash - name));
        out->provider[slash - name] = '\0';
        out->kind = MOCK_ROUTE_PROVIDER;
        out->endpoint = endpoints[i].endpoint;
        set_method(out, endpoints[i].method, method);
        return 1;
    }
    return 0;
}

void mock_route_parse(const char *url, const char *method, mock_route *out)
{
    memset(out, 0, sizeof *out);
    out->kind = MOCK_ROUTE_NONE;
    if (!url || url[0] != '/')
        return;
    for (size_t i = 0; i < sizeof admin_routes / sizeof admin_routes[0]; i++) {
        if (strcmp(url, admin_routes[i].path) == 0) {
            out->kind = admin_routes[i].kind;
            set_method(out, admin_routes[i].method, method);
            return;
        }
    }
    match_provider(url, out, method);
}
