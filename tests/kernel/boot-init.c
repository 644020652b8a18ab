/*
 * /init of the kernel boot test (tests/kernel-boot.t): reports what the kernel found and ends
 * the machine.  Output lines start with "kernel-test:" so the test can pick them out of the
 * console.  Every failed call is reported with what it tried and strerror(errno).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define VIRTIO_DEVICES "/sys/bus/virtio/devices"

static int failures;

static void report_failure(const char *what, const char *path)
{
	printf("kernel-test: FAIL %s %s: %s\n", what, path, strerror(errno));
	failures++;
}

static void mount_filesystem(const char *type, const char *target)
{
	if (mkdir(target, 0755) != 0 && errno != EEXIST) {
		report_failure("mkdir", target);
		return;
	}
	if (mount(type, target, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		report_failure("mount", target);
}

/* Read the first line of a small file into buf, without the newline; 0 on success. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		report_failure("open", path);
		return -1;
	}
	if (!fgets(buf, (int)size, f)) {
		buf[0] = '\0';
		if (ferror(f))
			report_failure("read", path);
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_string(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0) {
		report_failure("open", path);
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		report_failure("write", path);
		close(fd);
		return -1;
	}
	if (close(fd) != 0) {
		report_failure("close", path);
		return -1;
	}
	return 0;
}

/* One line per virtio device: its name and virtio device id; returns how many there were. */
static int list_virtio_devices(void)
{
	DIR *dir = opendir(VIRTIO_DEVICES);
	struct dirent *entry;
	int count = 0;

	if (!dir) {
		report_failure("opendir", VIRTIO_DEVICES);
		return 0;
	}
	while ((entry = readdir(dir))) {
		char path[512], id[64];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/device", VIRTIO_DEVICES, entry->d_name);
		if (read_line(path, id, sizeof(id)) != 0)
			continue;
		printf("kernel-test: virtio %s device-id %s\n", entry->d_name, id);
		count++;
	}
	closedir(dir);
	return count;
}

int main(void)
{
	struct utsname uts;
	char line[1024];
	int devices;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("kernel-test: init started as pid %d\n", (int)getpid());
	mount_filesystem("proc", "/proc");
	mount_filesystem("sysfs", "/sys");
	if (uname(&uts) == 0)
		printf("kernel-test: release %s\n", uts.release);
	else
		report_failure("uname", "-");
	if (read_line("/proc/cmdline", line, sizeof(line)) == 0)
		printf("kernel-test: cmdline %s\n", line);
	if (access("/sys/firmware/acpi/tables/DSDT", F_OK) == 0)
		printf("kernel-test: acpi dsdt present\n");
	else
		printf("kernel-test: acpi dsdt absent\n");
	devices = list_virtio_devices();
	printf("kernel-test: virtio devices %d\n", devices);
	printf("kernel-test: done, %d failure(s)\n", failures);

	/*
	 * End the machine the way the enclave init does under QEMU: the reboot method is chosen at
	 * run time through sysfs (the cmdline's reboot=k never ends QEMU, docs/qemu-test-bed.md#the-command-line).
	 */
	if (write_string("/sys/kernel/reboot/type", "triple") == 0)
		printf("kernel-test: reboot type triple\n");
	sync();
	reboot(RB_AUTOBOOT);
	report_failure("reboot", "RB_AUTOBOOT");
	reboot(RB_POWER_OFF);
	report_failure("reboot", "RB_POWER_OFF");
	for (;;)
		pause();
}
