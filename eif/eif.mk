# eif/: libeif.a and the eif CLI (host tools).  Included by the top-level Makefile.
# eif/lib/*.c (with cbor/*.c) is libeif.a, compiled with its internal headers (eif/lib);
# eif/include/eif/*.h is the public API; eif/tool/*.c (with common/cliopt.c, the option
# parser nsm shares) is out/bin/eif, compiled with the public include path only, so the
# compiler refuses a tool file that includes a library-internal header.
EIF_VERSION ?= 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=

EIF_LIB_SRCS := $(sort $(wildcard eif/lib/*.c cbor/*.c))
EIF_CLI_SRCS := $(sort $(wildcard eif/tool/*.c)) common/cliopt.c
EIF_ALL_SRCS := $(EIF_LIB_SRCS) $(EIF_CLI_SRCS)
EIF_LIB_OBJS := $(EIF_LIB_SRCS:%.c=$(O)/obj/%.o)
EIF_CLI_OBJS := $(EIF_CLI_SRCS:%.c=$(O)/obj/%.o)
EIF_HDRS     := $(wildcard eif/include/eif/*.h eif/lib/*.h cbor/*.h)
# The library sees its internal headers; the tool (and common/cliopt.c) only the public ones.
EIF_CFLAGS   := $(WARN) $(CFLAGS) -pthread -Ieif/include -Ieif/lib -Icbor -Icommon -MMD -MP
EIF_TOOL_CFLAGS := $(WARN) $(CFLAGS) -Ieif/include -Icommon -MMD -MP
EIF_LDLIBS   := -lcrypto -lz -llzma -lzstd -pthread

eif: $(O)/bin/eif $(O)/lib/libeif.a
.PHONY: eif install-eif

$(O)/obj/eif/%.o $(O)/obj/cbor/%.o $(O)/obj/common/%.o: | $(STAMP)/packages-build
$(O)/obj/eif/lib/%.o: eif/lib/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(EIF_CFLAGS) $(EIF_EXTRA_CFLAGS) -c -o $@ $<
$(O)/obj/eif/tool/%.o: eif/tool/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(EIF_TOOL_CFLAGS) $(EIF_EXTRA_CFLAGS) -c -o $@ $<
$(O)/obj/cbor/%.o: cbor/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(EIF_CFLAGS) -c -o $@ $<
$(O)/obj/common/%.o: common/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(EIF_TOOL_CFLAGS) -c -o $@ $<
$(O)/obj/eif/tool/main.o: EIF_EXTRA_CFLAGS = -DEIF_TOOL_VERSION='"$(EIF_VERSION)"'
# the PKCS#11 header only (libp11-kit-dev); modules are dlopen()ed when a pkcs11: key is used.
# Recursive, so pkg-config runs after packages-build installed it.
EIF_P11_CFLAGS = $(shell pkg-config --cflags p11-kit-1)
$(O)/obj/eif/lib/pkcs11.o: EIF_EXTRA_CFLAGS = $(EIF_P11_CFLAGS)

$(O)/lib/libeif.a: $(EIF_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^
$(O)/bin/eif: $(EIF_CLI_OBJS) $(O)/lib/libeif.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(EIF_CLI_OBJS) $(O)/lib/libeif.a $(EIF_LDLIBS)

-include $(EIF_ALL_SRCS:%.c=$(O)/obj/%.d)

install-eif: $(O)/bin/eif eif/tool/eif.1
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX)/bin/eif)
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	$(Q)install -m 0755 $(O)/bin/eif $(DESTDIR)$(PREFIX)/bin/eif
	$(Q)install -m 0644 eif/tool/eif.1 $(DESTDIR)$(PREFIX)/share/man/man1/eif.1

CHECK_DEPS   += $(O)/bin/eif
INSTALL_DEPS += install-eif

# Unit tests of the library (tests/eif-unit.t runs it).
$(O)/tests/eif/eif-unit: tests/eif/eif-unit.c tests/lib/tap.h $(O)/lib/libeif.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(EIF_CFLAGS) -Itests/lib -o $@ tests/eif/eif-unit.c $(O)/lib/libeif.a $(EIF_LDLIBS)
CHECK_DEPS += $(O)/tests/eif/eif-unit

# Unit tests of the option parser eif and nsm share, under ASan/UBSan (tests/eif-cliopt-unit.t).
$(O)/tests/cliopt/cliopt-unit: tests/cliopt/cliopt-unit.c common/cliopt.c common/cliopt.h tests/lib/tap.h | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
		-Icommon -Itests/lib -o $@ tests/cliopt/cliopt-unit.c common/cliopt.c
CHECK_DEPS += $(O)/tests/cliopt/cliopt-unit

# make bench: eif build with a 1 GiB ramdisk against openssl dgst -sha384 (bench/eif-build.sh).
$(O)/bench/measure: bench/measure.c | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(WARN) $(CFLAGS) -o $@ $<
bench-eif: $(O)/bin/eif $(O)/bench/measure
	$(Q)bench/eif-build.sh $(O)/bin/eif $(O)/bench/measure $(O)/bench
BENCH_DEPS += bench-eif
# make bench: eif cpio --oci flattening a 1 GiB 4-layer gzip image against gzip -dc (bench/eif-oci.sh).
bench-oci: $(O)/bin/eif $(O)/bench/measure
	$(Q)bench/eif-oci.sh $(O)/bin/eif $(O)/bench/measure $(O)/bench $(CURDIR)
BENCH_DEPS += bench-oci
.PHONY: bench-eif bench-oci

# libFuzzer target for the EIF reader and describe (FUZZ_CC, FUZZ_FLAGS: see the block below).
# `make fuzz` runs FUZZ_READER_RUNS executions from the seeds in tests/fuzz/reader/.
FUZZ_READER_RUNS ?= 10000000
FUZZ_READER_SRCS := $(addprefix eif/lib/,reader.c describe.c format.c measure.c json.c \
	util.c crc32.c sign.c cose.c pkcs11.c sign_verify.c sign_cert.c json_write.c) cbor/cbor.c
$(O)/fuzz/reader: tests/fuzz/fuzz-reader.c $(FUZZ_READER_SRCS) $(EIF_HDRS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) $(EIF_P11_CFLAGS) -pthread -o $@ tests/fuzz/fuzz-reader.c \
		$(FUZZ_READER_SRCS) -lcrypto -lz
fuzz: $(O)/fuzz/reader
	$(Q)mkdir -p $(O)/fuzz/corpus-reader && $< -runs=$(FUZZ_READER_RUNS) -max_len=8192 \
		-print_final_stats=1 $(O)/fuzz/corpus-reader tests/fuzz/reader
.PHONY: fuzz

# libFuzzer targets for eif audit (eif_audit_memory against the manifest in
# tests/fuzz/audit-common.h): audit takes the input as the whole EIF; audit-frame builds a valid
# EIF (header, table, CRC) around fuzzed metadata and ramdisks, so mutations reach the cpio
# reader and the hard-link model. `make fuzz-audit fuzz-audit-frame FUZZ_RUNS=N`.
FUZZ_AUDIT_SRCS := $(FUZZ_READER_SRCS) $(addprefix eif/lib/,audit.c audit_manifest.c audit_check.c \
	audit_report.c cpio_read.c)
$(O)/fuzz/audit $(O)/fuzz/audit-frame: $(O)/fuzz/%: tests/fuzz/fuzz-%.c tests/fuzz/audit-common.h \
		$(FUZZ_AUDIT_SRCS) $(EIF_HDRS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) $(EIF_P11_CFLAGS) -pthread -o $@ $< $(FUZZ_AUDIT_SRCS) -lcrypto -lz
fuzz-audit fuzz-audit-frame: fuzz-%: $(O)/fuzz/%
	$(Q)mkdir -p $(O)/fuzz/corpus-$* && $< -runs=$(FUZZ_RUNS) -max_len=8192 \
		-print_final_stats=1 $(O)/fuzz/corpus-$* tests/fuzz/$*
.PHONY: fuzz-audit fuzz-audit-frame

# ---- CBOR codec, signing and their tests (cbor/, eif/lib/sign.c, eif/lib/cose.c) ---------------------
# cbor-unit links cbor.c alone, built freestanding, since nsm/lib links the same file with musl.
SIGN_TEST_CFLAGS := $(WARN) $(CFLAGS) -Ieif/include -Ieif/lib -Icbor -Itests/lib
$(O)/tests/cbor/cbor-unit: tests/cbor/cbor-unit.c cbor/cbor.c cbor/cbor.h tests/lib/tap.h | $(STAMP)/packages-build
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(WARN) $(CFLAGS) -ffreestanding -Icbor -c -o $@.cbor.o cbor/cbor.c && \
		$(CC) $(SIGN_TEST_CFLAGS) -o $@ tests/cbor/cbor-unit.c $@.cbor.o && rm -f $@.cbor.o
$(O)/tests/sign/sign-unit: tests/sign/sign-unit.c tests/lib/tap.h $(O)/lib/libeif.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SIGN_TEST_CFLAGS) -o $@ tests/sign/sign-unit.c $(O)/lib/libeif.a $(EIF_LDLIBS)
CHECK_DEPS += $(O)/tests/cbor/cbor-unit $(O)/tests/sign/sign-unit

# libFuzzer targets for the CBOR decoder and the signature-section parser (clang,
# libclang-rt-14-dev). `make fuzz-cbor FUZZ_RUNS=N` runs N executions over tests/fuzz/<name>/.
FUZZ_CC    ?= clang
FUZZ_RUNS  ?= 1000000
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ieif/include -Ieif/lib -Icbor
$(O)/fuzz/cbor: tests/fuzz/fuzz-cbor.c cbor/cbor.c cbor/cbor.h
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz-cbor.c cbor/cbor.c
FUZZ_SIGNATURE_SRCS := $(addprefix eif/lib/,sign.c sign_verify.c sign_cert.c cose.c pkcs11.c util.c) cbor/cbor.c
$(O)/fuzz/signature: tests/fuzz/fuzz-signature.c $(FUZZ_SIGNATURE_SRCS) $(EIF_HDRS)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) $(EIF_P11_CFLAGS) -o $@ tests/fuzz/fuzz-signature.c \
		$(FUZZ_SIGNATURE_SRCS) -lcrypto -lz
fuzz-cbor fuzz-signature: fuzz-%: $(O)/fuzz/%
	$(Q)mkdir -p $(O)/fuzz/corpus-$* && $< -runs=$(FUZZ_RUNS) -max_len=4096 $(O)/fuzz/corpus-$* tests/fuzz/$*
.PHONY: fuzz-cbor fuzz-signature
# ---- end of CBOR/signing block ----------------------------------------------------------------

# ---- eif attest: test helper and fuzz target (eif/lib/attest.c) ------------------------
$(O)/tests/attest/attest-helper: tests/attest/attest-helper.c $(O)/lib/libeif.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(SIGN_TEST_CFLAGS) -o $@ tests/attest/attest-helper.c $(O)/lib/libeif.a $(EIF_LDLIBS)
CHECK_DEPS += $(O)/tests/attest/attest-helper
# libFuzzer target for the attestation document decoder; `make fuzz-attest` runs
# FUZZ_ATTEST_RUNS executions from the seeds in tests/fuzz/attest/ (two real AWS documents,
# one the chain test's helper signed, the same in base64).
FUZZ_ATTEST_RUNS ?= 10000000
FUZZ_ATTEST_SRCS := $(addprefix eif/lib/,attest.c sign.c cose.c pkcs11.c json.c format.c \
	util.c measure.c crc32.c attest_verify.c sign_verify.c sign_cert.c json_write.c) cbor/cbor.c
$(O)/fuzz/attest: tests/fuzz/fuzz-attest.c $(FUZZ_ATTEST_SRCS) $(EIF_HDRS) | $(STAMP)/packages-check
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) $(EIF_P11_CFLAGS) -pthread -o $@ tests/fuzz/fuzz-attest.c \
		$(FUZZ_ATTEST_SRCS) -lcrypto -lz
fuzz-attest: $(O)/fuzz/attest
	$(Q)mkdir -p $(O)/fuzz/corpus-attest && $< -runs=$(FUZZ_ATTEST_RUNS) -max_len=16384 \
		-print_final_stats=1 $(O)/fuzz/corpus-attest tests/fuzz/attest
.PHONY: fuzz-attest
CHECK_DEPS += $(O)/fuzz/attest
# tests/eif-fuzz-smoke.t: every other fuzzer builds and runs a short while
$(O)/fuzz/reader $(O)/fuzz/audit $(O)/fuzz/audit-frame $(O)/fuzz/cbor $(O)/fuzz/signature: | $(STAMP)/packages-check
CHECK_DEPS += $(O)/fuzz/reader $(O)/fuzz/audit $(O)/fuzz/audit-frame $(O)/fuzz/cbor $(O)/fuzz/signature
