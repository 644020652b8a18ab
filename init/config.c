/* Parsing of /cmd and /env.  No printing here: callers get a status and a message. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum config_status config_fail(char *message, size_t message_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static enum config_status config_fail(char *message, size_t message_size, const char *format, ...)
{
	va_list args;

	if (message_size > 0) {
		va_start(args, format);
		vsnprintf(message, message_size, format, args);
		va_end(args);
	}
	return CONFIG_INVALID;
}

void config_free(struct config_list *list)
{
	free(list->items);
	free(list->storage);
	list->items = NULL;
	list->storage = NULL;
	list->count = 0;
}

enum config_status config_parse(const char *data, size_t size, struct config_list *list,
				char *message, size_t message_size)
{
	size_t lines = 0, line_start = 0, line_number = 1;

	list->items = NULL;
	list->storage = NULL;
	list->count = 0;
	if (size == 0)
		return CONFIG_EMPTY;
	if (size > CONFIG_MAX_FILE)
		return config_fail(message, message_size, "%zu bytes, more than the limit of %d",
				   size, CONFIG_MAX_FILE);

	/* First pass: validate and count, so the arrays are allocated once. */
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] == '\0')
			return config_fail(message, message_size,
					   "NUL byte at offset %zu (line %zu); a line cannot hold NUL",
					   i, line_number);
		if (i < size && data[i] != '\n')
			continue;
		if (i == size && line_start == size)
			break;	/* the last line ended with '\n': no extra empty line */
		size_t length = i - line_start;
		if (length > 0 && data[i - 1] == '\r')
			length--;
		if (length > CONFIG_MAX_LINE)
			return config_fail(message, message_size,
					   "line %zu is %zu bytes long, more than the limit of %d"
					   " (the kernel's limit for one argument)",
					   line_number, length, CONFIG_MAX_LINE);
		lines++;
		line_number++;
		line_start = i + 1;
	}

	list->storage = malloc(size + 1);
	list->items = calloc(lines + 1, sizeof(*list->items));
	if (!list->storage || !list->items) {
		config_free(list);
		return config_fail(message, message_size, "out of memory for %zu bytes", size);
	}
	memcpy(list->storage, data, size);
	list->storage[size] = '\0';

	line_start = 0;
	for (size_t i = 0; i <= size && list->count < lines; i++) {
		if (i < size && data[i] != '\n')
			continue;
		size_t end = i;
		if (end > line_start && list->storage[end - 1] == '\r')
			end--;
		list->storage[end] = '\0';
		list->items[list->count++] = list->storage + line_start;
		line_start = i + 1;
	}
	list->items[list->count] = NULL;
	return CONFIG_LOADED;
}

enum config_status config_load(const char *path, struct config_list *list, char *message,
			       size_t message_size)
{
	struct stat info;
	char *data;
	size_t size = 0;
	enum config_status status;
	int fd;

	list->items = NULL;
	list->storage = NULL;
	list->count = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return CONFIG_MISSING;
		return config_fail(message, message_size, "open: %s", strerror(errno));
	}
	if (fstat(fd, &info) != 0) {
		status = config_fail(message, message_size, "fstat: %s", strerror(errno));
		close(fd);
		return status;
	}
	if (!S_ISREG(info.st_mode)) {
		close(fd);
		return config_fail(message, message_size, "not a regular file");
	}
	/* One byte more than the limit tells "exactly at the limit" from "over it". */
	data = malloc(CONFIG_MAX_FILE + 1);
	if (!data) {
		close(fd);
		return config_fail(message, message_size, "out of memory for %d bytes",
				   CONFIG_MAX_FILE + 1);
	}
	while (size < CONFIG_MAX_FILE + 1) {
		ssize_t got = read(fd, data + size, CONFIG_MAX_FILE + 1 - size);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			status = config_fail(message, message_size, "read: %s", strerror(errno));
			free(data);
			close(fd);
			return status;
		}
		if (got == 0)
			break;
		size += (size_t)got;
	}
	close(fd);
	if (size > CONFIG_MAX_FILE)
		status = config_fail(message, message_size,
				     "larger than the limit of %d bytes", CONFIG_MAX_FILE);
	else
		status = config_parse(data, size, list, message, message_size);
	free(data);
	return status;
}

bool config_env_entry_valid(const char *entry)
{
	const char *equals = strchr(entry, '=');

	return equals != NULL && equals != entry;
}

const char *config_env_lookup(char *const env[], const char *name)
{
	size_t length = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, length) == 0 && env[i][length] == '=')
			return env[i] + length + 1;
	return NULL;
}
