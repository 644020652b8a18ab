/* The command as PID 1's child: start it, forward signals, reap everyone, clean up after it. */
#ifndef INIT_SUPERVISE_H
#define INIT_SUPERVISE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Fork and exec argv with envp, looking a bare name up in search_path.  The child gets
 * child_mask as its signal mask and its own session.  Returns the pid, or -1 (reported). */
pid_t command_start(char *const argv[], char *const envp[], const char *search_path,
		    const sigset_t *child_mask);

/* Wait until the command ends, reaping orphans and forwarding SIGTERM, SIGINT, SIGHUP, SIGQUIT,
 * SIGUSR1 and SIGUSR2 to it.  Returns its wait status; *orphans counts the other processes
 * reaped meanwhile.  All signals must be blocked in the caller. */
int command_wait(pid_t command, size_t *orphans);

/* One console line for the command's fate: "init: command exited with status N" or
 * "init: command killed by signal N (NAME)". */
void command_report(int status);

/* SIGTERM everything left, SIGKILL what outlives the grace period, reap it all. */
void stop_remaining_processes(void);

#endif
