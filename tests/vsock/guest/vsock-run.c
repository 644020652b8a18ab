/* vsock-run: the enclave half of tests/e2e-aarch64-boot.t, a reporter for machines whose console
 * our kernel cannot drive. QEMU's arm64 virt machine has a PL011 UART, and the AWS arm64 kernel
 * config has only the 8250 its command line names (docs/qemu-test-bed.md#arm64-under-virt), so
 * the guest's words travel over vsock instead: connect to the parent (CID 3, as on Nitro) on
 * PORT, make that stream stdout and stderr, run each command in turn, then report what the host
 * cannot see from outside:
 *
 *   vsock-run PORT CMD [ARGS...] [-- CMD [ARGS...]]...
 *
 * Lines it writes around the commands' own output:
 *   vsock-run: run CMD ARGS...       before a command
 *   vsock-run: exit N | vsock-run: signal N | vsock-run: cannot run CMD: ERROR
 *   vsock-run: time SECONDS          the guest's clock (the RTC set it, or it says 1970)
 *   vsock-run: module LINE           each line of /proc/modules
 *   kmsg: TEXT                       each record of the kernel log (/dev/kmsg), levels dropped
 *   vsock-run: finished              last: the host can tell a complete run from a cut one
 * Exit status: 0 when every command exited 0, else the first other status (126 when a command
 * could not run); 2 for a usage error or no connection (then nothing could be said). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define PARENT_CID 3

static int connect_parent(unsigned port)
{
	struct sockaddr_vm a;
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.svm_family = AF_VSOCK;
	a.svm_cid = PARENT_CID;
	a.svm_port = port;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Run argv (NULL-terminated); its wait status as an exit code (126: could not start). */
static int run(char **argv)
{
	printf("vsock-run: run");
	for (char **a = argv; *a; a++)
		printf(" %s", *a);
	printf("\n");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		printf("vsock-run: cannot run %s: %s\n", argv[0], strerror(errno));
		fflush(stdout);
		_exit(126);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("vsock-run: cannot run %s: %s\n", argv[0], strerror(errno));
		return 126;
	}
	if (WIFSIGNALED(st)) {
		printf("vsock-run: signal %d\n", WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	printf("vsock-run: exit %d\n", WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

static void show_modules(void)
{
	char line[512];
	FILE *f = fopen("/proc/modules", "r");

	if (!f) {
		printf("vsock-run: cannot read /proc/modules: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		printf("vsock-run: module %s", line);
	fclose(f);
}

/* Each /dev/kmsg record is "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;TEXT\n" plus optional
 * " KEY=VALUE" lines (Documentation/ABI/testing/dev-kmsg); a read returns one record. */
static void show_kernel_log(void)
{
	char rec[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		printf("vsock-run: cannot open /dev/kmsg: %s\n", strerror(errno));
		return;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* records overwritten since: go on with the next */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		char *text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		printf("kmsg: %s\n", text);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long port = argc > 2 ? strtoul(argv[1], &end, 10) : 0;

	if (argc < 3 || *end || port == 0 || port > 0xffffffffUL) {
		fprintf(stderr, "usage: vsock-run PORT CMD [ARGS...] [-- CMD [ARGS...]]...\n");
		return 2;
	}
	int s = connect_parent((unsigned)port);
	if (s < 0) {
		fprintf(stderr, "vsock-run: connect to CID %d port %lu: %s\n", PARENT_CID, port,
			strerror(errno));
		return 2;
	}
	if (dup2(s, 1) < 0 || dup2(s, 2) < 0)
		return 2;
	close(s);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int status = 0;
	for (int i = 2; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], "--") != 0)
			j++;
		argv[j] = NULL;	/* j <= argc, and argv[argc] is NULL already */
		if (j > i) {
			int st = run(argv + i);
			if (status == 0)
				status = st;
		}
		i = j + 1;
	}
	printf("vsock-run: time %lld\n", (long long)time(NULL));
	show_modules();
	show_kernel_log();
	printf("vsock-run: finished\n");
	fflush(stdout);
	/* Let the back-end take the last bytes before init ends the enclave: say we are done, then
	 * wait (2 s at most) for the parent to close its side. */
	struct timeval wait = { .tv_sec = 2 };
	char c;
	shutdown(1, SHUT_WR);
	setsockopt(1, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
	while (read(1, &c, 1) > 0)
		;
	return status;
}
