/* Typed NSM calls over a transport: by default the NSM_IOCTL_RAW ioctl on /dev/nsm. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int ioctl_transport(void *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
			   size_t *resp_len)
{
	struct nsm *n = ctx;
	struct nsm_raw raw = {
		.request = { .addr = (uintptr_t)req, .len = req_len },
		.response = { .addr = (uintptr_t)resp, .len = *resp_len },
	};
	int r;

	do
		r = ioctl(n->fd, NSM_IOCTL_RAW, &raw);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	if (raw.response.len > *resp_len)
		return EOVERFLOW;
	*resp_len = (size_t)raw.response.len;
	return 0;
}

static void reset(struct nsm *n)
{
	n->sys_errno = 0;
	n->error[0] = '\0';
}

enum nsm_status nsm_open(struct nsm *n, const char *path)
{
	if (!path)
		path = NSM_DEVICE;
	nsm_open_transport(n, ioctl_transport, n);
	n->fd = open(path, O_RDWR | O_CLOEXEC);
	if (n->fd < 0) {
		n->sys_errno = errno;
		nsm_format_error(n->error, sizeof(n->error), "%s: %s%s", path, strerror(errno),
				 errno == ENOENT ? "; is nsm.ko loaded?" : "");
		return NSM_INTERNAL_ERROR;
	}
	return NSM_SUCCESS;
}

void nsm_open_transport(struct nsm *n, nsm_transport *transport, void *ctx)
{
	n->fd = -1;
	n->transport = transport;
	n->transport_ctx = ctx;
	reset(n);
}

void nsm_close(struct nsm *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

enum nsm_status nsm_exchange_raw(struct nsm *n, const uint8_t *req, size_t req_len,
				 uint8_t *resp, size_t *resp_len)
{
	int e;

	reset(n);
	if (req_len > NSM_REQUEST_MAX_SIZE) {
		nsm_format_error(n->error, sizeof(n->error),
				 "request of %zu bytes exceeds the NSM limit of %d bytes",
				 req_len, NSM_REQUEST_MAX_SIZE);
		return NSM_INPUT_TOO_LARGE;
	}
	e = n->transport(n->transport_ctx, req, req_len, resp, resp_len);
	if (e == 0)
		return NSM_SUCCESS;
	n->sys_errno = e;
	if (e == EMSGSIZE) {
		nsm_format_error(n->error, sizeof(n->error), "NSM_IOCTL_RAW: request too large: %s",
				 strerror(e));
		return NSM_INPUT_TOO_LARGE;
	}
	nsm_format_error(n->error, sizeof(n->error), "NSM_IOCTL_RAW: %s%s", strerror(e),
			 e == ETIMEDOUT || e == EIO ? "; the device is stuck, reload nsm.ko" : "");
	return NSM_INTERNAL_ERROR;
}

enum nsm_status nsm_call(struct nsm *n, const struct nsm_request *req, struct nsm_response *out)
{
	const char *name = nsm_request_name(req->kind);
	size_t req_len, resp_len = sizeof(n->response);
	char why[NSM_ERROR_MAX];
	enum nsm_status st;

	reset(n);
	st = nsm_encode_request(req, n->request, sizeof(n->request), &req_len);
	if (st != NSM_SUCCESS) {
		nsm_format_error(n->error, sizeof(n->error), "%s: cannot encode the request: %s",
				 name, nsm_status_name(st));
		return st;
	}
	st = nsm_exchange_raw(n, n->request, req_len, n->response, &resp_len);
	if (st != NSM_SUCCESS)
		return st;
	st = nsm_decode_response(n->response, resp_len, out, why, sizeof(why));
	if (st != NSM_SUCCESS) {
		nsm_format_error(n->error, sizeof(n->error), "%s: malformed answer: %s", name, why);
		return NSM_INVALID_RESPONSE;
	}
	if (out->is_error) {
		nsm_format_error(n->error, sizeof(n->error), "%s: the NSM refused: %s", name,
				 nsm_status_name(out->error));
		return out->error;
	}
	if (out->kind != req->kind) {
		nsm_format_error(n->error, sizeof(n->error), "%s: the answer is for a %s request",
				 name, nsm_request_name(out->kind));
		return NSM_INVALID_RESPONSE;
	}
	return NSM_SUCCESS;
}

static void copy_pcr(struct nsm_pcr *out, const struct nsm_response *resp)
{
	out->locked = resp->lock;
	out->len = resp->data.len;
	memcpy(out->value, resp->data.data, resp->data.len);
}

enum nsm_status nsm_describe_pcr(struct nsm *n, uint16_t index, struct nsm_pcr *out)
{
	struct nsm_request req = { .kind = NSM_REQ_DESCRIBE_PCR, .index = index };
	struct nsm_response resp;
	enum nsm_status st = nsm_call(n, &req, &resp);

	if (st == NSM_SUCCESS)
		copy_pcr(out, &resp);
	return st;
}

enum nsm_status nsm_extend_pcr(struct nsm *n, uint16_t index, const void *data, size_t len,
			       struct nsm_pcr *out)
{
	struct nsm_request req = {
		.kind = NSM_REQ_EXTEND_PCR, .index = index, .data = { data, len },
	};
	struct nsm_response resp;
	enum nsm_status st = nsm_call(n, &req, &resp);

	if (st == NSM_SUCCESS && out)
		copy_pcr(out, &resp);
	return st;
}

enum nsm_status nsm_lock_pcr(struct nsm *n, uint16_t index)
{
	struct nsm_request req = { .kind = NSM_REQ_LOCK_PCR, .index = index };
	struct nsm_response resp;

	return nsm_call(n, &req, &resp);
}

enum nsm_status nsm_lock_pcrs(struct nsm *n, uint16_t range)
{
	struct nsm_request req = { .kind = NSM_REQ_LOCK_PCRS, .range = range };
	struct nsm_response resp;

	return nsm_call(n, &req, &resp);
}

enum nsm_status nsm_describe_nsm(struct nsm *n, struct nsm_description *out)
{
	struct nsm_request req = { .kind = NSM_REQ_DESCRIBE_NSM };
	struct nsm_response resp;
	enum nsm_status st = nsm_call(n, &req, &resp);

	if (st == NSM_SUCCESS)
		*out = resp.description;
	return st;
}

enum nsm_status nsm_get_random(struct nsm *n, uint8_t *buf, size_t *len)
{
	struct nsm_request req = { .kind = NSM_REQ_GET_RANDOM };
	struct nsm_response resp;
	enum nsm_status st = nsm_call(n, &req, &resp);

	if (st != NSM_SUCCESS)
		return st;
	if (*len > resp.random.len)
		*len = resp.random.len;
	memcpy(buf, resp.random.data, *len);
	return NSM_SUCCESS;
}

enum nsm_status nsm_fill_random(struct nsm *n, uint8_t *buf, size_t len)
{
	while (len > 0) {
		size_t got = len;
		enum nsm_status st = nsm_get_random(n, buf, &got);

		if (st != NSM_SUCCESS)
			return st;
		buf += got;
		len -= got;
	}
	return NSM_SUCCESS;
}

enum nsm_status nsm_attestation(struct nsm *n, struct nsm_bytes user_data, struct nsm_bytes nonce,
				struct nsm_bytes public_key, uint8_t *doc, size_t cap, size_t *len)
{
	struct nsm_request req = {
		.kind = NSM_REQ_ATTESTATION,
		.user_data = user_data, .nonce = nonce, .public_key = public_key,
	};
	struct nsm_response resp;
	enum nsm_status st = nsm_call(n, &req, &resp);

	if (st != NSM_SUCCESS)
		return st;
	*len = resp.document.len;
	if (resp.document.len > cap) {
		nsm_format_error(n->error, sizeof(n->error),
				 "Attestation: document of %zu bytes does not fit in %zu",
				 resp.document.len, cap);
		return NSM_BUFFER_TOO_SMALL;
	}
	memcpy(doc, resp.document.data, resp.document.len);
	return NSM_SUCCESS;
}
