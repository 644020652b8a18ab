#include "filesystems.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NODEV_NOSUID_NOEXEC (MS_NODEV | MS_NOSUID | MS_NOEXEC)

struct mount_step {
	const char *source;
	const char *target;
	const char *fstype;
	unsigned long flags;
	const char *data;
};

struct link_step {
	const char *path;
	const char *target;
};

/* Same filesystems, flags and options as the AWS init (docs/boot-contract.md#filesystems), so
 * applications see what they saw there, /tmp and /run noexec included. */
static const struct mount_step early_mounts[] = {
	{ "proc", "/proc", "proc", NODEV_NOSUID_NOEXEC, NULL },
};
static const struct link_step dev_links[] = {
	{ "/dev/fd", "/proc/self/fd" },
	{ "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" },
	{ "/dev/stderr", "/proc/self/fd/2" },
};
static const struct mount_step late_mounts[] = {
	{ "tmpfs", "/run", "tmpfs", NODEV_NOSUID_NOEXEC, "mode=0755" },
	{ "tmpfs", "/tmp", "tmpfs", NODEV_NOSUID_NOEXEC, NULL },
	{ "shm", "/dev/shm", "tmpfs", NODEV_NOSUID_NOEXEC, NULL },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", "sysfs", NODEV_NOSUID_NOEXEC, NULL },
	{ "cgroup_root", "/sys/fs/cgroup", "tmpfs", NODEV_NOSUID_NOEXEC, "mode=0755" },
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* A missing mount point is created rather than fatal: an image without /run still runs. */
static bool make_mount_point(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return true;
	say_failed("mkdir", path);
	return false;
}

static bool run_mount_step(const struct mount_step *step)
{
	if (!make_mount_point(step->target))
		return false;
	if (mount(step->source, step->target, step->fstype, step->flags, step->data) == 0)
		return true;
	say("mount %s on %s: %s", step->fstype, step->target, strerror(errno));
	return false;
}

static void run_mount_steps(const struct mount_step *steps, size_t count)
{
	for (size_t i = 0; i < count; i++)
		run_mount_step(&steps[i]);
}

bool mount_dev(void)
{
	static const struct mount_step dev = { "dev", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, NULL };

	if (!make_mount_point(dev.target))
		return false;
	if (mount(dev.source, dev.target, dev.fstype, dev.flags, dev.data) == 0 || errno == EBUSY)
		return true;
	say("mount devtmpfs on /dev: %s", strerror(errno));
	return false;
}

bool open_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		say_failed("open", "/dev/console");
		return false;
	}
	for (int target = 0; target <= 2; target++) {
		if (fd != target && dup2(fd, target) < 0) {
			say_failed("dup2", "/dev/console");
			close(fd);
			return false;
		}
	}
	if (fd > 2)
		close(fd);
	else if (fcntl(fd, F_SETFD, 0) != 0)	/* keep it across exec: it is a stdio fd */
		say_failed("fcntl F_SETFD", "/dev/console");
	return true;
}

bool enter_root(const char *root)
{
	if (mount(root, root, NULL, MS_BIND, NULL) != 0) {
		say("bind-mount %s onto itself: %s", root, strerror(errno));
		return false;
	}
	if (chdir(root) != 0) {
		say_failed("chdir", root);
		return false;
	}
	if (mount(".", "/", NULL, MS_MOVE, NULL) != 0) {
		say("move mount %s to /: %s", root, strerror(errno));
		return false;
	}
	if (chroot(".") != 0) {
		say_failed("chroot", root);
		return false;
	}
	if (chdir("/") != 0) {
		say_failed("chdir", "/ (new root)");
		return false;
	}
	return true;
}

static void make_dev_links(void)
{
	for (size_t i = 0; i < COUNT(dev_links); i++)
		if (symlink(dev_links[i].target, dev_links[i].path) != 0 && errno != EEXIST)
			say_failed("symlink", dev_links[i].path);
}

/* One cgroup-v1 hierarchy per enabled controller, as the AWS init mounts them. */
static void mount_cgroup_controllers(void)
{
	char line[256], name[64], path[96];
	int hierarchy, groups, enabled;
	FILE *list = fopen("/proc/cgroups", "re");

	if (!list) {
		say_failed("open", "/proc/cgroups (no cgroup controllers mounted)");
		return;
	}
	while (fgets(line, sizeof(line), list)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %d %d %d", name, &hierarchy, &groups, &enabled) != 4) {
			say("/proc/cgroups: cannot parse line '%.*s'; skipped",
			    (int)strcspn(line, "\n"), line);
			continue;
		}
		if (!enabled)
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
		if (!make_mount_point(path))
			continue;
		if (mount(name, path, "cgroup", NODEV_NOSUID_NOEXEC, name) == 0)
			continue;
		/* 6.12 can build a controller without its v1 interface (CPUSETS_V1, MEMCG_V1):
		 * it is listed as enabled yet refuses a v1 mount with EINVAL. */
		say("mount cgroup %s on %s: %s%s; skipped", name, path, strerror(errno),
		    errno == EINVAL ? " (no cgroup v1 interface for it in this kernel?)" : "");
		/* An empty directory would tell programs the hierarchy exists. */
		if (rmdir(path) != 0)
			say_failed("rmdir", path);
	}
	if (ferror(list))
		say_failed("read", "/proc/cgroups");
	fclose(list);
}

void mount_user_filesystems(void)
{
	run_mount_steps(early_mounts, COUNT(early_mounts));
	make_dev_links();
	run_mount_steps(late_mounts, COUNT(late_mounts));
	mount_cgroup_controllers();
}
