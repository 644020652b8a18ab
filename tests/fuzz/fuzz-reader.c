/* libFuzzer target: a hostile EIF must never crash the reader (header, section walk, table
 * check, CRC, measurements, signature certificate) nor describe (metadata JSON parsing,
 * custom metadata listing, signature verification), and every error must carry a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <eif/eif.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eif_info info;
	struct eif_error err;
	char *json = NULL;

	err.msg[0] = '\0';
	if (eif_read_memory(data, size, &info, &err) != EIF_OK) {
		if (err.msg[0] == '\0')
			abort(); /* a failure without an explanation is a bug */
		return 0;
	}
	if (info.section_count > EIF_MAX_SECTIONS || info.ramdisk_count == 0)
		abort();
	err.msg[0] = '\0';
	if (eif_describe(&info, &json, &err) == EIF_OK) {
		if (!json || json[0] != '{')
			abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(json);
	eif_info_free(&info);
	return 0;
}
