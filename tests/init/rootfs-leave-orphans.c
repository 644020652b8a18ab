/* Boot-test command that misbehaves: it leaves an orphan that exits (init must reap it while the
 * command runs), a daemon that exits on SIGTERM and a process that ignores SIGTERM behind (init
 * must end both when the command exits). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
		;
}

static pid_t fork_or_die(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		printf("leave-orphans: fork: %s\n", strerror(errno));
		exit(1);
	}
	return pid;
}

static void on_sigterm(int signal_number)
{
	static const char text[] = "daemon: got SIGTERM, exiting\n";

	(void)signal_number;
	if (write(STDOUT_FILENO, text, sizeof(text) - 1) < 0)
		_exit(2);
	_exit(0);
}

/* Returns the pid of a grandchild whose parent has already exited, i.e. one init adopted. */
static pid_t start_orphan(long lifetime_ms, void (*body)(void))
{
	int pipe_fds[2];
	pid_t middle, orphan = 0;

	if (pipe(pipe_fds) != 0) {
		printf("leave-orphans: pipe: %s\n", strerror(errno));
		exit(1);
	}
	middle = fork_or_die();
	if (middle == 0) {
		pid_t grandchild = fork_or_die();
		if (grandchild == 0) {
			close(pipe_fds[0]);
			close(pipe_fds[1]);
			setsid();
			if (body)
				body();
			sleep_ms(lifetime_ms);
			_exit(0);
		}
		if (write(pipe_fds[1], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
			_exit(1);
		_exit(0);
	}
	close(pipe_fds[1]);
	if (read(pipe_fds[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		printf("leave-orphans: could not learn the orphan's pid\n");
	close(pipe_fds[0]);
	waitpid(middle, NULL, 0);
	return orphan;
}

/* Linger until a signal ends us: the daemon exits on SIGTERM, the stubborn one ignores it. */
static void linger(const char *who, void (*on_term)(int), const char *what)
{
	signal(SIGTERM, on_term);
	printf("%s: pid %d %s\n", who, (int)getpid(), what);
	fflush(stdout);
	for (;;)
		pause();
}

static void become_daemon(void)
{
	linger("daemon", on_sigterm, "waiting for SIGTERM");
}

static void become_stubborn(void)
{
	linger("stubborn", SIG_IGN, "ignoring SIGTERM");
}

/* A zombie's /proc/PID/stat has state 'Z'; a reaped process has no /proc/PID at all. */
static char process_state(pid_t pid)
{
	char path[64], state = 0;
	FILE *stat_file;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat_file = fopen(path, "r");
	if (!stat_file)
		return 0;
	if (fscanf(stat_file, "%*d (%*[^)]) %c", &state) != 1)
		state = '?';
	fclose(stat_file);
	return state;
}

int main(void)
{
	pid_t orphan;
	char state;

	printf("leave-orphans: started\n");
	fflush(stdout);
	start_orphan(0, become_daemon);
	start_orphan(0, become_stubborn);
	orphan = start_orphan(200, NULL);
	sleep_ms(1500);
	state = process_state(orphan);
	if (state == 0)
		printf("leave-orphans: orphan %d was reaped\n", (int)orphan);
	else
		printf("leave-orphans: orphan %d is still there in state %c\n", (int)orphan, state);
	printf("leave-orphans: exiting, leaving the daemon and the stubborn process behind\n");
	return 0;
}
