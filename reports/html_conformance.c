/* html_conformance.c: `make conformance`'s table (out/conformance/table.json,
 * tests/conformance/README.md) as a section of the page: for each real client
 * and case, the attempts and gaps its preset predicts beside what the client
 * did, and whether they agree. */
#include <stdio.h>
#include <string.h>

#include "reports/html.h"

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(n) ? n->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(n) ? n->valuedouble : -1;
}

/* "3: 0.40-0.60, 1.2" from {attempts, gaps: [{lo, hi}] or [numbers]}. */
static void attempts_text(FILE *f, const cJSON *o)
{
    if (!cJSON_IsObject(o)) {
        fputs("&ndash;", f);
        return;
    }
    if (str(o, "error")[0]) {
        fputs("(", f);
        rep_html_esc(f, str(o, "error"));
        fputs(")", f);
        return;
    }
    fprintf(f, "%.0f attempt%s", num(o, "attempts"), num(o, "attempts") == 1 ? "" : "s");
    const cJSON *g, *gaps = cJSON_GetObjectItemCaseSensitive(o, "gaps");
    int i = 0;
    cJSON_ArrayForEach(g, gaps)
    {
        fputs(i++ ? ", " : "; gaps ", f);
        if (cJSON_IsNumber(g))
            fprintf(f, "%.2f", g->valuedouble);
        else if (num(g, "hi") - num(g, "lo") < 0.005)
            fprintf(f, "%.2f", num(g, "lo"));
        else
            fprintf(f, "%.2f&ndash;%.2f", num(g, "lo"), num(g, "hi"));
    }
    if (i)
        fputs(" s", f);
}

static void row(FILE *f, const cJSON *r)
{
    const cJSON *agree = cJSON_GetObjectItemCaseSensitive(r, "agree");
    bool known = str(r, "known")[0] != '\0';
    const char *cls = cJSON_IsTrue(agree)              ? "ok"
                      : cJSON_IsFalse(agree) && !known ? "fail"
                                                       : "muted";
    const char *word = cJSON_IsTrue(agree)     ? "yes"
                       : !cJSON_IsFalse(agree) ? "skipped"
                       : known                 ? "no (known)"
                                               : "NO";
    fputs("<tr><td class=\"l\">", f);
    rep_html_esc(f, str(r, "library"));
    fputs(" ", f);
    rep_html_esc(f, str(r, "version"));
    fputs("</td>", f);
    rep_html_td_text(f, str(r, "case"));
    fputs("<td class=\"l\">", f);
    attempts_text(f, cJSON_GetObjectItemCaseSensitive(r, "predicted"));
    fputs("</td><td class=\"l\">", f);
    attempts_text(f, cJSON_GetObjectItemCaseSensitive(r, "observed"));
    fprintf(f, "</td><td class=\"l %s\">%s", cls, word);
    const char *why = known ? str(r, "known") : str(r, "why");
    if (why[0]) {
        fputs("<br><small>", f);
        rep_html_esc(f, why);
        fputs("</small>", f);
    }
    fputs("</td></tr>\n", f);
}

void rep_html_conformance(FILE *f, const rep_page *p)
{
    if (!p->o->conformance)
        return;
    const cJSON *root = cm_json_root(p->o->conformance);
    fputs("<h2 id=\"conformance\">Do the presets behave like the real clients?</h2>\n"
          "<p class=\"lead\">From <code>",
          f);
    rep_html_esc(f, p->o->conformance_path ? p->o->conformance_path : "table.json");
    fprintf(f,
            "</code> (<code>make conformance</code>): each real client, pinned to a version, "
            "played a small case on the mockserver; its preset in "
            "<code>scenarios/policies/peers/</code> predicts the attempts and the gaps between "
            "them (a band where the preset jitters). %.0f agree, %.0f disagree (%.0f of them "
            "known, with their cause), %.0f skipped.</p>\n",
            num(root, "agree"), num(root, "disagree"), num(root, "known"), num(root, "skipped"));
    fputs("<details open>\n<summary>Every client and case</summary>\n<div class=\"wide\"><table>"
          "<tr><th class=\"l\">client</th><th class=\"l\">case</th><th class=\"l\">predicted</th>"
          "<th class=\"l\">observed</th><th class=\"l\">agree</th></tr>\n",
          f);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(root, "rows")) row(f, r);
    fputs("</table></div>\n</details>\n", f);
}
