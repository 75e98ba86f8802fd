/* SPDX-License-Identifier: MIT */
/*
 * units.h - numbers for people: durations and byte counts with units, in
 * at most 7 characters, so report columns line up.
 */
#ifndef IOR_UNITS_H
#define IOR_UNITS_H

#include <stdint.h>
#include <time.h>

/*
 * Room for the longest: UINT64_MAX with its commas, 26 characters
 * ("18,446,744,073,709,551,615"), and the NUL.
 */
#define UNITS_LEN 32

/* "812ns", "4.25us", "13.1ms", "2.50s", "3.2h" */
const char *units_ns(uint64_t ns, char buf[UNITS_LEN]);
/* "0", "512B", "4.0K", "1.5M", "2.3G", "1.0T" (powers of 1024) */
const char *units_bytes(uint64_t bytes, char buf[UNITS_LEN]);
/* "1,234,567" */
const char *units_count(uint64_t n, char buf[UNITS_LEN]);
/* Realtime ns as "2026-11-22 01:30:00.123" in local time. */
const char *units_realtime(uint64_t ns, char buf[UNITS_LEN * 2]);

/*
 * An option's number: exits 2 with "bad WHAT 'S'" unless s is a finite
 * number >= min.
 */
double units_parse(const char *s, const char *what, double min);

/* Nanoseconds of CLOCK_MONOTONIC since *since. */
uint64_t units_since_ns(const struct timespec *since);

#endif /* IOR_UNITS_H */
