#include "heartbeat.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

/* nitro-cli listens before the enclave starts and echoes at once, so these bounds only matter
 * where nobody listens; the connect bound is the kernel's own vsock default, which is all the
 * AWS init ever had. */
#define HEARTBEAT_CONNECT_SECONDS 2
#define HEARTBEAT_REPLY_MS 3000

static void say_heartbeat_failed(const char *step, const char *why)
{
	say("heartbeat: %s vsock %d:%d: %s; continuing without a parent (nitro-cli, if it"
	    " started this enclave, will stop it)", step, HEARTBEAT_CID, HEARTBEAT_PORT, why);
}

static bool exchange(int fd)
{
	struct sockaddr_vm parent = {
		.svm_family = AF_VSOCK,
		.svm_cid = HEARTBEAT_CID,
		.svm_port = HEARTBEAT_PORT,
	};
	struct timeval connect_timeout = { .tv_sec = HEARTBEAT_CONNECT_SECONDS };
	struct pollfd reply = { .fd = fd, .events = POLLIN };
	unsigned char byte = HEARTBEAT_BYTE;
	ssize_t done;
	int ready;

	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &connect_timeout,
		       sizeof(connect_timeout)) != 0)
		say_failed("setsockopt SO_VM_SOCKETS_CONNECT_TIMEOUT on", "the heartbeat socket");
	if (connect(fd, (struct sockaddr *)&parent, sizeof(parent)) != 0) {
		say_heartbeat_failed("connect to", strerror(errno));
		return false;
	}
	done = write(fd, &byte, 1);
	if (done != 1) {
		say_heartbeat_failed("write to", done < 0 ? strerror(errno) : "short write");
		return false;
	}
	ready = poll(&reply, 1, HEARTBEAT_REPLY_MS);
	if (ready < 0) {
		say_heartbeat_failed("poll", strerror(errno));
		return false;
	}
	if (ready == 0) {
		say_heartbeat_failed("wait for the echo from", "no answer within 3 s");
		return false;
	}
	done = read(fd, &byte, 1);
	if (done != 1) {
		say_heartbeat_failed("read from", done < 0 ? strerror(errno) : "connection closed");
		return false;
	}
	if (byte != HEARTBEAT_BYTE) {
		say("heartbeat: vsock %d:%d answered 0x%02X instead of 0x%02X; continuing",
		    HEARTBEAT_CID, HEARTBEAT_PORT, byte, HEARTBEAT_BYTE);
		return false;
	}
	return true;
}

bool heartbeat_send(void)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool sent;

	if (fd < 0) {
		say_heartbeat_failed("socket for", strerror(errno));
		return false;
	}
	sent = exchange(fd);
	if (close(fd) != 0)
		say_failed("close", "the heartbeat socket");
	if (sent)
		say("heartbeat: parent answered on vsock %d:%d", HEARTBEAT_CID, HEARTBEAT_PORT);
	return sent;
}
