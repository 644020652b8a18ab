/* eif sbom: the SPDX 2.3 document of an enclave build (library: sbom.c). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include <eif/sbom.h>

enum { OPT_APP = 1, OPT_LOCK, OPT_VERSION, OPT_COMMIT, OPT_DIRTY, OPT_RECORD, OPT_OUT };

static const struct cliopt sbom_options[] = {
	{ "app", 0, "APP", CLIOPT_REQUIRED, OPT_APP,
	  "the application as given to make (tree, tar, oci:..., docker-archive:...)" },
	{ "lock", 0, "FILE", CLIOPT_REQUIRED, OPT_LOCK, "the source lock (configs/sources.lock)" },
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
	"OUTDIR holds bzImage, nsm.ko, init, ramdisk/system.cpio, ramdisk/user.cpio,\n"
	"enclave.eif and kernel/config (make's out/). The creation time is\n"
	"SOURCE_DATE_EPOCH (else 0). make writes out/sbom.spdx.json with scripts/sbom.\n",
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
		case OPT_LOCK: in.lock_path = p.value; break;
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
