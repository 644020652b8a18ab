/* Mounts and the move into the user's root, in the order the AWS init does them. */
#ifndef INIT_FILESYSTEMS_H
#define INIT_FILESYSTEMS_H

#include <stdbool.h>

/* devtmpfs on /dev (already mounted is fine).  False on failure, reported. */
bool mount_dev(void);

/* Make /dev/console our stdin, stdout and stderr.  False on failure, reported. */
bool open_console(void);

/* Bind /rootfs onto itself, move it over / and chroot into it, so that the command runs on a
 * real mount point and may create user namespaces.  False on failure, reported. */
bool enter_root(const char *root);

/* proc, /dev links, /run, /tmp, /dev/shm, /dev/pts, sysfs, cgroup hierarchies.  Each failure
 * is reported and skipped: the command may well run without that filesystem. */
void mount_user_filesystems(void);

#endif
