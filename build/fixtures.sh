#!/usr/bin/env bash
# Builds the BPF test fixtures and their loader into test/fixtures/build/.
# Incremental: each output is rebuilt only when one of its inputs is newer.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test/fixtures"
out="$src/build"
mkdir -p "$out"

need() { command -v "$1" >/dev/null || { echo "fixtures.sh: '$1' not found ($2)" >&2; exit 1; }; }
need clang "apt-get install clang"
need bpftool "apt-get install bpftool"
need gcc "apt-get install gcc"

# True when $1 is missing or older than any of the remaining paths.
stale() {
	local target="$1"; shift
	[[ -e "$target" ]] || return 0
	local input
	for input in "$@"; do
		[[ "$input" -nt "$target" ]] && return 0
	done
	return 1
}

vmlinux_btf=/sys/kernel/btf/vmlinux
[[ -r "$vmlinux_btf" ]] || { echo "fixtures.sh: $vmlinux_btf not readable (kernel without BTF?)" >&2; exit 1; }
if stale "$out/vmlinux.h" "$vmlinux_btf" "$0"; then
	bpftool btf dump file "$vmlinux_btf" format c > "$out/vmlinux.h.tmp"
	mv "$out/vmlinux.h.tmp" "$out/vmlinux.h"
fi

headers=("$src"/include/*.h)
pids=()
objects=()
for bpf_src in "$src"/bpf/*.bpf.c; do
	name="$(basename "$bpf_src" .bpf.c)"
	obj="$out/$name.bpf.o"
	objects+=("$name")
	if stale "$obj" "$bpf_src" "$out/vmlinux.h" "${headers[@]}" "$0"; then
		clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
			-I"$out" -I"$src/include" -c "$bpf_src" -o "$obj.tmp" &
		pids+=("$!:$name")
	fi
done
failed=0
for entry in "${pids[@]+"${pids[@]}"}"; do
	wait "${entry%%:*}" || { echo "fixtures.sh: clang failed on ${entry#*:}.bpf.c" >&2; failed=1; }
done
if [[ $failed != 0 ]]; then
	rm -f "$out"/*.bpf.o.tmp
	exit 1
fi
for name in "${objects[@]}"; do
	obj="$out/$name.bpf.o"
	if [[ -e "$obj.tmp" ]]; then mv "$obj.tmp" "$obj"; fi
	if stale "$out/$name.skel.h" "$obj"; then
		bpftool gen skeleton "$obj" name "${name}_bpf" > "$out/$name.skel.h.tmp"
		mv "$out/$name.skel.h.tmp" "$out/$name.skel.h"
	fi
done

loader="$out/bpfscope-fixtures"
loader_inputs=("$src"/loader/*.c "$src"/loader/*.h "${headers[@]}" "$out"/*.skel.h "$0")
if stale "$loader" "${loader_inputs[@]}"; then
	# -g and no stripping: the uprobe fixtures resolve fixture_uprobe_* in this binary's symtab.
	# Frame pointers: the kernel walks the user stacks of the user_stack fixture by them.
	gcc -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -I"$out" -I"$src/include" -I"$src/loader" \
		"$src"/loader/*.c -o "$loader.tmp" -lbpf -lelf -lz
	mv "$loader.tmp" "$loader"
fi

# A generic loader that fills maps of any object from data files (generated map shapes).
filler="$out/bpfscope-map-filler"
if stale "$filler" "$src/filler/map_filler.c" "$0"; then
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror "$src/filler/map_filler.c" -o "$filler.tmp" -lbpf -lelf -lz
	mv "$filler.tmp" "$filler"
fi
