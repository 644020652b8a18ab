# tests/: the boot test bed. The nitro-enclave QEMU (built once per machine from Debian's qemu
# source, cached in $(CACHE_DIR); tests/qemu/build), our vhost-user-vsock back-end that its
# vsock device needs (tests/vsock/), and `make run-qemu`.
QEMU       := $(O)/qemu/qemu-system-x86_64

# $(call qemu_rules,TARGET,FLAGS): the wrapper $(O)/qemu/qemu-system-TARGET names the cached
# binary; rebuild it when the inputs (FLAGS, the device set) change or the cache is gone. Whether
# it is gone is asked (tests/qemu/build hashes the inputs to name the cache) by the recipe of
# cache-check-TARGET, touched then (so newer than the wrapper), so only a make that looks at
# the wrapper asks, not every make while it reads this file.
define qemu_rules
$(O)/qemu/qemu-system-$(1): tests/qemu/build tests/qemu/source.lock $(2) \
		tests/qemu/devices/$(1)-softmmu/enclave-kit.mak $(O)/qemu/cache-check-$(1)
	$$(call msg,QEMU,$$@)
	$$(Q)QEMU_TARGET=$(1) DL='$$(DL)' tests/qemu/build '$$(CACHE_DIR)' $$@
$(O)/qemu/cache-check-$(1): FORCE
	@mkdir -p $$(@D) && d=$$$$(QEMU_TARGET=$(1) tests/qemu/build --print-dir '$$(CACHE_DIR)') && \
		if [ ! -f $$@ ] || [ ! -x "$$$$d/bin/qemu-system-$(1)" ]; then touch $$@; fi
endef
# The nitro-enclave machine; and qemu-system-aarch64 for the arm64 boot test (make check-full),
# its virt machine with the NSM and vhost-user-vsock devices.
$(eval $(call qemu_rules,x86_64,tests/qemu/configure-flags))
$(eval $(call qemu_rules,aarch64,tests/qemu/configure-flags-aarch64))

VSOCK_SRCS := $(wildcard tests/vsock/*.c)
VSOCK_OBJS := $(VSOCK_SRCS:%.c=$(O)/obj/%.o)
VSOCK_PROBE_OBJS := $(O)/obj/tests/vsock/probe/probe.o
VSOCK_CFLAGS := $(WARN) $(CFLAGS) -MMD -MP

$(O)/obj/tests/vsock/%.o: tests/vsock/%.c | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(VSOCK_CFLAGS) -c -o $@ $<
$(O)/bin/vhost-user-vsock: $(VSOCK_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@.tmp $^ && mv $@.tmp $@
# A test client that plays QEMU (and the guest driver) against the back-end.
# It speaks the test stream too (stream.c, sha256.c: the back-end's own objects).
$(O)/tests/vsock/vhost-user-probe: $(VSOCK_PROBE_OBJS) $(O)/obj/tests/vsock/stream.o $(O)/obj/tests/vsock/sha256.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@.tmp $^ && mv $@.tmp $@
# The same back-end under ASan and UBSan, for the hostile-input tests: any memory error or
# undefined behaviour aborts it, and the tests see the abort.
VSOCK_SAN_OBJS := $(VSOCK_SRCS:tests/vsock/%.c=$(O)/obj/tests/vsock-sanitized/%.o)
VSOCK_SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
$(O)/obj/tests/vsock-sanitized/%.o: tests/vsock/%.c | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(VSOCK_CFLAGS) $(VSOCK_SAN_FLAGS) -c -o $@ $<
$(O)/tests/vsock/vhost-user-vsock-sanitized: $(VSOCK_SAN_OBJS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(VSOCK_SAN_FLAGS) $(LDFLAGS) -o $@.tmp $^ && mv $@.tmp $@
-include $(VSOCK_OBJS:.o=.d) $(VSOCK_PROBE_OBJS:.o=.d) $(VSOCK_SAN_OBJS:.o=.d)

# The enclave side of tests/qemu-vsock-stream.t: static musl like init's test programs, with the
# back-end's own stream pattern and SHA-256.
VSOCK_GUEST_SRCS := tests/vsock/guest/vsock-test.c tests/vsock/stream.c tests/vsock/sha256.c
$(O)/tests/vsock/bin/vsock-test: $(VSOCK_GUEST_SRCS) tests/vsock/stream.h tests/vsock/sha256.h \
		tests/vsock/le.h $(INIT_UAPI)/.stamp | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(INIT_CC) $(WARN) $(CFLAGS) -isystem $(INIT_UAPI) -static -s \
		$(VSOCK_GUEST_SRCS) -o $@.tmp -lpthread && mv $@.tmp $@

# The reporter of tests/e2e-aarch64-boot.t: commands' output to the parent over vsock.
$(O)/tests/vsock/bin/vsock-run: tests/vsock/guest/vsock-run.c $(INIT_UAPI)/.stamp | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(INIT_CC) $(WARN) $(CFLAGS) -isystem $(INIT_UAPI) -static -s $< -o $@.tmp && \
		mv $@.tmp $@

CHECK_DEPS += $(O)/tests/vsock/bin/vsock-test
CHECK_DEPS += $(QEMU) $(O)/bin/vhost-user-vsock $(O)/tests/vsock/vhost-user-probe \
	$(O)/tests/vsock/vhost-user-vsock-sanitized

# Boot out/enclave.eif with the console on this terminal (Ctrl-A X quits QEMU).
# RUN_QEMU_ACPI=on boots with ACPI (devices from the DSDT); RUN_QEMU_HEARTBEAT=off plays a
# parent with no listener.
RUN_QEMU_ACPI ?= off
RUN_QEMU_HEARTBEAT ?= on
RUN_QEMU_TIMEOUT ?= 0
run-qemu: $(O)/enclave.eif $(QEMU) $(O)/bin/vhost-user-vsock | $(STAMP)/packages-check
	$(Q)O='$(abspath $(O))' QEMU_ACPI=$(RUN_QEMU_ACPI) QEMU_HEARTBEAT=$(RUN_QEMU_HEARTBEAT) \
		sh -c '. tests/lib/qemu.sh && qemu_boot_eif "$$0" - $(RUN_QEMU_TIMEOUT)' '$(O)/enclave.eif'
.PHONY: run-qemu
# What tests/kernel/hardened.t takes from O besides the hardened build (kernel/kernel.mk).
kernel-check-hardened: $(O)/bin/eif $(HELLO_ROOT)/bin/hello $(QEMU) $(O)/bin/vhost-user-vsock
