/* SPDX-License-Identifier: MIT */
/*
 * fleet.h - aggregates kept apart by host, so that merging the streams of
 * many machines can still answer per host (docs/fleet.md).
 *
 * A fleet holds one struct agg per host.  The host of a pair is the
 * hostname of the section header it came in; the host of an aggregate
 * snapshot is its IOR_AGG_STR_HOST string, or, for a snapshot without one
 * (ior-agg before fleets), its section header's.  Every record goes to
 * exactly one host's aggregate, so a pair costs what it costs in a lone
 * aggregate, each host's figures are exactly what reading that host's
 * streams alone gives, and their merge (fleet_total) is exactly the
 * aggregate of all the pairs: histograms add bucket by bucket.
 *
 * The fleet owns its aggregates and host names; the aggregates' addresses
 * stay fixed for the fleet's life (an agg_input points at one).
 */
#ifndef IOR_FLEET_H
#define IOR_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "stream.h"
#include "strtab.h"

/*
 * Hosts kept apart, at most: a stream naming more (hostile, or a fleet
 * beyond what one report can list) gets its further hosts counted
 * together as one, FLEET_HOST_OTHER, so memory and a report stay bounded.
 */
#define FLEET_HOSTS_MAX 1024
#define FLEET_HOST_OTHER "[other]"

struct fleet_host {
	char *name;             /* bytes from a stream, not NUL-terminated */
	uint16_t len;           /* 0: a section that named no host */
	/*
	 * Records other than a header, names and a trailer came for it.  A
	 * stream of named snapshots has a section header of the machine
	 * that merged them: that host is not one of the fleet.
	 */
	bool used;
	struct agg a;
};

struct fleet {
	/* What a new host's aggregate starts with. */
	struct agg_fields fields;
	uint32_t max_nodes;
	enum weight weight;
	bool fields_fixed, trie_only;

	struct fleet_host **hosts;      /* in the order first met */
	uint32_t n;
	struct strtab names;    /* a host's name -> its index + 1 in hosts */
	uint32_t used;          /* the hosts used */
	/* hosts[FLEET_HOSTS_MAX]: the hosts past the first FLEET_HOSTS_MAX. */
	struct fleet_host *other;
	struct agg *section;    /* the current section's host, NULL before */
	/*
	 * IOR_FILTER records wait here for the snapshot they precede (ior-agg
	 * writes a host's filter provenance before its IOR_AGG_BEGIN), or go
	 * to the section's host at any other record.
	 */
	struct agg pending;

	/* Built by fleet_total() and fleet_host_stats(), freed on rebuild. */
	struct agg total;
	bool total_built;
	struct agg_stat *host_stats;    /* host_stats[i]: hosts[i]'s sum */
};

void fleet_init(struct fleet *f, const struct agg_fields *fields,
		uint32_t max_nodes, enum weight w);
/* Frees every host's aggregate and name, and the built total. */
void fleet_release(struct fleet *f);

/*
 * The aggregate of host name (len bytes), created empty if new; past
 * FLEET_HOSTS_MAX hosts, a new one's is f->other's.
 */
struct agg *fleet_host(struct fleet *f, const void *name, size_t len);

/*
 * Point in at the aggregate rec belongs to; call before handing each
 * record the reader returns to agg_input_record() (or a filter stage).
 * A section header chooses its host; a snapshot's IOR_AGG_BEGIN its own
 * until its IOR_AGG_END; any other record goes to the section's host.
 */
void fleet_route(struct fleet *f, struct agg_input *in,
		 const struct ior_record *rec, uint16_t type);
/* At the end of an input, before agg_input_finish(): in back at its host. */
void fleet_settle(struct fleet *f, struct agg_input *in);
/* The hosts fleet_host_stats() lists. */
uint32_t fleet_hosts_used(const struct fleet *f);

/*
 * The aggregate of every host: the one host's own aggregate when there is
 * one, else their merge, rebuilt at each call (valid until the next call
 * or until the hosts change).  Exits 1 if hosts were aggregated by
 * different fields (fleet_route() keeps them alike).
 */
struct agg *fleet_total(struct fleet *f);

/*
 * One stat per host, its syscalls' summed (every pair counts for exactly
 * one syscall): count, errors, errnos, bytes and both histograms, of
 * each host used.  An array the caller frees, sorted as agg_stats() sorts, of *n pointers
 * into f->host_stats (valid until the next call).  A stat's key is its
 * host's index + 1 in f->hosts.
 */
struct agg_stat **fleet_host_stats(struct fleet *f, uint32_t *n);
/*
 * A host's name for display: AGG_HOST_UNKNOWN for the empty one,
 * FLEET_HOST_OTHER for f->other.
 */
const char *fleet_host_name(const struct fleet_host *h, size_t *len);

/* agg_clear() of every host (a new interval). */
void fleet_clear(struct fleet *f);
/* The span and truncation of every host (an interval's end, damage). */
void fleet_set_span(struct fleet *f, uint64_t start_ns, uint64_t end_ns);
void fleet_set_truncated(struct fleet *f);

/*
 * Write every host's aggregate as a snapshot of its own, named by
 * IOR_AGG_STR_HOST, all of sequence; each but the last flagged
 * IOR_AGG_CONTINUED, and flags' IOR_AGG_FINAL only on the last.
 */
void fleet_write_snapshots(struct fleet *f, struct stream_writer *w,
			   uint32_t sequence, uint32_t interval_ms,
			   uint16_t flags);

#endif /* IOR_FLEET_H */
