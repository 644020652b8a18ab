#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void write_line(const char *text, size_t length)
{
	while (length > 0) {
		ssize_t done = write(STDERR_FILENO, text, length);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return;	/* no console: nowhere left to complain */
		text += done;
		length -= (size_t)done;
	}
}

/* One buffer and one write per line, so the command's output never lands inside our lines. */
void say(const char *format, ...)
{
	char line[1024];
	int saved_errno = errno;
	size_t length;
	va_list args;
	int n;

	memcpy(line, "init: ", 6);
	va_start(args, format);
	n = vsnprintf(line + 6, sizeof(line) - 7, format, args);
	va_end(args);
	if (n < 0)
		n = 0;
	length = 6 + ((size_t)n < sizeof(line) - 7 ? (size_t)n : sizeof(line) - 8);
	line[length++] = '\n';
	write_line(line, length);
	errno = saved_errno;
}

void say_failed(const char *operation, const char *path)
{
	say("%s %s: %s", operation, path, strerror(errno));
}
