/* Mapping and address translation for guest RAM shared by QEMU. */
#include "guest_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

void guest_memory_init(struct guest_memory *mem)
{
	memset(mem, 0, sizeof(*mem));
}

void guest_memory_clear(struct guest_memory *mem)
{
	for (unsigned i = 0; i < mem->count; i++)
		munmap(mem->regions[i].map_base, mem->regions[i].map_len);
	guest_memory_init(mem);
}

int guest_memory_add(struct guest_memory *mem, uint64_t guest_phys, uint64_t size,
		     uint64_t user_addr, uint64_t mmap_offset, int fd, char *err, size_t err_len)
{
	if (mem->count == GUEST_MEMORY_MAX_REGIONS) {
		snprintf(err, err_len, "more than %d memory regions", GUEST_MEMORY_MAX_REGIONS);
		return -1;
	}
	if (size == 0 || mmap_offset > SIZE_MAX - size || guest_phys + size < guest_phys ||
	    user_addr + size < user_addr) {
		snprintf(err, err_len, "memory region at guest 0x%llx: size 0x%llx offset 0x%llx out of range",
			 (unsigned long long)guest_phys, (unsigned long long)size,
			 (unsigned long long)mmap_offset);
		return -1;
	}
	size_t map_len = (size_t)(mmap_offset + size);
	/* A file shorter than the region maps fine, but touching a page past its end raises
	 * SIGBUS: a region must lie inside its file (memfd and hugetlbfs are regular files).
	 * Sealing it against shrinking keeps it so; QEMU's memfd RAM comes sealed already, and
	 * a file that cannot take the seal is only checked. */
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(err, err_len, "memory region at guest 0x%llx: its fd: %s",
			 (unsigned long long)guest_phys, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < (uint64_t)map_len) {
		snprintf(err, err_len, "memory region at guest 0x%llx: offset 0x%llx + size 0x%llx is past the end of its file (%lld bytes)",
			 (unsigned long long)guest_phys, (unsigned long long)mmap_offset,
			 (unsigned long long)size, (long long)st.st_size);
		return -1;
	}
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
	void *base = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		snprintf(err, err_len, "mmap of memory region at guest 0x%llx (0x%zx bytes): %s",
			 (unsigned long long)guest_phys, map_len, strerror(errno));
		return -1;
	}
	struct guest_region *r = &mem->regions[mem->count++];
	r->guest_phys = guest_phys;
	r->size = size;
	r->user_addr = user_addr;
	r->host = (uint8_t *)base + mmap_offset;
	r->map_base = base;
	r->map_len = map_len;
	return 0;
}

static uint8_t *translate(const struct guest_memory *mem, uint64_t addr, uint64_t len, int user)
{
	for (unsigned i = 0; i < mem->count; i++) {
		const struct guest_region *r = &mem->regions[i];
		uint64_t start = user ? r->user_addr : r->guest_phys;
		if (addr < start)
			continue;
		uint64_t off = addr - start;
		if (off < r->size && len <= r->size - off)
			return r->host + off;
	}
	return NULL;
}

uint8_t *guest_memory_from_guest(const struct guest_memory *mem, uint64_t addr, uint64_t len)
{
	return translate(mem, addr, len, 0);
}

uint8_t *guest_memory_from_user(const struct guest_memory *mem, uint64_t addr, uint64_t len)
{
	return translate(mem, addr, len, 1);
}
