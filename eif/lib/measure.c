/* measure: streaming PCR0/1/2 on two hashing threads (see measure.h). */
#include "measure.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct slot {
	const unsigned char *data;
	size_t len;
	unsigned feed;
};

struct eif_measure {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct slot slots[EIF_MEASURE_SLOTS];
	unsigned char *bufs[EIF_MEASURE_SLOTS]; /* own buffers: slot i's data when acquired */
	unsigned long long submitted;        /* chunks handed over so far */
	unsigned long long done[2];          /* chunks each thread has finished */
	int finishing;                       /* no more chunks will come */
	int failed;                          /* an EVP call failed on a thread */
	int snapshot_taken;
	EVP_MD_CTX *image, *bootstrap, *snapshot, *application;
	pthread_t threads[2];
	int threads_started;
	int threaded;     /* 0: hash inline in submit, one slot */
	int allocated;    /* own buffers allocated (none when borrowing) */
	size_t chunk;     /* size of each own buffer */
};

unsigned eif_section_feed(unsigned type, unsigned ramdisk_index, int snapshot_pcr1)
{
	unsigned boot = snapshot_pcr1 ? EIF_FEED_PCR0 : EIF_FEED_PCR0 | EIF_FEED_PCR1;

	switch (type) {
	case EIF_SECTION_KERNEL:
	case EIF_SECTION_CMDLINE:
		return boot;
	case EIF_SECTION_RAMDISK:
		return ramdisk_index == 0 ? boot : EIF_FEED_PCR0 | EIF_FEED_PCR2;
	default:
		return 0;
	}
}

/* Thread 0 hashes PCR0 (and takes the PCR1 snapshot); thread 1 hashes PCR1/PCR2 data. */
static void hash_chunk(struct eif_measure *m, int index, const struct slot *s)
{
	int ok = 1;

	if (index == 0) {
		if (s->feed & EIF_FEED_PCR0)
			ok &= EVP_DigestUpdate(m->image, s->data, s->len);
		if (s->feed & EIF_FEED_PCR1_SNAPSHOT) {
			ok &= EVP_MD_CTX_copy_ex(m->snapshot, m->image);
			m->snapshot_taken = 1;
		}
	} else {
		if (s->feed & EIF_FEED_PCR1)
			ok &= EVP_DigestUpdate(m->bootstrap, s->data, s->len);
		if (s->feed & EIF_FEED_PCR2)
			ok &= EVP_DigestUpdate(m->application, s->data, s->len);
	}
	if (!ok)
		m->failed = 1;
}

static void *worker(void *arg, int index)
{
	struct eif_measure *m = arg;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		while (m->done[index] == m->submitted && !m->finishing)
			pthread_cond_wait(&m->changed, &m->lock);
		if (m->done[index] == m->submitted)
			break;
		struct slot s = m->slots[m->done[index] % EIF_MEASURE_SLOTS];
		pthread_mutex_unlock(&m->lock);
		hash_chunk(m, index, &s);
		pthread_mutex_lock(&m->lock);
		m->done[index]++;
		pthread_cond_broadcast(&m->changed);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void *worker0(void *arg)
{
	return worker(arg, 0);
}

static void *worker1(void *arg)
{
	return worker(arg, 1);
}

static void measure_free(struct eif_measure *m)
{
	for (int i = 0; i < m->allocated; i++)
		free(m->bufs[i]);
	EVP_MD_CTX_free(m->image);
	EVP_MD_CTX_free(m->bootstrap);
	EVP_MD_CTX_free(m->snapshot);
	EVP_MD_CTX_free(m->application);
	pthread_cond_destroy(&m->changed);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* Tell the threads to stop once they have drained what was submitted, and join them. */
static void measure_join(struct eif_measure *m)
{
	pthread_mutex_lock(&m->lock);
	m->finishing = 1;
	pthread_cond_broadcast(&m->changed);
	pthread_mutex_unlock(&m->lock);
	for (int i = 0; i < m->threads_started; i++)
		pthread_join(m->threads[i], NULL);
	m->threads_started = 0;
}

static enum eif_status measure_start(struct eif_measure **out, unsigned long long total,
				     int borrowing, struct eif_error *err)
{
	struct eif_measure *m = calloc(1, sizeof(*m));
	int ok;

	*out = NULL;
	if (!m)
		return eif_fail(err, EIF_E_NOMEM, "measurements: out of memory");
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->changed, NULL);
	m->threaded = total >= EIF_MEASURE_THREAD_MIN;
	m->chunk = EIF_MEASURE_CHUNK;
	if (!m->threaded && total < EIF_MEASURE_CHUNK)
		m->chunk = total < 4096 ? 4096 : (size_t)total;
	for (int i = 0; !borrowing && i < (m->threaded ? EIF_MEASURE_SLOTS : 1); i++) {
		m->bufs[i] = malloc(m->chunk);
		if (!m->bufs[i]) {
			measure_free(m);
			return eif_fail(err, EIF_E_NOMEM, "measurements: out of memory for %u MiB "
					"of buffers", EIF_MEASURE_SLOTS * (EIF_MEASURE_CHUNK >> 20));
		}
		m->allocated++;
	}
	m->image = EVP_MD_CTX_new();
	m->bootstrap = EVP_MD_CTX_new();
	m->snapshot = EVP_MD_CTX_new();
	m->application = EVP_MD_CTX_new();
	ok = m->image && m->bootstrap && m->snapshot && m->application &&
	     EVP_DigestInit_ex(m->image, EVP_sha384(), NULL) &&
	     EVP_DigestInit_ex(m->bootstrap, EVP_sha384(), NULL) &&
	     EVP_DigestInit_ex(m->application, EVP_sha384(), NULL);
	if (!ok) {
		measure_free(m);
		return eif_fail(err, EIF_E_CRYPTO, "measurements: OpenSSL cannot set up SHA-384; "
				"check the libcrypto installation");
	}
	if (m->threaded) {
		if (pthread_create(&m->threads[0], NULL, worker0, m) != 0) {
			measure_free(m);
			return eif_fail(err, EIF_E_NOMEM, "measurements: cannot start a hashing "
					"thread");
		}
		m->threads_started = 1;
		if (pthread_create(&m->threads[1], NULL, worker1, m) != 0) {
			measure_join(m);
			measure_free(m);
			return eif_fail(err, EIF_E_NOMEM, "measurements: cannot start a hashing "
					"thread");
		}
		m->threads_started = 2;
	}
	*out = m;
	return EIF_OK;
}

enum eif_status eif_measure_start(struct eif_measure **out, unsigned long long total,
				  struct eif_error *err)
{
	return measure_start(out, total, 0, err);
}

enum eif_status eif_measure_start_borrowing(struct eif_measure **out, unsigned long long total,
					    struct eif_error *err)
{
	return measure_start(out, total, 1, err);
}

/* Wait, locked, until the slot of the next submission is free: both threads are done with the
 * chunk submitted EIF_MEASURE_SLOTS before it. */
static void wait_for_slot(struct eif_measure *m)
{
	for (;;) {
		unsigned long long oldest = m->done[0] < m->done[1] ? m->done[0] : m->done[1];
		if (m->submitted - oldest < EIF_MEASURE_SLOTS)
			return;
		pthread_cond_wait(&m->changed, &m->lock);
	}
}

/* Hand data[0, len) over as the next chunk (locked, after wait_for_slot); its ticket. */
static unsigned long long hand_over(struct eif_measure *m, const unsigned char *data, size_t len,
				    unsigned feed)
{
	struct slot *s = &m->slots[m->submitted % EIF_MEASURE_SLOTS];

	s->data = data;
	s->len = len;
	s->feed = feed;
	pthread_cond_broadcast(&m->changed);
	return m->submitted++;
}

unsigned char *eif_measure_acquire(struct eif_measure *m, size_t *cap)
{
	unsigned char *buf;

	*cap = m->chunk;
	if (!m->threaded)
		return m->bufs[0];
	pthread_mutex_lock(&m->lock);
	wait_for_slot(m);
	buf = m->bufs[m->submitted % EIF_MEASURE_SLOTS];
	pthread_mutex_unlock(&m->lock);
	return buf;
}

void eif_measure_submit(struct eif_measure *m, size_t len, unsigned feed)
{
	if (!m->threaded) {
		struct slot s = { m->bufs[0], len, feed };
		hash_chunk(m, 0, &s);
		hash_chunk(m, 1, &s);
		return;
	}
	pthread_mutex_lock(&m->lock);
	hand_over(m, m->bufs[m->submitted % EIF_MEASURE_SLOTS], len, feed);
	pthread_mutex_unlock(&m->lock);
}

unsigned long long eif_measure_submit_from(struct eif_measure *m, const unsigned char *data,
					   size_t len, unsigned feed)
{
	unsigned long long ticket;

	if (!m->threaded) {
		struct slot s = { data, len, feed };
		hash_chunk(m, 0, &s);
		hash_chunk(m, 1, &s);
		return m->submitted++;
	}
	pthread_mutex_lock(&m->lock);
	wait_for_slot(m);
	ticket = hand_over(m, data, len, feed);
	pthread_mutex_unlock(&m->lock);
	return ticket;
}

void eif_measure_wait(struct eif_measure *m, unsigned long long ticket)
{
	if (!m->threaded)
		return;
	pthread_mutex_lock(&m->lock);
	while (m->done[0] <= ticket || m->done[1] <= ticket)
		pthread_cond_wait(&m->changed, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

enum eif_status eif_pcr_extend(const unsigned char digest[EIF_PCR_SIZE],
			       unsigned char pcr[EIF_PCR_SIZE], struct eif_error *err)
{
	static const unsigned char zeros[EIF_PCR_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) &&
		 EVP_DigestUpdate(ctx, zeros, sizeof(zeros)) &&
		 EVP_DigestUpdate(ctx, digest, EIF_PCR_SIZE) && EVP_DigestFinal_ex(ctx, pcr, &len);

	EVP_MD_CTX_free(ctx);
	if (!ok || len != EIF_PCR_SIZE)
		return eif_fail(err, EIF_E_CRYPTO, "measurements: SHA-384 failed in OpenSSL");
	return EIF_OK;
}

static enum eif_status finalize(EVP_MD_CTX *ctx, unsigned char pcr[EIF_PCR_SIZE],
				struct eif_error *err)
{
	unsigned char digest[EIF_PCR_SIZE];
	unsigned len = 0;

	if (!EVP_DigestFinal_ex(ctx, digest, &len) || len != EIF_PCR_SIZE)
		return eif_fail(err, EIF_E_CRYPTO, "measurements: SHA-384 failed in OpenSSL");
	return eif_pcr_extend(digest, pcr, err);
}

enum eif_status eif_measure_finish(struct eif_measure *m, struct eif_measurements *pcrs,
				   struct eif_error *err)
{
	enum eif_status rc;

	measure_join(m);
	memset(pcrs, 0, sizeof(*pcrs));
	if (m->failed) {
		measure_free(m);
		return eif_fail(err, EIF_E_CRYPTO, "measurements: SHA-384 failed in OpenSSL");
	}
	rc = finalize(m->image, pcrs->pcr0, err);
	if (rc == EIF_OK)
		rc = finalize(m->snapshot_taken ? m->snapshot : m->bootstrap, pcrs->pcr1, err);
	if (rc == EIF_OK)
		rc = finalize(m->application, pcrs->pcr2, err);
	measure_free(m);
	return rc;
}

void eif_measure_abort(struct eif_measure *m)
{
	if (!m)
		return;
	measure_join(m);
	measure_free(m);
}
