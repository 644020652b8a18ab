/* Guest RAM as QEMU shares it over vhost-user SET_MEM_TABLE: fd-backed regions we map. */
#ifndef GUEST_MEMORY_H
#define GUEST_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEMORY_MAX_REGIONS 8

struct guest_region {
	uint64_t guest_phys;	/* guest physical address of the first byte */
	uint64_t size;
	uint64_t user_addr;	/* the same byte in QEMU's address space */
	uint8_t *host;		/* the same byte in ours */
	void *map_base;
	size_t map_len;
};

struct guest_memory {
	unsigned count;
	struct guest_region regions[GUEST_MEMORY_MAX_REGIONS];
};

void guest_memory_init(struct guest_memory *mem);
/* Unmap every region. */
void guest_memory_clear(struct guest_memory *mem);
/* Map SIZE bytes of FD from MMAP_OFFSET as a new region; 0, or -1 with ERR filled. */
int guest_memory_add(struct guest_memory *mem, uint64_t guest_phys, uint64_t size,
		     uint64_t user_addr, uint64_t mmap_offset, int fd, char *err, size_t err_len);
/* Our pointer to LEN bytes at a guest physical / QEMU virtual address, NULL unless all
 * LEN bytes lie inside one region. */
uint8_t *guest_memory_from_guest(const struct guest_memory *mem, uint64_t addr, uint64_t len);
uint8_t *guest_memory_from_user(const struct guest_memory *mem, uint64_t addr, uint64_t len);

#endif
