/* attempt_id.h: which attempt of which task a request is, as one number and
 * as the text of the X-Retrylab-Attempt request header. The HTTP runner sends
 * it and the mockserver reads it, as the simulation hands it to the model
 * directly, so that a scenario with "draws": "per_attempt" gives an attempt
 * the same random draws in every run mode, whatever order requests arrive in. */
#ifndef CM_ATTEMPT_ID_H
#define CM_ATTEMPT_ID_H
#include <stddef.h>
#include <stdint.h>

#define CM_ATTEMPT_HEADER "X-Retrylab-Attempt"

/* "4294967295/4294967295" + NUL. */
#define CM_ATTEMPT_TEXT_MAX 22

/* The id of attempt `attempt` (from 1) of task `task` (from 0). Never 0 (0
 * means "no attempt named"); different for every pair with attempt >= 1. */
uint64_t cm_attempt_id(uint32_t task, uint32_t attempt);

/* Writes "TASK/ATTEMPT" of `id` into out[CM_ATTEMPT_TEXT_MAX]. */
void cm_attempt_format(uint64_t id, char out[CM_ATTEMPT_TEXT_MAX]);

/* Reads "TASK/ATTEMPT" (decimal, no signs or spaces, TASK < 4294967295,
 * 1 <= ATTEMPT <= 4294967295) into *id; 0, or -1 with *id untouched when the
 * text is anything else. */
int cm_attempt_parse(const char *text, uint64_t *id);

#endif
