/* Running the enclave's command: PATH search against the command's own environment. */
#ifndef INIT_EXEC_H
#define INIT_EXEC_H

/* The AWS init's fixed search path, used when the environment has no PATH. */
#define EXEC_DEFAULT_PATH "/sbin:/usr/sbin:/bin:/usr/bin"

/* execve() argv[0] directly when it contains a '/', else each directory of search_path in turn
 * (empty elements, and elements too long to form a path with the name, are skipped; an empty
 * element does not mean the current directory).  Returns only on
 * failure, with errno set: EACCES if some candidate was not executable, ENOENT if none
 * existed, or the first other error. */
void exec_search(char *const argv[], char *const envp[], const char *search_path);

/* The conventional shell status for a command that could not be run: 127 not found, 126
 * found but not runnable. */
int exec_failure_status(int error);

#endif
