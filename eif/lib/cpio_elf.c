/* The architecture check of cpio_write: a regular file whose first bytes are an ELF header
 * (ELF specification, "ELF Header": e_ident, e_type, then the 16-bit e_machine at byte 18 in
 * the byte order e_ident[EI_DATA] names) for another machine than the enclave's is counted,
 * so the tool can warn before the enclave fails to exec it. Only the bytes the writer streams
 * anyway are looked at: the tree is read once. */
#include "cpio_int.h"

#define ELF_EI_DATA 5
#define ELF_DATA_LSB 1
#define ELF_DATA_MSB 2
#define ELF_E_MACHINE 18
#define EM_X86_64 62
#define EM_AARCH64 183

static const struct {
	const char *name, *alias;
	uint16_t machine;
} machines[] = {
	{ "x86_64", "amd64", EM_X86_64 },
	{ "aarch64", "arm64", EM_AARCH64 },
	{ "i386", NULL, 3 },
	{ "arm", NULL, 40 },
	{ "ppc64", NULL, 21 },
	{ "s390x", NULL, 22 },
	{ "riscv64", NULL, 243 },
};

uint16_t cpio_elf_machine(const char *arch)
{
	for (size_t i = 0; i < 2; i++) /* the enclave architectures */
		if (strcmp(arch, machines[i].name) == 0 || strcmp(arch, machines[i].alias) == 0)
			return machines[i].machine;
	return 0;
}

const char *cpio_elf_machine_name(uint16_t machine)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (machines[i].machine == machine)
			return machines[i].name;
	return NULL;
}

void cpio_note_elf(struct cpio_archive *a, const struct cpio_entry *e, const unsigned char *head,
		   size_t len)
{
	uint16_t machine;

	if (!a->options.elf_machine || len < CPIO_ELF_HEAD || memcmp(head, "\177ELF", 4) != 0)
		return;
	if (head[ELF_EI_DATA] == ELF_DATA_LSB)
		machine = (uint16_t)(head[ELF_E_MACHINE] | head[ELF_E_MACHINE + 1] << 8);
	else if (head[ELF_EI_DATA] == ELF_DATA_MSB)
		machine = (uint16_t)(head[ELF_E_MACHINE] << 8 | head[ELF_E_MACHINE + 1]);
	else
		return; /* not a valid ELF header: data that happens to start so */
	if (machine == a->options.elf_machine)
		return;
	if (a->foreign_elf++ == 0) {
		a->first_foreign = e->name;
		a->first_foreign_machine = machine;
	}
}

uint64_t cpio_foreign_elf(const struct cpio_archive *a, const char **first, uint16_t *machine)
{
	if (first)
		*first = a->foreign_elf ? a->first_foreign : NULL;
	if (machine)
		*machine = a->foreign_elf ? a->first_foreign_machine : 0;
	return a->foreign_elf;
}
