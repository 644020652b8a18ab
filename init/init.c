/*
 * PID 1 of a Nitro enclave: a drop-in for the AWS init (same inputs /cmd, /env, /rootfs and
 * /nsm.ko, same heartbeat, same mounts) that reports what goes wrong instead of panicking.
 * Sequence and reasons: docs/boot-contract.md#what-init-must-do.
 */
#include "config.h"
#include "exec.h"
#include "filesystems.h"
#include "harden.h"
#include "heartbeat.h"
#include "log.h"
#include "shutdown.h"
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NSM_MODULE_PATH "/nsm.ko"
#define CMD_PATH "/cmd"
#define ENV_PATH "/env"
#define USER_ROOT "/rootfs"

/* The AWS init's defaults when a file gives nothing (docs/boot-contract.md#defaults). */
static char *default_argv[] = { "sh", NULL };
static char *default_envp[] = { "PATH=" EXEC_DEFAULT_PATH, NULL };

static void load_nsm_driver(void)
{
	int fd = open(NSM_MODULE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			say("%s: absent; continuing without loading the NSM driver", NSM_MODULE_PATH);
		else
			say_failed("open", NSM_MODULE_PATH);
		return;
	}
	/* Empty parameters, no flags: the kernel checks vermagic and symbol versions. */
	if (syscall(SYS_finit_module, fd, "", 0) == 0)
		say("loaded %s%s", NSM_MODULE_PATH,
		    access("/dev/nsm", F_OK) == 0 ? "; /dev/nsm is present" : "; no /dev/nsm appeared");
	else if (errno == EEXIST)
		say("%s: the NSM driver is already in the kernel", NSM_MODULE_PATH);
	else
		say("finit_module %s: %s; continuing without the NSM driver", NSM_MODULE_PATH,
		    strerror(errno));
	if (close(fd) != 0)
		say_failed("close", NSM_MODULE_PATH);
	if (unlink(NSM_MODULE_PATH) != 0)
		say_failed("unlink", NSM_MODULE_PATH);
}

/* Load one of /cmd or /env.  Missing or empty: *list stays empty and the caller uses the
 * default.  False when the file is unusable: the caller must not start the command. */
static bool load_config(const char *path, const char *default_text, struct config_list *list)
{
	char message[256];
	enum config_status status = config_load(path, list, message, sizeof(message));

	switch (status) {
	case CONFIG_LOADED:
		break;
	case CONFIG_MISSING:
		say("%s: missing; using the default %s", path, default_text);
		break;
	case CONFIG_EMPTY:
		say("%s: empty; using the default %s", path, default_text);
		break;
	case CONFIG_INVALID:
		say("%s: rejected: %s", path, message);
		break;
	}
	if (status != CONFIG_MISSING && unlink(path) != 0)
		say_failed("unlink", path);
	return status != CONFIG_INVALID;
}

/* Drop environment entries execve() would pass but no program could look up. */
static void drop_invalid_env_entries(struct config_list *env)
{
	size_t kept = 0;

	for (size_t i = 0; i < env->count; i++) {
		if (config_env_entry_valid(env->items[i]))
			env->items[kept++] = env->items[i];
		else
			say("%s: line %zu '%.60s' is not NAME=value; dropped", ENV_PATH, i + 1,
			    env->items[i]);
	}
	env->count = kept;
	env->items[kept] = NULL;
}

/* Run the command; returns false if it could not be started at all. */
static bool run_command(char *const argv[], char *const envp[], const sigset_t *child_mask)
{
	const char *search_path = config_env_lookup(envp, "PATH");
	size_t orphans = 0;
	pid_t command;
	int status;

	if (!search_path)
		search_path = EXEC_DEFAULT_PATH;
	command = command_start(argv, envp, search_path, child_mask);
	if (command < 0)
		return false;
	status = command_wait(command, &orphans);
	command_report(status);
	if (orphans > 0)
		say("reaped %zu orphaned process%s while the command ran", orphans,
		    orphans == 1 ? "" : "es");
	return true;
}

int main(void)
{
	struct config_list cmd, env;
	struct harden_request harden;
	sigset_t all, child_mask;
	bool cmd_usable, env_usable, harden_usable, hardened;

	/* Signals reach PID 1 only as sigwaitinfo() results; the command gets the mask we had. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &child_mask);
	if (getpid() != 1) {
		fprintf(stderr, "init: must run as PID 1 (this is pid %d); it mounts over / and"
			" reboots the machine\n", (int)getpid());
		return 2;
	}

	mount_dev();
	open_console();
	say("enclave-kit init starting");
	load_nsm_driver();
	/* Read now: /lockdown is in the initramfs root, which enter_root() hides. */
	harden_usable = harden_read_request(&harden);
	heartbeat_send();

	cmd_usable = load_config(CMD_PATH, "command 'sh'", &cmd);
	env_usable = load_config(ENV_PATH, "environment PATH=" EXEC_DEFAULT_PATH, &env);
	if (cmd.count > 0 && cmd.items[0][0] == '\0') {
		say("%s: rejected: the first line (the program to run) is empty", CMD_PATH);
		cmd_usable = false;
	}
	if (env.count > 0)
		drop_invalid_env_entries(&env);

	if (!enter_root(USER_ROOT)) {
		say("cannot enter %s; not starting the command", USER_ROOT);
		choose_reboot_method();
	} else {
		mount_dev();
		mount_user_filesystems();
		choose_reboot_method();
		/* A hardened enclave that silently is not hardened is worse than none. */
		hardened = harden.requested && harden_usable && harden_kernel(&harden);
		if (harden.requested && !hardened)
			say("not starting the command: kernel hardening was requested and failed (above)");
		else if (!cmd_usable || !env_usable)
			say("not starting the command: fix %s above", !cmd_usable ? CMD_PATH : ENV_PATH);
		else if (!run_command(cmd.count ? cmd.items : default_argv,
				      env.count ? env.items : default_envp, &child_mask))
			say("the command could not be started");
	}

	stop_remaining_processes();
	end_enclave();
}
