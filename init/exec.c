/* PATH search done here, not by execvpe(), because libc's execvpe() searches the PATH of the
 * caller (PID 1) instead of the PATH in the environment the command is given. */
#include "exec.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

void exec_search(char *const argv[], char *const envp[], const char *search_path)
{
	const char *name = argv[0];
	size_t name_length = strlen(name);
	bool saw_eacces = false;
	char candidate[PATH_MAX];

	if (name_length == 0) {
		errno = ENOENT;
		return;
	}
	if (strchr(name, '/')) {
		execve(name, argv, envp);
		return;
	}
	for (const char *dir = search_path; dir; ) {
		const char *colon = strchr(dir, ':');
		size_t dir_length = colon ? (size_t)(colon - dir) : strlen(dir);

		/* An entry too long to hold the name is one place the command cannot be; the next
		 * entries still can, as with an entry that does not exist. */
		if (dir_length > 0 && dir_length + 1 + name_length + 1 <= sizeof(candidate)) {
			memcpy(candidate, dir, dir_length);
			candidate[dir_length] = '/';
			memcpy(candidate + dir_length + 1, name, name_length + 1);
			execve(candidate, argv, envp);
			if (errno == EACCES)
				saw_eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR)
				return;
		}
		dir = colon ? colon + 1 : NULL;
	}
	errno = saw_eacces ? EACCES : ENOENT;
}

int exec_failure_status(int error)
{
	return error == ENOENT || error == ENOTDIR ? 127 : 126;
}
