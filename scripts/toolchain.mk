# The toolchain the enclave's parts are built with (issue 12): the kernel, nsm.ko, init, libnsm,
# the nsm tool and the hello example. Included by the top-level Makefile before the parts.
#   TOOLCHAIN=root (the default for x86_64 on an x86_64 host): inside the pinned root of
#     configs/toolchain.lock (scripts/toolchain-root), through scripts/toolchain-run: the source
#     tree at /src, $(O) at /out, a module's build directory at /work, whatever their host paths.
#   TOOLCHAIN=host: the host's own compiler and tools; its bytes are the published ones only when
#     the host has the lock's versions. ARCH=aarch64 (cross or native) always uses it for now:
#     the lock holds amd64 packages and no cross compiler yet.
# For the fragments:
#   $(call toolchain_run[,WORKDIR])  the prefix of a command run with the toolchain (empty for
#                                    host); WORKDIR is mounted at /work
#   $(call toolchain_path,PATHS)     PATHS under $(O) as that command sees them
#   $(call toolchain_abspath,PATH)   the same, absolute (for a command run elsewhere, as Kbuild)
#   $(TOOLCHAIN_DEP)                 prerequisite of every step built with it: newer when the
#                                    toolchain changed (another lock, another TOOLCHAIN)
#   $(TOOLCHAIN_ID)                  the same without setting the root up (for host steps
#                                    whose output must follow the toolchain)
#   $(TOOLCHAIN_LOCK)                configs/toolchain.lock for TOOLCHAIN=root, else empty: the
#                                    SBOM, provenance and statement name its .debs
#   $(TOOLCHAIN_KEY)                 the root's key (scripts/toolchain-root --key), else empty
toolchain_has_root := $(if $(and $(filter x86_64,$(ARCH)),$(if $(CROSS_COMPILE),,native)),yes)
TOOLCHAIN ?= $(if $(toolchain_has_root),root,host)
ifeq ($(filter root host,$(TOOLCHAIN)),)
$(error TOOLCHAIN=$(TOOLCHAIN): use TOOLCHAIN=root (the pinned root) or TOOLCHAIN=host)
endif
ifeq ($(TOOLCHAIN)$(toolchain_has_root),root)
$(error TOOLCHAIN=root: configs/toolchain.lock holds an x86_64 toolchain only, run on an x86_64 host (ARCH=$(ARCH), CROSS_COMPILE=$(CROSS_COMPILE)); use TOOLCHAIN=host)
endif

TOOLCHAIN_ID   := $(STAMP)/toolchain
TOOLCHAIN_DEP  := $(STAMP)/toolchain.ready
TOOLCHAIN_LOCK := $(if $(filter root,$(TOOLCHAIN)),configs/toolchain.lock)
ifeq ($(TOOLCHAIN),root)
toolchain_run = scripts/toolchain-run --bind $(O):/out $(if $(1),--bind $(1):/work) "$$(scripts/toolchain-root)" $(CURDIR)
toolchain_path = $(patsubst $(O)/%,/out/%,$(1))
toolchain_abspath = $(call toolchain_path,$(1))
else
toolchain_run =
toolchain_path = $(1)
toolchain_abspath = $(abspath $(1))
endif

# Which toolchain, by content: the root's key (the lock's packages) or "host". Written while make
# reads the makefiles, only when it changed, so it is newer than the outputs exactly then.
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
toolchain_id := $(if $(filter root,$(TOOLCHAIN)),root $(shell scripts/toolchain-root --key),host)
ifneq ($(toolchain_id),$(file <$(TOOLCHAIN_ID)))
toolchain_first := $(if $(wildcard $(TOOLCHAIN_ID)),,yes)
$(shell mkdir -p $(STAMP))
$(file >$(TOOLCHAIN_ID),$(toolchain_id))
# A tree from before these records was built with the host's tools: for TOOLCHAIN=host it is
# up to date, so its first records are dated 1970 (TOOLCHAIN=root rebuilds it in the root).
ifeq ($(toolchain_first)$(toolchain_id),yeshost)
$(shell touch -d @0 $(TOOLCHAIN_ID) $(TOOLCHAIN_DEP))
endif
endif
endif
TOOLCHAIN_KEY = $(word 2,$(toolchain_id))
$(TOOLCHAIN_ID): ;
# Set up the root once, before the steps that run in it (fetching and unpacking the .debs the
# first time on a machine; scripts/toolchain-root prints the progress).
$(TOOLCHAIN_DEP): $(TOOLCHAIN_ID)
	$(if $(filter root,$(TOOLCHAIN)),$(Q)scripts/toolchain-root >/dev/null)
	$(Q)touch $@
