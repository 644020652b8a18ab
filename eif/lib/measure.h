/* measure: PCR0/PCR1/PCR2 computed while the data streams past, on two threads.
 *
 * The caller (builder or reader) takes a buffer with eif_measure_acquire(), fills it, does its
 * own CRC/write work on it, then hands it over with eif_measure_submit(). One thread hashes
 * PCR0 (everything), the other hashes the application ramdisks for PCR2 (and PCR1 data when
 * the layout needs a separate PCR1 hash), so the caller's thread is free to read, CRC and
 * write. Buffers are reused once both threads are done with them, so memory stays at
 * EIF_MEASURE_SLOTS * EIF_MEASURE_CHUNK. A caller that already holds the data in memory it
 * owns (the builder's output stages) lends it instead of copying it in (submit_from). */
#ifndef EIF_MEASURE_H
#define EIF_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include <eif/eif.h>

/* 4 MiB chunks: fewer hand-overs between the threads than with 1 MiB (measured 5% faster on a
 * 1 GiB build), and 8 of them keep peak RSS near 40 MiB. */
#define EIF_MEASURE_CHUNK (4u << 20)
#define EIF_MEASURE_SLOTS 8

/* What a submitted chunk feeds. */
enum {
	EIF_FEED_PCR0 = 1,          /* image: kernel, cmdline, every ramdisk */
	EIF_FEED_PCR1 = 2,          /* bootstrap, hashed separately (non-canonical layouts) */
	EIF_FEED_PCR2 = 4,          /* application ramdisks */
	EIF_FEED_PCR1_SNAPSHOT = 8, /* after this chunk, PCR1's hash state = PCR0's (copy) */
};

/* What the data of a section of this type feeds, the ramdisk_index-th ramdisk counted from 0
 * (AWS EifReader): kernel, cmdline and ramdisk 0 feed PCR0 and PCR1, later ramdisks PCR0
 * and PCR2, metadata and signature nothing. With snapshot_pcr1 the PCR1 part is left out:
 * PCR1 is then taken as a snapshot of PCR0 after ramdisk 0. */
unsigned eif_section_feed(unsigned type, unsigned ramdisk_index, int snapshot_pcr1);

struct eif_measure;

/* total: how many bytes will be submitted, roughly. Below EIF_MEASURE_THREAD_MIN the
 * hashing runs on the caller's thread with one small buffer (starting threads and
 * filling 32 MiB of buffers would cost more than hashing a small file). */
#define EIF_MEASURE_THREAD_MIN (8u << 20)
enum eif_status eif_measure_start(struct eif_measure **out, unsigned long long total,
				  struct eif_error *err);
/* As eif_measure_start, for a caller that hashes only from its own memory
 * (eif_measure_submit_from): no buffers are allocated, eif_measure_acquire must not be used. */
enum eif_status eif_measure_start_borrowing(struct eif_measure **out, unsigned long long total,
					    struct eif_error *err);
/* A buffer the caller may fill with up to *cap bytes (blocks while all are busy). */
unsigned char *eif_measure_acquire(struct eif_measure *m, size_t *cap);
/* Hand the buffer from the last acquire over, holding len bytes (len may be 0, e.g. for a
 * lone snapshot marker). */
void eif_measure_submit(struct eif_measure *m, size_t len, unsigned feed);
/* Hand over the caller's data[0, len) instead (NULL with len 0 for a marker): the threads
 * read it until eif_measure_wait(m, ticket) returns for the ticket returned here, so the
 * caller keeps it unchanged until then (or until eif_measure_finish/abort). */
unsigned long long eif_measure_submit_from(struct eif_measure *m, const unsigned char *data,
					   size_t len, unsigned feed);
void eif_measure_wait(struct eif_measure *m, unsigned long long ticket);
/* Wait for both threads, finalize: pcr = SHA-384(Z48 || SHA-384(data)). Frees m. */
enum eif_status eif_measure_finish(struct eif_measure *m, struct eif_measurements *pcrs,
				   struct eif_error *err);
/* Stop without results (error paths). Frees m; NULL is fine. */
void eif_measure_abort(struct eif_measure *m);

/* extend(digest) = SHA-384(Z48 || digest) for a finished SHA-384 digest. */
enum eif_status eif_pcr_extend(const unsigned char digest[EIF_PCR_SIZE],
			       unsigned char pcr[EIF_PCR_SIZE], struct eif_error *err);

#endif
