/* journal.h: the mockserver's record of every request it answered and of
 * whether the answer reached the client: a bounded in-memory ring (oldest
 * entries drop first) plus an optional JSON Lines file that receives every
 * entry once its fate is known. Keys appear only as cm_keyid ids. */
#ifndef MOCK_JOURNAL_H
#define MOCK_JOURNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/timeu.h"
#include "mockserver/model/model.h"

#define MOCK_JOURNAL_DEFAULT_SIZE 100000
/* The longest journal line kept; longer ones are cut to a valid stub. */
#define MOCK_JOURNAL_LINE_MAX 4096

/* What became of a decided answer. An entry is recorded when the answer is
 * decided (MOCK_FATE_PENDING while it sleeps, hangs or is being sent) and
 * closed with its fate when the connection is done with it. */
typedef enum mock_journal_fate {
    MOCK_FATE_DELIVERED,      /* sent whole, or the planned fault carried out */
    MOCK_FATE_PENDING,        /* not finished yet: "delivered": null */
    MOCK_FATE_CLIENT_CLOSED,  /* the client closed or reset the connection first */
    MOCK_FATE_SEND_FAILED,    /* sending failed with the client still there */
    MOCK_FATE_TIMEOUT,        /* the connection timed out */
    MOCK_FATE_SERVER_STOPPED, /* the server stopped first */
    MOCK_FATE_NO_MEMORY,      /* the answer could not be made */
} mock_journal_fate;
#define MOCK_FATE_COUNT 7

/* The "reason" text of an undelivered fate ("client closed", ...); NULL for
 * MOCK_FATE_DELIVERED and MOCK_FATE_PENDING. */
const char *mock_journal_fate_reason(mock_journal_fate fate);

typedef struct mock_journal_entry {
    cm_us t;                    /* scenario time of arrival */
    const char *provider;       /* NULL when the path named none */
    const char *model;          /* NULL when none */
    const char *key;            /* the key VALUE as sent, or NULL: only its id is stored */
    int status;                 /* status planned; 0 for a reset with no response */
    const mock_header *headers; /* headers sent (not owned) */
    size_t nheaders;
    cm_us latency;             /* planned latency, scenario time */
    const char *fault;         /* NULL, "hang", "reset", "truncate", "slow_body" */
    const char *note;          /* what decided the answer; may be NULL */
    uint64_t attempt_id;       /* the X-Retrylab-Attempt the request named; 0 none */
    const mock_stream *stream; /* a streamed answer's plan, or NULL */
    mock_journal_fate fate;    /* "delivered" and "reason" */
    /* What a grader needs to group a client's attempts into tasks
     * (retrylab journal): the request headers that name a task, and a
     * digest of the body, never the body itself. NULL / false / 0: absent. */
    const char *endpoint;        /* "chat", "responses", "messages", "models", or NULL */
    const char *task_header;     /* X-Retrylab-Task */
    const char *idempotency_key; /* Idempotency-Key */
    bool has_retry_count;        /* x-stainless-retry-count was a count from 0 */
    int retry_count;
    uint64_t body_digest;   /* FNV-1a 64 of the request body; 0 when it had none */
    const char *error_type; /* an error answer's type and code, or NULL */
    const char *error_code;
} mock_journal_entry;

/* Request header values longer than this are journalled cut to it. */
#define MOCK_JOURNAL_HEADER_VALUE_MAX 128

/* FNV-1a 64 of p[0..n): the journal's "body" digest (0 is never returned:
 * 0 stands for "no body"). */
uint64_t mock_journal_digest(const void *p, size_t n);

typedef struct mock_journal mock_journal;

/* A journal keeping the last `capacity` entries (>= 1) in memory. `file`
 * (may be NULL) receives every closed entry as one JSON line; it stays the
 * caller's (the journal never closes it). NULL when out of memory. */
mock_journal *mock_journal_new(size_t capacity, FILE *file);
/* Names the file (`path`, kept, not copied) in the one stderr line printed
 * when a write to it first fails. */
void mock_journal_set_path(mock_journal *j, const char *path);
/* Frees the ring (not the file). */
void mock_journal_free(mock_journal *j);

/* Formats `e` as one JSON line (no newline) into buf[size] (size should be
 * MOCK_JOURNAL_LINE_MAX); a line that does not fit is replaced by a stub
 * without headers. The line ends with the fate's members
 * (`"delivered":...,"reason":...}`). Returns the length, 0 when even the
 * stub does not fit. Pure and thread-safe: the HTTP front formats outside
 * its locks. */
size_t mock_journal_format(const mock_journal_entry *e, char *buf, size_t size);

/* The journal's generation: 0 when made, one more at each clear. A
 * decision takes it under the same lock as the clear, so that its entry
 * lands on the side of the clear it was decided on. */
uint64_t mock_journal_generation(const mock_journal *j);

/* Where an opened entry is, for mock_journal_close. */
typedef struct mock_journal_ticket {
    uint64_t gen, seq;
    size_t slot;
    bool kept; /* the entry went into the ring */
} mock_journal_ticket;

/* Records a line formatted with MOCK_FATE_PENDING for a decision taken in
 * generation `gen`: kept in the ring and counted in total when `gen` is the
 * journal's; an entry of an earlier generation (decided before a clear) is
 * counted only in the since-start counts (all_total, /metrics). The file
 * gets nothing yet. Fills *t for mock_journal_close. Not thread-safe: the
 * caller serialises. */
void mock_journal_open(mock_journal *j, uint64_t gen, const char *line, size_t len,
                       mock_journal_ticket *t);
/* Closes the entry opened as *t: gives it `fate` in the ring (when it is
 * still there, in the same generation) and writes the line (`line`, the
 * same pending line that was opened) with that fate to the file. An
 * undelivered fate is counted (undelivered, all_undelivered). */
void mock_journal_close(mock_journal *j, const mock_journal_ticket *t, const char *line, size_t len,
                        mock_journal_fate fate);
/* mock_journal_format of an entry whose fate is known, then both steps
 * (e->fate MOCK_FATE_PENDING: opened only). Returns the entry's number. */
uint64_t mock_journal_add(mock_journal *j, const mock_journal_entry *e);
/* Forgets the in-memory entries and the counters since the last clear
 * (total, dropped, lost, undelivered; not the all_* ones), and starts a new
 * generation; the file keeps its lines. */
void mock_journal_clear(mock_journal *j);
/* Writes buffered file output out (no-op without a file). A failed write
 * or flush counts every line since the last good flush as lost and prints
 * one line on stderr the first time (file name and strerror). */
void mock_journal_flush(mock_journal *j);
/* Lines the file failed to receive since the journal was made (a clear
 * does not reset this count). */
uint64_t mock_journal_file_lost(const mock_journal *j);

typedef struct mock_journal_counts {
    uint64_t total; /* entries recorded since the start or the last clear */
    size_t kept;    /* entries in memory now */
    size_t capacity;
    uint64_t dropped;     /* entries pushed out of the ring */
    uint64_t lost;        /* entries not stored (no memory) or not written to the file */
    uint64_t undelivered; /* entries closed with a fate other than delivered */
    /* The same four since the journal was made: a clear does not reset
     * them (the /metrics counters, which only grow). all_total also
     * counts entries decided before a clear that were recorded after it. */
    uint64_t all_total, all_dropped, all_lost, all_undelivered;
} mock_journal_counts;
void mock_journal_counts_get(const mock_journal *j, mock_journal_counts *out);

/* The kept entries, oldest first, as one JSON array (jsonl false) or JSON
 * Lines (jsonl true). At most the `limit` newest entries (SIZE_MAX = all, 0 = none). Returns a
 * malloc'd string the caller frees, *len its length; NULL when out of memory. */
char *mock_journal_render(const mock_journal *j, bool jsonl, size_t limit, size_t *len);

#endif
