/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h - what is on the other end of a pipe.
 */
#ifndef IOR_PIPELINE_H
#define IOR_PIPELINE_H

#include <stdbool.h>

/*
 * True when fd is a pipe that another ior tool (a process whose comm
 * starts with "ior-") reads as its standard input.  Meant for the moment
 * output begins, when the reader has long since started.
 */
bool pipe_feeds_ior_tool(int fd);

#endif /* IOR_PIPELINE_H */
