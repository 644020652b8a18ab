# examples/: applications to pack. hello is the default APP.
# Modes are set explicitly: eif cpio keeps a tree's modes, and the umask must not leak into them.
HELLO_ROOT := $(O)/examples/hello/rootfs

$(HELLO_ROOT)/bin/hello: examples/hello/hello.c nsm/nsm.h $(O)/lib/libnsm.a | $(STAMP)/packages-build
	$(call msg,MUSLCC,$@)
	$(Q)install -d -m 0755 $(HELLO_ROOT) $(@D) && $(MUSL_CC) $(MUSL_CFLAGS) -Insm -o $@.tmp $< $(O)/lib/libnsm.a && \
		$(TARGET_STRIP) --strip-all $@.tmp && chmod 0755 $@.tmp && mv $@.tmp $@

# The default application is built here; a user's APP is taken as it is.
ifeq ($(APP),$(HELLO_ROOT))
APP_DEPS := $(HELLO_ROOT)/bin/hello
endif
examples: $(HELLO_ROOT)/bin/hello
.PHONY: examples
