/* eif build: the eif_build command line over eif_build(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include <eif/record.h>

enum {
	OPT_OUTPUT = OPT_SIGNING_CERTIFICATE + 1, OPT_NAME, OPT_VERSION, OPT_METADATA, OPT_ARCH,
	OPT_BUILD_TIME, OPT_BUILD_TOOL, OPT_BUILD_TOOL_VERSION, OPT_IMG_OS, OPT_IMG_KERNEL,
	OPT_KEY, OPT_MODULE, OPT_ALGO, OPT_KERNEL_CONFIG, OPT_RECORD,
};

static const struct cliopt build_options[] = {
	CLI_PARTS_OPTIONS(CLIOPT_REQUIRED),
	{ "output", 0, "FILE", CLIOPT_REQUIRED, OPT_OUTPUT, "EIF to write (atomically)" },
	{ "name", 0, "NAME", 0, OPT_NAME, "ImageName (default: the kernel's file name)" },
	{ "version", 0, "VERSION", 0, OPT_VERSION, "ImageVersion (default: as eif_build, the name)" },
	{ "metadata", 0, "FILE", 0, OPT_METADATA, "JSON file (<= 4096 bytes) stored as CustomMetadata" },
	{ "arch", 0, "ARCH", 0, OPT_ARCH, "x86_64 (default) or aarch64 (amd64, arm64)" },
	{ "build-time", 0, "TIME", 0, OPT_BUILD_TIME,
	  "BuildTime (default: SOURCE_DATE_EPOCH, else 0)" },
	{ "build-tool", 0, "NAME", 0, OPT_BUILD_TOOL, "BuildTool (default eif_build)" },
	{ "build-tool-version", 0, "VERSION", 0, OPT_BUILD_TOOL_VERSION,
	  "BuildToolVersion (default 0.3.1)" },
	{ "img-os", 0, "OS", 0, OPT_IMG_OS, "OperatingSystem (default OS)" },
	{ "img-kernel", 0, "VERSION", 0, OPT_IMG_KERNEL, "KernelVersion (default kernel)" },
	{ "signing-certificate", 0, "PEM", 0, OPT_SIGNING_CERTIFICATE,
	  "sign PCR0 with this certificate..." },
	{ "private-key", 0, "KEY", 0, OPT_KEY,
	  "...and this EC P-384 key: PEM or pkcs11:URI" },
	{ "pkcs11-module", 0, "SO", 0, OPT_MODULE, "the PKCS#11 module of a pkcs11: key" },
	{ "algo", 0, "sha384", 0, OPT_ALGO, "accepted for eif_build compatibility; only sha384" },
	{ "record", 0, "FILE", 0, OPT_RECORD, "write each section as written: provenance records" },
	{ "kernel_config", 0, "FILE", CLIOPT_HIDDEN, OPT_KERNEL_CONFIG, "refused" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_build(int argc, char **argv);

const struct cliopt_command cmd_build = {
	"eif", "build", "", "build an EIF from a kernel, a command line and ramdisks",
	build_options,
	"Writes an EIF v4 byte-identical to AWS eif_build's for the same flags and\n"
	"prints its measurements as JSON (\"Output file: FILE\" goes to standard error).\n"
	"The first ramdisk is the bootstrap ramdisk (PCR1), the others are the\n"
	"application (PCR2).\n",
	run_build,
};

/* Stores one option of eif build in o; returns 0, or the exit code of a usage error. */
static int build_option(const struct cliopt_parser *p, int id, struct eif_build_options *o,
			const char **ramdisks)
{
	const char *v = p->value;

	switch (id) {
	case OPT_KERNEL: case OPT_CMDLINE: case OPT_RAMDISK:
		cli_parts_option(id, v, o, ramdisks);
		break;
	case OPT_OUTPUT: o->output_path = v; break;
	case OPT_NAME: o->name = v; break;
	case OPT_VERSION: o->version = v; break;
	case OPT_METADATA: o->metadata_path = v; break;
	case OPT_ARCH:
		if (eif_arch_parse(v, &o->arch) != 0)
			return cli_usage_error("build", "--arch '%s': use x86_64 or aarch64", v);
		break;
	case OPT_BUILD_TIME: o->build_time = v; break;
	case OPT_BUILD_TOOL: o->build_tool = v; break;
	case OPT_BUILD_TOOL_VERSION: o->build_tool_version = v; break;
	case OPT_IMG_OS: o->img_os = v; break;
	case OPT_IMG_KERNEL: o->img_kernel = v; break;
	case OPT_SIGNING_CERTIFICATE: o->signing_certificate_path = v; break;
	case OPT_KEY: o->private_key_path = v; break;
	case OPT_MODULE: o->pkcs11_module = v; break;
	case OPT_ALGO:
		if (strcmp(v, "sha384") != 0)
			return cli_usage_error("build", "--algo '%s': only sha384 gives PCRs that "
					       "match attestation", v);
		break;
	case OPT_RECORD: o->section_ctx = (void *)v; break; /* the path, until the record is open */
	case OPT_KERNEL_CONFIG:
		return cli_usage_error("build", "--kernel_config is not supported: it makes "
				       "eif_build stamp the clock into the image; pass --img-os and "
				       "--img-kernel instead");
	}
	return 0;
}

/* --record: sections as eif_build writes them, then the metadata strings it was given. */
static int open_record(struct eif_build_options *o, struct eif_record *record)
{
	struct eif_error err;

	if (!o->output_path)
		return cli_usage_error("build", "--record needs --output");
	if (eif_record_open(record, o->section_ctx, &err) != EIF_OK)
		return cli_error(&err);
	o->section_written = eif_record_section;
	o->section_ctx = record;
	return 0;
}

static enum eif_status commit_record(const struct eif_build_options *o, struct eif_record *record,
				     struct eif_error *err)
{
	const char *const keys[] = { "ImageName", "ImageVersion", "BuildTime", "KernelVersion" };
	const char *const values[] = { o->name, o->version, o->build_time, o->img_kernel };
	enum eif_status rc = EIF_OK;

	for (size_t i = 0; i < 4 && rc == EIF_OK; i++)
		if (values[i])
			rc = eif_record_line(record, (const char *const[]){ "metadata", keys[i],
									   values[i] }, 3, err);
	return rc == EIF_OK ? eif_record_commit(record, err) : rc;
}

static int run_build(int argc, char **argv)
{
	struct eif_build_options o = { 0 };
	struct eif_measurements pcrs;
	struct eif_error err;
	struct cliopt_parser p;
	char build_time[32];
	struct eif_record record = { 0 };
	const char **ramdisks = calloc((size_t)argc, sizeof(*ramdisks));
	int rc = 0, id;

	if (!ramdisks)
		return cli_usage_error(argv[0], "out of memory");
	cliopt_start(&p, &cmd_build, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		rc = id < 0 ? cli_option_stop(&p, id) : build_option(&p, id, &o, ramdisks);
		if (id < 0 || rc != 0)
			goto out;
	}
	if (!o.build_time) {
		rc = cli_default_build_time(argv[0], ", or give --build-time", build_time);
		o.build_time = build_time;
	}
	if (rc == 0 && o.section_ctx)
		rc = open_record(&o, &record);
	if (rc == 0) {
		if (eif_build(&o, &pcrs, &err) != EIF_OK ||
		    (o.section_ctx && commit_record(&o, &record, &err) != EIF_OK)) {
			rc = cli_error(&err);
		} else {
			fprintf(stderr, "Output file: %s\n", o.output_path);
			rc = cli_print_measurements(&pcrs);
		}
	}
out:
	eif_record_abort(&record);
	free(ramdisks);
	return rc;
}
