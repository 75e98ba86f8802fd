/* SPDX-License-Identifier: MIT */
#include "units.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

/* Three significant digits of v / scale, then the unit. */
static const char *
scaled(double v, const char *unit, char buf[UNITS_LEN])
{
	const char *fmt = v < 9.995 ? "%.2f%s" : v < 99.95 ? "%.1f%s" :
			  "%.0f%s";
	snprintf(buf, UNITS_LEN, fmt, v, unit);
	return buf;
}

const char *
units_ns(uint64_t ns, char buf[UNITS_LEN])
{
	if (ns < 1000) {
		snprintf(buf, UNITS_LEN, "%" PRIu64 "ns", ns);
		return buf;
	}
	if (ns < 999500)
		return scaled((double)ns / 1e3, "us", buf);
	if (ns < 999500000)
		return scaled((double)ns / 1e6, "ms", buf);
	if (ns < UINT64_C(1000) * 1000000000)
		return scaled((double)ns / 1e9, "s", buf);
	return scaled((double)ns / 3.6e12, "h", buf);
}

const char *
units_bytes(uint64_t bytes, char buf[UNITS_LEN])
{
	static const char *const unit[] = { "K", "M", "G", "T", "P", "E" };
	if (bytes < 1024) {
		snprintf(buf, UNITS_LEN, bytes ? "%" PRIu64 "B" : "0", bytes);
		return buf;
	}
	double v = (double)bytes / 1024;
	unsigned u = 0;
	while (v >= 1023.5 && u < 5) {
		v /= 1024;
		u++;
	}
	return scaled(v, unit[u], buf);
}

const char *
units_count(uint64_t n, char buf[UNITS_LEN])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n);
	int out = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
	return buf;
}

const char *
units_realtime(uint64_t ns, char buf[UNITS_LEN * 2])
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;
	if (!localtime_r(&s, &tm)) {
		snprintf(buf, UNITS_LEN * 2, "%" PRIu64 "ns", ns);
		return buf;
	}
	size_t n = strftime(buf, UNITS_LEN * 2, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, UNITS_LEN * 2 - n, ".%03u",
		 (unsigned)(ns / 1000000 % 1000));
	return buf;
}

double
units_parse(const char *s, const char *what, double min)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= min) || !isfinite(v))
		errx(2, "bad %s '%s'", what, s);
	return v;
}

uint64_t
units_since_ns(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - since->tv_sec) * 1000000000u +
	       (uint64_t)now.tv_nsec - (uint64_t)since->tv_nsec;
}
