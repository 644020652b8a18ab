# cross/: building for an ARCH other than the host's (ARCH=aarch64 on x86_64): Debian's cross
# compiler and binutils (configs/packages/cross-ARCH, pinned in configs/sources-ARCH.lock) and
# the pinned musl-dev .deb of ARCH, unpacked under $(O)/musl (the host's dpkg never sees it).
# Sets for the other fragments: MUSL_CC (the cross gcc with the unpacked musl's specs; else the
# top level's musl-gcc), TARGET_AR and TARGET_STRIP for enclave programs (ar and strip when not
# cross-building), CROSS_LOCK (the extra lock file, or nothing).
ifeq ($(filter x86_64 aarch64,$(ARCH)),)
$(error ARCH=$(ARCH) is not supported; use ARCH=x86_64 (default) or ARCH=aarch64)
endif
TARGET_AR    := $(CROSS_COMPILE)ar
TARGET_STRIP := $(CROSS_COMPILE)strip
CROSS_LOCK   := $(if $(CROSS_COMPILE),configs/sources-$(ARCH).lock)

ifneq ($(CROSS_COMPILE),)
ifeq ($(wildcard configs/packages/cross-$(ARCH) $(CROSS_LOCK)),)
$(error ARCH=$(ARCH) on a $(shell uname -m) host: no cross toolchain is defined for it (configs/packages/cross-$(ARCH)); build on a $(ARCH) host)
endif
cross_lock_field = $(shell awk '$$1 == "deb" && $$2 ~ /\/$(1)_/ { print $$$(2); exit }' $(CROSS_LOCK))
MUSL_DEB_PATH    := $(call cross_lock_field,musl-dev,2)
MUSL_DEB_VERSION := $(call cross_lock_field,musl-dev,3)
MUSL_DEB_SHA256  := $(call cross_lock_field,musl-dev,4)
MUSL_DEB         := $(DL)/$(notdir $(MUSL_DEB_PATH))
# The host's apt does not list packages of a foreign architecture (none is added to dpkg), so
# after dl/, the cache and BUNDLE the .deb comes from its path in the Debian archive
# (fetch-pinned's POOL-PATH), then MIRRORS.
DEBIAN_MIRROR    ?= http://deb.debian.org/debian
ARCH_DEB         := $(if $(filter aarch64,$(ARCH)),arm64,$(ARCH))
MUSL_ROOT        := $(O)/musl
MUSL_SPECS       := $(MUSL_ROOT)/musl-gcc.specs
MUSL_CC          := $(CROSS_COMPILE)gcc -specs $(abspath $(MUSL_SPECS))

$(MUSL_DEB):
	$(call msg,FETCH,$@)
	$(Q)DL='$(@D)' DEBIAN_MIRROR='$(DEBIAN_MIRROR)' scripts/fetch-pinned musl-dev '$(MUSL_DEB_VERSION)' \
		$(ARCH_DEB) $(notdir $@) $(MUSL_DEB_SHA256) $(MUSL_DEB_PATH)

# The package's own specs name /usr/...; the copy names the unpacked tree. Checked again before
# unpacking: dl/ may have been touched since the fetch.
$(MUSL_SPECS): $(MUSL_DEB) $(CROSS_LOCK) cross/cross.mk
	$(call msg,UNPACK,$(MUSL_ROOT))
	$(Q)echo '$(MUSL_DEB_SHA256)  $(MUSL_DEB)' | sha256sum -c --quiet - || { echo "cross: $(MUSL_DEB) does not match $(CROSS_LOCK); delete it and run make again" >&2; exit 1; }
	$(Q)rm -rf $(MUSL_ROOT) && mkdir -p $(MUSL_ROOT) && dpkg-deb -x $(MUSL_DEB) $(MUSL_ROOT)/root
	$(Q)specs=$(MUSL_ROOT)/root/usr/lib/$(ARCH)-linux-musl/musl-gcc.specs && test -r $$specs || \
		{ echo "cross: $(MUSL_DEB) has no usr/lib/$(ARCH)-linux-musl/musl-gcc.specs; is it musl-dev for $(ARCH)?" >&2; exit 1; }; \
		sed 's|/usr/|$(abspath $(MUSL_ROOT))/root/usr/|g' $$specs >$@.tmp && mv $@.tmp $@

# Everything that needs the build toolchain waits for $(STAMP)/packages-build: for a cross build
# that toolchain includes the cross packages and the unpacked musl.
$(STAMP)/packages-build: $(STAMP)/packages-cross-$(ARCH) $(MUSL_SPECS)
fetch: $(MUSL_DEB)
endif
