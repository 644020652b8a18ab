/* libFuzzer target, structure-aware: the input is the metadata and two ramdisks, and the
 * target builds a valid EIF around them (header, section table, section headers, CRC-32),
 * with a fixed kernel and command line, then audits it (audit-common.h). Mutations so reach
 * the metadata checks, the cpio reader and the hard-link model instead of dying at the CRC.
 *
 * Input: u16 big-endian metadata length M, u16 big-endian ramdisk-0 length R, then M bytes
 * of metadata, R bytes of ramdisk 0 and the rest as ramdisk 1 (lengths past the end are cut
 * to what is there). Flags in the top bit of M: set, the image is v3 without metadata. */
#include "audit-common.h"
#include <eif/eif.h>
#include "util.h"

#define KERNEL_SIZE 0x240
#define CMDLINE "console=ttyS0"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct part {
	uint16_t type;
	const unsigned char *data;
	size_t len;
};

/* The EIF of the parts, in a buffer of its own (so ASan sees its end); NULL when out of
 * memory. */
static unsigned char *frame(const struct part *parts, unsigned count, int version, size_t *len)
{
	struct eif_header h = { .version = (uint16_t)version, .default_mem = EIF_DEFAULT_MEM,
				.default_cpus = EIF_DEFAULT_CPUS, .num_sections = (uint16_t)count };
	unsigned char *eif, *p;
	uint64_t offset = EIF_HEADER_SIZE;

	memcpy(h.magic, EIF_MAGIC, 4);
	*len = EIF_HEADER_SIZE;
	for (unsigned i = 0; i < count; i++)
		*len += EIF_SECTION_HEADER_SIZE + parts[i].len;
	if (!(eif = malloc(*len)))
		return NULL;
	p = eif + EIF_HEADER_SIZE;
	for (unsigned i = 0; i < count; i++) {
		h.section_offsets[i] = offset;
		h.section_sizes[i] = parts[i].len;
		eif_section_header_encode(parts[i].type, parts[i].len, p);
		memcpy(p + EIF_SECTION_HEADER_SIZE, parts[i].data, parts[i].len);
		p += EIF_SECTION_HEADER_SIZE + parts[i].len;
		offset += EIF_SECTION_HEADER_SIZE + parts[i].len;
	}
	eif_header_encode(&h, eif);
	/* The CRC covers everything but its own field at 544. */
	h.crc32 = eif_crc32(eif_crc32(0, eif, 544), eif + EIF_HEADER_SIZE, *len - EIF_HEADER_SIZE);
	eif_header_encode(&h, eif);
	return eif;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char kernel[KERNEL_SIZE];
	struct part parts[5];
	unsigned count = 0;
	size_t meta_len, ramdisk_len, eif_len;
	unsigned char *eif;
	int v3;

	if (size < 4)
		return 0;
	/* An x86 boot header: "HdrS" at 0x202, protocol 2.15. */
	memcpy(kernel + 0x202, "HdrS\x0f\x02", 6);
	v3 = data[0] & 0x80;
	meta_len = (size_t)(data[0] & 0x7f) << 8 | data[1];
	ramdisk_len = (size_t)data[2] << 8 | data[3];
	data += 4;
	size -= 4;
	if (meta_len > size)
		meta_len = size;
	if (ramdisk_len > size - meta_len)
		ramdisk_len = size - meta_len;
	parts[count++] = (struct part){ EIF_SECTION_KERNEL, kernel, sizeof(kernel) };
	parts[count++] = (struct part){ EIF_SECTION_CMDLINE, (const unsigned char *)CMDLINE,
					strlen(CMDLINE) };
	if (!v3)
		parts[count++] = (struct part){ EIF_SECTION_METADATA, data, meta_len };
	parts[count++] = (struct part){ EIF_SECTION_RAMDISK, data + meta_len, ramdisk_len };
	parts[count++] = (struct part){ EIF_SECTION_RAMDISK, data + meta_len + ramdisk_len,
					size - meta_len - ramdisk_len };
	eif = frame(parts, count, v3 ? 3 : EIF_VERSION_CURRENT, &eif_len);
	if (!eif)
		return 0;
	fuzz_audit_check(eif, eif_len);
	free(eif);
	return 0;
}
