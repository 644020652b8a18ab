/* How the enclave ends: a guest reboot, which the Nitro hypervisor turns into termination. */
#ifndef INIT_SHUTDOWN_H
#define INIT_SHUTDOWN_H

#include <stdnoreturn.h>

/* Choose the x86 reboot method that ends the machine under every hypervisor we target; needs
 * sysfs on /sys.  Failure is reported and leaves the kernel's reboot= choice. */
void choose_reboot_method(void);

/* sync, then reboot(RB_AUTOBOOT).  Never returns. */
noreturn void end_enclave(void);

#endif
