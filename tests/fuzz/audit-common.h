/* Shared by the eif audit fuzzers (fuzz-audit.c, fuzz-audit-frame.c): the manifest they audit
 * against and the promises every report must keep.
 *
 * The manifest pins what the seeds hold (tests/fuzz/audit/, tests/fuzz/audit-frame/: ramdisk 0 with a device, ramdisk 1
 * with a hard-link pair, a symlink and a FIFO; metadata as eif build writes it), so mutations
 * reach the ok, mismatch, unknown and missing paths rather than only "unknown". */
#ifndef FUZZ_AUDIT_COMMON_H
#define FUZZ_AUDIT_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <eif/audit.h>

static const char fuzz_manifest_text[] =
	"enclave-kit-provenance\t1\n"
	"section\t0\tkernel\t-\t-\tkernel\tbzImage\n"
	"section\t1\tcmdline\t13\t-\tcmdline\tconsole=ttyS0\n"
	"section\t2\tmetadata\t-\t-\teif-build\tflags\n"
	"section\t3\tramdisk\t-\t-\tsystem-ramdisk\tsystem.cpio\n"
	"section\t4\tramdisk\t-\t-\tuser-ramdisk\tuser.cpio\n"
	"metadata\tImageName\tfuzz\n"
	"metadata\tBuildTime\t1970-01-01T00:00:00+00:00\n"
	"metadata\tKernelVersion\t6.12.118\n"
	"metadata\tBuildMetadata.BuildTool\tenclave-kit\n"
	"entry\t0\tdev\tdir\t0755\t0:0\t0\t-\t-\tlist\tsystem.list\n"
	"entry\t0\tdev/console\tchar\t0600\t0:0\t0\t-\t5:1\tlist\tsystem.list\n"
	"entry\t0\tinit\tfile\t0755\t0:0\t7\t"
	"9863480265bbd9f2516108de91da3a7b6b88d2f2f276ad6d96f8a8205f2c519c\t-\tinit\tinit/\n"
	"entry\t0\tnsm.ko\tfile\t0644\t0:0\t10\t"
	"a311d38fa943a31e9e52df989d438875fc1353230e9fc3d1612476815f069034\t-\tnsm\tnsm/\n"
	"entry\t1\trootfs\tdir\t0755\t0:0\t0\t-\t-\tapp\tapp/\n"
	"entry\t1\trootfs/bin\tdir\t0755\t0:0\t0\t-\t-\tapp\tapp/bin\n"
	"entry\t1\trootfs/bin/a\tfile\t0755\t0:0\t5\t"
	"67948dd9afd6afe5043b0029d5aa7cf0f8b2824baf16f4f097d40d830edb686d\t-\tapp\tapp/bin/a\n"
	"entry\t1\trootfs/bin/b\tfile\t0755\t0:0\t5\t"
	"67948dd9afd6afe5043b0029d5aa7cf0f8b2824baf16f4f097d40d830edb686d\t-\tapp\tapp/bin/b\n"
	"entry\t1\trootfs/lib\tsymlink\t0777\t0:0\t3\t"
	"51a1f05af85e342e3c849b47d387086476282d5f50dc240c19216d6edfb1eb5a\tbin\tapp\tapp/lib\n"
	"entry\t1\trootfs/run\tdir\t0755\t0:0\t0\t-\t-\tapp\tapp/run\n"
	"entry\t1\trootfs/run/fifo\tfifo\t0600\t0:0\t0\t-\t-\tapp\tapp/run/fifo\n";

static struct eif_provenance *fuzz_manifest(void)
{
	static struct eif_provenance *manifest;
	struct eif_error err;

	if (!manifest && eif_provenance_parse(fuzz_manifest_text, sizeof(fuzz_manifest_text) - 1,
					      "fuzz manifest", &manifest, &err) != EIF_OK)
		abort(); /* the built-in manifest is valid */
	return manifest;
}

/* Audit len bytes at data and check what audit.h promises; abort() on a broken promise. */
static void fuzz_audit_check(const unsigned char *data, size_t len)
{
	struct eif_audit_report report;
	struct eif_error err;
	uint64_t covered = 0;
	char *text;

	err.msg[0] = '\0';
	if (eif_audit_memory(data, len, "fuzz.eif", fuzz_manifest(), &report, &err) != EIF_OK) {
		/* In memory nothing can fail but an allocation, and that must say so. */
		if (err.code != EIF_E_NOMEM || err.msg[0] == '\0')
			abort();
		eif_audit_report_free(&report);
		return;
	}
	if (report.file_size != len || report.count == 0)
		abort();
	for (size_t i = 0; i < report.count; i++) {
		const struct eif_audit_item *it = &report.items[i];

		if (!it->what || (unsigned)it->status >= EIF_AUDIT_STATUS_COUNT ||
		    it->offset > len || it->length > len - it->offset ||
		    (it->status == EIF_AUDIT_MISSING && it->length != 0))
			abort();
		covered += it->length;
	}
	/* Every byte is in exactly one item once the walk went through the whole file. */
	if (report.walk_complete && covered != len)
		abort();
	if (eif_audit_exit_code(&report) != 0 && !eif_audit_first_problem(&report))
		abort();
	text = eif_audit_report_text(&report, "fuzz.eif");
	if (!text)
		abort();
	free(text);
	text = eif_audit_report_json(&report, "fuzz.eif");
	if (!text)
		abort();
	free(text);
	eif_audit_report_free(&report);
}

#endif
