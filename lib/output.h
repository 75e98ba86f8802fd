/* SPDX-License-Identifier: MIT */
/*
 * output.h - the checked end of a tool's output.
 *
 * Every tool writes its results to standard output (text through stdio,
 * records through a stream_writer); a full disk or a broken connection must
 * not pass in silence, and a reader that went away (`| head`) must end the
 * tool quietly.  output_init() ignores SIGPIPE, so a closed pipe is the
 * error EPIPE, seen here and by stream_writer_flush(): the tool exits
 * without a word.  Any other write error is one line,
 *     TOOL: NAME: write error: REASON
 * and exit status 1.
 */
#ifndef IOR_OUTPUT_H
#define IOR_OUTPUT_H

#include <stdio.h>

/* At the start of main, before any output. */
void output_init(void);

/*
 * If a write to f has failed, end the program now (status 0 on EPIPE).
 * Cheap (a flag test): meant for every record of a long loop, so a tool
 * whose reader has gone stops reading its input too.
 */
void output_check(FILE *f, const char *name);

/* Flush f now (a frame, a periodic report), then as output_check(). */
void output_flush(FILE *f, const char *name);

/*
 * Flush and close f, checking every write: returns status when all went
 * well, exits with status on EPIPE and with 1 on any other error.
 */
int output_close(FILE *f, const char *name, int status);

#endif /* IOR_OUTPUT_H */
