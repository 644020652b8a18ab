# enclave-kit's device set for qemu-system-x86_64 (tests/qemu/configure-flags): the nitro-enclave
# machine and what it is built on, nothing else. NITRO_ENCLAVE selects the NSM and the
# vhost-user-vsock device; it and MICROVM (its base: ISA serial, RTC, APIC, virtio-mmio, reduced
# ACPI) are "default y", which --without-default-devices does not apply, so both are asked for.
# The boot tests use no other machine or device of this QEMU (the bare-kernel boots run Debian's
# qemu-system-x86_64). Fewer devices: a quicker first build on a fresh machine.
CONFIG_MICROVM=y
CONFIG_NITRO_ENCLAVE=y
