#include "supervise.h"
#include "exec.h"
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Enough for a well-behaved program to flush and exit; short because nothing in an enclave
 * outlives it anyway. */
#define STOP_GRACE_MS 2000

pid_t command_start(char *const argv[], char *const envp[], const char *search_path,
		    const sigset_t *child_mask)
{
	pid_t pid = fork();

	if (pid < 0) {
		say_failed("fork for", argv[0]);
		return -1;
	}
	if (pid > 0)
		return pid;

	if (sigprocmask(SIG_SETMASK, child_mask, NULL) != 0)
		say_failed("sigprocmask in the child for", argv[0]);
	if (setsid() < 0)
		say_failed("setsid for", argv[0]);
	exec_search(argv, envp, search_path);
	int error = errno;
	if (strchr(argv[0], '/'))
		say("cannot run '%s': %s", argv[0], strerror(error));
	else
		say("cannot run '%s': %s (searched PATH=%s)", argv[0], strerror(error), search_path);
	_exit(exec_failure_status(error));
}

static bool is_forwarded(int signal_number)
{
	switch (signal_number) {
	case SIGTERM: case SIGINT: case SIGHUP: case SIGQUIT: case SIGUSR1: case SIGUSR2:
		return true;
	default:
		return false;
	}
}

int command_wait(pid_t command, size_t *orphans)
{
	sigset_t all;
	siginfo_t info;

	sigfillset(&all);
	*orphans = 0;
	for (;;) {
		int signal_number = sigwaitinfo(&all, &info);

		if (signal_number < 0) {
			if (errno != EINTR)
				say_failed("sigwaitinfo", "(waiting for the command)");
			continue;
		}
		if (is_forwarded(signal_number)) {
			if (kill(command, signal_number) != 0)
				say("forward signal %d to the command (pid %d): %s", signal_number,
				    (int)command, strerror(errno));
			continue;
		}
		if (signal_number != SIGCHLD)
			continue;
		/* Signals coalesce: one SIGCHLD may stand for many exits, so reap until none. */
		for (;;) {
			int status;
			pid_t pid = waitpid(-1, &status, WNOHANG);

			if (pid == command)
				return status;
			if (pid > 0) {
				(*orphans)++;
				continue;
			}
			if (pid < 0 && errno == EINTR)
				continue;
			if (pid < 0 && errno == ECHILD) {
				say("waitpid: no children left but the command (pid %d) was never"
				    " reaped", (int)command);
				return 255 << 8;	/* as if it had exited with 255 */
			}
			break;
		}
	}
}

void command_report(int status)
{
	if (WIFEXITED(status))
		say("command exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		say("command killed by signal %d (%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		say("command ended with wait status 0x%x", (unsigned)status);
}

/* Reap whatever has ended.  True once no child is left at all. */
static bool reap_all(void)
{
	for (;;) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid > 0 || (pid < 0 && errno == EINTR))
			continue;
		if (pid < 0 && errno != ECHILD)
			say_failed("waitpid", "(any child)");
		return pid < 0;
	}
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* Every user process descends from PID 1, so "no child of ours" means "nothing left". */
static bool wait_for_no_children(long limit_ms)
{
	struct timespec start;
	sigset_t child_signal;

	sigemptyset(&child_signal);
	sigaddset(&child_signal, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (reap_all())
			return true;
		long left = limit_ms - elapsed_ms(&start);
		if (left <= 0)
			return false;
		struct timespec wait = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000L };
		if (sigtimedwait(&child_signal, NULL, &wait) < 0 && errno != EAGAIN && errno != EINTR)
			say_failed("sigtimedwait", "(waiting for processes to end)");
	}
}

static void signal_everyone(int signal_number)
{
	/* kill(-1) from PID 1 reaches every process but itself and kernel threads. */
	if (kill(-1, signal_number) != 0 && errno != ESRCH)
		say("kill -%d all processes: %s", signal_number, strerror(errno));
}

void stop_remaining_processes(void)
{
	struct timespec start;

	if (reap_all())
		return;
	say("processes left behind; sending SIGTERM to all");
	clock_gettime(CLOCK_MONOTONIC, &start);
	signal_everyone(SIGTERM);
	signal_everyone(SIGCONT);	/* a stopped process can only act on SIGTERM once resumed */
	if (wait_for_no_children(STOP_GRACE_MS)) {
		say("all processes ended %ld ms after SIGTERM", elapsed_ms(&start));
		return;
	}
	say("processes still running %d ms after SIGTERM; sending SIGKILL", STOP_GRACE_MS);
	signal_everyone(SIGKILL);
	if (wait_for_no_children(STOP_GRACE_MS))
		say("all processes ended after SIGKILL");
	else
		say("processes still running %d ms after SIGKILL (stuck in the kernel?);"
		    " stopping anyway", STOP_GRACE_MS);
}
