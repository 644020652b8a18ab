// SPDX-License-Identifier: GPL-2.0-only
/*
 * nsm_liar: a Nitro Secure Module virtio device (id 33) in software, for
 * tests/nsm-guest.t (tests/nsm/guest.c, test_liar).
 *
 * It answers a request by copying the request bytes into the response buffer
 * and then claiming the whole buffer as written, as a faulty or hostile device
 * could.  nsm.ko hands user space as many bytes as the device claims, so the
 * bytes it claimed but never wrote must not be what an earlier answer left.
 * Its answers are no GetRandom answers: the test keeps the hwrng core from
 * reading through it.  No DMA API (no VIRTIO_F_ACCESS_PLATFORM), so buffer
 * addresses in the ring are physical addresses of the linear map.
 */

#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/workqueue.h>

#define LIAR_RING_SIZE 8

struct liar {
	struct virtio_device vdev;
	struct device *root;
	struct virtqueue *vq;
	/* Answers requests outside the driver's kick, as an interrupt would. */
	struct work_struct work;
	u16 last_avail;
	u16 used_idx;
	u8 status;
};

static struct liar *liar_device;

static struct liar *to_liar(struct virtio_device *vdev)
{
	return container_of(vdev, struct liar, vdev);
}

/* Fills response and returns the length the device claims to have written. */
static u32 liar_answer(const u8 *request, u32 request_len, u8 *response,
		       u32 response_len)
{
	memcpy(response, request, min(request_len, response_len));
	return response_len;
}

static void liar_push(struct liar *liar, const struct vring *vr, u16 head,
		      u32 len)
{
	struct vring_used_elem *e = &vr->used->ring[liar->used_idx % vr->num];

	e->id = cpu_to_virtio32(&liar->vdev, head);
	e->len = cpu_to_virtio32(&liar->vdev, len);
	liar->used_idx++;
	/* The entry before the index that publishes it. */
	smp_wmb();
	WRITE_ONCE(vr->used->idx, cpu_to_virtio16(&liar->vdev, liar->used_idx));
}

/* nsm.ko sends each request as two chains: the request, then the response buffer. */
static void liar_work(struct work_struct *work)
{
	struct liar *liar = container_of(work, struct liar, work);
	struct virtio_device *vdev = &liar->vdev;
	const struct vring *vr = virtqueue_get_vring(liar->vq);
	u16 avail = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));

	/* The index before the entries it covers. */
	smp_rmb();
	while ((u16)(avail - liar->last_avail) >= 2) {
		u16 out = virtio16_to_cpu(vdev, vr->avail->ring[liar->last_avail % vr->num]);
		u16 in = virtio16_to_cpu(vdev, vr->avail->ring[(liar->last_avail + 1) % vr->num]);
		const struct vring_desc *od = &vr->desc[out % vr->num];
		const struct vring_desc *id = &vr->desc[in % vr->num];
		u32 claimed = 0;

		if (!(virtio16_to_cpu(vdev, od->flags) & VRING_DESC_F_WRITE) &&
		    virtio16_to_cpu(vdev, id->flags) == VRING_DESC_F_WRITE)
			claimed = liar_answer(phys_to_virt(virtio64_to_cpu(vdev, od->addr)),
					      virtio32_to_cpu(vdev, od->len),
					      phys_to_virt(virtio64_to_cpu(vdev, id->addr)),
					      virtio32_to_cpu(vdev, id->len));
		liar_push(liar, vr, out, 0);
		liar_push(liar, vr, in, claimed);
		liar->last_avail += 2;
	}
	vring_interrupt(0, liar->vq);
}

static bool liar_notify(struct virtqueue *vq)
{
	schedule_work(&to_liar(vq->vdev)->work);
	return true;
}

static void liar_get(struct virtio_device *vdev, unsigned int offset,
		     void *buf, unsigned int len)
{
	memset(buf, 0, len);
}

static void liar_set(struct virtio_device *vdev, unsigned int offset,
		     const void *buf, unsigned int len)
{
}

static u8 liar_get_status(struct virtio_device *vdev)
{
	return to_liar(vdev)->status;
}

static void liar_set_status(struct virtio_device *vdev, u8 status)
{
	to_liar(vdev)->status = status;
}

static void liar_reset(struct virtio_device *vdev)
{
	to_liar(vdev)->status = 0;
}

static int liar_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			 struct virtqueue *vqs[],
			 struct virtqueue_info vqs_info[],
			 struct irq_affinity *desc)
{
	struct liar *liar = to_liar(vdev);

	if (nvqs != 1)
		return -EINVAL;
	liar->vq = vring_create_virtqueue(0, LIAR_RING_SIZE, SMP_CACHE_BYTES,
					  vdev, true, false, vqs_info[0].ctx,
					  liar_notify, vqs_info[0].callback,
					  vqs_info[0].name);
	if (!liar->vq)
		return -ENOMEM;
	liar->last_avail = 0;
	liar->used_idx = 0;
	vqs[0] = liar->vq;
	return 0;
}

static void liar_del_vqs(struct virtio_device *vdev)
{
	struct liar *liar = to_liar(vdev);

	cancel_work_sync(&liar->work);
	vring_del_virtqueue(liar->vq);
	liar->vq = NULL;
}

static u64 liar_get_features(struct virtio_device *vdev)
{
	return BIT_ULL(VIRTIO_F_VERSION_1);
}

static int liar_finalize_features(struct virtio_device *vdev)
{
	return 0;
}

static const char *liar_bus_name(struct virtio_device *vdev)
{
	return "nsm-liar";
}

static const struct virtio_config_ops liar_config = {
	.get = liar_get,
	.set = liar_set,
	.get_status = liar_get_status,
	.set_status = liar_set_status,
	.reset = liar_reset,
	.find_vqs = liar_find_vqs,
	.del_vqs = liar_del_vqs,
	.get_features = liar_get_features,
	.finalize_features = liar_finalize_features,
	.bus_name = liar_bus_name,
};

static void liar_release(struct device *dev)
{
	kfree(container_of(dev, struct liar, vdev.dev));
}

static int __init liar_init(void)
{
	struct device *root;
	struct liar *liar;
	int err;

	root = root_device_register("nsm-liar");
	if (IS_ERR(root))
		return PTR_ERR(root);
	liar = kzalloc(sizeof(*liar), GFP_KERNEL);
	if (!liar) {
		root_device_unregister(root);
		return -ENOMEM;
	}
	INIT_WORK(&liar->work, liar_work);
	liar->root = root;
	liar->vdev.dev.parent = root;
	liar->vdev.dev.release = liar_release;
	liar->vdev.id.device = VIRTIO_ID_NITRO_SEC_MOD;
	liar->vdev.config = &liar_config;
	err = register_virtio_device(&liar->vdev);
	if (err) {
		put_device(&liar->vdev.dev);
		root_device_unregister(root);
		return err;
	}
	liar_device = liar;
	return 0;
}

static void __exit liar_exit(void)
{
	struct device *root = liar_device->root;

	unregister_virtio_device(&liar_device->vdev);
	root_device_unregister(root);
}

module_init(liar_init);
module_exit(liar_exit);

MODULE_DESCRIPTION("Test device: an NSM that claims more answer bytes than it wrote");
MODULE_AUTHOR("enclave-kit");
MODULE_LICENSE("GPL");
