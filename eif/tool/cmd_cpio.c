/* eif cpio: write a deterministic newc initramfs from directory trees, list files and images. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include <eif/cpio.h>
#include <eif/oci.h>
#include <eif/record.h>

enum {
	OPT_DIR = 1, OPT_LIST, OPT_BASE, OPT_MTIME, OPT_OWNER, OPT_OUTPUT, OPT_OCI, OPT_DOCKER,
	OPT_ARCH, OPT_IMAGE_CMD, OPT_IMAGE_ENV, OPT_IMAGE_INFO, OPT_RECORD
};

static const struct cliopt cpio_options[] = {
	{ "dir", 0, "[PREFIX=]PATH", CLIOPT_REPEAT, OPT_DIR, "pack the tree below PATH as PREFIX/..." },
	{ "list", 0, "FILE", CLIOPT_REPEAT, OPT_LIST, "add the entries of a gen_init_cpio list" },
	{ "oci", 0, "[PREFIX=]LAYOUT[:TAG]", 0, OPT_OCI,
	  "flatten the image of an OCI layout as PREFIX/..." },
	{ "docker-archive", 0, "[PREFIX=]FILE[:TAG]", 0, OPT_DOCKER,
	  "the same from a docker save tar" },
	{ "arch", 0, "ARCH", 0, OPT_ARCH, "x86_64 or aarch64: picks from a multi-platform image; warns of programs for another" },
	{ "image-cmd", 0, NULL, 0, OPT_IMAGE_CMD, "write /cmd from the config's Entrypoint, Cmd" },
	{ "image-env", 0, NULL, 0, OPT_IMAGE_ENV, "write /env from the image config's Env" },
	{ "image-info", 0, "FILE", 0, OPT_IMAGE_INFO,
	  "write the manifest, layers, and each entry's layer" },
	{ "base", 0, "DIR", 0, OPT_BASE, "resolve relative list LOCATIONs against DIR" },
	{ "mtime", 0, "SECONDS", 0, OPT_MTIME,
	  "every mtime (default: SOURCE_DATE_EPOCH, else 0)" },
	{ "owner", 0, "UID:GID", 0, OPT_OWNER, "owner of every entry" },
	{ "output", 'o', "OUT", 0, OPT_OUTPUT, "the archive, written atomically" },
	{ "record", 0, "FILE", 0, OPT_RECORD,
	  "write each entry as written: provenance records" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* With --arch: a program built for another machine would only fail inside the enclave
 * (exec: "Exec format error"), so say which one now. A warning: data files may be ELF too. */
static void warn_foreign_elf(const struct cpio_archive *archive, const char *arch)
{
	const char *first, *name;
	uint16_t machine;
	uint64_t count = cpio_foreign_elf(archive, &first, &machine);

	if (!count)
		return;
	name = cpio_elf_machine_name(machine);
	fprintf(stderr, "eif cpio: warning: '%s' is an ELF file for %s%s%u%s, not %s", first,
		name ? name : "", name ? " (e_machine " : "e_machine ", machine, name ? ")" : "",
		arch);
	if (count > 1)
		fprintf(stderr, ", and %llu more files are ELF for another machine",
			(unsigned long long)(count - 1));
	fprintf(stderr, "; the enclave cannot run them: rebuild them for %s (or give the "
		"right ARCH)\n", arch);
}

static int run_cpio(int argc, char **argv);

const struct cliopt_command cmd_cpio = {
	"eif", "cpio", "", "write a deterministic newc initramfs from trees, lists and images",
	cpio_options,
	"The bytes depend only on names, contents, modes, owners and link targets:\n"
	"entries sorted bytewise by name, one mtime, inodes 721, 722, ... List lines:\n"
	"  file NAME LOCATION MODE UID GID [LINK...]    dir NAME MODE UID GID\n"
	"  nod NAME MODE UID GID b|c MAJOR MINOR        slink NAME TARGET MODE UID GID\n"
	"  pipe NAME MODE UID GID                       sock NAME MODE UID GID\n",
	run_cpio,
};

struct input_arg {
	int is_list;
	char *value;
};

/* True when the directory that will hold output lies inside tree: a second run would then
 * pack the first run's archive, and the output would depend on how often make ran. */
static int output_inside_tree(const char *output, const char *tree)
{
	const char *slash = strrchr(output, '/');
	char *dir, *out_real, *tree_real;
	size_t n;
	int inside = 0;

	dir = slash ? strndup(output, slash == output ? 1 : (size_t)(slash - output)) : strdup(".");
	out_real = dir ? realpath(dir, NULL) : NULL;
	tree_real = realpath(tree, NULL);
	if (out_real && tree_real) {
		n = strlen(tree_real);
		inside = strncmp(out_real, tree_real, n) == 0 &&
			 (out_real[n] == '\0' || out_real[n] == '/' || strcmp(tree_real, "/") == 0);
	}
	free(dir);
	free(out_real);
	free(tree_real);
	return inside;
}

struct image_arg {
	enum oci_format format;
	char *spec;          /* [PREFIX=]PATH[:TAG] as given */
	const char *arch;
	bool want_cmd, want_env;
	const char *info_path;  /* --image-info */
	const char *prefix;     /* PREFIX of the spec, while it is split */
	FILE *info;             /* --image-info gathers in memory, written after the archive */
	char *info_text;
	size_t info_len;
	struct oci_image *image;
};

/* One "entry NAME LAYER" line of --image-info. */
static void note_entry(void *ctx, const char *name, size_t layer)
{
	struct image_arg *arg = ctx;

	if (arg->info) /* a failure shows in ferror() when the text is closed */
		fprintf(arg->info, "entry\t%s%s%s\t%zu\n", arg->prefix ? arg->prefix : "",
			arg->prefix ? "/" : "", name, layer);
}

/* The header of --image-info: the image, its manifest and its layers. */
static void image_info_head(struct image_arg *arg)
{
	fprintf(arg->info, "manifest\t%s\n", oci_image_digest(arg->image));
	for (size_t i = 0; i < oci_image_layer_count(arg->image); i++) {
		const char *digest = oci_image_layer_digest(arg->image, i);

		fprintf(arg->info, "layer\t%zu\t%s\t%s\n", i + 1, digest[0] ? digest : "-",
			oci_image_layer_diff_id(arg->image, i));
	}
}

/* Close the --image-info text; 0, or 1 after saying it could not be made. */
static int image_info_close(struct image_arg *arg)
{
	int failed = ferror(arg->info);

	if (fclose(arg->info) != 0 || failed) {
		arg->info = NULL;
		fprintf(stderr, "eif cpio: --image-info '%s': out of memory\n", arg->info_path);
		return 1;
	}
	arg->info = NULL;
	return 0;
}

/* Flatten the image into archive, with /cmd and /env from its config when asked; prints
 * one line saying what the config gave and what it holds that an enclave cannot honour. */
static int add_image(struct image_arg *arg, struct cpio_archive *archive)
{
	char *eq = strchr(arg->spec, '='), *path = eq ? eq + 1 : arg->spec, *tag = NULL, *colon;
	struct oci_launch launch = { 0 };
	struct eif_error err = { 0 };
	struct stat st;
	int status = 1;

	if (eq) {
		*eq = '\0';
		arg->prefix = arg->spec;
	}
	/* PATH:TAG, unless the whole text names something (a path may hold ':'). */
	colon = strrchr(path, ':');
	if (colon && stat(path, &st) != 0 && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	}
	if (oci_image_open(arg->format, path, tag, arg->arch, &arg->image, &err) != EIF_OK)
		goto out;
	if (arg->info_path) {
		if (!(arg->info = open_memstream(&arg->info_text, &arg->info_len))) {
			fprintf(stderr, "eif cpio: --image-info '%s': out of memory\n", arg->info_path);
			goto fail;
		}
		image_info_head(arg);
	}
	if (oci_image_flatten(arg->image, archive, eq ? arg->spec : NULL, note_entry, arg,
			      &err) != EIF_OK)
		goto out;
	if (arg->info && image_info_close(arg) != 0)
		goto fail;
	if (arg->want_cmd || arg->want_env) {
		if (oci_image_launch(arg->image, &launch, &err) != EIF_OK ||
		    (arg->want_cmd && oci_image_add_file(arg->image, archive, "cmd", launch.cmd,
							 strlen(launch.cmd), &err) != EIF_OK) ||
		    (arg->want_env && oci_image_add_file(arg->image, archive, "env", launch.env,
							 strlen(launch.env), &err) != EIF_OK))
			goto out;
		fprintf(stderr, "eif cpio: from the image config: %s%s%s; ignored: %s\n",
			arg->want_cmd ? "/cmd from Entrypoint+Cmd" : "",
			arg->want_cmd && arg->want_env ? ", " : "",
			arg->want_env ? "/env from Env" : "",
			launch.ignored[0] ? launch.ignored : "nothing");
	}
	status = 0;
out:
	if (status)
		status = cli_error(&err);
fail:
	oci_launch_free(&launch);
	if (eq)
		*eq = '=';
	if (tag)
		tag[-1] = ':';
	return status;
}

static int run_cpio(int argc, char **argv)
{
	struct cpio_options options = { 0 };
	struct input_arg *inputs = NULL;
	const char *output = NULL, *base = NULL, *mtime = NULL, *record = NULL;
	struct eif_record rec = { 0 };
	struct cpio_archive *archive = NULL;
	struct image_arg image = { .arch = "x86_64" };
	enum eif_arch arch;
	struct eif_error err = { 0 };
	struct cliopt_parser p;
	int count = 0, id, status = 1;

	inputs = calloc((size_t)argc, sizeof(*inputs));
	if (!inputs) {
		fprintf(stderr, "eif cpio: out of memory\n");
		return 1;
	}
	cliopt_start(&p, &cmd_cpio, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_DIR:
		case OPT_LIST:
			inputs[count].is_list = id == OPT_LIST;
			/* p.value points into argv, which is ours to edit */
			inputs[count++].value = (char *)p.value;
			break;
		case OPT_BASE:
			base = p.value;
			break;
		case OPT_MTIME:
			mtime = p.value;
			break;
		case OPT_OWNER:
			if (eif_parse_owner(p.value, &options.uid, &options.gid) != 0) {
				status = cli_usage_error("cpio", "--owner '%s' is not UID:GID in "
							 "decimal, e.g. 0:0", p.value);
				goto done;
			}
			options.owner_override = true;
			break;
		case OPT_OCI:
		case OPT_DOCKER:
			if (image.spec) {
				status = cli_usage_error("cpio", "one container image per archive; "
							 "'%s' comes after '%s'", p.value, image.spec);
				goto done;
			}
			image.format = id == OPT_OCI ? OCI_LAYOUT : OCI_DOCKER_ARCHIVE;
			image.spec = (char *)p.value; /* into argv, which is ours to edit */
			break;
		case OPT_ARCH:
			image.arch = p.value;
			if (eif_arch_parse(p.value, &arch) == 0) {
				options.elf_machine = eif_arch_elf_machine(arch);
			} else {
				status = cli_usage_error("cpio", "--arch '%s' is not an enclave "
							 "architecture; give x86_64 or aarch64",
							 p.value);
				goto done;
			}
			break;
		case OPT_IMAGE_CMD:
			image.want_cmd = true;
			break;
		case OPT_IMAGE_ENV:
			image.want_env = true;
			break;
		case OPT_IMAGE_INFO:
			image.info_path = p.value;
			break;
		case OPT_OUTPUT:
			output = p.value;
			break;
		case OPT_RECORD:
			record = p.value;
			break;
		case CLIOPT_OPERAND:
			status = cli_usage_error("cpio", "unexpected argument '%s'; inputs are given "
						 "with --dir, --list, --oci or --docker-archive",
						 p.value);
			goto done;
		default:
			status = cli_option_stop(&p, id);
			goto done;
		}
	}
	if (!output) {
		status = cli_usage_error("cpio", "no output; give -o OUT");
		goto done;
	}
	if ((image.want_cmd || image.want_env || image.info_path) && !image.spec) {
		status = cli_usage_error("cpio", "--image-cmd, --image-env and --image-info need "
					 "--oci or --docker-archive");
		goto done;
	}
	if (count == 0 && !image.spec) {
		status = cli_usage_error("cpio", "nothing to pack; give --dir or --list (or --oci, --docker-archive)");
		goto done;
	}
	for (int i = 0; i < count; i++) {
		const char *eq = strchr(inputs[i].value, '=');
		const char *tree = eq ? eq + 1 : inputs[i].value;

		const char *inside = inputs[i].is_list ? NULL : output_inside_tree(output, tree) ?
				     output : record && output_inside_tree(record, tree) ? record : NULL;

		if (inside) {
			status = cli_usage_error("cpio", "output '%s' is inside --dir '%s', so the next "
						 "run would pack this archive; write it outside the tree",
						 inside, inputs[i].value);
			goto done;
		}
	}
	if (mtime) {
		uint64_t v;

		if (!eif_parse_digits(mtime, strlen(mtime), 10, UINT32_MAX, &v)) {
			status = cli_usage_error("cpio", "--mtime '%s' is not a number of seconds "
						 "from 0 to 4294967295", mtime);
			goto done;
		}
		options.mtime = (uint32_t)v;
	} else if (eif_source_date_epoch(&options.mtime, &err) != EIF_OK) {
		status = cli_usage_error("cpio", "%s, or give --mtime", err.msg);
		goto done;
	}

	archive = cpio_archive_new(&options, &err);
	if (!archive) {
		status = cli_error(&err);
		goto done;
	}
	for (int i = 0; i < count; i++) {
		enum eif_status rc;

		if (inputs[i].is_list) {
			rc = cpio_add_list(archive, inputs[i].value, base, &err);
		} else {
			char *eq = strchr(inputs[i].value, '=');
			if (eq) {
				*eq = '\0';
				rc = cpio_add_tree(archive, inputs[i].value, eq + 1, &err);
				*eq = '=';
			} else {
				rc = cpio_add_tree(archive, NULL, inputs[i].value, &err);
			}
		}
		if (rc != EIF_OK) {
			status = cli_error(&err);
			goto done;
		}
	}
	if (image.spec && (status = add_image(&image, archive)) != 0)
		goto done;
	if (record)
		cpio_set_report(archive, eif_record_cpio_entry, &rec);
	/* Written only now, so a temporary file inside an input tree is never packed. The record
	 * is complete only once the archive is, so it is committed after it. */
	if ((record && eif_record_open(&rec, record, &err) != EIF_OK) ||
	    cpio_write_path(archive, output, NULL, &err) != EIF_OK ||
	    (record && eif_record_commit(&rec, &err) != EIF_OK) ||
	    (image.info_path && eif_write_file_atomic(image.info_path, image.info_text,
						      image.info_len, &err) != EIF_OK)) {
		status = cli_error(&err);
		goto done;
	}
	warn_foreign_elf(archive, image.arch);
	status = 0;
done:
	if (image.info)
		fclose(image.info);
	free(image.info_text);
	eif_record_abort(&rec);
	oci_image_free(image.image);
	cpio_archive_free(archive);
	free(inputs);
	return status;
}
