/* Boot-test command: prints what init handed it (arguments, environment, pid, mounts), then
 * exits with the status given by "--exit N" or dies of the signal given by "--signal N".
 * "--signal-init N" sends signal N to PID 1 and waits for init to forward it back. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t received_signal;

static void on_signal(int signal_number)
{
	received_signal = signal_number;
}

static void signal_init_and_wait(int signal_number)
{
	struct timespec tick = { 0, 10 * 1000000L };

	received_signal = 0;
	signal(signal_number, on_signal);
	if (kill(1, signal_number) != 0) {
		printf("probe: kill 1 with signal %d: %s\n", signal_number, strerror(errno));
		return;
	}
	for (int i = 0; i < 300 && received_signal == 0; i++)
		nanosleep(&tick, NULL);
	if (received_signal)
		printf("probe: init forwarded signal %d\n", (int)received_signal);
	else
		printf("probe: signal %d did not come back within 3 s\n", signal_number);
	fflush(stdout);
}

static void say_mounted(const char *path)
{
	struct stat here, parent;
	char parent_path[256];

	snprintf(parent_path, sizeof(parent_path), "%s/..", path);
	if (stat(path, &here) != 0 || stat(parent_path, &parent) != 0)
		printf("probe: mount %s: %s\n", path, strerror(errno));
	else
		printf("probe: mount %s: %s\n", path, here.st_dev != parent.st_dev ? "yes" : "no");
}

static void say_link(const char *path)
{
	char target[256];
	ssize_t length = readlink(path, target, sizeof(target) - 1);

	if (length < 0) {
		printf("probe: link %s: %s\n", path, strerror(errno));
		return;
	}
	target[length] = '\0';
	printf("probe: link %s -> %s\n", path, target);
}

/* The reason init moves /rootfs onto / instead of a plain chroot: user namespaces. */
static void say_user_namespace(void)
{
	int status;
	pid_t child;

	fflush(stdout);
	child = fork();
	if (child == 0) {
		if (unshare(CLONE_NEWUSER) != 0) {
			printf("probe: unshare CLONE_NEWUSER: %s\n", strerror(errno));
			_exit(1);
		}
		printf("probe: unshare CLONE_NEWUSER: ok\n");
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		printf("probe: fork for the user namespace check: %s\n", strerror(errno));
}

/* init chooses the x86 reboot method; the exit-path test checks what it chose. */
static void say_reboot_type(void)
{
	char type[32] = "";
	FILE *file = fopen("/sys/kernel/reboot/type", "r");

	if (!file) {
		printf("probe: reboot type: %s\n", strerror(errno));
		return;
	}
	if (fgets(type, sizeof(type), file))
		type[strcspn(type, "\n")] = '\0';
	fclose(file);
	printf("probe: reboot type <%s>\n", type);
}

int main(int argc, char **argv)
{
	int exit_status = 0, signal_number = 0;

	printf("probe: started\n");
	printf("probe: pid %d, argc %d\n", (int)getpid(), argc);
	for (int i = 0; i < argc; i++)
		printf("probe: argv[%d]=<%s>\n", i, argv[i]);
	for (char **entry = environ; *entry; entry++)
		printf("probe: env <%s>\n", *entry);
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--exit") == 0)
			exit_status = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--signal") == 0)
			signal_number = atoi(argv[i + 1]);
	}
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--signal-init") == 0)
			signal_init_and_wait(atoi(argv[i + 1]));
	say_mounted("/proc");
	say_mounted("/sys");
	say_mounted("/dev");
	say_mounted("/tmp");
	say_mounted("/run");
	say_mounted("/dev/pts");
	say_mounted("/dev/shm");
	say_mounted("/sys/fs/cgroup");
	say_mounted("/sys/fs/cgroup/pids");
	say_link("/dev/fd");
	say_link("/dev/stdin");
	say_link("/dev/stdout");
	say_link("/dev/stderr");
	say_user_namespace();
	printf("probe: stdin is %s\n", isatty(0) ? "a tty" : "not a tty");
	say_reboot_type();
	fflush(stdout);
	if (signal_number) {
		printf("probe: raising signal %d\n", signal_number);
		fflush(stdout);
		signal(signal_number, SIG_DFL);
		raise(signal_number);
	}
	printf("probe: exiting with status %d\n", exit_status);
	return exit_status;
}
