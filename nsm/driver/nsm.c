// SPDX-License-Identifier: GPL-2.0-only
/*
 * Driver for the Nitro Secure Module (NSM), virtio device 33.
 *
 * The NSM answers CBOR requests (PCRs, attestation, randomness).  User space
 * sends them verbatim through /dev/nsm with NSM_IOCTL_RAW from <linux/nsm.h>;
 * the hw_random core pulls GetRandom answers.  A request travels as two
 * descriptor chains on the single queue: the request bytes (device-readable),
 * then a response buffer of exactly NSM_RESPONSE_MAX_SIZE bytes
 * (device-writable), because the device model rejects any other shape.  One
 * mutex keeps exactly one request in flight over the one buffer pair.
 *
 * Lifetime: the state is reference counted (the device holds one reference,
 * each open file one), so an unbind while /dev/nsm is open leaves the files
 * with a state whose requests fail with -ENODEV instead of freed memory.
 */

#include <linux/completion.h>
#include <linux/hw_random.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nsm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

/* How long a request may take before the device is declared stuck. */
#define NSM_TIMEOUT_MS 120000

/* The request "GetRandom": a CBOR text string. */
static const u8 nsm_random_request[] = {
	0x69, 'G', 'e', 't', 'R', 'a', 'n', 'd', 'o', 'm',
};

/* {"GetRandom": {"random": ...: what precedes the byte string in the answer. */
static const u8 nsm_random_prefix[] = {
	0xa1, 0x69, 'G', 'e', 't', 'R', 'a', 'n', 'd', 'o', 'm',
	0xa1, 0x66, 'r', 'a', 'n', 'd', 'o', 'm',
};

struct nsm {
	struct kref ref;
	struct virtio_device *vdev;
	struct virtqueue *vq;
	/* Serialises requests; guards request, response, vq and broken. */
	struct mutex lock;
	/* Completed by the queue callback, and by remove() to wake a waiter. */
	struct completion done;
	/* Orders setting gone against re-arming done, so no wake-up is lost. */
	spinlock_t gone_lock;
	bool gone;
	/* The device kept buffers after a failed request: the queue is unusable. */
	bool broken;
	u8 *request;
	u8 *response;
	struct miscdevice misc;
	struct hwrng rng;
};

static void nsm_free(struct kref *ref)
{
	struct nsm *nsm = container_of(ref, struct nsm, ref);

	kfree(nsm->response);
	kfree(nsm->request);
	kfree(nsm);
}

static void nsm_queue_done(struct virtqueue *vq)
{
	struct nsm *nsm = vq->vdev->priv;

	complete(&nsm->done);
}

/*
 * Takes back every buffer the device has returned.  If it still owns some, a
 * late answer could land in the next request's buffer, so the queue is marked
 * broken until the driver is bound again (which resets the device).
 */
static void nsm_drain(struct nsm *nsm)
{
	unsigned int len;

	while (virtqueue_get_buf(nsm->vq, &len))
		;
	if (nsm->vq->num_free != virtqueue_get_vring_size(nsm->vq)) {
		nsm->broken = true;
		dev_err(&nsm->vdev->dev,
			"device still holds request buffers; unbind and bind the driver to reset it\n");
	}
}

/*
 * Sends request[0, request_len) and waits for the answer in response.  Called
 * with nsm->lock held.  Returns the answer's length or a negative errno.
 */
static int nsm_exchange(struct nsm *nsm, size_t request_len)
{
	unsigned long left = msecs_to_jiffies(NSM_TIMEOUT_MS);
	struct scatterlist request_sg, response_sg;
	bool request_back = false;
	unsigned int used;
	void *token;
	int err;

	lockdep_assert_held(&nsm->lock);

	spin_lock(&nsm->gone_lock);
	err = nsm->gone ? -ENODEV : nsm->broken ? -EIO : 0;
	if (!err)
		reinit_completion(&nsm->done);
	spin_unlock(&nsm->gone_lock);
	if (err)
		return err;

	/*
	 * The device reports how many bytes it wrote, and user space gets that
	 * many: bytes it claims but did not write must be zeros, never the
	 * previous answer (which may be another caller's).
	 */
	memset(nsm->response, 0, NSM_RESPONSE_MAX_SIZE);
	sg_init_one(&request_sg, nsm->request, request_len);
	sg_init_one(&response_sg, nsm->response, NSM_RESPONSE_MAX_SIZE);
	err = virtqueue_add_outbuf(nsm->vq, &request_sg, 1, nsm->request, GFP_KERNEL);
	if (err)
		goto fail;
	err = virtqueue_add_inbuf(nsm->vq, &response_sg, 1, nsm->response, GFP_KERNEL);
	if (err)
		goto fail;
	if (!virtqueue_kick(nsm->vq)) {
		err = -EIO;
		goto fail;
	}

	/* The device may return the two buffers with one interrupt or two. */
	for (;;) {
		left = wait_for_completion_io_timeout(&nsm->done, left);
		if (READ_ONCE(nsm->gone))
			return -ENODEV;
		while ((token = virtqueue_get_buf(nsm->vq, &used))) {
			if (token == nsm->response && request_back)
				return min_t(unsigned int, used, NSM_RESPONSE_MAX_SIZE);
			/* The request must come back first, and only once. */
			if (token != nsm->request || request_back) {
				err = -ENODATA;
				goto fail;
			}
			request_back = true;
		}
		if (!left) {
			dev_err(&nsm->vdev->dev, "no answer within %u ms\n", NSM_TIMEOUT_MS);
			err = -ETIMEDOUT;
			goto fail;
		}
	}

fail:
	nsm_drain(nsm);
	return err;
}

static long nsm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct nsm *nsm = container_of(file->private_data, struct nsm, misc);
	void __user *argp = (void __user *)arg;
	struct nsm_raw raw;
	u64 len;
	int ret;

	if (cmd != NSM_IOCTL_RAW)
		return -EINVAL;
	if (copy_from_user(&raw, argp, sizeof(raw)))
		return -EFAULT;
	if (raw.request.len > NSM_REQUEST_MAX_SIZE)
		return -EMSGSIZE;
	/* The device treats an empty request as a fatal protocol error. */
	if (!raw.request.len)
		return -EINVAL;

	ret = mutex_lock_interruptible(&nsm->lock);
	if (ret)
		return ret;
	if (copy_from_user(nsm->request, u64_to_user_ptr(raw.request.addr),
			   raw.request.len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = nsm_exchange(nsm, raw.request.len);
	if (ret < 0)
		goto out;
	len = min_t(u64, ret, raw.response.len);
	if (copy_to_user(u64_to_user_ptr(raw.response.addr), nsm->response, len)) {
		ret = -EFAULT;
		goto out;
	}
	raw.response.len = len;
	ret = copy_to_user(argp, &raw, sizeof(raw)) ? -EFAULT : 0;
out:
	mutex_unlock(&nsm->lock);
	return ret;
}

static int nsm_open(struct inode *inode, struct file *file)
{
	struct nsm *nsm = container_of(file->private_data, struct nsm, misc);

	kref_get(&nsm->ref);
	return 0;
}

static int nsm_release(struct inode *inode, struct file *file)
{
	struct nsm *nsm = container_of(file->private_data, struct nsm, misc);

	kref_put(&nsm->ref, nsm_free);
	return 0;
}

static const struct file_operations nsm_fops = {
	.owner = THIS_MODULE,
	.open = nsm_open,
	.release = nsm_release,
	.unlocked_ioctl = nsm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * Decodes the CBOR byte-string head at buf[0, len): sets *n to the string's
 * length and returns the head's size, or -EBADMSG.
 */
static int nsm_bytes_head(const u8 *buf, size_t len, u64 *n)
{
	unsigned int info, size, i;

	if (!len || buf[0] >> 5 != 2)
		return -EBADMSG;
	info = buf[0] & 0x1f;
	if (info < 24) {
		*n = info;
		return 1;
	}
	if (info > 27)
		return -EBADMSG;
	size = 1 << (info - 24);
	if (len < 1 + size)
		return -EBADMSG;
	*n = 0;
	for (i = 1; i <= size; i++)
		*n = *n << 8 | buf[i];
	return 1 + size;
}

static int nsm_rng_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	struct nsm *nsm = container_of(rng, struct nsm, rng);
	const size_t skip = sizeof(nsm_random_prefix);
	size_t len;
	u64 n;
	int ret;

	/* A request can take long; only callers that may sleep get data. */
	if (!wait)
		return 0;

	ret = mutex_lock_interruptible(&nsm->lock);
	if (ret)
		return ret;
	memcpy(nsm->request, nsm_random_request, sizeof(nsm_random_request));
	ret = nsm_exchange(nsm, sizeof(nsm_random_request));
	if (ret < 0)
		goto out;
	len = ret;
	if (len < skip || memcmp(nsm->response, nsm_random_prefix, skip)) {
		ret = -EBADMSG;
		goto bad;
	}
	ret = nsm_bytes_head(nsm->response + skip, len - skip, &n);
	if (ret < 0 || n > len - skip - ret) {
		ret = -EBADMSG;
		goto bad;
	}
	n = min_t(u64, n, max);
	memcpy(data, nsm->response + skip + ret, n);
	ret = n;
	goto out;
bad:
	dev_err_ratelimited(&nsm->vdev->dev,
			    "GetRandom answer is not {\"GetRandom\": {\"random\": bytes}}\n");
out:
	mutex_unlock(&nsm->lock);
	return ret;
}

static int nsm_probe(struct virtio_device *vdev)
{
	struct nsm *nsm;
	int err;

	nsm = kzalloc(sizeof(*nsm), GFP_KERNEL);
	if (!nsm)
		return -ENOMEM;
	kref_init(&nsm->ref);
	mutex_init(&nsm->lock);
	init_completion(&nsm->done);
	spin_lock_init(&nsm->gone_lock);
	nsm->vdev = vdev;
	vdev->priv = nsm;

	/* Kernel linear-map memory: the device reads and writes it directly. */
	err = -ENOMEM;
	nsm->request = kmalloc(NSM_REQUEST_MAX_SIZE, GFP_KERNEL);
	if (!nsm->request)
		goto err_free;
	nsm->response = kmalloc(NSM_RESPONSE_MAX_SIZE, GFP_KERNEL);
	if (!nsm->response)
		goto err_free;

	nsm->vq = virtio_find_single_vq(vdev, nsm_queue_done, "nsm.vq.0");
	if (IS_ERR(nsm->vq)) {
		err = PTR_ERR(nsm->vq);
		goto err_free;
	}
	/* The hwrng starts reading as soon as it is registered. */
	virtio_device_ready(vdev);

	nsm->rng.name = "nsm-hwrng";
	nsm->rng.read = nsm_rng_read;
	nsm->rng.quality = 1000;
	err = hwrng_register(&nsm->rng);
	if (err)
		goto err_reset;

	nsm->misc.minor = MISC_DYNAMIC_MINOR;
	nsm->misc.name = "nsm";
	nsm->misc.fops = &nsm_fops;
	nsm->misc.mode = 0666;
	nsm->misc.parent = &vdev->dev;
	err = misc_register(&nsm->misc);
	if (err)
		goto err_rng;
	return 0;

err_rng:
	hwrng_unregister(&nsm->rng);
err_reset:
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
err_free:
	vdev->priv = NULL;
	kref_put(&nsm->ref, nsm_free);
	return err;
}

static void nsm_remove(struct virtio_device *vdev)
{
	struct nsm *nsm = vdev->priv;

	misc_deregister(&nsm->misc);

	/*
	 * Fail every request from here on, stop the device and wake a
	 * requester waiting for it, so neither the hwrng nor an open file
	 * keeps the removal waiting for an answer that will never come.
	 */
	spin_lock(&nsm->gone_lock);
	WRITE_ONCE(nsm->gone, true);
	spin_unlock(&nsm->gone_lock);
	virtio_reset_device(vdev);
	complete(&nsm->done);

	hwrng_unregister(&nsm->rng);

	/* Once the lock is ours no requester touches the queue any more. */
	mutex_lock(&nsm->lock);
	vdev->config->del_vqs(vdev);
	nsm->vq = NULL;
	nsm->vdev = NULL;
	mutex_unlock(&nsm->lock);

	vdev->priv = NULL;
	kref_put(&nsm->ref, nsm_free);
}

static const struct virtio_device_id nsm_id_table[] = {
	{ VIRTIO_ID_NITRO_SEC_MOD, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, nsm_id_table);

static struct virtio_driver nsm_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = nsm_id_table,
	.probe = nsm_probe,
	.remove = nsm_remove,
};
module_virtio_driver(nsm_driver);

MODULE_DESCRIPTION("Nitro Secure Module: /dev/nsm and hwrng over virtio");
MODULE_AUTHOR("enclave-kit");
MODULE_LICENSE("GPL");
