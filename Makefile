# enclave-kit: pinned sources -> kernel, nsm.ko, init -> ramdisks -> out/enclave.eif
# Knobs (make help lists them):
ARCH              ?= x86_64
O                 ?= out
V                 ?= 0
SOURCE_DATE_EPOCH ?= 1735689600# 2025-01-01 00:00 UTC: pinned, so the PCRs do not move with each commit
APP               ?= $(O)/examples/hello/rootfs
# An image (APP=oci:... or docker-archive:...) brings its own command and environment.
CMD               ?= $(if $(filter oci:% docker-archive:%,$(APP)),,/bin/hello)
ENV               ?= $(if $(filter oci:% docker-archive:%,$(APP)),,examples/hello/env)
NAME              ?= enclave
VERSION           := 0.1.0
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
MUSL_CC ?= musl-gcc
MUSL_CFLAGS ?= -static -Os $(WARN) -ffile-prefix-map=$(CURDIR)/= -fno-ident
CHECK_DEPS :=
INSTALL_DEPS :=
BENCH_DEPS :=
CLEAN_FILES :=

all: $(O)/enclave.eif $(O)/pcr.json $(O)/sbom.spdx.json $(O)/provenance

$(STAMP)/packages-%: configs/packages/%
	$(Q)mkdir -p $(@D) && scripts/ensure-packages $* && touch $@

include eif/eif.mk kernel/kernel.mk nsm/nsm.mk init/init.mk examples/examples.mk tests/tests.mk

# System ramdisk: dev/, init, nsm.ko (the AWS bootstrap layout).  User ramdisk: the app.
$(O)/ramdisk/system.cpio: configs/ramdisk/system.list $(O)/init $(O)/nsm.ko $(O)/bin/eif
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D) && $(O)/bin/eif cpio --mtime $(SOURCE_DATE_EPOCH) --base $(O) --list $< -o $@
# APP=oci:LAYOUT[:TAG] or docker-archive:FILE[:TAG]: the layout or file is what changes.
APP_PATH := $(if $(filter oci:% docker-archive:%,$(APP)),$(word 2,$(subst :, ,$(APP))),$(APP))
APP_DEPS ?= $(shell find $(APP_PATH) $(ENV) 2>/dev/null)
$(O)/ramdisk/user.cpio: scripts/user-ramdisk $(STAMP)/cmd $(APP_DEPS) $(ENV) $(O)/bin/eif
	$(call msg,CPIO,$@)
	$(Q)mkdir -p $(@D) && ARCH=$(ARCH) $< $(O)/bin/eif '$(APP)' "$$(cat $(STAMP)/cmd)" '$(ENV)' $@
$(STAMP)/cmd: FORCE	# rewritten only when CMD changes, so only then is the user ramdisk rebuilt
	@mkdir -p $(@D) && printf '%s' '$(subst ','\'',$(CMD))' >$@.tmp && \
		{ cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@; }
$(O)/enclave.eif $(O)/pcr.json &: $(O)/bzImage configs/cmdline/$(ARCH) $(O)/kernel/release \
		$(O)/ramdisk/system.cpio $(O)/ramdisk/user.cpio $(O)/bin/eif
	$(call msg,EIF,$(O)/enclave.eif)
	$(Q)$(O)/bin/eif build --kernel $(O)/bzImage --cmdline "$$(cat configs/cmdline/$(ARCH))" \
		--ramdisk $(O)/ramdisk/system.cpio --ramdisk $(O)/ramdisk/user.cpio \
		--name $(NAME) --version $(VERSION) --arch $(ARCH) \
		--build-tool enclave-kit --build-tool-version $(VERSION) \
		--img-os Linux --img-kernel "$$(cat $(O)/kernel/release)" \
		--output $(O)/enclave.eif >$(O)/pcr.json.tmp && mv $(O)/pcr.json.tmp $(O)/pcr.json
sign: $(O)/enclave.eif
	$(if $(and $(KEY),$(CERT)),,$(error make sign needs KEY=private-key.pem CERT=certificate.pem))
	$(call msg,SIGN,$<)
	$(Q)$(O)/bin/eif sign $< --private-key $(KEY) --signing-certificate $(CERT)

$(O)/sbom.spdx.json: scripts/sbom configs/sources.lock $(O)/enclave.eif $(O)/kernel/config
	$(call msg,SBOM,$@)
	$(Q)scripts/sbom $(O) '$(APP)' >$@.tmp && mv $@.tmp $@

# Which build step made each section and ramdisk entry from which pinned input (eif audit).
$(O)/provenance: scripts/provenance scripts/user-ramdisk configs/sources.lock configs/ramdisk/system.list \
		configs/cmdline/$(ARCH) $(KERNEL_CONFIG) $(O)/enclave.eif $(STAMP)/cmd $(APP_DEPS) $(ENV)
	$(call msg,PROV,$@)
	$(Q)ARCH=$(ARCH) KERNEL_CONFIG=$(KERNEL_CONFIG) NAME='$(NAME)' VERSION='$(VERSION)' \
		$(if $(CERT),CERT='$(CERT)') scripts/provenance $(O) '$(APP)' "$$(cat $(STAMP)/cmd)" \
		'$(ENV)' >$@.tmp && mv $@.tmp $@
audit: $(O)/enclave.eif $(O)/provenance
	$(Q)$(O)/bin/eif audit $(O)/enclave.eif --provenance $(O)/provenance

fetch: $(KERNEL_DEB)	# every download; after it, `make` needs no network
repro-check: | $(STAMP)/packages-check
	$(Q)scripts/repro-check

# Whether the knobs that change the PCRs are all at their defaults (configs/expected-pcr.json).
default_build := $(if $(strip $(foreach v,APP CMD ENV KERNEL_CONFIG KERNEL_SOURCE SOURCE_DATE_EPOCH,\
	$(filter-out file undefined,$(origin $(v))))$(filter-out 0,$(HARDEN))),no,yes)
check: all $(CHECK_DEPS) | $(STAMP)/packages-check
	$(Q)O=$(O) DEFAULT_BUILD=$(default_build) tests/run
bench: $(BENCH_DEPS)
install: $(INSTALL_DEPS)
clean:
	rm -rf $(O) $(CLEAN_FILES)
help:
	@echo 'Targets:'
	@echo '  all (default)  out/enclave.eif, out/pcr.json, out/sbom.spdx.json'
	@echo '  check          every test (T=pattern for a subset, e.g. T="eif-*")'
	@echo '  kernel eif nsm init examples    one part of the boot chain'
	@echo '  fetch          download every input into dl/; after it make needs no network'
	@echo '  sign           sign out/enclave.eif: make sign KEY=key.pem CERT=cert.pem'
	@echo '  run-qemu       boot out/enclave.eif under QEMU nitro-enclave, console here'
	@echo '  audit          account for every byte of out/enclave.eif (eif audit)'
	@echo '  repro-check    build again elsewhere, compare every artifact byte for byte'
	@echo '  kernel-audit   which hardening options the kernel config has, and why not'
	@echo '  bench fuzz install clean'
	@echo 'Knobs (current value):'
	@echo '  APP=$(APP)  the application tree (directory or .tar), or an image:'
	@echo '      oci:LAYOUT[:TAG] or docker-archive:FILE[:TAG] (CMD, ENV from its config if unset)'
	@echo '  CMD=$(CMD)  ENV=$(ENV)'
	@echo '  NAME=$(NAME)  ARCH=$(ARCH)  O=$(O)  V=$(V) (1: show commands)'
	@echo '  SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH)  (file times and build time in the image)'
	@echo '  KERNEL_CONFIG=$(KERNEL_CONFIG)  HARDEN=$(HARDEN)'
	@echo '  KERNEL_SOURCE=linux-x.y.z.tar.xz KERNEL_SHA256=...  your own kernel tarball'
	@echo '  CACHE_DIR=$(CACHE_DIR)  PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)'
.PHONY: all check bench install clean help sign fetch repro-check audit FORCE
