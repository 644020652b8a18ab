/* nsm attest [--user-data F] [--nonce F] [--public-key F] -o DOC */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* What an AWS verifier accepts (and so what the NSM is asked to sign). */
#define USER_DATA_MAX 512
#define NONCE_MAX 512
#define PUBLIC_KEY_MAX 1024

struct input {
	const char *option;
	const char *path;	/* NULL: field absent */
	size_t max;
	uint8_t data[PUBLIC_KEY_MAX + 1];	/* one more: to tell "too long" */
	size_t len;
};

/* Reads the file named by in->path whole; prints why not and returns 1. */
static int read_input(struct input *in)
{
	int fd = open(in->path, O_RDONLY | O_CLOEXEC);
	ssize_t r = 0;

	if (fd < 0) {
		fprintf(stderr, "nsm attest: %s '%s': %s\n", in->option, in->path, strerror(errno));
		return 1;
	}
	in->len = 0;
	while (in->len <= in->max) {
		r = read(fd, in->data + in->len, in->max + 1 - in->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		in->len += (size_t)r;
	}
	int saved = errno;
	close(fd);
	if (r < 0) {
		fprintf(stderr, "nsm attest: %s '%s': %s\n", in->option, in->path, strerror(saved));
		return 1;
	}
	if (in->len > in->max) {
		fprintf(stderr, "nsm attest: %s '%s': longer than the %zu bytes a verifier accepts; "
			"pass a digest of it instead\n", in->option, in->path, in->max);
		return 1;
	}
	return 0;
}

static struct nsm_bytes input_bytes(const struct input *in)
{
	struct nsm_bytes b = { in->path ? in->data : NULL, in->len };

	return b;
}

/* Writes data to path whole or not at all: temporary file, fsync, rename. */
static int write_atomically(const char *path, const uint8_t *data, size_t len)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	int fd = -1, ok = 0;

	if (!tmp) {
		fprintf(stderr, "nsm attest: out of memory\n");
		return 1;
	}
	snprintf(tmp, n + 16, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		size_t done = 0;

		while (done < len) {
			ssize_t w = write(fd, data + done, len - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				break;
			done += (size_t)w;
		}
		ok = done == len && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp, path) == 0;
	}
	if (!ok) {
		fprintf(stderr, "nsm attest: writing '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
	}
	free(tmp);
	return !ok;
}

enum { OPT_USER_DATA, OPT_NONCE, OPT_PUBLIC_KEY, OPT_OUTPUT };

static const struct cliopt attest_options[] = {
	{ "user-data", 0, "F", 0, OPT_USER_DATA, "bind the bytes of F (<= 512) as user_data" },
	{ "nonce", 0, "F", 0, OPT_NONCE, "bind the bytes of F (<= 512) as the nonce" },
	{ "public-key", 0, "F", 0, OPT_PUBLIC_KEY, "bind the bytes of F (<= 1024) as public_key" },
	{ "output", 'o', "DOC", CLIOPT_REQUIRED, OPT_OUTPUT, "the document, written atomically" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_attest(int argc, char **argv)
{
	static struct input user_data = { .option = "--user-data", .max = USER_DATA_MAX };
	static struct input nonce = { .option = "--nonce", .max = NONCE_MAX };
	static struct input public_key = { .option = "--public-key", .max = PUBLIC_KEY_MAX };
	static uint8_t doc[NSM_RESPONSE_MAX_SIZE];
	static struct nsm_document parsed;
	struct cliopt_parser p;
	const char *output = NULL;
	char why[NSM_ERROR_MAX];
	size_t len;
	int id;

	cliopt_start(&p, &cmd_attest, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_USER_DATA: user_data.path = p.value; break;
		case OPT_NONCE: nonce.path = p.value; break;
		case OPT_PUBLIC_KEY: public_key.path = p.value; break;
		case OPT_OUTPUT: output = p.value; break;
		default: return tool_option_stop(&p, id);
		}
	}
	if ((user_data.path && read_input(&user_data)) || (nonce.path && read_input(&nonce)) ||
	    (public_key.path && read_input(&public_key)))
		return 1;
	if (tool_open())
		return 1;
	if (nsm_attestation(&tool_nsm, input_bytes(&user_data), input_bytes(&nonce),
			    input_bytes(&public_key), doc, sizeof(doc), &len) != NSM_SUCCESS)
		return tool_fail("Attestation");
	if (nsm_decode_document(doc, len, &parsed, why, sizeof(why)) != NSM_SUCCESS) {
		fprintf(stderr, "nsm attest: the NSM returned a malformed document: %s\n", why);
		return 1;
	}
	if (write_atomically(output, doc, len))
		return 1;
	printf("%s: %zu bytes, module %.*s, %zu PCRs, timestamp %llu\n", output, len,
	       (int)parsed.module_id.len, (const char *)parsed.module_id.data, parsed.pcr_count,
	       (unsigned long long)parsed.timestamp);
	return 0;
}

const struct cliopt_command cmd_attest = {
	"nsm", "attest", "",
	"write an attestation document (COSE_Sign1 CBOR) binding the given files to DOC",
	attest_options, NULL, run_attest,
};
