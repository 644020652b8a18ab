# enclave-kit's device set for qemu-system-aarch64 (tests/qemu/configure-flags-aarch64): the virt
# machine (its RTC is a PL031, its UART a PL011, not Nitro's 16550) with Nitro's two devices on
# virtio-mmio.
# VIRTIO_NSM has no default and only x86's NITRO_ENCLAVE selects it; VHOST_USER_VSOCK is
# "default y", which --without-default-devices (minikconf --allnoconfig) does not apply.
CONFIG_ARM_VIRT=y
CONFIG_VIRTIO_NSM=y
CONFIG_VHOST_USER_VSOCK=y
