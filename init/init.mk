# init/: the enclave's PID 1, static musl, stripped, same bytes from any build directory.
INIT_CC       = $(MUSL_CC)
INIT_SOURCES := $(wildcard init/*.c)
INIT_OBJECTS := $(patsubst init/%.c,$(O)/obj/init/%.o,$(INIT_SOURCES))
INIT_UAPI    := $(O)/obj/init/uapi
# musl-gcc searches only musl's headers; the kernel's uapi headers (linux-libc-dev, for
# <linux/vm_sockets.h>; linux-libc-dev-arm64-cross when cross-building) come in through a
# directory of links, without glibc's headers. The links are absolute: inside the toolchain
# root (scripts/toolchain.mk) they name the root's headers.
INIT_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
INIT_UAPI_DIR  := $(if $(CROSS_COMPILE),/usr/$(CROSS_COMPILE:-=)/include,/usr/include)
INIT_UAPI_ASM  := $(if $(CROSS_COMPILE),$(INIT_UAPI_DIR)/asm,/usr/include/$(INIT_MULTIARCH)/asm)
# No unwind tables or .comment paths: PID 1 never unwinds, and the bytes must not depend on the
# checkout's location (prefix map) or the build directory (objects are never named in the ELF).
INIT_CFLAGS  := $(WARN) $(CFLAGS) -ffile-prefix-map=$(CURDIR)/= -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffunction-sections -fdata-sections -isystem $(call toolchain_path,$(INIT_UAPI))
INIT_LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=none

$(INIT_UAPI)/.stamp: | $(STAMP)/packages-build
	$(Q)rm -rf $(@D) && mkdir -p $(@D) && \
		ln -s $(INIT_UAPI_DIR)/linux $(@D)/linux && \
		ln -s $(INIT_UAPI_DIR)/asm-generic $(@D)/asm-generic && \
		ln -s $(INIT_UAPI_ASM) $(@D)/asm && touch $@

$(O)/obj/init/%.o: init/%.c init/init.mk $(INIT_UAPI)/.stamp $(TOOLCHAIN_DEP) | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(toolchain_run) $(INIT_CC) $(INIT_CFLAGS) -MMD -MP -MT $@ -c $< -o $(call toolchain_path,$@)

$(O)/obj/init/init.elf: $(INIT_OBJECTS)
	$(call msg,LD,$@)
	$(Q)$(toolchain_run) $(INIT_CC) $(INIT_CFLAGS) $(INIT_LDFLAGS) $(call toolchain_path,$^ -o $@)

$(O)/init: $(O)/obj/init/init.elf
	$(call msg,STRIP,$@)
	$(Q)$(toolchain_run) $(TARGET_STRIP) --strip-all -o $(call toolchain_path,$@.tmp $<) && mv $@.tmp $@

# Unit tests of the /cmd and /env parsers and the PATH search: host compiler, TAP output.
$(O)/tests/init/config-test: tests/init/config-test.c init/config.c init/exec.c init/config.h init/exec.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(WARN) $(CFLAGS) -Iinit tests/init/config-test.c init/config.c \
		init/exec.c -o $@

# Programs for the boot tests' user root filesystems.
INIT_TEST_PROGRAMS := $(patsubst tests/init/rootfs-%.c,$(O)/tests/init/bin/%,$(wildcard tests/init/rootfs-*.c))
$(O)/tests/init/bin/%: tests/init/rootfs-%.c | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(INIT_CC) $(WARN) $(CFLAGS) -static -s $< -o $@

init: $(O)/init
.PHONY: init
CHECK_DEPS += $(O)/init $(O)/tests/init/config-test $(INIT_TEST_PROGRAMS)

-include $(INIT_OBJECTS:.o=.d)
