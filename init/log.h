/* Console messages of PID 1: every line starts with "init: " and is written in one write(). */
#ifndef INIT_LOG_H
#define INIT_LOG_H

void say(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* "init: OPERATION PATH: strerror(errno)" for a failed system call. */
void say_failed(const char *operation, const char *path);

#endif
