# enclave-kit: pinned sources -> kernel, nsm.ko, init -> ramdisks -> out/enclave.eif
# Knobs (make help lists them):
ARCH              ?= x86_64
O                 ?= out
V                 ?= 0
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
APP               ?= examples/hello/rootfs
CMD               ?= /bin/hello
ENV               ?= examples/hello/env
NAME              ?= enclave
KERNEL_CONFIG     ?= configs/kernel/$(ARCH).defconfig
HARDEN            ?= 0
CACHE_DIR         ?= $(if $(filter 0,$(shell id -u)),/var/cache/enclave-kit,$(HOME)/.cache/enclave-kit)
export SOURCE_DATE_EPOCH CACHE_DIR

Q     := $(if $(filter 1,$(V)),,@)
msg    = $(if $(Q),@printf '  %-7s %s\n' '$(1)' '$(2)';)
STAMP := $(O)/stamp
CC    ?= cc
CFLAGS ?= -O2
WARN  := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
CHECK_DEPS :=
INSTALL_DEPS :=
BENCH_DEPS :=
CLEAN_FILES :=

all: $(O)/enclave.eif $(O)/pcr.json

$(STAMP)/packages-%: configs/packages/%
	$(Q)mkdir -p $(@D) && scripts/ensure-packages $* && touch $@

-include eif/eif.mk kernel/kernel.mk nsm/nsm.mk init/init.mk examples/examples.mk tests/tests.mk

# System ramdisk: dev/, init, nsm.ko (the AWS bootstrap layout).  User ramdisk: the app.
$(O)/ramdisk/system.cpio: $(O)/init $(O)/nsm.ko configs/ramdisk/system.list $(O)/bin/eif
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D) && $(O)/bin/eif cpio --mtime $(SOURCE_DATE_EPOCH) --base $(O) \
		--list configs/ramdisk/system.list -o $@
$(O)/ramdisk/user.cpio: $(shell find $(APP) $(ENV) 2>/dev/null) configs/ramdisk/user.list $(O)/bin/eif FORCE_CMD
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D) && scripts/user-ramdisk $(O)/bin/eif '$(APP)' '$(CMD)' '$(ENV)' $@
$(O)/enclave.eif $(O)/pcr.json &: $(O)/bzImage configs/cmdline/$(ARCH) $(O)/ramdisk/system.cpio $(O)/ramdisk/user.cpio $(O)/kernel/release
	$(call msg,EIF,$(O)/enclave.eif)
	$(Q)$(O)/bin/eif build --kernel $(O)/bzImage --cmdline "$$(cat configs/cmdline/$(ARCH))" \
		--ramdisk $(O)/ramdisk/system.cpio --ramdisk $(O)/ramdisk/user.cpio \
		--name $(NAME) --arch $(ARCH) --build-tool enclave-kit --build-tool-version $(EIF_VERSION) \
		--img-os Linux --img-kernel "$$(cat $(O)/kernel/release)" \
		--output $(O)/enclave.eif > $(O)/pcr.json.tmp && mv $(O)/pcr.json.tmp $(O)/pcr.json

check: all $(CHECK_DEPS) | $(STAMP)/packages-check
	$(Q)O=$(O) tests/run
bench: $(BENCH_DEPS)
install: $(INSTALL_DEPS)
clean:
	rm -rf $(O) $(CLEAN_FILES)
help:
	@sed -n '2,/^export/p' Makefile | sed -e 's/^# *//' -e '/^export/d'
	@echo 'Targets: all (default) check bench install clean help kernel eif nsm init run-qemu sign'
.PHONY: all check bench install clean help
