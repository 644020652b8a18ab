# nsm/: our NSM virtio driver (nsm.ko), libnsm (static musl) and the nsm tool.  Included by the
# top-level Makefile.  Outputs: $(O)/nsm.ko, $(O)/lib/libnsm.a, $(O)/bin/nsm.
PREFIX  ?= /usr/local
DESTDIR ?=

NSM_LIB_SRCS  := $(sort $(wildcard nsm/lib/*.c)) cbor/cbor.c
NSM_TOOL_SRCS := $(sort $(wildcard nsm/tool/*.c)) common/cliopt.c
NSM_LIB_OBJS  := $(NSM_LIB_SRCS:%.c=$(O)/obj/nsm/musl/%.o)
NSM_TOOL_OBJS := $(NSM_TOOL_SRCS:%.c=$(O)/obj/nsm/musl/%.o)
NSM_CFLAGS    := $(MUSL_CFLAGS) -Insm -Insm/lib -Icbor -Icommon -MMD -MP

nsm: $(O)/nsm.ko $(O)/lib/libnsm.a $(O)/bin/nsm
.PHONY: nsm install-nsm nsm-module-in

# With the toolchain of scripts/toolchain.mk; -MT names the object as make does (it is /out/...
# inside the root).
$(O)/obj/nsm/musl/%.o: %.c $(TOOLCHAIN_DEP) | $(STAMP)/packages-build
	$(call msg,MUSLCC,$@)
	$(Q)mkdir -p $(@D) && $(toolchain_run) $(MUSL_CC) $(NSM_CFLAGS) -MT $@ -c -o $(call toolchain_path,$@) $<

# D: no timestamps, uids or modes in the archive.
$(O)/lib/libnsm.a: $(NSM_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@.tmp && $(toolchain_run) $(TARGET_AR) rcsD $(call toolchain_path,$@.tmp $^) && mv $@.tmp $@

$(O)/bin/nsm: $(NSM_TOOL_OBJS) $(O)/lib/libnsm.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(toolchain_run) $(MUSL_CC) $(MUSL_CFLAGS) -Wl,--build-id=none -o $(call toolchain_path,$@.tmp \
		$(NSM_TOOL_OBJS) $(O)/lib/libnsm.a) && $(toolchain_run) $(TARGET_STRIP) --strip-all $(call toolchain_path,$@.tmp) && \
		mv $@.tmp $@

-include $(NSM_LIB_OBJS:.o=.d) $(NSM_TOOL_OBJS:.o=.d)

# ---- nsm.ko -------------------------------------------------------------------------------
# Kbuild writes its objects next to the sources of an M= build, so the sources are copied into
# a build directory first.  The bytes must not depend on where that directory is: the prefix
# map turns its absolute path (which reaches __FILE__ and any debug info) into nsm/driver.
# Inside the toolchain root that directory is always /work (scripts/toolchain.mk).
# W=1 warnings fail the build.  `make nsm-module-in NSM_MODULE_DIR=/elsewhere` builds the
# same module in another directory (tests/nsm-driver-repro.t compares the two).
NSM_DRIVER_SRCS := nsm/driver/nsm.c nsm/driver/Kbuild
NSM_MODULE_DIR  ?= $(O)/obj/nsm/module
# nsm_build_module DIR [SOURCES]: copy the sources (default: the driver's) into DIR, build the
# module there against $(KB).
nsm_module_dir = $(if $(filter root,$(TOOLCHAIN)),/work,$(abspath $(1)))
nsm_build_module = rm -rf $(1) && mkdir -p $(1) && cp $(or $(2),$(NSM_DRIVER_SRCS)) $(1)/ && \
	$(call kernel_make_in,$(1)) M=$(call nsm_module_dir,$(1)) W=1 \
		KCFLAGS=-ffile-prefix-map=$(call nsm_module_dir,$(1))=$(patsubst %/,%,$(dir $(firstword $(or $(2),$(NSM_DRIVER_SRCS))))) \
		modules >$(1)/build.log 2>&1 || \
		{ cat $(1)/build.log >&2; echo "nsm: building a module in $(1) failed (log above)" >&2; exit 1; }; \
	if grep -nE '^[^ :]+:[0-9]+(:[0-9]+)?: warning:' $(1)/build.log >&2; then \
		echo "nsm: modules must build without W=1 warnings (see $(1)/build.log)" >&2; exit 1; fi

$(O)/nsm.ko: $(NSM_DRIVER_SRCS) $(K)/release $(TOOLCHAIN_DEP)
	$(call msg,KMOD,$@)
	$(Q)$(call nsm_build_module,$(O)/obj/nsm/module)
	$(Q)cp $(O)/obj/nsm/module/nsm.ko $@.tmp && mv $@.tmp $@

nsm-module-in: $(K)/release $(TOOLCHAIN_DEP)
	$(if $(filter-out $(abspath $(O)/obj/nsm/module),$(abspath $(NSM_MODULE_DIR))),,$(error NSM_MODULE_DIR must name another directory))
	$(call msg,KMOD,$(NSM_MODULE_DIR)/nsm.ko)
	$(Q)$(call nsm_build_module,$(NSM_MODULE_DIR))

# A software NSM device that claims more answer bytes than it wrote (tests/nsm-guest.t).
NSM_LIAR_SRCS := tests/nsm/liar/nsm_liar.c tests/nsm/liar/Kbuild
$(O)/tests/nsm/nsm-liar.ko: $(NSM_LIAR_SRCS) $(K)/release $(TOOLCHAIN_DEP)
	$(call msg,KMOD,$@)
	$(Q)$(call nsm_build_module,$(O)/obj/tests/nsm/liar,$(NSM_LIAR_SRCS))
	$(Q)mkdir -p $(@D) && cp $(O)/obj/tests/nsm/liar/nsm_liar.ko $@.tmp && mv $@.tmp $@

# ---- host tests ----------------------------------------------------------------------------
# Unit tests of libnsm with the host compiler under ASan/UBSan; a libFuzzer target for its
# decoders (clang).  tests/nsm-unit.t and tests/nsm-fuzz.t run them.
NSM_FUZZ_CC     ?= clang
NSM_TEST_CFLAGS := $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Insm -Insm/lib -Icbor -Itests/lib
NSM_LIB_HDRS    := nsm/nsm.h nsm/lib/internal.h cbor/cbor.h
NSM_FUZZ_SRCS   := tests/nsm/fuzz-decode.c nsm/lib/decode.c nsm/lib/names.c cbor/cbor.c

$(O)/tests/nsm/unit: tests/nsm/unit.c tests/lib/tap.h $(NSM_LIB_SRCS) $(NSM_LIB_HDRS) | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(NSM_TEST_CFLAGS) -o $@ tests/nsm/unit.c $(NSM_LIB_SRCS)
$(O)/tests/nsm/fuzz-decode: $(NSM_FUZZ_SRCS) $(NSM_LIB_HDRS) | $(STAMP)/packages-check
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(NSM_FUZZ_CC) $(NSM_TEST_CFLAGS) -fsanitize=fuzzer -o $@ $(NSM_FUZZ_SRCS)

# ---- in-guest test program ------------------------------------------------------------------
# tests/nsm-guest.t packs it with $(O)/bin/nsm and a copy of $(O)/nsm.ko into a user ramdisk.
$(O)/tests/nsm/bin/nsm-guest: tests/nsm/guest.c nsm/nsm.h $(O)/lib/libnsm.a | $(STAMP)/packages-build
	$(call msg,MUSLCC,$@)
	$(Q)mkdir -p $(@D) && $(MUSL_CC) $(MUSL_CFLAGS) -Insm -Wl,--build-id=none -o $@.tmp $< \
		$(O)/lib/libnsm.a && $(TARGET_STRIP) --strip-all $@.tmp && mv $@.tmp $@

# ---- install -------------------------------------------------------------------------------
install-nsm: $(O)/bin/nsm nsm/nsm.1
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX)/bin/nsm)
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	$(Q)install -m 0755 $(O)/bin/nsm $(DESTDIR)$(PREFIX)/bin/nsm
	$(Q)install -m 0644 nsm/nsm.1 $(DESTDIR)$(PREFIX)/share/man/man1/nsm.1

CHECK_DEPS   += $(O)/nsm.ko $(O)/lib/libnsm.a $(O)/bin/nsm $(O)/tests/nsm/unit \
	$(O)/tests/nsm/fuzz-decode $(O)/tests/nsm/bin/nsm-guest $(O)/tests/nsm/nsm-liar.ko
INSTALL_DEPS += install-nsm
