/* SPDX-License-Identifier: MIT */
/*
 * agg.h - aggregating paired streams: statistics per syscall, process,
 * file and directory, and a trie of stacks keyed by chosen fields.
 *
 * An aggregate takes IOR_PAIR records (through an agg_input, which keeps
 * the per-section name tables the pairs refer to) and aggregate snapshots
 * (IOR_AGG_* records), which merge exactly: histograms add bucket by
 * bucket and tries node by node.  ior-agg, ior-flame and ior-top share it.
 *
 * One file per concept: aggfields.h (the fields and their help), labels.h
 * (a pair's frames), leafcache.h (pair -> trie leaf), agg.c (the tables),
 * agginput.c (pairs and records in), aggread.h and aggwrite.h (snapshots
 * decoded and encoded).
 */
#ifndef IOR_AGG_H
#define IOR_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "aggfields.h"
#include "aggwrite.h"
#include "hist.h"
#include "ior_format.h"
#include "leafcache.h"
#include "names.h"
#include "stream.h"
#include "strtab.h"
#include "sysnames.h"
#include "trie.h"

#define AGG_MAX_NODES_DEFAULT 20000
#define AGG_PROCESS_CACHE 256
/* The host frame of a section whose header names none. */
#define AGG_HOST_UNKNOWN "[unknown host]"

/*
 * What an aggregate keeps (struct agg's keep; agg_init keeps it all).  A
 * reader that never looks at a part (ior-top in batch mode shows one view
 * of it) leaves the part out and saves its work, a pair's and a merge's:
 *   AGG_KEEP_FIGURES(kind)  the table's figures.  Left out, the table
 *                           still has its keys (rows counted, processes'
 *                           pids), its stats stay zero; the directories,
 *                           whose keys come from settling, have none.
 *   AGG_KEEP_GAPS(kind)     the gap histograms of the table's figures.
 *   AGG_KEEP_TRIE           the stack trie.
 * Pairs and merges into the aggregate follow it; snapshots add what they
 * hold.
 */
#define AGG_KEEP_FIGURES(kind)  (1u << (kind))
#define AGG_KEEP_GAPS(kind)     (1u << (IOR_AGG_DIR + (kind)))
#define AGG_KEEP_TRIE           (1u << (2 * IOR_AGG_DIR + 1))
#define AGG_KEEP_TABLES         (AGG_KEEP_FIGURES(IOR_AGG_SYSCALL) | \
				 AGG_KEEP_FIGURES(IOR_AGG_PROCESS) | \
				 AGG_KEEP_FIGURES(IOR_AGG_FILE) | \
				 AGG_KEEP_FIGURES(IOR_AGG_DIR))
#define AGG_KEEP_ALL            (AGG_KEEP_TABLES | AGG_KEEP_TABLES << \
				 IOR_AGG_DIR | AGG_KEEP_TRIE)

struct agg_errno {
	uint16_t err;
	uint64_t count;
};

struct agg_stat {
	uint32_t key;           /* id in the table's keys */
	uint32_t pid;           /* processes */
	uint64_t count, errors, bytes_read, bytes_written;
	struct hist latency, gap;
	uint32_t nerrno;
	struct agg_errno *errnos;
};

struct agg_table {
	struct strtab keys;     /* key bytes; processes: pid (4 bytes) + comm */
	struct agg_stat *stats; /* stats[key - 1] */
	uint32_t cap;
	/*
	 * stats[0..ready) are made.  Equal to keys.count but for the
	 * syscall, process and file tables while a worker (aggthread.h) adds
	 * to them: keys are then interned ahead of their stats, which the
	 * worker makes.
	 */
	uint32_t ready;
};

struct agg {
	struct agg_fields fields;
	bool fields_fixed;      /* chosen by the user: snapshots must match */
	bool trie_only;         /* pairs add to the trie alone (flame graphs) */
	unsigned keep;          /* AGG_KEEP_*: what is kept */
	struct agg_table tables[IOR_AGG_DIR + 1];       /* by enum ior_agg_kind */
	struct trie trie;

	uint64_t start_ns, end_ns;      /* realtime span; start 0: none yet */
	uint64_t pairs;
	uint64_t lost;
	uint64_t unmatched_exits, unmatched_enters, fd_unknown;
	bool truncated;         /* some input ended without its trailer */
	uint32_t snapshots;     /* aggregate snapshots merged in */
	/*
	 * IOR_FILTER records of the input, summed: the pairs were filtered
	 * (ior-grep) and filter_seen - filter_kept of them dropped.  The
	 * first expression is kept; filter_several: others differed.
	 */
	uint32_t filters;
	uint64_t filter_seen, filter_kept;
	bool filter_several;
	char filter_expr[256];
	/* Bumped whenever cached node or stat numbers go stale. */
	uint32_t generation;
	/*
	 * A directory's stat is the sum of its files': pairs add to the
	 * files alone, and agg_settle() sums them into the directories.
	 * dir_of[file key - 1] is the file's directory key (0 unknown).
	 */
	bool dirs_stale;
	uint32_t *dir_of, dir_of_cap;
	/*
	 * The host these figures are of (lib/fleet.h), written into each
	 * snapshot's IOR_AGG_BEGIN; host == NULL: none named.  Borrowed:
	 * the owner keeps the bytes alive as long as the aggregate.
	 */
	const char *host;
	uint16_t host_len;
};

void agg_init(struct agg *a, const struct agg_fields *fields,
	      uint32_t max_nodes, enum weight w);
void agg_release(struct agg *a);
/* Empty the statistics and the trie, keeping fields and settings. */
void agg_clear(struct agg *a);
/* a += b (same fields), of what a keeps; settles b if a keeps dirs. */
void agg_merge(struct agg *a, struct agg *b);
/* Note an IOR_FILTER record: len bytes of its expression. */
void agg_add_filter(struct agg *a, uint64_t seen, uint64_t kept,
		    const char *expr, size_t len);
/*
 * Bring the directory table up to date with the files.  The functions
 * below that read the tables settle first; a caller that reads
 * a->tables itself calls this.
 */
void agg_settle(struct agg *a);

/* The key bytes of a stat. */
const char *agg_stat_key(const struct agg *a, enum ior_agg_kind kind,
			 const struct agg_stat *s, size_t *len);
/*
 * dst += src: counts, errnos, bytes, histograms (dst's key and pid stay).
 * A stat made outside a table starts zeroed with hist_init() on both
 * histograms; the caller frees its errnos and releases them.
 */
void agg_stat_merge(struct agg_stat *dst, const struct agg_stat *src);
/*
 * A stat's figures as a JSON row's members, from "count" to "gap_ns" (the
 * caller writes the braces and the key): what every --json report shows.
 */
void agg_stat_put_json(FILE *f, const struct agg_stat *s);
/*
 * qsort order of struct agg_stat pointers: the most total latency first,
 * then the most calls, then the older key (the order of every table).
 */
int agg_stat_heavier(const void *x, const void *y);
/* Stats of a table in an array the caller frees; *n set. */
struct agg_stat **agg_stats(struct agg *a, enum ior_agg_kind kind,
			    uint32_t *n);

/*
 * Reading one input.  An agg_input keeps what a section's pairs refer to
 * (names, syscall table, clock anchor) and caches from input ids to stats
 * and trie leaves.  agg_input_record() takes every record stream_next()
 * returns; it returns false after reporting bad input (the reader is then
 * in STREAM_ERROR).
 */
struct agg_files;

struct agg_input {
	struct stream_reader *r;
	struct agg *a;
	/* The worker the pairs' row updates go to (aggthread.h), or NULL. */
	struct agg_files *files;
	struct sysnames sysnames;
	int64_t clock_to_real;  /* realtime - monotonic of this section */
	struct name_table names; /* IOR_NAME strings of this section */
	uint64_t section_lost;  /* from loss records, this section */
	uint32_t generation;    /* a->generation the caches belong to */
	uint32_t syscall_stat[SYSNAMES_MAX];    /* nr -> stat key; 0 unknown */
	uint32_t *path_stat;    /* path id -> file stat key; 0 unknown */
	uint32_t path_cap;
	/*
	 * pid -> its process stat, direct-mapped: a stream has few
	 * processes at a time, and a miss costs one lookup by key.
	 */
	struct process_slot {
		uint32_t pid, comm_id;
		uint32_t key;           /* stat key; 0: empty */
	} process_cache[AGG_PROCESS_CACHE];
	struct leaf_cache leaves;       /* field values -> trie node */
	uint64_t ahead;         /* stream offset of the next pair to prefetch */
	/* The snapshot being read, if any. */
	bool in_snapshot;
	uint32_t snap_nodes, snap_stats, *snap_map, snap_map_cap;
	struct ior_agg_begin snap_begin;
	bool raw_seen;          /* reported once */
	/* The host the section header names, for the host field. */
	bool host_known;
	uint16_t host_len;
	char host[IOR_STRING_MAX];
};

void agg_input_init(struct agg_input *in, struct agg *a,
		    struct stream_reader *r);
void agg_input_release(struct agg_input *in);
bool agg_input_record(struct agg_input *in, const struct ior_record *rec);
/* At the end of the input: notes a truncated stream in the aggregate. */
void agg_input_finish(struct agg_input *in);

/*
 * Within lib, for the files of the aggregate (agg.c the tables, agginput.c
 * pairs and records, aggread.c snapshots): the stat of key, created empty
 * if new; dst += src; an errno counted; the span widened; a name of the
 * input's section; bad input reported (returns false).
 */
struct agg_stat *agg_table_stat(struct agg_table *t, const void *key,
				size_t len);
/* The stat of an interned key, made (and the array grown) if not yet. */
struct agg_stat *agg_table_make(struct agg_table *t, uint32_t key);

static inline struct agg_stat *
agg_table_at(struct agg_table *t, uint32_t key)
{
	return key <= t->ready ? &t->stats[key - 1] : agg_table_make(t, key);
}

/*
 * Before the tables' stats are read or written outside the pairs' path:
 * wait for the worker, if one runs, to add every update
 * handed to it (aggthread.h), and make the stats of every key.
 */
extern void (*agg_files_drain)(void);
void agg_sync(struct agg *a);
void agg_stat_add_errno(struct agg_stat *s, uint16_t e, uint64_t count);
void agg_span_extend(struct agg *a, uint64_t start, uint64_t end);
bool agg_input_bad(struct agg_input *in, const char *what);

static inline const char *
agg_input_name(const struct agg_input *in, unsigned kind, uint32_t id,
	       size_t *len)
{
	return name_table_get(&in->names, kind, id, len);
}

#endif /* IOR_AGG_H */
