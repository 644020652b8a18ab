/* Run-time kernel hardening that the system ramdisk asks for (make HARDEN=1): no more module
 * loading and the lockdown LSM raised, after nsm.ko is in.  docs/boot-contract.md#hardening. */
#ifndef INIT_HARDEN_H
#define INIT_HARDEN_H

#include <stdbool.h>

/* Where the request lives: one line, "integrity" or "confidentiality". */
#define HARDEN_REQUEST_PATH "/lockdown"

struct harden_request {
	bool requested;
	const char *level;	/* "integrity" or "confidentiality" when requested */
};

/* Read and delete HARDEN_REQUEST_PATH.  No file: not requested (true).  False when the file is
 * there but unusable, reported: a hardened image must then not run its command. */
bool harden_read_request(struct harden_request *request);

/* kernel.modules_disabled=1, securityfs on /sys/kernel/security, lockdown raised to the level;
 * every step is reported.  Needs proc and sysfs mounted.  False as soon as a step fails. */
bool harden_kernel(const struct harden_request *request);

#endif
