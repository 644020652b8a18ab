/* Little-endian fields of vhost-user messages and virtio structures, byte by byte, so that
 * no unaligned or host-endian access is ever made on bytes a peer wrote. */
#ifndef LE_H
#define LE_H

#include <stdint.h>

static inline uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
