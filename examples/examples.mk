# examples/: applications to pack. hello is the default APP.
# Modes are set explicitly: eif cpio keeps a tree's modes, and the umask must not leak into them.
HELLO_ROOT := $(O)/examples/hello/rootfs

# Built with the toolchain of scripts/toolchain.mk (the default PCRs include it).
$(HELLO_ROOT)/bin/hello: examples/hello/hello.c nsm/nsm.h $(O)/lib/libnsm.a $(TOOLCHAIN_DEP) | $(STAMP)/packages-build
	$(call msg,MUSLCC,$@)
	$(Q)install -d -m 0755 $(HELLO_ROOT) $(@D) && $(toolchain_run) $(MUSL_CC) $(MUSL_CFLAGS) -Insm \
		-o $(call toolchain_path,$@.tmp $< $(O)/lib/libnsm.a) && \
		$(toolchain_run) $(TARGET_STRIP) --strip-all $(call toolchain_path,$@.tmp) && chmod 0755 $@.tmp && mv $@.tmp $@

# The default application is built here; a user's APP is taken as it is.
ifeq ($(APP),$(HELLO_ROOT))
APP_DEPS := $(HELLO_ROOT)/bin/hello
endif
examples: $(HELLO_ROOT)/bin/hello
.PHONY: examples
