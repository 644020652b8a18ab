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

/* Machines an application's files are often built for by mistake, besides the enclave's. */
static const struct {
	const char *name;
	uint16_t machine;
} others[] = {
	{ "i386", 3 }, { "arm", 40 }, { "ppc64", 21 }, { "s390x", 22 }, { "riscv64", 243 },
};

const char *cpio_elf_machine_name(uint16_t machine)
{
	if (machine == eif_arch_elf_machine(EIF_ARCH_X86_64))
		return eif_arch_name(EIF_ARCH_X86_64);
	if (machine == eif_arch_elf_machine(EIF_ARCH_AARCH64))
		return eif_arch_name(EIF_ARCH_AARCH64);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (others[i].machine == machine)
			return others[i].name;
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
