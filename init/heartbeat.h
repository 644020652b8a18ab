/* The "enclave ready" heartbeat to the parent instance (docs/boot-contract.md#the-heartbeat). */
#ifndef INIT_HEARTBEAT_H
#define INIT_HEARTBEAT_H

#include <stdbool.h>

#define HEARTBEAT_CID 3		/* VMADDR_CID_PARENT */
#define HEARTBEAT_PORT 9000
#define HEARTBEAT_BYTE 0xB7

/* Send the heartbeat byte and wait for its echo, each step bounded in time.  On failure it
 * reports why and returns false; the caller carries on, so an enclave with no listening parent
 * (QEMU) still runs. */
bool heartbeat_send(void);

#endif
