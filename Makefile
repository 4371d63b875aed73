# SPDX-License-Identifier: GPL-2.0
# anyxdp: make, make check, make demo, make bench, make install
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX ?= /usr/local
DESTDIR ?=
BUILD := build
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -g -O2 --target=bpf -Wall -Werror -I$(ARCH_INC) -Iinclude -Ibpf
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -Iinclude -Iuser -I$(BUILD)
LIBS := -lbpf -lxdp -lmnl -lelf -lz -pthread

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)
COMMON_SRCS := user/common.c user/cli.c user/prefix.c user/listparse.c user/maps.c user/blset.c user/attach.c user/tunnel.c user/linkwatch.c user/babel.c \
	user/steer.c user/conf.c user/rib.c user/src_babel.c user/src_netlink.c user/sync.c \
	user/snapshot.c user/metrics.c
COMMON_OBJS := $(COMMON_SRCS:user/%.c=$(BUILD)/%.o)
BPF_DEPS := $(wildcard include/*.h maps/*.h bpf/*.h)
USER_DEPS := $(wildcard include/*.h user/*.h) $(SKELS)

TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/%,$(wildcard tests/unit/test_*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/%,$(wildcard tests/bench/bench_*.c))

all: $(BUILD)/anyxdp $(BUILD)/anyxdp-block

$(BUILD):
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_DEPS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@ 2>$@.log || \
		{ cat $@.log >&2; rm -f $@.log; exit 1; }
	$(Q)rm -f $@.log

$(BUILD)/%.o: user/%.c $(USER_DEPS) | $(BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

ANYXDP_OBJS := anyxdp.o cmd_steer.o cmd_sync.o cmd_tunnel.o cmd_exporter.o cmd_top.o
$(BUILD)/anyxdp: $(ANYXDP_OBJS:%=$(BUILD)/%) $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/anyxdp-block: $(BUILD)/anyxdp-block.o $(COMMON_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LIBS)

$(BUILD)/test_%: tests/unit/test_%.c $(COMMON_OBJS) $(USER_DEPS) $(wildcard tests/unit/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(COMMON_OBJS) -o $@ $(LIBS)

$(BUILD)/bench_%: tests/bench/bench_%.c $(COMMON_OBJS) $(USER_DEPS) $(wildcard tests/unit/*.h tests/bench/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(COMMON_OBJS) -o $@ $(LIBS)

tests: all $(TEST_BINS)
bench-bins: all $(BENCH_BINS)

deps:
	$(Q)scripts/deps.sh

# The README's test command: install what is missing, build, run everything.
check:
	$(Q)scripts/deps.sh --if-missing
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)tests/run.sh

demo:
	$(Q)scripts/deps.sh --if-missing
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh

# Every benchmark: docs/BENCHMARKS.md and its plots in docs/bench/ (gnuplot).
bench:
	$(Q)scripts/deps.sh --if-missing
	$(Q)$(MAKE) --no-print-directory bench-bins
	$(Q)BIN=$(BUILD) tests/bench/run.sh

# Install: PREFIX, DESTDIR, and each directory on its own. The units get
# the final paths (without DESTDIR). NOBUILD=1 installs what BUILD holds
# without making it (the tests install a build that is already there).
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/anyxdp
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITS_IN := $(wildcard scripts/systemd/*.service.in)
UNITS := $(UNITS_IN:scripts/systemd/%.in=%) anyxdp-block-refresh.timer
MAN8 := docs/anyxdp.8 docs/anyxdp-block.8
MAN5 := $(wildcard docs/*.5)
DOCS := docs/anyxdp.conf.example scripts/systemd/default.example \
	scripts/systemd/default-block.example
unit_subst = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: $(if $(NOBUILD),,all)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)test -x $(BUILD)/anyxdp -a -x $(BUILD)/anyxdp-block || \
		{ echo "no binaries in $(BUILD): run make first" >&2; exit 1; }
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR)
	$(Q)install -m 0755 $(BUILD)/anyxdp $(BUILD)/anyxdp-block $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5 && \
		install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(Q)install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)install -m 0644 scripts/cron/anyxdp-block $(DESTDIR)$(DOCDIR)/cron.anyxdp-block
	$(Q)$(unit_subst) scripts/systemd/download.conf.example.in > $(DESTDIR)$(DOCDIR)/download.conf.example
	$(Q)chmod 0644 $(DESTDIR)$(DOCDIR)/download.conf.example
	$(Q)for u in $(UNITS_IN:scripts/systemd/%.in=%); do \
		$(unit_subst) scripts/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	$(Q)install -m 0644 scripts/systemd/anyxdp-block-refresh.timer $(DESTDIR)$(UNITDIR)/
	$(Q)install -m 0644 scripts/completion/anyxdp.bash $(DESTDIR)$(BASHCOMPDIR)/anyxdp
	$(Q)install -m 0644 scripts/completion/anyxdp.bash $(DESTDIR)$(BASHCOMPDIR)/anyxdp-block

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/anyxdp $(DESTDIR)$(SBINDIR)/anyxdp-block \
		$(MAN8:docs/%=$(DESTDIR)$(MANDIR)/man8/%) $(MAN5:docs/%=$(DESTDIR)$(MANDIR)/man5/%) \
		$(UNITS:%=$(DESTDIR)$(UNITDIR)/%) \
		$(DESTDIR)$(BASHCOMPDIR)/anyxdp $(DESTDIR)$(BASHCOMPDIR)/anyxdp-block
	$(Q)rm -rf $(DESTDIR)$(DOCDIR)

clean:
	$(Q)rm -rf $(BUILD)

.PHONY: all tests bench-bins deps check demo bench install uninstall clean
.SECONDARY:
