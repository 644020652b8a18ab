/* format: header encoding, section names, time stamps, measurement JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eif/eif.h>
#include "json.h"
#include "util.h"

void eif_header_encode(const struct eif_header *h, unsigned char out[EIF_HEADER_SIZE])
{
	memcpy(out, h->magic, 4);
	eif_put_be16(out + 4, h->version);
	eif_put_be16(out + 6, h->flags);
	eif_put_be64(out + 8, h->default_mem);
	eif_put_be64(out + 16, h->default_cpus);
	eif_put_be16(out + 24, h->reserved);
	eif_put_be16(out + 26, h->num_sections);
	for (int i = 0; i < EIF_MAX_SECTIONS; i++) {
		eif_put_be64(out + 28 + 8 * i, h->section_offsets[i]);
		eif_put_be64(out + 284 + 8 * i, h->section_sizes[i]);
	}
	eif_put_be32(out + 540, h->unused);
	eif_put_be32(out + EIF_CRC_OFFSET, h->crc32);
}

void eif_header_decode(const unsigned char in[EIF_HEADER_SIZE], struct eif_header *h)
{
	memcpy(h->magic, in, 4);
	h->version = eif_be16(in + 4);
	h->flags = eif_be16(in + 6);
	h->default_mem = eif_be64(in + 8);
	h->default_cpus = eif_be64(in + 16);
	h->reserved = eif_be16(in + 24);
	h->num_sections = eif_be16(in + 26);
	for (int i = 0; i < EIF_MAX_SECTIONS; i++) {
		h->section_offsets[i] = eif_be64(in + 28 + 8 * i);
		h->section_sizes[i] = eif_be64(in + 284 + 8 * i);
	}
	h->unused = eif_be32(in + 540);
	h->crc32 = eif_be32(in + EIF_CRC_OFFSET);
}

enum eif_status eif_header_check(const struct eif_header *h, struct eif_error *err)
{
	if (h->version < 2 || h->version > EIF_VERSION_CURRENT)
		return eif_fail(err, EIF_E_FORMAT, "header field version is %u; EIF versions are 2, "
				"3 and %u", h->version, EIF_VERSION_CURRENT);
	if (h->flags & ~EIF_FLAG_ARM64)
		return eif_fail(err, EIF_E_FORMAT, "header field flags is 0x%04x; bits 1-15 are "
				"reserved and must be 0", h->flags);
	if (h->default_mem == 0)
		return eif_fail(err, EIF_E_FORMAT, "header field default_mem is 0; AWS tools "
				"write 1073741824");
	if (h->default_cpus == 0)
		return eif_fail(err, EIF_E_FORMAT, "header field default_cpus is 0; AWS tools "
				"write 2");
	if (h->reserved != 0)
		return eif_fail(err, EIF_E_FORMAT, "header field reserved is %u; it must be 0",
				h->reserved);
	if (h->unused != 0)
		return eif_fail(err, EIF_E_FORMAT, "header field unused (offset 540) is %u; it "
				"must be 0", h->unused);
	return EIF_OK;
}

void eif_section_header_encode(uint16_t type, uint64_t size,
			       unsigned char out[EIF_SECTION_HEADER_SIZE])
{
	eif_put_be16(out, type);
	eif_put_be16(out + 2, 0);
	eif_put_be64(out + 4, size);
}

static const struct {
	const char *name, *docker;
	uint16_t elf_machine; /* ELF specification, e_machine: EM_X86_64, EM_AARCH64 */
} arches[] = {
	[EIF_ARCH_X86_64] = { "x86_64", "amd64", 62 },
	[EIF_ARCH_AARCH64] = { "aarch64", "arm64", 183 },
};

int eif_arch_parse(const char *name, enum eif_arch *arch)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(name, arches[i].name) == 0 || strcmp(name, arches[i].docker) == 0) {
			*arch = (enum eif_arch)i;
			return 0;
		}
	return -1;
}

const char *eif_arch_name(enum eif_arch arch)
{
	return arches[arch == EIF_ARCH_AARCH64].name;
}

const char *eif_arch_docker_name(enum eif_arch arch)
{
	return arches[arch == EIF_ARCH_AARCH64].docker;
}

uint16_t eif_arch_elf_machine(enum eif_arch arch)
{
	return arches[arch == EIF_ARCH_AARCH64].elf_machine;
}

const char *eif_section_type_name(unsigned type)
{
	switch (type) {
	case EIF_SECTION_KERNEL: return "kernel";
	case EIF_SECTION_CMDLINE: return "cmdline";
	case EIF_SECTION_RAMDISK: return "ramdisk";
	case EIF_SECTION_SIGNATURE: return "signature";
	case EIF_SECTION_METADATA: return "metadata";
	default: return "invalid";
	}
}

enum eif_status eif_rfc3339(long long seconds, char out[32], struct eif_error *err)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if ((long long)t != seconds || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return eif_fail(err, EIF_E_USAGE, "build time %lld: outside the years 0..9999; "
				"give seconds since 1970 (SOURCE_DATE_EPOCH)", seconds);
	/* gmtime_r keeps every field in range, so this is exactly 25 characters. */
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", (tm.tm_year + 1900) % 10000,
		 (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
		 tm.tm_sec % 100);
	return EIF_OK;
}

int json_add_string(struct json_value *obj, const char *key, const char *s, size_t n)
{
	struct json_value *v = json_object_add(obj, key);

	if (!v)
		return -1;
	return s ? json_set_string(v, s, n) : 0;
}

int json_add_text(struct json_value *obj, const char *key, const char *s)
{
	return json_add_string(obj, key, s, s ? strlen(s) : 0);
}

static int add_number(struct json_value *obj, const char *key, const char *text)
{
	struct json_value *v = json_object_add(obj, key);

	return v ? json_set_number_text(v, text) : -1;
}

int json_add_u64(struct json_value *obj, const char *key, uint64_t n)
{
	char text[24];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)n);
	return add_number(obj, key, text);
}

int json_add_i64(struct json_value *obj, const char *key, int64_t n)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)n);
	return add_number(obj, key, text);
}

int json_add_bool(struct json_value *obj, const char *key, int b)
{
	struct json_value *v = json_object_add(obj, key);

	if (!v)
		return -1;
	json_set_bool(v, b);
	return 0;
}

int json_add_hex(struct json_value *obj, const char *key, const unsigned char *p, size_t n)
{
	char *hex;
	int rc = -1;

	if (!p)
		return json_add_string(obj, key, NULL, 0);
	if ((hex = n < SIZE_MAX / 2 ? malloc(2 * n + 1) : NULL)) {
		eif_hex(p, n, hex);
		rc = json_add_string(obj, key, hex, 2 * n);
	}
	free(hex);
	return rc;
}

const char *const eif_build_metadata_keys[EIF_BUILD_METADATA_KEYS] = {
	"BuildTime", "BuildTool", "BuildToolVersion", "OperatingSystem", "KernelVersion"
};

const struct json_value *eif_metadata_string(const struct json_value *meta, const char *key)
{
	const struct json_value *s;
	int nested = 0;

	for (size_t i = 0; i < EIF_BUILD_METADATA_KEYS; i++)
		nested |= strcmp(key, eif_build_metadata_keys[i]) == 0;
	if (strncmp(key, "BuildMetadata.", 14) == 0) {
		key += 14;
		nested = 1;
	}
	if (nested && (!(meta = json_object_get(meta, "BuildMetadata")) ||
		       meta->type != JSON_OBJECT))
		return NULL;
	s = json_object_get(meta, key);
	return s && s->type == JSON_STRING ? s : NULL;
}

int eif_pcrs_to_json(const struct eif_measurements *pcrs, struct json_value *obj)
{
	if (json_add_hex(obj, "PCR0", pcrs->pcr0, EIF_PCR_SIZE) ||
	    json_add_hex(obj, "PCR1", pcrs->pcr1, EIF_PCR_SIZE) ||
	    json_add_hex(obj, "PCR2", pcrs->pcr2, EIF_PCR_SIZE))
		return -1;
	if (pcrs->has_pcr8 && json_add_hex(obj, "PCR8", pcrs->pcr8, EIF_PCR_SIZE))
		return -1;
	return 0;
}

/* Adds the measurement members to obj; shared by build, describe and pcr output. */
int eif_measurements_to_json(const struct eif_measurements *pcrs, struct json_value *obj)
{
	return json_add_text(obj, "HashAlgorithm", EIF_HASH_ALGORITHM_LABEL) ||
	       eif_pcrs_to_json(pcrs, obj) ? -1 : 0;
}

/* Pretty JSON text of a value plus a newline, malloc'd (NULL when out of memory). */
char *eif_json_text(const struct json_value *v)
{
	struct json_buf b = { 0 };

	json_write(&b, v, 0);
	json_buf_append(&b, "\n", 1);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

char *eif_measurements_json(const struct eif_measurements *pcrs)
{
	struct json_value obj;
	char *text = NULL;

	json_init_object(&obj);
	if (eif_measurements_to_json(pcrs, &obj) == 0)
		text = eif_json_text(&obj);
	json_free(&obj);
	return text;
}
