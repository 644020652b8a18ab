/* Split virtqueue (virtio 1.x, section 2.7) device side: pop available chains, push used ones.
 * The guest can rewrite the ring at any time, so every value is read once, then checked. */
#include "virtqueue.h"
#include "le.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define AVAIL_F_NO_INTERRUPT 1
#define DESC_SIZE 16

static uint16_t load16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE);
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELEASE);
}

void virtqueue_init(struct virtqueue *vq, unsigned index)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->kick_fd = -1;
	vq->call_fd = -1;
}

void virtqueue_reset(struct virtqueue *vq)
{
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	virtqueue_init(vq, vq->index);
}

int virtqueue_start(struct virtqueue *vq, const struct guest_memory *mem, char *err, size_t err_len)
{
	vq->started = false;
	vq->broken = false;
	if (vq->num == 0 || !vq->addr_set) {
		snprintf(err, err_len, "queue %u kicked before SET_VRING_NUM/ADDR", vq->index);
		return -1;
	}
	vq->desc = guest_memory_from_user(mem, vq->desc_addr, (uint64_t)DESC_SIZE * vq->num);
	vq->avail = guest_memory_from_user(mem, vq->avail_addr, 6 + 2 * (uint64_t)vq->num);
	vq->used = guest_memory_from_user(mem, vq->used_addr, 6 + 8 * (uint64_t)vq->num);
	if (!vq->desc || !vq->avail || !vq->used) {
		snprintf(err, err_len, "queue %u: ring addresses desc 0x%llx avail 0x%llx used 0x%llx are not in guest memory",
			 vq->index, (unsigned long long)vq->desc_addr,
			 (unsigned long long)vq->avail_addr, (unsigned long long)vq->used_addr);
		return -1;
	}
	if ((vq->desc_addr | vq->avail_addr | vq->used_addr) & 1 || vq->used_addr & 3) {
		snprintf(err, err_len, "queue %u: misaligned ring addresses", vq->index);
		return -1;
	}
	/* Resume where the guest's used ring stands (0 on a fresh device). */
	vq->used_idx = load16(vq->used + 2);
	vq->started = true;
	return 0;
}

int virtqueue_pop(struct virtqueue *vq, const struct guest_memory *mem, struct chain *out,
		  char *err, size_t err_len)
{
	if (!vq->started || vq->broken)
		return 0;
	uint16_t avail_idx = load16(vq->avail + 2);
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > vq->num) {
		snprintf(err, err_len, "queue %u: guest claims %u new buffers in a ring of %u; queue stopped",
			 vq->index, pending, vq->num);
		vq->broken = true;
		return -1;
	}
	uint16_t head = load16(vq->avail + 4 + 2 * (vq->last_avail % vq->num));
	vq->last_avail++;
	if (head >= vq->num) {
		snprintf(err, err_len, "queue %u: head descriptor %u outside a ring of %u; queue stopped",
			 vq->index, head, vq->num);
		vq->broken = true;
		return -1;
	}
	out->head = head;
	out->count = 0;
	uint16_t i = head;
	for (uint32_t steps = 0;; steps++) {
		uint8_t d[DESC_SIZE];
		memcpy(d, vq->desc + (size_t)DESC_SIZE * i, DESC_SIZE);
		uint64_t addr = get_le(d, 8);
		uint32_t len = (uint32_t)get_le(d + 8, 4);
		uint16_t flags = (uint16_t)get_le(d + 12, 2);
		uint16_t next = (uint16_t)get_le(d + 14, 2);
		const char *why = NULL;
		if (flags & DESC_F_INDIRECT)
			why = "indirect descriptor (not negotiated)";
		else if (steps >= vq->num || out->count == VIRTQUEUE_MAX_SEGMENTS)
			why = "chain too long or looping";
		else if (!(out->seg[out->count].data = guest_memory_from_guest(mem, addr, len)))
			why = "buffer outside guest memory";
		else if ((flags & DESC_F_NEXT) && next >= vq->num)
			why = "next descriptor outside the ring";
		if (why) {
			snprintf(err, err_len, "queue %u: chain %u: %s; returned unused", vq->index, head, why);
			virtqueue_push(vq, head, 0);
			return -1;
		}
		out->seg[out->count].len = len;
		out->seg[out->count].writable = flags & DESC_F_WRITE;
		out->count++;
		if (!(flags & DESC_F_NEXT))
			return 1;
		i = next;
	}
}

void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	uint8_t *elem = vq->used + 4 + 8 * (size_t)(vq->used_idx % vq->num);
	put_le(elem, head, 4);
	put_le(elem + 4, len, 4);
	vq->used_idx++;
	store16(vq->used + 2, vq->used_idx);
}

void virtqueue_notify(struct virtqueue *vq)
{
	if (!vq->started || vq->call_fd < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load16(vq->avail) & AVAIL_F_NO_INTERRUPT)
		return;
	uint64_t one = 1;
	/* An eventfd write fails only when its counter would overflow: the guest is interrupted anyway. */
	if (write(vq->call_fd, &one, sizeof(one)) < 0)
		return;
}

size_t chain_gather(const struct chain *c, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	for (unsigned i = 0; i < c->count && n < cap; i++) {
		if (c->seg[i].writable)
			continue;
		size_t take = c->seg[i].len < cap - n ? c->seg[i].len : cap - n;
		memcpy(buf + n, c->seg[i].data, take);
		n += take;
	}
	return n;
}

size_t chain_scatter(const struct chain *c, const uint8_t *buf, size_t len)
{
	size_t n = 0;
	for (unsigned i = 0; i < c->count && n < len; i++) {
		if (!c->seg[i].writable)
			continue;
		size_t put = c->seg[i].len < len - n ? c->seg[i].len : len - n;
		memcpy(c->seg[i].data, buf + n, put);
		n += put;
	}
	return n;
}
