# ior - Linux I/O syscall tracer as a set of small Unix filters.
#
#   make               build every tool into build/bin
#   make SAN=1         the same with ASan/UBSan, into build-san/bin
#   make test          the whole suite, on the normal and the sanitizer builds
#   make demo          capture a built-in workload, leave demo/ to look at
#   make bench         overhead, rate, throughput, memory, start-up figures
#   make fuzz          AFL++ on every reader, FUZZ_SECONDS each (scripts/fuzz)
#   make deps          install the Debian packages the build and tests need
#   make install       binaries and man pages; honours PREFIX and DESTDIR
#
# V=1 shows full commands.  VMLINUX_BTF=file builds the BPF program against
# another kernel's BTF; VMLINUX_H=file uses a ready vmlinux.h instead (for
# hosts without /sys/kernel/btf/vmlinux).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ifeq ($(SAN),1)
O ?= build-san
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow \
	    -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined,float-cast-overflow
else
O ?= build
SANFLAGS :=
endif

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/')

BSD_CFLAGS := $(shell pkg-config --cflags libbsd-overlay 2>/dev/null || \
	echo -isystem /usr/include/bsd -DLIBBSD_OVERLAY)
BSD_LIBS := $(shell pkg-config --libs libbsd-overlay 2>/dev/null || echo -lbsd)

CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wno-missing-field-initializers $(BSD_CFLAGS) -Ilib -Ibpf -I$(O)/gen \
	$(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
LIBS := $(BSD_LIBS) -lm
CURSES_LIBS := $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(O)/gen -Ilib -Ibpf

TOOLS := ior-capture ior-dump ior-pair ior-grep ior-agg ior-flame ior-top \
	ior-diff ior-tree ior-errors
TESTBINS := workload iorgen uring
BINS := $(addprefix $(O)/bin/,$(TOOLS))

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst lib/%.c,$(O)/obj/lib/%.o,$(LIB_SRC))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean test test-fast demo deps install uninstall bench fuzz
all: $(BINS) $(addprefix $(O)/bin/,$(TESTBINS))

# -MMD: each object also depends on the headers it included (a tool's own
# header too), so a changed struct never links with stale objects.
$(O)/obj/%.o: %.c $(wildcard lib/*.h) | $(O)/gen/syscall_nr.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

$(O)/lib/libior.a: $(LIB_OBJ)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# The syscall numbers of the machine we build for, from the C library's
# headers: the table the capture and the readers name syscalls by.
$(O)/gen/syscall_nr.h: lib/gen-syscall-nr.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)CC="$(CC)" sh lib/gen-syscall-nr.sh > $@.tmp && mv $@.tmp $@

# BPF: vmlinux.h from the kernel's BTF, the CO-RE object, its skeleton.
ifdef VMLINUX_H
$(O)/gen/vmlinux.h: $(VMLINUX_H)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@
else
$(O)/gen/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)test -r $(VMLINUX_BTF) || { echo "no BTF at $(VMLINUX_BTF):" \
		"set VMLINUX_BTF=file or VMLINUX_H=file" >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && \
		mv $@.tmp $@
endif

$(O)/gen/ior.bpf.o: bpf/ior.bpf.c bpf/ior.bpf.h lib/ior_format.h \
		$(O)/gen/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/gen/ior.skel.h: $(O)/gen/ior.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ior_bpf > $@.tmp && mv $@.tmp $@

# Each tool: the .c files in its directory, linked with lib/.
define tool_rule
$(1)_OBJ := $$(patsubst %.c,$(O)/obj/%.o,$$(wildcard $(1)/*.c))
$(O)/bin/$(1): $$($(1)_OBJ) $(O)/lib/libior.a
	$$(call msg,LD,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LIBS) $(2)
endef
$(eval $(call tool_rule,ior-capture,-lbpf -lelf -lz))
$(eval $(call tool_rule,ior-dump,))
$(eval $(call tool_rule,ior-pair,))
$(eval $(call tool_rule,ior-grep,))
$(eval $(call tool_rule,ior-agg,))
$(eval $(call tool_rule,ior-flame,))
$(eval $(call tool_rule,ior-top,$(CURSES_LIBS)))
$(eval $(call tool_rule,ior-diff,))
$(eval $(call tool_rule,ior-tree,))
$(eval $(call tool_rule,ior-errors,))

$(ior-capture_OBJ): $(O)/gen/ior.skel.h

$(O)/bin/workload: tests/workload.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# io_uring workload (tests/046-io-uring.bats), with liburing
$(O)/bin/uring: tests/uring.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -pthread -o $@ $< -luring

$(O)/bin/iorgen: $(O)/obj/tests/iorgen.o $(O)/lib/libior.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The benchmarks' helpers (docs/performance.md); not installed.
BENCHBINS := $(addprefix $(O)/bin/,genstream loop floor startup)

$(O)/bin/genstream: $(O)/obj/bench/genstream.o $(O)/lib/libior.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/bin/startup: $(O)/obj/bench/startup.o $(O)/lib/libior.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/bin/loop: bench/loop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -pthread -o $@ $<

$(O)/gen/floor.bpf.o: bench/floor.bpf.c $(O)/gen/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/gen/floor.skel.h: $(O)/gen/floor.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@.tmp && mv $@.tmp $@

$(O)/obj/bench/floor.o: $(O)/gen/floor.skel.h

$(O)/bin/floor: $(O)/obj/bench/floor.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lbpf -lelf -lz

# Figures, not tests: see docs/performance.md.  BENCH=... picks sections.
bench: deps all $(BENCHBINS)
	$(Q)sh scripts/install-deps bench
	$(Q)sh bench/run $(O)/bin $(BENCH)

# The readers built with afl-clang-fast and ASan/UBSan into build-fuzz/, then
# AFL++ on each target for FUZZ_SECONDS, FUZZ_JOBS at a time, niced; crashes
# go to build-fuzz/crashes/TARGET.  FUZZ_TARGETS=... picks targets.
FUZZ_SECONDS ?= 20
FUZZ_JOBS ?= 2
FUZZ_TARGETS ?=
FUZZ_BINS := $(addprefix build-fuzz/bin/,ior-dump ior-pair ior-agg ior-flame \
	ior-grep ior-diff ior-tree ior-errors \
	ior-top iorgen)
fuzz:
	$(Q)sh scripts/install-deps fuzz
	$(Q)AFL_QUIET=1 $(MAKE) --no-print-directory O=build-fuzz SAN=1 \
		CC=afl-clang-fast $(FUZZ_BINS)
	$(Q)sh scripts/fuzz build-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

deps:
	$(Q)sh scripts/install-deps

# The suite runs twice: on the optimised build and on the ASan/UBSan one.
test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)sh scripts/run-tests build/bin build-san/bin

# One pass on the normal build only, for quick iteration.
test-fast: all
	$(Q)sh scripts/run-tests $(O)/bin

demo: deps all
	$(Q)sh scripts/demo $(O)/bin

# The manual: mdoc pages in man/, one per tool (1), the stream format (5)
# and the filter language (7).
MAN1 := $(wildcard man/*.1)
MAN5 := $(wildcard man/*.5)
MAN7 := $(wildcard man/*.7)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))

clean:
	rm -rf build build-san build-fuzz demo
