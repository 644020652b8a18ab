/* pcr: measure a single file the way nitro-cli pcr --input does. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <eif/eif.h>
#include "measure.h"
#include "util.h"

enum eif_status eif_pcr_of_file(const char *path, unsigned char pcr[EIF_PCR_SIZE],
				struct eif_error *err)
{
	enum { BUFFER = 1 << 20 };
	unsigned char digest[EIF_PCR_SIZE];
	unsigned char *buf = malloc(BUFFER);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum eif_status rc = EIF_OK;
	unsigned len = 0;
	int fd = -1;

	if (!buf || !ctx) {
		rc = eif_fail(err, EIF_E_NOMEM, "input '%s': out of memory", path);
		goto out;
	}
	if (!EVP_DigestInit_ex(ctx, EVP_sha384(), NULL)) {
		rc = eif_fail(err, EIF_E_CRYPTO, "input '%s': OpenSSL cannot set up SHA-384", path);
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = eif_fail_errno(err, "input '%s': cannot open it", path);
		goto out;
	}
	for (;;) {
		long long n = eif_read_full(fd, buf, BUFFER);
		if (n < 0) {
			rc = eif_fail_errno(err, "input '%s': read failed", path);
			goto out;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			rc = eif_fail(err, EIF_E_CRYPTO, "input '%s': SHA-384 failed", path);
			goto out;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, digest, &len) || len != EIF_PCR_SIZE) {
		rc = eif_fail(err, EIF_E_CRYPTO, "input '%s': SHA-384 failed", path);
		goto out;
	}
	rc = eif_pcr_extend(digest, pcr, err);
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}
