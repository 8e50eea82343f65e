/* reports.h: the face of reports/: `retrylab report`, `retrylab check` and
 * `retrylab compare`.
 * reports/ reads run directories (trace.jsonl, summary.json) as files; it
 * includes nothing of engine/ or mockserver/. Same exit codes as cli.h. */
#ifndef REP_REPORTS_H
#define REP_REPORTS_H

int rep_cmd_report(int argc, char **argv);
int rep_cmd_check(int argc, char **argv);
int rep_cmd_compare(int argc, char **argv);

#endif
