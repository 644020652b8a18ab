/* Reading the enclave's /cmd and /env files: one argument or KEY=value per line. */
#ifndef INIT_CONFIG_H
#define INIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* execve() refuses any single string longer than MAX_ARG_STRLEN (32 pages = 131072 bytes with
 * its NUL), so a longer line could never reach the command anyway. */
#define CONFIG_MAX_LINE 131071
/* The whole argument + environment block must fit in a quarter of the 8 MiB default stack;
 * 1 MiB per file keeps both files together well inside that. */
#define CONFIG_MAX_FILE (1024 * 1024)

enum config_status {
	CONFIG_LOADED,	/* at least one line */
	CONFIG_MISSING,	/* the file does not exist */
	CONFIG_EMPTY,	/* the file exists and has no bytes */
	CONFIG_INVALID,	/* unreadable, oversized, NUL bytes, too long a line; see the message */
};

/* A NULL-terminated array of strings, ready for execve(); all strings live in storage. */
struct config_list {
	char **items;
	size_t count;
	char *storage;
};

/* Split size bytes at data into lines.  A final line without '\n' counts; a "\r\n" ending is
 * taken as a line ending (the '\r' is dropped); empty lines are kept as empty strings.
 * On CONFIG_INVALID, message (of message_size bytes) says why. */
enum config_status config_parse(const char *data, size_t size, struct config_list *list,
				char *message, size_t message_size);

/* Read the file at path (at most CONFIG_MAX_FILE bytes) and parse it as config_parse() does. */
enum config_status config_load(const char *path, struct config_list *list, char *message,
			       size_t message_size);

void config_free(struct config_list *list);

/* True for an environment entry execve() can pass meaningfully: "NAME=value", NAME not empty. */
bool config_env_entry_valid(const char *entry);

/* The value of name in a NULL-terminated environment array, or NULL. */
const char *config_env_lookup(char *const env[], const char *name);

#endif
