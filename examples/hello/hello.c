/* hello: the default enclave application. Prints a greeting, then, when the Nitro Secure
 * Module is there, the PCRs it measured at boot, so a boot test (or a person at the console)
 * can compare them with out/pcr.json. */
#include <stdio.h>
#include <unistd.h>

#include "nsm.h"

static void print_hex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int print_pcrs(void)
{
	static struct nsm nsm;	/* holds 16 KiB of buffers: keep it off the stack */
	static const unsigned short wanted[] = { 0, 1, 2, 8 };

	if (nsm_open(&nsm, NULL) != NSM_SUCCESS) {
		fprintf(stderr, "hello: %s\n", nsm.error);
		return 1;
	}
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		struct nsm_pcr pcr;

		if (nsm_describe_pcr(&nsm, wanted[i], &pcr) != NSM_SUCCESS) {
			fprintf(stderr, "hello: PCR%u: %s\n", wanted[i], nsm.error);
			nsm_close(&nsm);
			return 1;
		}
		printf("hello: PCR%u ", wanted[i]);
		print_hex(pcr.value, pcr.len);
		printf("%s\n", pcr.locked ? " locked" : "");
	}
	nsm_close(&nsm);
	return 0;
}

int main(void)
{
	printf("Hello from a Nitro Enclave built from source!\n");
	fflush(stdout);
	if (access(NSM_DEVICE, F_OK) != 0) {
		printf("hello: no %s here, so no PCRs to show\n", NSM_DEVICE);
		return 0;
	}
	return print_pcrs();
}
