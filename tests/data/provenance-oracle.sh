#!/bin/sh
# The shell scripts/provenance that eif cpio --record replaced (it re-implemented eif cpio:
# list parsing, tree walk, implied parents, a --capture stand-in), kept unchanged as the
# oracle of tests/eif-cpio-record.t: the new script must write the same records. It runs
# from a copy of the tree as $top/scripts/provenance (its --capture mode calls itself).
# provenance OUTDIR APP CMD ENV > provenance
# Write the provenance manifest of OUTDIR/enclave.eif: for every EIF section and every entry of
# both ramdisks, the build step that produced it, the pinned input it came from, and its sha256.
# `eif audit EIF --provenance FILE` checks an EIF against it. APP, CMD and ENV are the values
# given to scripts/user-ramdisk. Optional environment: ARCH (x86_64), KERNEL_CONFIG
# (configs/kernel/$ARCH.defconfig), CMDLINE_FILE (configs/cmdline/$ARCH), SYSTEM_LIST
# (configs/ramdisk/system.list), SOURCES_LOCK (configs/sources.lock), NAME and VERSION (as given
# to eif build), CERT (the signing certificate of `make sign`), SOURCE_DATE_EPOCH.
#
# Format: UTF-8 text, one record per line, fields separated by one TAB; lines starting with '#'
# are comments. Names are as stored in the cpio archive (no leading '/'); names and link targets
# holding control characters cannot be recorded (the script refuses them).
#   enclave-kit-provenance  1                                   first record, the format version
#   input     NAME  DESCRIPTION                                 a pinned input, for people
#   section   INDEX KIND SIZE SHA256 STEP INPUT                 EIF section INDEX (0 = first);
#             KIND kernel|cmdline|metadata|ramdisk|signature; SIZE and SHA256 of the section
#             data, or "-" where the bytes are not pinned (metadata: checked field by field)
#   metadata  KEY VALUE                                         a metadata string the EIF must hold
#             (ImageName, ImageVersion, BuildTime, KernelVersion, or BuildMetadata.KEY)
#   signer    SHA384 STEP INPUT                                 a certificate allowed to sign,
#             by its SHA-384 fingerprint (lowercase hex of the DER)
#   entry     RAMDISK NAME KIND MODE UID:GID SIZE SHA256 TARGET STEP INPUT
#             RAMDISK 0 = first ramdisk section; KIND file|dir|symlink|char|block|fifo|socket;
#             MODE 4 octal digits (permission, sticky, setuid/setgid bits); SIZE body bytes
#             (file data or link target, else 0); SHA256 of the body or "-"; TARGET the symlink
#             target, MAJOR:MINOR for devices, else "-"
# Internal: `provenance --capture DIR ARGS...` stands in for `eif cpio ARGS...` while
# scripts/user-ramdisk runs, so the user ramdisk is described from exactly what it was given.
set -eu
tab=$(printf '\t')
top=$(cd "$(dirname "$0")/.." && pwd)
self=$top/scripts/provenance

die() { echo "provenance: $*" >&2; exit 1; }
sha256() { sha256sum <"$1" | cut -c1-64; }
sha256_text() { printf '%s' "$1" | sha256sum | cut -c1-64; }
# A TAB-separated record; refuses fields with control characters, which would break the format.
record() {
	for field; do
		case $field in *[[:cntrl:]]*) die "'$(printf '%s' "$field" | tr '[:cntrl:]' '?')' holds a control character (tab, newline, ...), which the manifest cannot record; rename it" ;; esac
	done
	( IFS=$tab; printf '%s\n' "$*" )
}
# "dir tree T at commit C" of our own sources, marked when the work tree differs.
git_source() {
	commit=$(git -C "$top" rev-parse -q --verify HEAD 2>/dev/null) || commit=
	if [ -n "$commit" ] && tree=$(git -C "$top" rev-parse -q --verify "HEAD:$1" 2>/dev/null); then
		dirty=
		[ -z "$(git -C "$top" status --porcelain -- "$1" 2>/dev/null)" ] || dirty=' with uncommitted changes'
		printf '%s/ (git tree %s at commit %s%s)' "$1" "$tree" "$commit" "$dirty"
	elif [ -n "${commit:-}" ]; then
		printf '%s/ (not committed at commit %s: unpinned)' "$1" "$commit"
	else
		printf '%s/ (not from a git checkout: unpinned)' "$1"
	fi
}
kind_of() {	# kind_of find-%y-letter
	case $1 in f) echo file ;; d) echo dir ;; l) echo symlink ;; c) echo char ;; b) echo block ;;
	p) echo fifo ;; s) echo socket ;; *) die "unexpected file type '$1'" ;; esac
}

# entries_of_dir RAMDISK PREFIX TREE STEP DISPLAY: the entries `eif cpio --dir PREFIX=TREE` packs.
# The writer keeps permission and sticky bits and drops setuid/setgid; owners become 0:0.
entries_of_dir() {
	ramdisk=$1 prefix=$2 tree=$3 step=$4 display=$5
	[ -d "$tree" ] || die "application tree '$tree' is not a directory"
	bad=$(find "$tree" -mindepth 1 \( -name '*[[:cntrl:]]*' -o -lname '*[[:cntrl:]]*' \) -print -quit)
	[ -z "$bad" ] || die "'$bad': a name or link target with a control character cannot be recorded; rename it"
	find "$tree" -mindepth 1 -printf "%y$tab%m$tab%s$tab%P\n" | LC_ALL=C sort -t "$tab" -k4 |
	while IFS=$tab read -r type perm size rel; do
		kind=$(kind_of "$type")
		mode=$(printf '%04o' $((0$perm & 01777)))
		hash=- target=-
		case $kind in
		file) hash=$(sha256 "$tree/$rel") ;;
		symlink) target=$(readlink -- "$tree/$rel"); hash=$(sha256_text "$target") ;;
		*) size=0 ;;
		esac
		record entry "$ramdisk" "${prefix:+$prefix/}$rel" "$kind" "$mode" 0:0 "$size" "$hash" \
			"$target" "$step" "$display/$rel"
	done
}

# entries_of_cpio RAMDISK ARCHIVE INFO APP: the entries of the newc archive eif wrote from a
# container image, hard-linked names each with the data of their group; INFO (eif cpio
# --image-info) names the manifest and the layer that made each entry.
entries_of_cpio() {
	perl -e '
		my ($ramdisk, $file, $info, $app) = @ARGV;
		use Digest::SHA qw(sha256_hex);
		open(my $ih, "<", $info) or die "cannot open $info\n";
		my ($manifest, %layer, %from);
		while (<$ih>) {
			chomp; my @f = split /\t/;
			if ($f[0] eq "manifest") { $manifest = $f[1] }
			elsif ($f[0] eq "layer") { $layer{$f[1]} = $f[2] ne "-" ? $f[2] : "diff_id $f[3]" }
			elsif ($f[0] eq "entry") { $from{$f[1]} = $f[2] }
		}
		my $image = "image $app (manifest $manifest)";
		open(my $fh, "<:raw", $file) or die "cannot open $file\n";
		local $/; my $d = <$fh>; my $at = 0; my (@e, %body);
		my $pad = sub { $at = ($at + 3) & ~3 };
		for (;;) {
			die "bad archive\n" if substr($d, $at, 6) ne "070701";
			my @f = map { hex } unpack("(A8)13", substr($d, $at + 6, 104));
			my ($ino, $mode, $uid, $gid, $size, $rmaj, $rmin, $nlen) = @f[0, 1, 2, 3, 6, 9, 10, 11];
			my $name = substr($d, $at + 110, $nlen - 1);
			$at += 110 + $nlen; $pad->();
			last if $name eq "TRAILER!!!";
			my $data = substr($d, $at, $size); $at += $size; $pad->();
			$body{$ino} = $data if $size;
			push @e, [$name, $mode, $uid, $gid, $ino, $rmaj, $rmin];
		}
		my %kind = (0100000 => "file", 0040000 => "dir", 0120000 => "symlink", 0020000 => "char",
			    0060000 => "block", 0010000 => "fifo", 0140000 => "socket");
		for my $x (@e) {
			my ($name, $mode, $uid, $gid, $ino, $rmaj, $rmin) = @$x;
			my $kind = $kind{$mode & 0170000};
			my ($size, $hash, $target) = (0, "-", "-");
			if ($kind eq "file" || $kind eq "symlink") {
				my $b = $body{$ino} // ""; $size = length($b); $hash = sha256_hex($b);
				$target = $b if $kind eq "symlink";
			}
			$target = "$rmaj:$rmin" if $kind eq "char" || $kind eq "block";
			die "$name: a name or link target with a control character cannot be recorded\n"
				if "$name$target" =~ /[[:cntrl:]]/;
			my ($step, $input) = ("app", "$image layer $from{$name} ($layer{$from{$name}})");
			($step, $input) = ("app", "$image config (Entrypoint+Cmd, Env)")
				if !exists $from{$name} && ($name eq "cmd" || $name eq "env");
			($step, $input) = ("user-ramdisk", "scripts/user-ramdisk (directory the image lacks)")
				if !exists $from{$name} && $kind eq "dir";
			die "$name: no layer made it\n" if !defined $input || $input =~ / layer  \(/;
			printf "entry\t%s\t%s\t%s\t%04o\t%d:%d\t%d\t%s\t%s\t%s\t%s\n", $ramdisk, $name, $kind,
				$mode & 07777, $uid, $gid, $size, $hash, $target, $step, $input;
		}' "$@" || die "cannot describe the entries of '$2'"
}

# entries_of_list RAMDISK LIST BASE: the entries of a gen_init_cpio list. describe_location is
# called as `describe_location RAMDISK NAME LOCATION` and prints "STEP<TAB>INPUT".
entries_of_list() {
	ramdisk=$1 list=$2 base=$3
	while read -r keyword name rest; do
		case $keyword in ''|'#'*) continue ;; esac
		name=${name#/}
		set -- $rest
		case $keyword in
		file)
			[ $# -ge 4 ] || die "$list: 'file $name $rest' needs LOCATION MODE UID GID"
			loc=$1 mode=$2 owner=$3:$4; shift 4
			case $loc in /*) path=$loc ;; *) path=$base/$loc ;; esac
			[ -f "$path" ] || die "$list: '$path' for '$name' is missing; build it first"
			hash=$(sha256 "$path") size=$(stat -c %s "$path")
			how=$(describe_location "$ramdisk" "$name" "$loc")
			for n in "$name" "$@"; do
				record entry "$ramdisk" "${n#/}" file "$(printf '%04o' $((0$mode)))" "$owner" \
					"$size" "$hash" - "${how%%"$tab"*}" "${how#*"$tab"}"
			done ;;
		dir|pipe|sock)
			[ $# -eq 3 ] || die "$list: '$keyword $name $rest' needs MODE UID GID"
			case $keyword in dir) kind=dir ;; pipe) kind=fifo ;; sock) kind=socket ;; esac
			how=$(describe_location "$ramdisk" "$name" -)
			record entry "$ramdisk" "$name" "$kind" "$(printf '%04o' $((0$1)))" "$2:$3" 0 - - \
				"${how%%"$tab"*}" "${how#*"$tab"}" ;;
		slink)
			[ $# -eq 4 ] || die "$list: 'slink $name $rest' needs TARGET MODE UID GID"
			how=$(describe_location "$ramdisk" "$name" -)
			record entry "$ramdisk" "$name" symlink "$(printf '%04o' $((0$2)))" "$3:$4" \
				"$(printf '%s' "$1" | wc -c)" "$(sha256_text "$1")" "$1" \
				"${how%%"$tab"*}" "${how#*"$tab"}" ;;
		nod)
			[ $# -eq 6 ] || die "$list: 'nod $name $rest' needs MODE UID GID b|c MAJOR MINOR"
			case $4 in b) kind=block ;; c) kind=char ;; *) die "$list: device type '$4' is not b or c" ;; esac
			how=$(describe_location "$ramdisk" "$name" -)
			record entry "$ramdisk" "$name" "$kind" "$(printf '%04o' $((0$1)))" "$2:$3" 0 - "$5:$6" \
				"${how%%"$tab"*}" "${how#*"$tab"}" ;;
		*) die "$list: unknown list keyword '$keyword'" ;;
		esac
	done <"$list"
}

# Directories the writer implies (parents nobody declared, prefixes): 0755, 0:0.
implied_parents() {	# implied_parents STEP INPUT < records
	awk -F "$tab" -v OFS="$tab" -v step="$1" -v input="$2" '
		{ print; if ($1 == "entry") { seen[$2 SUBSEP $3] = 1; names[NR] = $3; disk[NR] = $2 } }
		END {
			for (i = 1; i <= NR; i++) {
				if (!(i in names)) continue
				n = names[i]
				while (sub(/\/[^\/]*$/, "", n))
					if (!((disk[i] SUBSEP n) in seen)) {
						seen[disk[i] SUBSEP n] = 1
						print "entry", disk[i], n, "dir", "0755", "0:0", 0, "-", "-", step, input
					}
			}
		}'
}

# ---- capture mode: called by scripts/user-ramdisk in place of `eif cpio` -------------------
if [ "${1:-}" = --capture ]; then
	capture=$2; shift 2
	[ "${1:-}" = cpio ] || die "--capture: expected 'cpio', got '${1:-}'; scripts/user-ramdisk changed, update scripts/provenance"
	shift
	base=. n=0 image= arch_opt=
	while [ $# -gt 0 ]; do
		case $1 in
		--base) base=$2; shift 2 ;;
		--list) n=$((n + 1)); cp "$2" "$capture/list.$n"; echo "$base" >"$capture/base.$n"; shift 2 ;;
		--dir) [ -z "$image" ] || { image="$image --dir $2"; shift 2; continue; } # packed with it
			n=$((n + 1)); spec=$2
			# The tree may be a temporary unpacked tar: describe it now, while it exists.
			entries_of_dir 1 "${spec%%=*}" "${spec#*=}" app "$PROVENANCE_APP" >"$capture/dir.$n"
			shift 2 ;;
		--oci|--docker-archive) image="$image $1 $2"; shift 2 ;;
		--oci=*|--docker-archive=*|--image-cmd|--image-env) image="$image $1"; shift ;;
		--arch) arch_opt="$1 $2"; shift 2 ;;	# checks trees too since; picks images
		-o|--output) shift 2 ;;
		*) die "--capture: option '$1' of eif cpio is not understood; update scripts/provenance" ;;
		esac
	done
	# An image: pack its entries alone with the real eif, and describe what it wrote.
	[ -z "$image" ] || image="$image $arch_opt"
	if [ -n "$image" ]; then
		# shellcheck disable=SC2086
		"$PROVENANCE_EIF" cpio $image --image-info "$capture/image.info" -o "$capture/image.cpio" \
			2>"$capture/image.log" ||
			die "eif cpio failed on APP '$PROVENANCE_APP': $(cat "$capture/image.log")"
		entries_of_cpio 1 "$capture/image.cpio" "$capture/image.info" "$PROVENANCE_APP" \
			>"$capture/dir.image"
	fi
	# List locations are relative to --base, which is removed when user-ramdisk exits.
	for f in "$capture"/list.*; do
		[ -e "$f" ] || continue
		b=$(cat "$capture/base.${f##*.}")
		mkdir -p "$capture/files.${f##*.}"
		awk '$1 == "file" { print $3 }' "$f" | while read -r loc; do
			case $loc in /*) ;; *) cp "$b/$loc" "$capture/files.${f##*.}/$loc" ;; esac
		done
	done
	exit 0
fi

[ $# -eq 4 ] || { echo "usage: provenance OUTDIR APP CMD ENV > provenance" >&2; exit 2; }
out=$1 app=$2 cmd=$3 env=$4
arch=${ARCH:-x86_64}
kconfig=${KERNEL_CONFIG:-configs/kernel/$arch.defconfig}
lock=${SOURCES_LOCK:-$top/configs/sources.lock}
cmdline_file=${CMDLINE_FILE:-$top/configs/cmdline/$arch}
system_list=${SYSTEM_LIST:-$top/configs/ramdisk/system.list}
for f in bzImage ramdisk/system.cpio ramdisk/user.cpio; do
	[ -f "$out/$f" ] || die "$out/$f is missing; run make first"
done
[ -r "$lock" ] || die "$lock is missing"
[ -r "$cmdline_file" ] || die "$cmdline_file is missing; is ARCH=$arch right?"
case $kconfig in /*) ;; *) kconfig=$top/$kconfig ;; esac
[ -r "$kconfig" ] || die "kernel config '$kconfig' is missing"

kernel_pkg=$(awk '$1 == "source" && $2 ~ /^linux-source-/ { print $2, $3, "(sha256 " $4 ")"; exit }' "$lock")
[ -n "$kernel_pkg" ] || die "$lock has no 'source linux-source-...' line"
musl_pkg=$(awk '$1 == "tool" && $2 == "musl" { print $2, $3; exit }' "$lock")
gcc_pkg=$(awk '$1 == "tool" && $2 ~ /^gcc-/ { print $2, $3; exit }' "$lock")
init_src=$(git_source init)
nsm_src=$(git_source nsm)
kernel_src=$(git_source kernel)
kconfig_name=${kconfig#"$top"/}

# What produced a list entry; the system ramdisk's files are our build steps' outputs.
describe_location() {	# RAMDISK NAME LOCATION
	case $1:$3 in
	0:init) printf 'init\t%s built with %s (%s, static)' "$init_src" "${musl_pkg:-musl}" "${gcc_pkg:-gcc}" ;;
	0:nsm.ko) printf 'nsm\t%s built against out/kernel/build from %s' "$nsm_src" "$kernel_pkg" ;;
	0:-) printf 'system-list\tconfigs/ramdisk/system.list' ;;
	0:*) printf 'system-list\t%s (named by configs/ramdisk/system.list)' "$3" ;;
	1:cmd) printf "cmd\tCMD '%s' (one argument per line, by scripts/user-ramdisk)" "$cmd" ;;
	1:env) if [ -n "$env" ]; then printf "env\tENV '%s' (sha256 %s, KEY=value lines by scripts/user-ramdisk)" "$env" "$(sha256 "$env")"
		else printf 'env\tno ENV (empty file, by scripts/user-ramdisk)'; fi ;;
	1:-) printf 'user-ramdisk\tscripts/user-ramdisk' ;;
	*) printf 'user-ramdisk\t%s (named by scripts/user-ramdisk)' "$3" ;;
	esac
}

work=$(mktemp -d "${TMPDIR:-/tmp}/provenance.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/capture"
printf '#!/bin/sh\nexec "%s" --capture "%s" "$@"\n' "$self" "$work/capture" >"$work/eif"
chmod +x "$work/eif"
PROVENANCE_EIF=$out/bin/eif PROVENANCE_APP=$app "$top/scripts/user-ramdisk" "$work/eif" "$app" "$cmd" "$env" "$work/user.cpio" ||
	die "scripts/user-ramdisk failed for APP '$app', so the user ramdisk cannot be described"

{
	record enclave-kit-provenance 1
	echo "# enclave-kit provenance of $out/enclave.eif; check with: eif audit EIF --provenance FILE"
	record input "$(echo "$kernel_pkg" | cut -d' ' -f1)" "$kernel_pkg, pinned in configs/sources.lock"
	[ -z "$musl_pkg" ] || record input musl "$musl_pkg, pinned in configs/sources.lock"
	[ -z "$gcc_pkg" ] || record input "${gcc_pkg%% *}" "$gcc_pkg, pinned in configs/sources.lock"
	record section 0 kernel "$(stat -c %s "$out/bzImage")" "$(sha256 "$out/bzImage")" kernel \
		"$kernel_pkg + $kconfig_name (sha256 $(sha256 "$kconfig")) + $kernel_src, built with ${gcc_pkg:-gcc}"
	cmdline=$(cat "$cmdline_file")
	record section 1 cmdline "$(printf '%s' "$cmdline" | wc -c)" "$(sha256_text "$cmdline")" cmdline \
		"${cmdline_file#"$top"/} (sha256 $(sha256 "$cmdline_file"), trailing newline dropped)"
	record section 2 metadata - - eif-build "eif build flags in Makefile (NAME, VERSION, SOURCE_DATE_EPOCH, kernel release)"
	record section 3 ramdisk "$(stat -c %s "$out/ramdisk/system.cpio")" "$(sha256 "$out/ramdisk/system.cpio")" \
		system-ramdisk "${system_list#"$top"/} (sha256 $(sha256 "$system_list")) via eif cpio"
	record section 4 ramdisk "$(stat -c %s "$out/ramdisk/user.cpio")" "$(sha256 "$out/ramdisk/user.cpio")" \
		user-ramdisk "scripts/user-ramdisk from APP '$app', CMD, ENV via eif cpio"
	if [ -n "${CERT:-}" ]; then
		fpr=$(openssl x509 -in "$CERT" -noout -fingerprint -sha384 | sed 's/.*=//; s/://g' | tr A-F a-f) ||
			die "cannot read the signing certificate '$CERT'"
		record section 5 signature - - sign "make sign with CERT '$CERT'"
		record signer "$fpr" sign "certificate '$CERT' (sha256 $(sha256 "$CERT"))"
	fi
	[ -z "${NAME:-}" ] || record metadata ImageName "$NAME"
	[ -z "${VERSION:-}" ] || record metadata ImageVersion "$VERSION"
	record metadata BuildTime "$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%S+00:00)"
	[ ! -r "$out/kernel/release" ] || record metadata KernelVersion "$(cat "$out/kernel/release")"

} >"$work/manifest"
# Producers write files, not pipes, so that a failure inside one stops the script.
entries_of_list 0 "$system_list" "$out" >"$work/system.entries"
implied_parents system-list "implied parent directory" <"$work/system.entries" >>"$work/manifest"
: >"$work/user.entries"
for f in "$work/capture"/list.* "$work/capture"/dir.*; do
	[ -e "$f" ] || continue
	case $f in
	*/list.*) entries_of_list 1 "$f" "$work/capture/files.${f##*.}" >>"$work/user.entries" ;;
	*/dir.*) cat "$f" >>"$work/user.entries" ;;
	esac
done
implied_parents user-ramdisk "scripts/user-ramdisk (parent of the application tree)" \
	<"$work/user.entries" >>"$work/manifest"

dups=$(awk -F "$tab" '$1 == "entry" { if (seen[$2 SUBSEP $3]++) print "ramdisk " $2 " " $3 }' "$work/manifest")
[ -z "$dups" ] || die "two inputs claim the same ramdisk entry: $dups"
cat "$work/manifest"
