#include "harden.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define MODULES_DISABLED "/proc/sys/kernel/modules_disabled"
#define SECURITYFS "/sys/kernel/security"
#define LOCKDOWN SECURITYFS "/lockdown"

static const char *const levels[] = { "integrity", "confidentiality" };

bool harden_read_request(struct harden_request *request)
{
	struct config_list lines;
	char message[256];
	bool usable = false;

	request->requested = false;
	request->level = NULL;
	switch (config_load(HARDEN_REQUEST_PATH, &lines, message, sizeof(message))) {
	case CONFIG_MISSING:
		say("%s: absent; kernel hardening not requested (modules stay loadable, no lockdown)",
		    HARDEN_REQUEST_PATH);
		return true;
	case CONFIG_EMPTY:
		say("%s: empty; expected one line, integrity or confidentiality", HARDEN_REQUEST_PATH);
		break;
	case CONFIG_INVALID:
		say("%s: rejected: %s", HARDEN_REQUEST_PATH, message);
		break;
	case CONFIG_LOADED:
		for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (lines.count == 1 && strcmp(lines.items[0], levels[i]) == 0)
				request->level = levels[i];
		if (request->level) {
			say("%s: kernel hardening requested: modules off and lockdown %s after nsm.ko",
			    HARDEN_REQUEST_PATH, request->level);
			usable = true;
		} else {
			say("%s: rejected: expected one line, integrity or confidentiality; found %zu"
			    " line(s), the first '%.40s'", HARDEN_REQUEST_PATH, lines.count,
			    lines.items[0]);
		}
		config_free(&lines);
		break;
	}
	/* Asked for, even if unusable: the caller must not run the command unhardened. */
	request->requested = true;
	if (unlink(HARDEN_REQUEST_PATH) != 0)
		say_failed("unlink", HARDEN_REQUEST_PATH);
	return usable;
}

/* Write text to a proc or securityfs file in one write(); false (reported) on failure. */
static bool write_text(const char *path, const char *text)
{
	size_t length = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t done;

	if (fd < 0) {
		say_failed("open", path);
		return false;
	}
	done = write(fd, text, length);
	if (done != (ssize_t)length) {
		if (done >= 0)
			say("write %s: %zd of %zu bytes written", path, done, length);
		else
			say("write '%s' to %s: %s", text, path, strerror(errno));
		close(fd);
		return false;
	}
	if (close(fd) != 0) {
		say_failed("close", path);
		return false;
	}
	return true;
}

/* The first line of a small proc or securityfs file, without its newline. */
static bool read_line(const char *path, char *line, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0) {
		say_failed("open", path);
		return false;
	}
	got = read(fd, line, size - 1);
	if (got < 0)
		say_failed("read", path);
	close(fd);
	if (got < 0)
		return false;
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return true;
}

bool harden_kernel(const struct harden_request *request)
{
	char line[128], selected[32];

	if (!write_text(MODULES_DISABLED, "1"))
		return false;
	if (!read_line(MODULES_DISABLED, line, sizeof(line)))
		return false;
	if (strcmp(line, "1") != 0) {
		say("%s reads '%s' after writing 1", MODULES_DISABLED, line);
		return false;
	}
	say("kernel.modules_disabled=1: no module can be loaded from now on");

	if (mount("securityfs", SECURITYFS, "securityfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) != 0 &&
	    errno != EBUSY) {
		say("mount securityfs on %s: %s (a kernel without CONFIG_SECURITYFS; build with"
		    " HARDEN=1)", SECURITYFS, strerror(errno));
		return false;
	}
	if (access(LOCKDOWN, F_OK) != 0) {
		say("%s: %s (a kernel without the lockdown LSM, CONFIG_SECURITY_LOCKDOWN_LSM; build"
		    " with HARDEN=1)", LOCKDOWN, strerror(errno));
		return false;
	}
	if (!write_text(LOCKDOWN, request->level))
		return false;
	if (!read_line(LOCKDOWN, line, sizeof(line)))
		return false;
	snprintf(selected, sizeof(selected), "[%s]", request->level);
	if (!strstr(line, selected)) {
		say("%s reads '%s' after writing %s", LOCKDOWN, line, request->level);
		return false;
	}
	say("lockdown raised to %s (%s: %s)", request->level, LOCKDOWN, line);
	return true;
}
