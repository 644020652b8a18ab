/* eif pcr: measurements of an EIF, of one file, of a certificate, or of unbuilt parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include <eif/sign.h>

enum { OPT_INPUT = OPT_SIGNING_CERTIFICATE + 1 };

static const struct cliopt pcr_options[] = {
	{ "input", 0, "FILE", 0, OPT_INPUT,
	  "print {\"PCR\": ...} of a file, as nitro-cli pcr --input" },
	{ "signing-certificate", 0, "PEM", 0, OPT_SIGNING_CERTIFICATE,
	  "the PCR8 an EIF signed with this certificate has" },
	CLI_PARTS_OPTIONS(0),
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_pcr(int argc, char **argv);

const struct cliopt_command cmd_pcr = {
	"eif", "pcr", "[FILE]", "print PCRs of an EIF, a file, a certificate or unbuilt parts",
	pcr_options,
	"Give one of: FILE, an EIF (its measurements, recomputed; PCR8 only when its\n"
	"signature verifies, else exit 1); --input FILE; --signing-certificate PEM\n"
	"alone; or --kernel, --cmdline and --ramdisk (with --signing-certificate for\n"
	"PCR8): what eif build would print for these parts, without writing an EIF.\n",
	run_pcr,
};

static int print_single(const char *key, const unsigned char pcr[EIF_PCR_SIZE])
{
	char hex[EIF_PCR_HEX_SIZE], text[EIF_PCR_HEX_SIZE + 32];

	eif_hex(pcr, EIF_PCR_SIZE, hex);
	snprintf(text, sizeof(text), "{\n  \"%s\": \"%s\"\n}\n", key, hex);
	return cli_print(text);
}

/* What eif build would print for unbuilt parts; PCR8 comes from the certificate alone. */
static int pcr_of_parts(struct eif_build_options *o, const char *cert)
{
	struct eif_measurements pcrs;
	struct eif_error err;

	if (!o->kernel_path)
		return cli_usage_error("pcr", "--kernel FILE is required");
	if (!o->cmdline)
		return cli_usage_error("pcr", "--cmdline TEXT is required");
	if (o->ramdisk_count == 0)
		return cli_usage_error("pcr", "--ramdisk FILE is required (repeat it for more)");
	if (eif_build(o, &pcrs, &err) != EIF_OK)
		return cli_error(&err);
	if (cert && cli_pcr8_of_certificate(cert, &pcrs) != 0)
		return 1;
	return cli_print_measurements(&pcrs);
}

/* An EIF's measurements. A signature that does not verify gives no PCR8: Nitro refuses to
 * launch such an image, so printing one would name a measurement that never exists. */
static int pcr_of_eif(const char *file)
{
	struct eif_info info;
	struct eif_error err;
	int rc;

	if (eif_read_file(file, &info, &err) != EIF_OK)
		return cli_error(&err);
	if (info.signature && (info.signature_corrupt ||
			       eif_signature_verify(info.signature, info.signature_len,
						    info.pcrs.pcr0, &err) != EIF_SIGNATURE_VALID)) {
		fprintf(stderr, "eif: '%s': no PCR8: %s; Nitro refuses to launch an image whose "
			"signature does not verify; sign it again with 'eif sign'\n", file,
			info.signature_corrupt ? info.signature_error : err.msg);
		rc = 1;
	} else {
		rc = cli_print_measurements(&info.pcrs);
	}
	eif_info_free(&info);
	return rc;
}

static int run_pcr(int argc, char **argv)
{
	const char *input = NULL, *cert = NULL, *file = NULL;
	struct eif_build_options parts = { 0 };
	const char **ramdisks = calloc((size_t)argc, sizeof(*ramdisks));
	struct cliopt_parser p;
	struct eif_error err;
	int id, rc = -1;

	if (!ramdisks)
		return cli_usage_error(argv[0], "out of memory");
	cliopt_start(&p, &cmd_pcr, argc, argv);
	while (rc < 0 && (id = cliopt_next(&p)) != CLIOPT_DONE) {
		if (id == OPT_INPUT)
			input = p.value;
		else if (id == OPT_SIGNING_CERTIFICATE)
			cert = p.value;
		else if (id == CLIOPT_OPERAND && !file)
			file = p.value;
		else if (id >= 0)
			cli_parts_option(id, p.value, &parts, ramdisks);
		else
			rc = cli_option_stop(&p, id);
	}
	if (rc >= 0)
		goto out;
	if (parts.kernel_path || parts.cmdline || parts.ramdisk_count) {
		rc = input || file ? cli_usage_error(argv[0], "give exactly one of FILE, --input "
						     "FILE or the --kernel/--cmdline/--ramdisk parts")
				   : pcr_of_parts(&parts, cert);
	} else if (!!input + !!cert + !!file != 1) {
		rc = cli_usage_error(argv[0], "give exactly one of FILE, --input FILE, "
				     "--signing-certificate PEM or the --kernel/--cmdline/--ramdisk "
				     "parts");
	} else if (input) {
		unsigned char pcr[EIF_PCR_SIZE];

		rc = eif_pcr_of_file(input, pcr, &err) != EIF_OK ? cli_error(&err) :
								   print_single("PCR", pcr);
	} else if (cert) {
		struct eif_measurements pcrs = { 0 };

		rc = cli_pcr8_of_certificate(cert, &pcrs) != 0 ? 1 : print_single("PCR8", pcrs.pcr8);
	} else {
		rc = pcr_of_eif(file);
	}
out:
	free(ramdisks);
	return rc;
}
