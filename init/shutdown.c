/*
 * Why a triple fault.  The measured AWS kernel command line says reboot=k, and we must not change
 * a byte of it.  With reboot=k, x86 Linux pulses the keyboard controller's reset line; a machine
 * without an i8042 ignores that, and the kernel moves on (EFI, then a BIOS warm restart through
 * real mode), so QEMU's -no-reboot never fires (docs/qemu-test-bed.md#the-command-line): we saw the
 * firmware boot the kernel again (14 boots in 40 s); with our 6.12 kernel the guest sat after
 * "reboot: machine restart" until the test's timeout.
 *
 * /sys/kernel/reboot/type (x86, CONFIG_SYSFS) changes the method at run time without touching the
 * command line.  "triple" makes the kernel load an empty IDT and raise int3: the CPU cannot even
 * deliver the double fault and shuts down.  No firmware runs in between; every x86 hypervisor
 * sees a CPU shutdown as a reset request (KVM: KVM_EXIT_SHUTDOWN; QEMU TCG: a guest reset, which
 * -no-reboot turns into exit).  A Nitro enclave cannot be restarted, so a reset ends it exactly
 * like the keyboard reset it gets from the AWS init.  And should a hypervisor ever survive the
 * triple fault, the kernel's next method is the keyboard controller again, i.e. the AWS path.
 * Set early rather than at the end, so a kernel panic (panic=30) ends QEMU the same way.
 * Other architectures reboot through firmware (PSCI on arm64), which both hypervisors handle.
 */
#include "shutdown.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#define REBOOT_TYPE_PATH "/sys/kernel/reboot/type"

#if defined(__x86_64__) || defined(__i386__)
/* Normally sysfs is already on /sys (the user's root); when that root could not be entered or
 * has no sysfs, mount one of our own, so the enclave can still end. */
static int open_reboot_type(void)
{
	int fd = open(REBOOT_TYPE_PATH, O_WRONLY | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT || access("/sys/kernel", F_OK) == 0)
		return fd;
	if (mkdir("/sys", 0755) != 0 && errno != EEXIST) {
		say_failed("mkdir", "/sys (for the reboot method)");
		errno = ENOENT;
		return -1;
	}
	if (mount("sysfs", "/sys", "sysfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) != 0) {
		say_failed("mount sysfs on", "/sys (for the reboot method)");
		errno = ENOENT;
		return -1;
	}
	return open(REBOOT_TYPE_PATH, O_WRONLY | O_CLOEXEC);
}
#endif

void choose_reboot_method(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static const char method[] = "triple";
	int fd = open_reboot_type();

	if (fd < 0) {
		say("open %s: %s; the enclave will reboot with the kernel's reboot= method,"
		    " which QEMU may not end on", REBOOT_TYPE_PATH, strerror(errno));
		return;
	}
	if (write(fd, method, sizeof(method) - 1) != (ssize_t)(sizeof(method) - 1))
		say("write '%s' to %s: %s; the enclave will reboot with the kernel's reboot="
		    " method", method, REBOOT_TYPE_PATH, strerror(errno));
	if (close(fd) != 0)
		say_failed("close", REBOOT_TYPE_PATH);
#endif
}

noreturn void end_enclave(void)
{
	sync();
	say("stopping the enclave (reboot)");
	reboot(RB_AUTOBOOT);
	say_failed("reboot", "(RB_AUTOBOOT)");
	/* PID 1 exiting panics the kernel, and panic=30 reboots it: the enclave still ends. */
	_exit(1);
}
