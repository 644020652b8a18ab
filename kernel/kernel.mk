# kernel/: the enclave kernel from the pinned Debian linux-source package (or your own tarball),
# configured from configs/kernel/, built reproducibly.  Outputs other parts rely on:
#   $(KERNEL_IMAGE)       the kernel image: $(O)/bzImage (x86_64), $(O)/Image (aarch64)
#   $(O)/kernel/release   kernel release string, no trailing newline (e.g. 6.12.118)
#   $(O)/kernel/config    the resolved .config
#   $(O)/kernel/toolchain which toolchain built the image (scripts/toolchain.mk's record:
#                         "root KEY" or "host")
#   $(O)/kernel/build/    the kernel tree, built in place: modules_prepare output and
#                         Module.symvers, so `make -C $(O)/kernel/build M=$PWD modules` works
# Knobs (besides KERNEL_CONFIG and HARDEN from the top level):
#   KERNEL_SOURCE=linux-x.y.z.tar.xz KERNEL_SHA256=<hex>  build from your own kernel.org tarball
#   KERNEL_PATCHES=...    patches applied after unpacking (default: kernel/patches/*.patch)
#   DL=dl                 where the pinned .deb is kept (scripts/fetch-pinned: BUNDLE, MIRRORS)

KERNEL_LOCK    := configs/sources.lock
KERNEL_PACKAGE := linux-source-6.12
kernel_lock_field = $(shell awk '$$1 == "$(1)" && $$2 == "$(2)" { print $$$(3); exit }' $(KERNEL_LOCK))
KERNEL_DEB_VERSION := $(call kernel_lock_field,source,$(KERNEL_PACKAGE),3)
KERNEL_DEB_SHA256  := $(call kernel_lock_field,source,$(KERNEL_PACKAGE),4)
KERNEL_MEMBER      := usr/src/$(KERNEL_PACKAGE).tar.xz
KERNEL_MEMBER_SHA256 := $(call kernel_lock_field,member,$(KERNEL_MEMBER),4)
DL             ?= dl
KERNEL_DEB     := $(DL)/$(KERNEL_PACKAGE)_$(KERNEL_DEB_VERSION)_all.deb
KERNEL_SOURCE  ?=
KERNEL_SHA256  ?=
KERNEL_PATCHES ?= $(sort $(wildcard kernel/patches/*.patch))
KERNEL_HARDENING := configs/kernel/hardening.fragment
# The kernel policy (kernel/policy/, kernel/audit): forbidden and required options, our vsock
# patches applied, the source at the pinned version (the upstream part of the Debian version).
KERNEL_POLICY := kernel/policy/common.policy kernel/policy/$(ARCH).policy
KERNEL_PIN_VERSION := $(firstword $(subst -, ,$(KERNEL_DEB_VERSION)))
KERNEL_FRAGMENTS  = $(KERNEL_CONFIG) $(if $(filter 1,$(HARDEN)),$(KERNEL_HARDENING))

K  := $(O)/kernel
KB := $(K)/build

# Reproducible identity of the build (docs/reproducibility.md#kernel-identity); the timestamp is
# SOURCE_DATE_EPOCH.
kernel_epoch := $(SOURCE_DATE_EPOCH)
kernel_timestamp := $(shell LC_ALL=C TZ=UTC date -u -d '@$(kernel_epoch)' '+%a %b %e %H:%M:%S UTC %Y' 2>/dev/null)
KERNEL_BUILD_USER := enclave-kit
KERNEL_BUILD_HOST := enclave-kit
# Kconfig asks rustc, bindgen and pahole for their versions and writes them into the config
# (CONFIG_RUSTC_VERSION, CONFIG_PAHOLE_VERSION, ...): whatever the host happens to have (a
# rustup toolchain in PATH, dwarves) would change the config. None of them is used (no Rust, no
# BTF), so Kbuild is given names no host has and the config always says 0.
kernel_no_host_probes := RUSTC=enclave-kit-no-rustc BINDGEN=enclave-kit-no-bindgen \
	PAHOLE=enclave-kit-no-pahole

# Knob values live in $(K)/NAME.id, rewritten (so newer than the outputs) whenever they differ from
# $(K)/NAME.done, which the step writes when it succeeds. So switching HARDEN, KERNEL_CONFIG or
# KERNEL_SOURCE redoes exactly the steps that depend on them, and a step that another make in the
# same tree did with other knobs is redone on the next run.
kernel_source_id := $(if $(KERNEL_SOURCE),tarball $(KERNEL_SOURCE) $(KERNEL_SHA256),deb $(KERNEL_DEB) $(KERNEL_DEB_SHA256) $(KERNEL_MEMBER_SHA256)) patches: $(KERNEL_PATCHES)
kernel_config_id := fragments: $(KERNEL_FRAGMENTS) $(kernel_no_host_probes)
kernel_build_id  := timestamp=$(kernel_timestamp) user=$(KERNEL_BUILD_USER) host=$(KERNEL_BUILD_HOST) version=1
define kernel_knob
ifneq ($$(kernel_$(1)_id),$$(file <$(K)/$(1).done))
$$(shell mkdir -p $(K))
$$(file >$(K)/$(1).id,$$(kernel_$(1)_id))
endif
endef
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
$(foreach step,source config build,$(eval $(call kernel_knob,$(step))))
endif
# kernel_done STEP: the recipe line that records a step's knobs as done.
kernel_done = printf '%s\n' '$(kernel_$(1)_id)' >$(K)/$(1).done

# Kbuild in the unpacked tree, one run at a time (several people may run make in one clone),
# with the toolchain of scripts/toolchain.mk (TOOLCHAIN=root: inside the pinned root, the tree
# at /out/kernel/build).  Everything that reaches the image is fixed here; O= and CC= from
# our own command line must not leak into Kbuild (O would move its output, CC could be musl-gcc).
# kernel_make_in WORKDIR: the same with WORKDIR mounted at /work (an out-of-tree module's).
kernel_arch_x86_64 := x86_64
kernel_image_x86_64 := arch/x86/boot/bzImage
kernel_arch_aarch64 := arm64
kernel_image_aarch64 := arch/arm64/boot/Image
KERNEL_IMAGE := $(O)/$(notdir $(kernel_image_$(ARCH)))
kernel_make = $(call kernel_make_in,)
kernel_make_in = flock $(K)/kbuild.lock $(if $(filter root,$(TOOLCHAIN)),$(call toolchain_run,$(1)) make,$(MAKE)) \
	-C $(call toolchain_abspath,$(KB)) O= V=$(if $(Q),0,1) ARCH=$(kernel_arch_$(ARCH)) \
	CROSS_COMPILE=$(CROSS_COMPILE) CC=$(CROSS_COMPILE)gcc LD=$(CROSS_COMPILE)ld HOSTCC=gcc HOSTCXX=g++ LOCALVERSION= KCFLAGS= \
	KBUILD_BUILD_TIMESTAMP='$(kernel_timestamp)' KBUILD_BUILD_USER=$(KERNEL_BUILD_USER) \
	KBUILD_BUILD_HOST=$(KERNEL_BUILD_HOST) KBUILD_BUILD_VERSION=1 $(kernel_no_host_probes)
# Without a -j of our own, give Kbuild one job per core; with -jN, share our jobserver. make
# hands the jobserver only to recipe lines it knows run make: $(MAKE) hidden in kernel_make is
# not seen, so those lines start with '+' (without it Kbuild ran on one job under make -jN).
# Inside the toolchain root (an empty environment, no MAKEFLAGS) Kbuild gets our -jN instead.
kernel_jobs = $(if $(filter root,$(TOOLCHAIN)),-j$(or $(patsubst -j%,%,$(lastword $(filter -j%,$(MAKEFLAGS)))),$(shell nproc)),\
	$(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(shell nproc)))
# kernel_logged LOG: quiet mode keeps Kbuild's output in LOG and shows its tail on failure.
kernel_logged = $(if $(Q),>$(1) 2>&1 || { tail -n 40 $(1) >&2; \
	echo "kernel: the step above failed; full log: $(1)" >&2; exit 1; })

kernel: $(KERNEL_IMAGE) $(K)/release $(K)/config
.PHONY: kernel kernel-audit repro-kernel

$(KERNEL_DEB): | $(STAMP)/packages-build
	$(Q)DL='$(@D)' scripts/fetch-pinned $(KERNEL_PACKAGE) '$(KERNEL_DEB_VERSION)' all $(notdir $@) $(KERNEL_DEB_SHA256)

kernel_source_input := $(if $(KERNEL_SOURCE),$(KERNEL_SOURCE),$(KERNEL_DEB))
kernel_unpack_args = $(if $(KERNEL_SOURCE),tarball '$(KERNEL_SOURCE)' '$(KERNEL_SHA256)',deb '$(KERNEL_DEB)' \
	$(KERNEL_DEB_SHA256) $(KERNEL_MEMBER) $(KERNEL_MEMBER_SHA256))

# A new toolchain unpacks the tree afresh: Kbuild would keep objects another compiler made.
$(STAMP)/kernel-source: $(kernel_source_input) $(K)/source.id $(KERNEL_PATCHES) kernel/unpack-source $(TOOLCHAIN_DEP) \
		| $(STAMP)/packages-build
	$(if $(KERNEL_SOURCE),$(if $(KERNEL_SHA256),,@echo "kernel: KERNEL_SOURCE=$(KERNEL_SOURCE) needs KERNEL_SHA256=<sha256 of that file>" >&2; exit 1))
	$(call msg,UNPACK,$(KB))
	$(Q)mkdir -p $(K) && flock $(K)/kbuild.lock kernel/unpack-source $(kernel_unpack_args) $(KB) $(KERNEL_PATCHES)
	$(Q)mkdir -p $(@D) && touch $@ && $(call kernel_done,source)

$(K)/config: $(STAMP)/kernel-source $(KERNEL_FRAGMENTS) $(K)/config.id kernel/check-config
	$(if $(kernel_arch_$(ARCH)),,@echo "kernel: ARCH=$(ARCH) is not supported yet; use ARCH=x86_64" >&2; exit 1)
	$(call msg,CONFIG,$@ from $(strip $(KERNEL_FRAGMENTS)))
	$(Q)cat $(KERNEL_FRAGMENTS) >$(K)/config.in
	$(Q)$(kernel_make) allnoconfig KCONFIG_ALLCONFIG=$(call toolchain_abspath,$(K)/config.in) $(call kernel_logged,$(K)/config.log)
	$(Q)$(kernel_make) olddefconfig $(call kernel_logged,$(K)/olddefconfig.log)
	$(Q)kernel/check-config $(KB)/.config $(KERNEL_FRAGMENTS)
	$(Q)cp $(KB)/.config $@.tmp && mv $@.tmp $@ && $(call kernel_done,config)

# The policy check, before Kbuild spends its time: with HARDEN=1 a violation stops the build,
# otherwise it is printed as a warning. Order-only below, so re-checking never rebuilds the kernel.
kernel_audit_args = --arch $(ARCH) --config $(K)/config --source $(KB) --patches kernel/patches \
	--pin $(KERNEL_PIN_VERSION)
$(K)/policy.ok: $(K)/config $(STAMP)/kernel-source kernel/audit $(KERNEL_POLICY)
	$(Q)kernel/audit --quiet $(if $(filter 1,$(HARDEN)),,--warn) $(kernel_audit_args)
	$(Q)touch $@

$(KERNEL_IMAGE) $(K)/release &: $(K)/config $(K)/build.id kernel/check-identity \
		$(if $(filter aarch64,$(ARCH)),kernel/arm64-text-offset) | $(K)/policy.ok
	$(if $(kernel_timestamp),,@echo "kernel: SOURCE_DATE_EPOCH='$(kernel_epoch)' is not a number of seconds; set SOURCE_DATE_EPOCH=<epoch>" >&2; exit 1)
	$(call msg,KBUILD,$(KB) (log: $(K)/kbuild.log))
	$(Q)+$(kernel_make) $(kernel_jobs) $(notdir $(KERNEL_IMAGE)) modules $(call kernel_logged,$(K)/kbuild.log)
	$(Q)test -s $(KB)/Module.symvers || { echo "kernel: $(KB)/Module.symvers is missing or empty after the build; out-of-tree modules cannot be built" >&2; exit 1; }
	$(Q)kernel/check-identity $(if $(filter x86_64,$(ARCH)),$(KB)/$(kernel_image_$(ARCH)),-) $(KB)/vmlinux "$$(cat $(KB)/include/config/kernel.release)" \
		$(KERNEL_BUILD_USER) $(KERNEL_BUILD_HOST) '$(kernel_timestamp)'
	$(Q)cp $(KB)/$(kernel_image_$(ARCH)) $(KERNEL_IMAGE).tmp $(if $(filter aarch64,$(ARCH)),&& kernel/arm64-text-offset $(KERNEL_IMAGE).tmp) \
		&& mv $(KERNEL_IMAGE).tmp $(KERNEL_IMAGE)
	$(Q)printf '%s' "$$(cat $(KB)/include/config/kernel.release)" >$(K)/release.tmp && mv $(K)/release.tmp $(K)/release
	$(Q)cp $(TOOLCHAIN_ID) $(K)/toolchain.tmp && mv $(K)/toolchain.tmp $(K)/toolchain && $(call kernel_done,build)
	@printf '  %-7s %s  %s (%s bytes, release %s)\n' SHA256 "$$(sha256sum <$(KERNEL_IMAGE) | cut -d' ' -f1)" \
		$(KERNEL_IMAGE) "$$(wc -c <$(KERNEL_IMAGE))" "$$(cat $(K)/release)"

CHECK_DEPS += $(KERNEL_IMAGE) $(K)/release

# The policy, rule by rule with reasons (fails on a violation), then which recommended hardening
# options the active config has (a report; HARDEN=1 enforces them).
kernel-audit: $(K)/config $(STAMP)/kernel-source kernel/audit $(KERNEL_POLICY) $(KERNEL_HARDENING)
	@echo "kernel-audit: $(K)/config (KERNEL_CONFIG=$(KERNEL_CONFIG) HARDEN=$(HARDEN)), source $(KB)"
	$(Q)kernel/audit $(kernel_audit_args) --fragment $(KERNEL_HARDENING)

# Reproducibility: a second build elsewhere, under another umask, TZ, locale and -j, must give the
# same kernel image (bzImage, or Image for aarch64; one full kernel build; REPRO_DIR is wiped first).
REPRO_DIR ?= $(O)/repro-kernel
repro-kernel: $(KERNEL_IMAGE) kernel/repro-check
	$(Q)kernel/repro-check $(KERNEL_IMAGE) $(REPRO_DIR) ARCH=$(ARCH) $(if $(filter 1,$(HARDEN)),HARDEN=1) \
		$(if $(filter command line,$(origin KERNEL_CONFIG)),KERNEL_CONFIG=$(abspath $(KERNEL_CONFIG)))

# The hardened kernel (HARDEN=1) in its own output tree, booted by the same boot test, then the
# hardened enclave (its system ramdisk: init, nsm.ko, /lockdown) by tests/kernel/hardened.t, which
# looks at lockdown, modules_disabled and /dev/nsm from inside the application. Costly: two
# kernel-sized steps and three QEMU boots, so not part of make check.
HARDEN_O ?= $(O)/hardened
kernel-check-hardened: | $(STAMP)/packages-check
	$(Q)$(MAKE) O=$(HARDEN_O) HARDEN=1 kernel $(HARDEN_O)/ramdisk/system.cpio
	$(Q)TOP=$(CURDIR) O=$(abspath $(O)) EIF=$(abspath $(O))/bin/eif KERNEL_TEST_IMAGE=$(abspath $(HARDEN_O))/bzImage \
		KERNEL_TEST_RELEASE=$(abspath $(HARDEN_O))/kernel/release tests/kernel-boot.t
	$(Q)TOP=$(CURDIR) O=$(abspath $(O)) EIF=$(abspath $(O))/bin/eif HARDEN_O=$(abspath $(HARDEN_O)) \
		tests/kernel/hardened.t
.PHONY: kernel-check-hardened
