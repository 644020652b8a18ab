/* Unit tests (TAP) for init's /cmd and /env parsing and its PATH search, built for the host. */
#include "config.h"
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int test_number, failures;

static void ok(int passed, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void ok(int passed, const char *format, ...)
{
	va_list args;

	printf("%sok %d - ", passed ? "" : "not ", ++test_number);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf("\n");
	if (!passed)
		failures++;
}

static void is_int(long actual, long expected, const char *what)
{
	ok(actual == expected, "%s", what);
	if (actual != expected)
		printf("# expected: %ld\n#   actual: %ld\n", expected, actual);
}

static void is_string(const char *actual, const char *expected, const char *what)
{
	int same = actual && expected ? strcmp(actual, expected) == 0 : actual == expected;

	ok(same, "%s", what);
	if (!same)
		printf("# expected: '%s'\n#   actual: '%s'\n", expected ? expected : "(null)",
		       actual ? actual : "(null)");
}

static void contains(const char *text, const char *part, const char *what)
{
	int found = strstr(text, part) != NULL;

	ok(found, "%s", what);
	if (!found)
		printf("# expected to contain: '%s'\n#   actual: '%s'\n", part, text);
}

/* Parse text and compare the resulting lines with the NULL-terminated expected list. */
static void parses_to(const char *what, const char *data, size_t size, const char *const expected[])
{
	struct config_list list;
	char message[256] = "";
	size_t count = 0;
	int same;

	while (expected[count])
		count++;
	is_int(config_parse(data, size, &list, message, sizeof(message)), CONFIG_LOADED, what);
	same = list.count == count && list.items[count] == NULL;
	for (size_t i = 0; same && i < count; i++)
		same = strcmp(list.items[i], expected[i]) == 0;
	ok(same, "%s: lines", what);
	if (!same) {
		printf("# expected %zu lines:", count);
		for (size_t i = 0; i < count; i++)
			printf(" '%s'", expected[i]);
		printf("\n#   actual %zu lines:", list.count);
		for (size_t i = 0; i < list.count; i++)
			printf(" '%s'", list.items[i]);
		printf("\n");
	}
	config_free(&list);
}

static void rejected(const char *what, const char *data, size_t size, const char *reason)
{
	struct config_list list;
	char message[256] = "";

	is_int(config_parse(data, size, &list, message, sizeof(message)), CONFIG_INVALID, what);
	contains(message, reason, "  ... and says why");
	ok(list.items == NULL && list.count == 0, "  ... and returns no lines");
}

static void test_parse(void)
{
	struct config_list list;
	char message[256];

	is_int(config_parse("", 0, &list, message, sizeof(message)), CONFIG_EMPTY, "empty input");
	ok(list.items == NULL && list.count == 0, "empty input gives no lines");
	parses_to("two lines", "a\nb c\n", 6, (const char *const[]){ "a", "b c", NULL });
	parses_to("missing final newline", "a\nb", 3, (const char *const[]){ "a", "b", NULL });
	parses_to("CRLF endings", "a\r\nb\r\n", 6, (const char *const[]){ "a", "b", NULL });
	parses_to("CRLF, last line without newline", "a\r\nb\r", 5,
		  (const char *const[]){ "a", "b", NULL });
	parses_to("CR inside a line is kept", "a\rb\n", 4, (const char *const[]){ "a\rb", NULL });
	parses_to("empty lines are kept", "a\n\nb\n", 5, (const char *const[]){ "a", "", "b", NULL });
	parses_to("a lone newline is one empty line", "\n", 1, (const char *const[]){ "", NULL });
	parses_to("KEY=value lines", "PATH=/a:/b\nHOME=/\n", 18,
		  (const char *const[]){ "PATH=/a:/b", "HOME=/", NULL });
	rejected("NUL byte", "ab\ncd\0e\n", 8, "NUL byte at offset 5 (line 2)");
	rejected("NUL byte as the only content", "\0", 1, "offset 0 (line 1)");

	char *line = malloc(CONFIG_MAX_LINE + 3);
	memset(line, 'x', CONFIG_MAX_LINE + 1);
	line[CONFIG_MAX_LINE] = '\n';
	is_int(config_parse(line, CONFIG_MAX_LINE + 1, &list, message, sizeof(message)),
	       CONFIG_LOADED, "a line at the length limit is accepted");
	is_int(list.count == 1 ? (long)strlen(list.items[0]) : -1, CONFIG_MAX_LINE,
	       "  ... whole");
	config_free(&list);
	line[CONFIG_MAX_LINE] = '\r';
	line[CONFIG_MAX_LINE + 1] = '\n';
	is_int(config_parse(line, CONFIG_MAX_LINE + 2, &list, message, sizeof(message)),
	       CONFIG_LOADED, "a line at the limit plus CRLF is accepted");
	config_free(&list);
	line[CONFIG_MAX_LINE] = 'x';
	char expected_reason[64];
	snprintf(expected_reason, sizeof(expected_reason), "line 1 is %d bytes long",
		 CONFIG_MAX_LINE + 1);
	rejected("a line one byte over the limit", line, CONFIG_MAX_LINE + 1, expected_reason);
	free(line);
}

static void write_file(const char *path, const char *data, size_t size)
{
	FILE *file = fopen(path, "wb");

	if (!file || fwrite(data, 1, size, file) != size || fclose(file) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void test_load(const char *dir)
{
	struct config_list list;
	char message[256] = "", path[512];

	snprintf(path, sizeof(path), "%s/missing", dir);
	is_int(config_load(path, &list, message, sizeof(message)), CONFIG_MISSING, "missing file");
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0);
	is_int(config_load(path, &list, message, sizeof(message)), CONFIG_EMPTY, "empty file");
	snprintf(path, sizeof(path), "%s/cmd", dir);
	write_file(path, "/bin/app\n--flag\n", 16);
	is_int(config_load(path, &list, message, sizeof(message)), CONFIG_LOADED, "file with lines");
	is_int((long)list.count, 2, "  ... two of them");
	is_string(list.count == 2 ? list.items[1] : NULL, "--flag", "  ... the second is --flag");
	config_free(&list);
	is_int(config_load(dir, &list, message, sizeof(message)), CONFIG_INVALID, "a directory");
	contains(message, "not a regular file", "  ... is not a regular file");

	size_t big = CONFIG_MAX_FILE + 1;
	char *data = malloc(big);
	memset(data, 'y', big);
	for (size_t i = 100; i < big; i += 101)
		data[i] = '\n';
	snprintf(path, sizeof(path), "%s/big", dir);
	write_file(path, data, CONFIG_MAX_FILE);
	is_int(config_load(path, &list, message, sizeof(message)), CONFIG_LOADED,
	       "a file at the size limit is accepted");
	config_free(&list);
	write_file(path, data, big);
	is_int(config_load(path, &list, message, sizeof(message)), CONFIG_INVALID,
	       "a file one byte over the size limit");
	contains(message, "larger than the limit", "  ... says it is too large");
	free(data);
}

static void test_env(void)
{
	char *env[] = { "HOME=/root", "PATHX=/no", "PATH=/first", "PATH=/second", NULL };

	ok(config_env_entry_valid("A=b"), "A=b is a valid entry");
	ok(config_env_entry_valid("A="), "A= is a valid entry");
	ok(!config_env_entry_valid("=b"), "=b is not");
	ok(!config_env_entry_valid("AB"), "AB is not");
	ok(!config_env_entry_valid(""), "an empty line is not");
	is_string(config_env_lookup(env, "PATH"), "/first", "lookup takes the first PATH, not PATHX");
	is_string(config_env_lookup(env, "USER"), NULL, "lookup of an absent name");
	is_string(config_env_lookup(NULL, "PATH"), NULL, "lookup in no environment");
}

/* Run exec_search in a child; returns its exit status, or 200 + errno if exec_search returned. */
static int search_status(char *name, const char *search_path)
{
	char *argv[] = { name, NULL };
	char *envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		exec_search(argv, envp, search_path);
		_exit(200 + errno);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_search(const char *dir)
{
	char bin[512], other[512], path[1200], program[600];

	snprintf(bin, sizeof(bin), "%s/bin", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	mkdir(bin, 0755);
	mkdir(other, 0755);
	snprintf(program, sizeof(program), "%s/tool", bin);
	write_file(program, "#!/bin/sh\nexit 7\n", 17);
	chmod(program, 0755);
	snprintf(program, sizeof(program), "%s/tool", other);
	write_file(program, "#!/bin/sh\nexit 9\n", 17);
	chmod(program, 0755);
	snprintf(program, sizeof(program), "%s/plain", bin);
	write_file(program, "#!/bin/sh\nexit 8\n", 17);
	chmod(program, 0644);

	snprintf(path, sizeof(path), "/nonexistent::%s:%s", bin, other);
	is_int(search_status("tool", path), 7, "bare name found in the given PATH, first match wins");
	snprintf(path, sizeof(path), "%s:%s", other, bin);
	is_int(search_status("tool", path), 9, "PATH order decides");
	is_int(search_status("tool", "/nonexistent:/also-not"), 200 + ENOENT,
	       "not in PATH: ENOENT");
	snprintf(path, sizeof(path), "%s", bin);
	is_int(search_status("plain", path), 200 + EACCES, "not executable: EACCES");
	snprintf(program, sizeof(program), "%s/tool", other);
	is_int(search_status(program, "/nonexistent"), 9, "a name with '/' ignores PATH");
	is_int(search_status("", path), 200 + ENOENT, "an empty name is not found");
	is_int(search_status("tool", ""), 200 + ENOENT, "an empty PATH finds nothing");
	/* A PATH entry longer than PATH_MAX is skipped like a missing directory. */
	char long_path[PATH_MAX + 1200];
	snprintf(long_path, sizeof(long_path), "/%0*d:%s", PATH_MAX, 0, bin);
	is_int(search_status("tool", long_path), 7, "an over-long PATH entry is skipped, the next one searched");
	snprintf(long_path, sizeof(long_path), "/%0*d", PATH_MAX, 0);
	is_int(search_status("tool", long_path), 200 + ENOENT, "a PATH of one over-long entry finds nothing: ENOENT");
	is_int(exec_failure_status(ENOENT), 127, "not found is status 127");
	is_int(exec_failure_status(EACCES), 126, "not runnable is status 126");
}

int main(void)
{
	char dir[] = "/tmp/init-config-test.XXXXXX";

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	test_parse();
	test_load(dir);
	test_env();
	test_search(dir);
	printf("1..%d\n", test_number);
	char command[128];
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	if (system(command) != 0)
		printf("# could not remove %s\n", dir);
	return failures ? 1 : 0;
}
