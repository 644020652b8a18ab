# enclave-kit: pinned sources -> kernel, nsm.ko, init -> ramdisks -> out/enclave.eif
# Knobs (make help lists them):
ARCH              ?= x86_64
# Each architecture builds in a tree of its own, so both can live side by side.
O                 ?= $(if $(filter x86_64,$(ARCH)),out,out/$(ARCH))
# Empty when the host runs ARCH itself, else Debian's cross tools (cross/cross.mk); like V, only
# from the command line: a CROSS_COMPILE left in the environment must not change the bytes.
ifneq ($(origin CROSS_COMPILE),command line)
CROSS_COMPILE := $(if $(filter $(ARCH),$(shell uname -m)),,$(ARCH)-linux-gnu-)
endif
# V=1 shows the commands. Only from the command line, as in Kbuild: a V left in the environment
# for some other tool must not change what make prints.
ifneq ($(origin V),command line)
V := 0
endif
SOURCE_DATE_EPOCH ?= 1735689600# 2025-01-01 00:00 UTC: pinned, so the PCRs do not move with each commit
APP               ?= $(O)/examples/hello/rootfs
# An image (APP=oci:... or docker-archive:...) brings its own command and environment.
CMD               ?= $(if $(filter oci:% docker-archive:%,$(APP)),,/bin/hello)
ENV               ?= $(if $(filter oci:% docker-archive:%,$(APP)),,examples/hello/env)
NAME              ?= enclave
VERSION           := 0.1.0
KERNEL_CONFIG     ?= configs/kernel/$(ARCH).defconfig
HARDEN            ?= 0
# With HARDEN=1, init raises the kernel lockdown to this level: integrity or confidentiality.
LOCKDOWN          ?= integrity
# Its default is scripts/cache-dir's. Simply expanded (as ?= is not): CACHE_DIR is exported, and
# make expands an exported variable again for every recipe it runs.
ifeq ($(CACHE_DIR),)
CACHE_DIR         := $(shell scripts/cache-dir)
endif
# Where pinned inputs are looked for after dl/ and CACHE_DIR (scripts/fetch-pinned): a tar from
# `make bundle`, then apt, then URL templates ({name} {version} {arch} {filename} {sha256}).
BUNDLE            ?=
MIRRORS           ?=
export SOURCE_DATE_EPOCH CACHE_DIR BUNDLE MIRRORS

Q     := $(if $(filter 1,$(V)),,@)
# msg TAG,WHAT: quiet mode's line for a step ("  EIF     out/enclave.eif"), printed by make itself
# when it starts the recipe, not by a shell started for it (a few per app rebuild); TAG (capital
# letters) is padded to 7 columns: msg_letters splits it into one word per letter to count them.
msg    = $(if $(Q),$(info $(empty)  $(1)$(subst x, ,$(subst $(space),,$(wordlist \
	$(words x $(call msg_letters,$(1),A B C D E F G H I J K L M N O P Q R S T U V W X Y Z)),7,x x x x x x x))) $(2)))
msg_letters = $(if $(2),$(call msg_letters,$(subst $(firstword $(2)),$(firstword $(2)) ,$(1)),$(wordlist 2,26,$(2))),$(1))
empty :=
space := $(empty) $(empty)
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

# For another ARCH the nsm tool for the target is built too: the issue asks for it and an
# aarch64 app uses it (x86_64 gets it through make check).
all: $(O)/enclave.eif $(O)/pcr.json $(O)/sbom.spdx.json $(O)/provenance $(O)/statement.json \
	$(if $(filter x86_64,$(ARCH)),,$(O)/bin/nsm)

$(STAMP)/packages-%: configs/packages/%
	$(Q)mkdir -p $(@D) && scripts/ensure-packages $* && touch $@

include scripts/toolchain.mk eif/eif.mk kernel/kernel.mk cross/cross.mk nsm/nsm.mk init/init.mk examples/examples.mk tests/tests.mk

# System ramdisk: dev/, init, nsm.ko (the AWS bootstrap layout).  User ramdisk: the app.
$(if $(filter integrity confidentiality,$(LOCKDOWN)),,$(error LOCKDOWN=$(LOCKDOWN): use LOCKDOWN=integrity or LOCKDOWN=confidentiality))
# Each *.record: what eif cpio wrote, entry by entry (eif cpio --record), for the provenance.
$(O)/ramdisk/system.cpio $(O)/ramdisk/system.record &: configs/ramdisk/system.list $(O)/ramdisk/hardening.list \
		$(O)/init $(O)/nsm.ko $(O)/bin/eif $(STAMP)/image-vars
	$(call msg,CPIO,$(O)/ramdisk/system.cpio)
	$(Q)mkdir -p $(@D) && $(O)/bin/eif cpio --mtime $(SOURCE_DATE_EPOCH) --arch $(ARCH) --base $(O) --list $< \
		--list $(O)/ramdisk/hardening.list --record $(O)/ramdisk/system.record -o $(O)/ramdisk/system.cpio
# The user ramdisk is packed on every run and replaces the old one only when its bytes differ, so
# the content of APP, CMD and ENV decides, never mtimes (another APP, tar -x, cp -p keep old ones):
# the EIF, pcr.json, provenance and SBOM are redone exactly when it changed. APP_DEPS: what make
# must build before APP can be packed (the hello example's binary); APP itself is data.
APP_DEPS ?=
# sq_escape TEXT: TEXT to put inside '...' in a recipe.
sq_escape = $(subst ','\'',$(1))
# replace_if_changed FILE[,TAG]: FILE.tmp becomes FILE only when the bytes differ (then TAG is shown).
replace_if_changed = if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else \
	$(if $(and $(2),$(Q)),printf '  %-7s %s\n' '$(2)' '$(1)' &&) mv $(1).tmp $(1); fi
$(O)/ramdisk/user.cpio $(O)/ramdisk/user.record &: scripts/user-ramdisk $(STAMP)/cmd $(APP_DEPS) $(O)/bin/eif FORCE
	$(Q)mkdir -p $(@D) && rm -f $(O)/ramdisk/user.record.tmp.image && ARCH=$(ARCH) $< $(O)/bin/eif \
		'$(call sq_escape,$(APP))' "$$(cat $(STAMP)/cmd)" '$(call sq_escape,$(ENV))' \
		$(O)/ramdisk/user.cpio.tmp $(O)/ramdisk/user.record.tmp && \
	if [ -f $(O)/ramdisk/user.record.tmp.image ]; then mv $(O)/ramdisk/user.record.tmp.image \
		$(O)/ramdisk/user.record.image; else rm -f $(O)/ramdisk/user.record.image; fi && \
	{ $(call replace_if_changed,$(O)/ramdisk/user.record); } && \
	{ $(call replace_if_changed,$(O)/ramdisk/user.cpio,CPIO); }
# What the provenance and the SBOM say about the user ramdisk beyond its bytes: the APP and ENV
# names, ENV's hash (comments are not packed), a tar APP's hash, and an image's bytes (APP=oci:
# LAYOUT[:TAG] every file of the layout, docker-archive:FILE[:TAG] the file): a layer recompressed
# or a manifest rewritten may pack the same ramdisk but changes the digests both documents name.
image_path = $(patsubst docker-archive:%,%,$(patsubst oci:%,%,$(APP)))
image_hash = p='$(call sq_escape,$(image_path))' && { [ -e "$$p" ] || p=$${p%:*}; } && \
	if [ -d "$$p" ]; then (cd "$$p" && find -L . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum --); \
	elif [ -e "$$p" ]; then sha256sum <"$$p"; fi
# The stamps: each is rewritten only when its text changes, so it is newer than what depends on
# it exactly when a value changed; one recipe writes them all (one shell per make, not six).
#   hardening.list: HARDEN=1 adds /lockdown, the level init raises lockdown to
#     (docs/boot-contract.md#hardening); without HARDEN=1 it lists no entries.
#   cmd: CMD as written (the provenance records it so).
#   user-inputs: see above.
#   image-vars, cert: the knobs whose values reach the image (its metadata, the file times of
#     both ramdisks) and the certificate the provenance names (and its bytes), so switching
#     NAME, VERSION, SOURCE_DATE_EPOCH or CERT never leaves an old output.
#   commit: the source commit (and its dirtiness).
STAMPS := $(O)/ramdisk/hardening.list $(STAMP)/cmd $(STAMP)/user-inputs $(STAMP)/image-vars \
	$(STAMP)/cert $(STAMP)/commit
$(STAMPS) &: FORCE
	@mkdir -p $(O)/ramdisk $(STAMP) && \
	{ echo '# HARDEN=$(HARDEN)$(if $(filter 1,$(HARDEN)), LOCKDOWN=$(LOCKDOWN)): entries init reads for kernel hardening'; \
		$(if $(filter 1,$(HARDEN)),echo 'file /lockdown ramdisk/lockdown 0644 0 0';) } >$(O)/ramdisk/hardening.list.tmp && \
	$(if $(filter 1,$(HARDEN)),echo '$(LOCKDOWN)' >$(O)/ramdisk/lockdown.tmp && $(call replace_if_changed,$(O)/ramdisk/lockdown) &&) \
	$(call replace_if_changed,$(O)/ramdisk/hardening.list) && \
	printf '%s' '$(call sq_escape,$(CMD))' >$(STAMP)/cmd.tmp && $(call replace_if_changed,$(STAMP)/cmd) && \
	{ printf 'APP %s\nENV %s\n' '$(call sq_escape,$(APP))' '$(call sq_escape,$(ENV))' && \
		for f in '$(call sq_escape,$(ENV))' '$(call sq_escape,$(APP))'; do [ ! -f "$$f" ] || sha256sum <"$$f"; done \
		$(if $(filter oci:% docker-archive:%,$(APP)),&& $(image_hash)); } >$(STAMP)/user-inputs.tmp && \
	$(call replace_if_changed,$(STAMP)/user-inputs) && \
	printf 'NAME %s\nVERSION %s\nSOURCE_DATE_EPOCH %s\n' '$(call sq_escape,$(NAME))' \
		'$(call sq_escape,$(VERSION))' '$(call sq_escape,$(SOURCE_DATE_EPOCH))' >$(STAMP)/image-vars.tmp && \
	$(call replace_if_changed,$(STAMP)/image-vars) && \
	{ printf 'CERT %s\n' '$(call sq_escape,$(CERT))' && \
		if [ -f '$(call sq_escape,$(CERT))' ]; then sha256sum <'$(call sq_escape,$(CERT))'; fi; } >$(STAMP)/cert.tmp && \
	$(call replace_if_changed,$(STAMP)/cert) && \
	{ git describe --always --dirty --abbrev=40 --match 'no tags, only the hash' \
		2>/dev/null || echo unknown; } >$(STAMP)/commit.tmp && $(call replace_if_changed,$(STAMP)/commit)
$(O)/enclave.eif $(O)/pcr.json $(O)/enclave.record &: $(KERNEL_IMAGE) configs/cmdline/$(ARCH) $(O)/kernel/release \
		$(O)/ramdisk/system.cpio $(O)/ramdisk/user.cpio $(O)/bin/eif $(STAMP)/image-vars
	$(call msg,EIF,$(O)/enclave.eif)
	$(Q)$(O)/bin/eif build --kernel $(KERNEL_IMAGE) --cmdline "$$(cat configs/cmdline/$(ARCH))" \
		--ramdisk $(O)/ramdisk/system.cpio --ramdisk $(O)/ramdisk/user.cpio \
		--name $(NAME) --version $(VERSION) --arch $(ARCH) \
		--build-tool enclave-kit --build-tool-version $(VERSION) \
		--img-os Linux --img-kernel "$$(cat $(O)/kernel/release)" \
		--record $(O)/enclave.record --output $(O)/enclave.eif >$(O)/pcr.json.tmp && \
		mv $(O)/pcr.json.tmp $(O)/pcr.json
sign: $(O)/enclave.eif
	$(if $(and $(KEY),$(CERT)),,$(error make sign needs KEY=private-key.pem CERT=certificate.pem))
	$(call msg,SIGN,$<)
	$(Q)$(O)/bin/eif sign $< --private-key '$(KEY)' --signing-certificate '$(CERT)' \
		$(if $(PKCS11_MODULE),--pkcs11-module '$(PKCS11_MODULE)')

# eif sbom as scripts/sbom runs it, with the commit make already knows (git describe --dirty).
# LOCKS: the pinned inputs, with the cross tools' lock (cross/cross.mk) for another ARCH. With
# TOOLCHAIN=root, every .deb of $(TOOLCHAIN_LOCK) is a tool of the kernel, nsm.ko and init;
# $(TOOLCHAIN_ID) redoes the SBOM, provenance and statement when the toolchain changes.
LOCKS := configs/sources.lock $(CROSS_LOCK)
$(O)/sbom.spdx.json: $(LOCKS) $(TOOLCHAIN_LOCK) $(TOOLCHAIN_ID) $(O)/enclave.eif $(O)/kernel/config \
		$(STAMP)/user-inputs $(STAMP)/commit $(O)/bin/eif $(O)/ramdisk/user.record $(STAMP)/image-vars
	$(call msg,SBOM,$@)
	$(Q)c=$$(cat $(STAMP)/commit) && d= && case $$c in *-dirty) d=--dirty ;; esac && \
	$(O)/bin/eif sbom $(O) --arch $(ARCH) --app '$(call sq_escape,$(APP))' $(addprefix --lock ,$(LOCKS)) \
		$(addprefix --toolchain-lock ,$(TOOLCHAIN_LOCK)) --version $(VERSION) --commit "$${c%-dirty}" $$d \
		--record $(O)/ramdisk/user.record -o $@

# The in-toto build statement (eif statement): the EIF's sha256 and PCRs, the locks (the
# toolchain's too, with TOOLCHAIN=root), the SBOM and the source commit; `eif attest
# --statement` checks an enclave against it.
$(O)/statement.json: $(O)/enclave.eif $(O)/sbom.spdx.json $(LOCKS) $(TOOLCHAIN_LOCK) $(STAMP)/commit \
		$(O)/bin/eif
	$(call msg,STMT,$@)
	$(Q)$(O)/bin/eif statement $(O)/enclave.eif --sbom $(O)/sbom.spdx.json \
		$(addprefix --lock ,$(LOCKS) $(TOOLCHAIN_LOCK)) --commit "$$(cat $(STAMP)/commit)" -o $@

# Which build step made each section and ramdisk entry from which pinned input (eif audit).
$(O)/provenance: scripts/provenance scripts/toolchain-of.sh scripts/user-ramdisk $(LOCKS) $(TOOLCHAIN_LOCK) $(TOOLCHAIN_ID) \
		configs/ramdisk/system.list $(O)/ramdisk/hardening.list \
		configs/cmdline/$(ARCH) $(KERNEL_CONFIG) $(O)/enclave.eif $(STAMP)/cmd $(STAMP)/user-inputs \
		$(O)/ramdisk/system.record $(O)/ramdisk/user.record $(STAMP)/image-vars $(STAMP)/cert $(STAMP)/commit
	$(call msg,PROV,$@)
	$(Q)ARCH=$(ARCH) KERNEL_CONFIG=$(KERNEL_CONFIG) $(if $(CROSS_LOCK),CROSS_LOCK=$(CROSS_LOCK)) \
		TOOLCHAIN=$(TOOLCHAIN) $(if $(TOOLCHAIN_LOCK),TOOLCHAIN_LOCK=$(TOOLCHAIN_LOCK) TOOLCHAIN_KEY=$(TOOLCHAIN_KEY)) \
		NAME='$(NAME)' VERSION='$(VERSION)' EIF=$(O)/bin/eif \
		$(if $(CERT),CERT='$(CERT)') scripts/provenance $(O) '$(call sq_escape,$(APP))' "$$(cat $(STAMP)/cmd)" \
		'$(call sq_escape,$(ENV))' >$@.tmp && mv $@.tmp $@
audit: $(O)/enclave.eif $(O)/provenance
	$(Q)$(O)/bin/eif audit $(O)/enclave.eif --provenance $(O)/provenance

# make bench: an application-only rebuild (one file of the hello app changed, then make), with
# its split between the ramdisk, eif build, the SBOM and the provenance (bench/app-rebuild.sh).
bench-app: $(O)/bench/measure
	$(Q)bench/app-rebuild.sh $(O)/bench/measure $(O)/bench $(CURDIR) $(O)
BENCH_DEPS += bench-app

fetch:	# every pinned input into dl/; after it, `make` and `make check` need no network
	$(Q)DL='$(DL)' scripts/fetch-pinned --all
# Every pinned input with the lock files and a manifest, in one deterministic tar: with it,
# `make BUNDLE=bundle.tar` builds on another machine with no network.
bundle: $(O)/bundle.tar
$(O)/bundle.tar: scripts/make-bundle scripts/fetch-pinned configs/sources.lock configs/sources-aarch64.lock \
		configs/toolchain.lock tests/qemu/source.lock
	$(Q)DL='$(DL)' scripts/make-bundle $@
repro-check: | $(STAMP)/packages-check
	$(Q)ARCH=$(ARCH) scripts/repro-check

# Whether the knobs that change the PCRs are all at their defaults (configs/expected-pcr.json).
default_build := $(if $(strip $(foreach v,APP CMD ENV KERNEL_CONFIG KERNEL_SOURCE SOURCE_DATE_EPOCH,\
	$(filter-out file undefined,$(origin $(v))))$(filter-out 0,$(HARDEN))),no,yes)
# What the tests need is built first, one job per core unless make was given a -j: on a fresh
# machine the test QEMU then builds while the toolchain is fetched and the kernel source unpacked,
# and the kernel's and QEMU's one-core steps (their links, configure) overlap.
check_jobs = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(shell nproc))
check: | $(STAMP)/packages-check
	$(Q)$(MAKE) --no-print-directory $(check_jobs) all $(CHECK_DEPS)
	$(Q)O=$(O) DEFAULT_BUILD=$(default_build) CHECK_FULL=$(CHECK_FULL) tests/run
# check-full: check plus the tests marked "# tests/run: full" (each costs a whole extra build).
CHECK_FULL ?= 0
# The inner make sees SOURCE_DATE_EPOCH in its environment (exported here): it gets this
# make's verdict on the knobs instead of judging them again.
check-full:
	$(Q)$(MAKE) check CHECK_FULL=1 default_build=$(default_build)
bench: $(BENCH_DEPS)
install: $(INSTALL_DEPS)
clean:
	rm -rf $(O) $(CLEAN_FILES)
help:
	@echo 'Targets (tests/make-help.t checks that every .PHONY target is here):'
	@echo '  all (default)  out/enclave.eif, out/pcr.json, out/sbom.spdx.json, out/provenance,'
	@echo '                 out/statement.json'
	@echo '  kernel eif nsm init examples    one part of the boot chain'
	@echo '  check          every test (T=patterns for a subset, e.g. T="eif-* nsm-*")'
	@echo '  check-full     check and the costly tests (ARCH=aarch64 build, HARDEN=1 boot, build as a user: kernel builds)'
	@echo '  fetch          every pinned input into dl/; after it make needs no network'
	@echo '  bundle         out/bundle.tar: every pinned input, the locks, a manifest (make BUNDLE=...)'
	@echo '  sign           sign out/enclave.eif: make sign KEY=key.pem CERT=cert.pem'
	@echo '                 (KEY='"'"'pkcs11:token=T;object=K'"'"' [PKCS11_MODULE=module.so] for a token)'
	@echo '  audit          account for every byte of out/enclave.eif (eif audit)'
	@echo '  run-qemu       boot out/enclave.eif under QEMU nitro-enclave, console here'
	@echo '  repro-check    build again elsewhere, compare every artifact byte for byte'
	@echo '  repro-kernel   build the kernel again in REPRO_DIR, compare the bzImage'
	@echo '  kernel-audit   the kernel policy rule by rule, and which hardening options hold'
	@echo '  kernel-check-hardened  build the HARDEN=1 kernel in HARDEN_O, boot it and the hardened enclave'
	@echo '  nsm-module-in  build nsm.ko again in NSM_MODULE_DIR=dir (reproducibility test)'
	@echo '  bench          every benchmark; bench-eif: eif build on large ramdisks,'
	@echo '                 bench-oci: eif cpio --oci on a 1 GiB image,'
	@echo '                 bench-app: make after one file of the app changed'
	@echo '  fuzz fuzz-cbor fuzz-signature   libFuzzer: EIF reader, CBOR decoder, signature'
	@echo '  fuzz-audit fuzz-audit-frame fuzz-attest   ... eif audit, attestation documents'
	@echo '  install        install-eif install-nsm: the tools and man pages (DESTDIR, PREFIX)'
	@echo '  clean          remove O; help: this text'
	@echo 'Knobs (current value):'
	@echo '  APP=$(APP)  the application tree (directory or .tar), or an image:'
	@echo '      oci:LAYOUT[:TAG] or docker-archive:FILE[:TAG] (CMD, ENV from its config if unset)'
	@echo '  CMD=$(CMD)  ENV=$(ENV)'
	@echo '  NAME=$(NAME)  ARCH=$(ARCH)  O=$(O)  V=$(V) (1: show commands)'
	@echo '      ARCH=aarch64: Graviton enclave in out/aarch64 (cross tools on x86_64)'
	@echo '  SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH)  (file times and build time in the image)'
	@echo '  KERNEL_CONFIG=$(KERNEL_CONFIG)  HARDEN=$(HARDEN)  LOCKDOWN=$(LOCKDOWN) (with HARDEN=1)'
	@echo '  KERNEL_SOURCE=linux-x.y.z.tar.xz KERNEL_SHA256=...  your own kernel tarball'
	@echo '  TOOLCHAIN=$(TOOLCHAIN)  root: kernel, nsm.ko, init, nsm built in the pinned root'
	@echo '      (configs/toolchain.lock); host: with the host'"'"'s tools (ARCH=aarch64 for now)'
	@echo '  CACHE_DIR=$(CACHE_DIR)  PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)'
	@echo '  BUNDLE=$(BUNDLE)  a tar from make bundle: pinned inputs without network'
	@echo '  MIRRORS=$(MIRRORS)  URL templates for pinned inputs: {name} {version} {arch} {filename} {sha256}'
.PHONY: all check check-full bench bench-app install clean help sign fetch bundle repro-check audit FORCE
