/* eif sbom: the SPDX 2.3 document of an enclave build (library: sbom.c). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include <eif/sbom.h>

enum { OPT_APP = 1, OPT_ARCH, OPT_LOCK, OPT_TOOLCHAIN_LOCK, OPT_VERSION, OPT_COMMIT, OPT_DIRTY, OPT_RECORD, OPT_OUT };

static const struct cliopt sbom_options[] = {
	{ "app", 0, "APP", CLIOPT_REQUIRED, OPT_APP,
	  "the application as given to make (tree, tar, oci:..., docker-archive:...)" },
	{ "arch", 0, "ARCH", 0, OPT_ARCH, "x86_64 (default: OUTDIR/bzImage) or aarch64 (OUTDIR/Image)" },
	{ "lock", 0, "FILE", CLIOPT_REQUIRED | CLIOPT_REPEAT, OPT_LOCK,
	  "a lock file (repeatable; configs/sources.lock, then configs/sources-ARCH.lock)" },
	{ "toolchain-lock", 0, "FILE", 0, OPT_TOOLCHAIN_LOCK,
	  "configs/toolchain.lock, whose root built the kernel, nsm.ko and init" },
	{ "version", 0, "VERSION", CLIOPT_REQUIRED, OPT_VERSION, "enclave-kit's version" },
	{ "commit", 0, "COMMIT", 0, OPT_COMMIT, "our sources' git commit (default: unknown)" },
	{ "dirty", 0, NULL, 0, OPT_DIRTY, "the work tree has uncommitted changes" },
	{ "record", 0, "FILE", 0, OPT_RECORD,
	  "eif cpio's record of ramdisk/user.cpio: APP is not read again" },
	{ "output", 'o', "OUT", 0, OPT_OUT, "write OUT atomically instead of standard output" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_sbom(int argc, char **argv);

const struct cliopt_command cmd_sbom = {
	"eif", "sbom", "OUTDIR", "write the SPDX 2.3 document of the enclave built in OUTDIR",
	sbom_options,
	"OUTDIR holds bzImage (Image for aarch64), nsm.ko, init, ramdisk/system.cpio,\n"
	"ramdisk/user.cpio, enclave.eif and kernel/config (make's out/, out/aarch64/).\n"
	"The creation time is SOURCE_DATE_EPOCH (else 0). make writes\n"
	"out/sbom.spdx.json (out/aarch64/sbom.spdx.json) with it.\n",
	run_sbom,
};

static int run_sbom(int argc, char **argv)
{
	struct eif_sbom_input in = { .commit = "unknown" };
	struct eif_error err;
	const char *out_path = NULL;
	struct cliopt_parser p;
	char *text, created[32];
	int id, status;

	cliopt_start(&p, &cmd_sbom, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_APP: in.app = p.value; break;
		case OPT_ARCH:
			if (eif_arch_parse(p.value, &in.arch) != 0)
				return cli_usage_error(argv[0], "--arch '%s': use x86_64 or aarch64",
						       p.value);
			break;
		case OPT_LOCK:
			if (cli_add_lock(&p, in.lock_paths, &in.lock_count, EIF_SBOM_LOCKS_MAX))
				return EXIT_USAGE;
			break;
		case OPT_TOOLCHAIN_LOCK: in.toolchain_lock_path = p.value; break;
		case OPT_VERSION: in.version = p.value; break;
		case OPT_COMMIT: in.commit = p.value; break;
		case OPT_DIRTY: in.dirty = true; break;
		case OPT_RECORD: in.record_path = p.value; break;
		case OPT_OUT: out_path = p.value; break;
		case CLIOPT_OPERAND:
			if (in.out_dir)
				return cli_usage_error(argv[0], "one OUTDIR; '%s' comes after '%s'",
						       p.value, in.out_dir);
			in.out_dir = p.value;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (!in.out_dir)
		return cli_usage_error(argv[0], "name the build's OUTDIR (out)");
	if ((status = cli_default_build_time(argv[0], NULL, created)) != 0)
		return status;
	strcpy(created + 19, "Z"); /* "...T00:00:00+00:00" -> SPDX's "...T00:00:00Z" */
	in.created = created;
	if (eif_sbom_write(&in, &text, &err) != EIF_OK)
		return cli_error(&err);
	return cli_output_free(out_path, text);
}
