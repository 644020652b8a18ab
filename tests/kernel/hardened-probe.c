/*
 * The application of the hardened boot test (tests/kernel/hardened.t): reports, from inside the
 * enclave, what init's run-time hardening left for it, then execs /bin/hello, which reads the
 * PCRs through /dev/nsm.  Lines start with "hardened-probe:" so the test can pick them out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int number)
{
	switch (number) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENOEXEC: return "ENOEXEC";
	case EKEYREJECTED: return "EKEYREJECTED";
	case ENOSYS: return "ENOSYS";
	default: return "other";
	}
}

/* "hardened-probe: NAME first-line-of-PATH", or the error. */
static void show_file(const char *name, const char *path)
{
	char line[256];
	FILE *file = fopen(path, "re");

	if (!file) {
		printf("hardened-probe: %s %s (%s)\n", name, errno_name(errno), strerror(errno));
		return;
	}
	if (fgets(line, sizeof(line), file)) {
		line[strcspn(line, "\n")] = '\0';
		printf("hardened-probe: %s %s\n", name, line);
	} else {
		printf("hardened-probe: %s unreadable\n", name);
	}
	fclose(file);
}

/* init_module() of a valid module image, the one init loaded at boot: must be refused now. */
static void try_init_module(const char *path)
{
	struct stat info;
	void *image;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &info) != 0 || info.st_size <= 0) {
		printf("hardened-probe: init_module cannot read %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	image = malloc((size_t)info.st_size);
	if (!image || read(fd, image, (size_t)info.st_size) != info.st_size) {
		printf("hardened-probe: init_module cannot read %s\n", path);
		free(image);
		close(fd);
		return;
	}
	close(fd);
	if (syscall(SYS_init_module, image, (unsigned long)info.st_size, "") == 0)
		printf("hardened-probe: init_module %s loaded\n", path);
	else
		printf("hardened-probe: init_module %s %s (%s)\n", path, errno_name(errno),
		       strerror(errno));
	free(image);
}

static void show_presence(const char *path)
{
	struct stat info;

	if (stat(path, &info) == 0)
		printf("hardened-probe: %s present\n", path);
	else
		printf("hardened-probe: %s %s\n", path, errno == ENOENT ? "absent" : strerror(errno));
}

int main(void)
{
	show_file("lockdown", "/sys/kernel/security/lockdown");
	show_file("modules_disabled", "/proc/sys/kernel/modules_disabled");
	try_init_module("/nsm.ko");
	show_presence("/dev/mem");
	show_presence("/dev/nsm");
	fflush(stdout);
	execl("/bin/hello", "hello", (char *)NULL);
	printf("hardened-probe: exec /bin/hello: %s\n", strerror(errno));
	return 1;
}
