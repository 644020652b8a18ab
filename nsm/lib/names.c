/* Wire names of NSM requests and error codes, both ways. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const status_names[] = {
	[NSM_SUCCESS] = "Success",
	[NSM_INVALID_ARGUMENT] = "InvalidArgument",
	[NSM_INVALID_INDEX] = "InvalidIndex",
	[NSM_INVALID_RESPONSE] = "InvalidResponse",
	[NSM_READ_ONLY_INDEX] = "ReadOnlyIndex",
	[NSM_INVALID_OPERATION] = "InvalidOperation",
	[NSM_BUFFER_TOO_SMALL] = "BufferTooSmall",
	[NSM_INPUT_TOO_LARGE] = "InputTooLarge",
	[NSM_INTERNAL_ERROR] = "InternalError",
};

static const char *const request_names[] = {
	[NSM_REQ_DESCRIBE_PCR] = "DescribePCR",
	[NSM_REQ_EXTEND_PCR] = "ExtendPCR",
	[NSM_REQ_LOCK_PCR] = "LockPCR",
	[NSM_REQ_LOCK_PCRS] = "LockPCRs",
	[NSM_REQ_DESCRIBE_NSM] = "DescribeNSM",
	[NSM_REQ_ATTESTATION] = "Attestation",
	[NSM_REQ_GET_RANDOM] = "GetRandom",
};

static const char *const digest_names[] = {
	[NSM_DIGEST_SHA256] = "SHA256",
	[NSM_DIGEST_SHA384] = "SHA384",
	[NSM_DIGEST_SHA512] = "SHA512",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int nsm_find_name(const char *const names[], size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return (int)i;
	return -1;
}

const char *nsm_status_name(enum nsm_status s)
{
	return (unsigned)s < COUNT(status_names) ? status_names[s] : "UnknownStatus";
}

const char *nsm_request_name(enum nsm_request_kind kind)
{
	return (unsigned)kind < COUNT(request_names) ? request_names[kind] : "UnknownRequest";
}

const char *nsm_digest_name(enum nsm_digest d)
{
	return (unsigned)d < COUNT(digest_names) ? digest_names[d] : "UnknownDigest";
}

int nsm_digest_from_name(const char *s, size_t n)
{
	return nsm_find_name(digest_names, COUNT(digest_names), s, n);
}

int nsm_status_from_name(const char *s, size_t n)
{
	return nsm_find_name(status_names, COUNT(status_names), s, n);
}

int nsm_request_from_name(const char *s, size_t n)
{
	return nsm_find_name(request_names, COUNT(request_names), s, n);
}

void nsm_format_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
