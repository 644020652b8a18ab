/* eif build: the eif_build command line over eif_build(). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

const char cmd_build_usage[] =
	"usage: eif build --kernel FILE --cmdline TEXT --ramdisk FILE [--ramdisk FILE]...\n"
	"                 --output FILE [--name NAME] [--version VERSION] [--metadata FILE]\n"
	"                 [--arch x86_64|aarch64] [--build-time TIME] [--build-tool NAME]\n"
	"                 [--build-tool-version VERSION] [--img-os OS] [--img-kernel VERSION]\n"
	"                 [--signing-certificate PEM --private-key PEM|pkcs11:URI\n"
	"                 [--pkcs11-module SO]]\n"
	"\n"
	"Write an EIF v4 byte-identical to AWS eif_build's for the same flags, and print its\n"
	"measurements as JSON on standard output (\"Output file: FILE\" goes to standard error).\n"
	"The first ramdisk is the bootstrap ramdisk (PCR1), the others are the application (PCR2).\n"
	"\n"
	"  --kernel FILE              bzImage (x86_64) or Image (aarch64)\n"
	"  --cmdline TEXT             kernel command line, stored verbatim\n"
	"  --ramdisk FILE             cpio ramdisk; repeat for more, in boot order\n"
	"  --output FILE              EIF to write (atomically)\n"
	"  --name NAME                ImageName (default: the kernel's file name)\n"
	"  --version VERSION          ImageVersion; eif_build ignores this flag and stores the\n"
	"                             name (else 1.0), which stays the default here\n"
	"  --metadata FILE            JSON file (<= 4096 bytes) stored as CustomMetadata\n"
	"  --arch ARCH                x86_64 (default) or aarch64\n"
	"  --build-time TIME          BuildTime text (default: SOURCE_DATE_EPOCH, else 0, as\n"
	"                             RFC 3339 like 1970-01-01T00:00:00+00:00; never the clock)\n"
	"  --build-tool NAME          BuildTool (default eif_build)\n"
	"  --build-tool-version VER   BuildToolVersion (default 0.3.1)\n"
	"  --img-os OS                OperatingSystem (default OS)\n"
	"  --img-kernel VERSION       KernelVersion (default kernel)\n"
	"  --signing-certificate PEM  sign PCR0 with this certificate...\n"
	"  --private-key PEM          ...and this EC P-384 private key (adds PCR8), or its key\n"
	"                             on a PKCS#11 token: pkcs11:URI (see eif sign --help)\n"
	"  --pkcs11-module SO         the token's PKCS#11 module\n"
	"  --algo sha384              accepted for eif_build compatibility; only sha384 exists\n";

enum {
	OPT_KERNEL = 256, OPT_CMDLINE, OPT_RAMDISK, OPT_OUTPUT, OPT_NAME, OPT_VERSION,
	OPT_METADATA, OPT_ARCH, OPT_BUILD_TIME, OPT_BUILD_TOOL, OPT_BUILD_TOOL_VERSION,
	OPT_IMG_OS, OPT_IMG_KERNEL, OPT_CERT, OPT_KEY, OPT_ALGO, OPT_KERNEL_CONFIG, OPT_MODULE,
};

static const struct option build_options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "ramdisk", required_argument, NULL, OPT_RAMDISK },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "version", required_argument, NULL, OPT_VERSION },
	{ "metadata", required_argument, NULL, OPT_METADATA },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "build-time", required_argument, NULL, OPT_BUILD_TIME },
	{ "build-tool", required_argument, NULL, OPT_BUILD_TOOL },
	{ "build-tool-version", required_argument, NULL, OPT_BUILD_TOOL_VERSION },
	{ "img-os", required_argument, NULL, OPT_IMG_OS },
	{ "img-kernel", required_argument, NULL, OPT_IMG_KERNEL },
	{ "signing-certificate", required_argument, NULL, OPT_CERT },
	{ "private-key", required_argument, NULL, OPT_KEY },
	{ "pkcs11-module", required_argument, NULL, OPT_MODULE },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "kernel_config", required_argument, NULL, OPT_KERNEL_CONFIG },
	{ NULL, 0, NULL, 0 },
};

/* BuildTime default: SOURCE_DATE_EPOCH (decimal seconds), else the epoch. */
int cli_default_build_time(const char *command, char out[32])
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	long long seconds = 0;
	struct eif_error err;

	if (env && *env) {
		char *end;
		errno = 0;
		seconds = strtoll(env, &end, 10);
		if (errno || *end)
			return cli_usage_error(command, "SOURCE_DATE_EPOCH '%s' is not a whole number "
					       "of seconds", env);
	}
	if (eif_rfc3339(seconds, out, &err) != EIF_OK)
		return cli_error(&err);
	return 0;
}

/* Parses flags shared by `eif build` and `eif pcr --kernel ...` into o; ramdisks is an
 * argv-sized array. Returns 0, or the exit code to return. */
static int parse_build_flags(int argc, char **argv, struct eif_build_options *o,
			     const char **ramdisks, int for_build)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", build_options, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL: o->kernel_path = optarg; break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			o->cmdline_len = strlen(optarg);
			break;
		case OPT_RAMDISK: ramdisks[o->ramdisk_count++] = optarg; break;
		case OPT_OUTPUT: o->output_path = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_VERSION: o->version = optarg; break;
		case OPT_METADATA: o->metadata_path = optarg; break;
		case OPT_ARCH:
			if (strcmp(optarg, "x86_64") == 0)
				o->arch = EIF_ARCH_X86_64;
			else if (strcmp(optarg, "aarch64") == 0)
				o->arch = EIF_ARCH_AARCH64;
			else
				return cli_usage_error(argv[0], "--arch '%s': use x86_64 or aarch64",
						       optarg);
			break;
		case OPT_BUILD_TIME: o->build_time = optarg; break;
		case OPT_BUILD_TOOL: o->build_tool = optarg; break;
		case OPT_BUILD_TOOL_VERSION: o->build_tool_version = optarg; break;
		case OPT_IMG_OS: o->img_os = optarg; break;
		case OPT_IMG_KERNEL: o->img_kernel = optarg; break;
		case OPT_CERT: o->signing_certificate_path = optarg; break;
		case OPT_KEY: o->private_key_path = optarg; break;
		case OPT_MODULE: o->pkcs11_module = optarg; break;
		case OPT_ALGO:
			if (strcmp(optarg, "sha384") != 0)
				return cli_usage_error(argv[0], "--algo '%s': only sha384 gives PCRs "
						       "that match attestation", optarg);
			break;
		case OPT_KERNEL_CONFIG:
			return cli_usage_error(argv[0], "--kernel_config is not supported: it makes "
					       "eif_build stamp the clock into the image; pass "
					       "--img-os and --img-kernel instead");
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
		if (!for_build && (c == OPT_OUTPUT || c == OPT_NAME || c == OPT_VERSION ||
				   c == OPT_METADATA || c == OPT_BUILD_TIME || c == OPT_BUILD_TOOL ||
				   c == OPT_BUILD_TOOL_VERSION || c == OPT_IMG_OS ||
				   c == OPT_IMG_KERNEL || c == OPT_KEY || c == OPT_ARCH ||
				   c == OPT_MODULE))
			return cli_usage_error(argv[0], "'%s' only applies to eif build",
					       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!o->kernel_path)
		return cli_usage_error(argv[0], "--kernel FILE is required");
	if (!o->cmdline)
		return cli_usage_error(argv[0], "--cmdline TEXT is required");
	if (o->ramdisk_count == 0)
		return cli_usage_error(argv[0], "--ramdisk FILE is required (repeat it for more)");
	if (for_build && !o->output_path)
		return cli_usage_error(argv[0], "--output FILE is required");
	o->ramdisk_paths = ramdisks;
	return 0;
}

/* Measure unbuilt parts (eif pcr --kernel ...); shared with cmd_pcr.c. */
int cli_pcr_from_parts(int argc, char **argv)
{
	struct eif_build_options o = { 0 };
	struct eif_measurements pcrs;
	struct eif_error err;
	const char **ramdisks = calloc((size_t)argc, sizeof(*ramdisks));
	int rc;

	if (!ramdisks)
		return cli_usage_error(argv[0], "out of memory");
	rc = parse_build_flags(argc, argv, &o, ramdisks, 0);
	if (rc == 0) {
		/* PCR8 comes from the certificate alone; no key is needed to predict it. */
		const char *cert = o.signing_certificate_path;
		o.signing_certificate_path = NULL;
		if (eif_build(&o, &pcrs, &err) != EIF_OK)
			rc = cli_error(&err);
		else if (cert && cli_pcr8_of_certificate(cert, &pcrs) != 0)
			rc = 1;
		else
			rc = cli_print_measurements(&pcrs);
	}
	free(ramdisks);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct eif_build_options o = { 0 };
	struct eif_measurements pcrs;
	struct eif_error err;
	char build_time[32];
	const char **ramdisks = calloc((size_t)argc, sizeof(*ramdisks));
	int rc;

	if (!ramdisks)
		return cli_usage_error(argv[0], "out of memory");
	rc = parse_build_flags(argc, argv, &o, ramdisks, 1);
	if (rc == 0 && !o.build_time) {
		rc = cli_default_build_time(argv[0], build_time);
		o.build_time = build_time;
	}
	if (rc == 0) {
		if (eif_build(&o, &pcrs, &err) != EIF_OK) {
			rc = cli_error(&err);
		} else {
			fprintf(stderr, "Output file: %s\n", o.output_path);
			rc = cli_print_measurements(&pcrs);
		}
	}
	free(ramdisks);
	return rc;
}
