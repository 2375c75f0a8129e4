# The `corpus` section of Scripts/bench (sourced by it): every step of an office's work on a
# realistic mixed corpus (Scripts/corpus), each against a reference tool in the same run.
#
# Fairness: each timed run writes to a fresh ext4 file system (a loop device over a sparse file
# in the scratch folder, direct I/O to it, so there is no second page cache) when the bench runs
# as root; otherwise to a fresh folder. A fresh file system matters on ext4: for five minutes
# after a mass deletion, creating files skips the freed inodes one by one (recently_deleted()),
# which made runs after `rm -rf` of the previous run measure the deletion, not the tool.
# Sources are read warm from the page cache, as in every other section.

corpus_fs_ok=0
corpus_fs_check() {
    corpus_fs_ok=0
    [ "$(id -u)" = 0 ] && command -v losetup >/dev/null && command -v mkfs.ext4 >/dev/null || return 0
    local img="$scratch/fs-probe.img"
    truncate -s 64M "$img" && mkfs.ext4 -q -F "$img" 2>/dev/null && mkdir -p "$scratch/probe" || { rm -f "$img"; return 0; }
    local dev; dev=$(losetup --direct-io=on -f --show "$img" 2>/dev/null) || { rm -f "$img"; return 0; }
    if mount "$dev" "$scratch/probe" 2>/dev/null; then umount "$scratch/probe"; corpus_fs_ok=1; fi
    losetup -d "$dev"; rm -f "$img"; rmdir "$scratch/probe"
}

# fresh DIR GB [INODES]: an empty file system of GB gigabytes at DIR (or an empty folder),
# with one inode per 64 KiB or INODES of them.
fresh() {
    local dir=$1 gb=$2 inodes=${3:-}
    if [ "$corpus_fs_ok" = 1 ]; then
        truncate -s "${gb}G" "$dir.img"
        mkfs.ext4 -q -F $([ -n "$inodes" ] && echo "-N $inodes" || echo "-i 65536") -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$dir.img"
        local dev; dev=$(losetup --direct-io=on -f --show "$dir.img")
        mkdir -p "$dir"; mount "$dev" "$dir"
        # mkfs's writes (and the last file system's removal) reach the disk now, not during
        # the timed step that follows.
        sync
    else
        rm -rf "$dir"; mkdir -p "$dir"
    fi
}
# Unmounts whatever the section left mounted (on exit, also after a failure).
corpus_unmount_all() {
    [ -n "${scratch:-}" ] || return 0
    local m
    for m in $(findmnt -rn -o TARGET | grep -F "$scratch/" || true); do
        local dev; dev=$(findmnt -n -o SOURCE "$m"); umount "$m" && losetup -d "$dev" 2>/dev/null || true
    done
}
gone() {
    local dir=$1
    if [ "$corpus_fs_ok" = 1 ] && mountpoint -q "$dir"; then
        local dev; dev=$(findmnt -n -o SOURCE "$dir")
        umount "$dir"; losetup -d "$dev"; rm -f "$dir.img"; rmdir "$dir"
    else
        rm -rf "$dir"
    fi
}

# Processor time the whole machine spent busy so far (user, nice, system, interrupts), in
# seconds: a step's own processes and the kernel's threads working for it (writeback, the loop
# device) alike.
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f", ($2+$3+$4+$7+$8)/hz}' /proc/stat; }

# timed NAME CMD...: runs CMD then sync, appends the seconds to the array NAME_t, the peak
# RSS (KB) of CMD to NAME_m, the processor seconds of CMD (user + system) to NAME_c and the
# machine's busy seconds meanwhile (sync included) to NAME_b.
timed() {
    local name=$1; shift
    local t0 b0; t0=$(now); b0=$(machine_busy)
    /usr/bin/time -o "$scratch/rss" -f '%M %U %S' "$@" >"$scratch/out" 2>"$scratch/err" || { echo "bench: failed: $*" >&2; tail -5 "$scratch/err" >&2; exit 1; }
    sync
    eval "${name}_t+=(\"$(elapsed "$t0" "$(now)")\")"
    local rss cpu; read -r rss cpu < <(tail -1 "$scratch/rss" | awk '{printf "%s %.2f\n", $1, $2 + $3}')
    eval "${name}_m+=(\"$rss\")"
    eval "${name}_c+=(\"$cpu\")"
    eval "${name}_b+=(\"$(awk -v a="$b0" -v b="$(machine_busy)" 'BEGIN { printf "%.2f", b - a }')\")"
}
# cpu_row STEP KHO REF REFNAME: a row of processor seconds (medians), "own/machine": the
# command's own, then the whole machine's while it ran. With two cores, a step whose machine
# seconds are near twice its wall time was bound by the processors, not the disk.
cpu_row() {
    own_machine() { awk -v a="$(med "$1_c")" -v b="$(med "$1_b")" 'BEGIN { printf "%.1f/%.1f s", a, b }'; }
    row "$1, processor own/machine (median)" "$(own_machine "$2")" "$4 $(own_machine "$3")" "-" "-" "-"
    echo "bench:   $1 processor seconds: kho $(runs_of "$2_c"), machine $(runs_of "$2_b"); $4 $(runs_of "$3_c"), machine $(runs_of "$3_b")" >&2
}
med() { local -n a=$1; printf '%s\n' "${a[@]}" | median; }
peak_mb() { local -n a=$1; printf '%s\n' "${a[@]}" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}'; }
runs_of() { local -n a=$1; echo "${a[*]}"; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN{print (r>=t?"met":"MISSED")}'; }

corpus_bench() {
    local size=${corpus_size:-2G}
    local data="$scratch/corpus-data" arch="$scratch/corpus-archive" out="$scratch/out-fs"
    corpus_fs_check
    [ "$corpus_fs_ok" = 1 ] && echo "bench: corpus: each run on a fresh ext4 file system (loop device, direct I/O)" >&2 \
        || echo "bench: corpus: NOTE: not root or no loop devices; runs write to fresh folders of the scratch disk" >&2
    rm -rf "$data"
    Scripts/corpus "$data" --size "$size" --seed 1 2>"$scratch/corpus.txt" || { cat "$scratch/corpus.txt" >&2; exit 1; }
    cat "$scratch/corpus.txt" >&2
    local files bytes nrows_c gb
    files=$(find "$data" -type f ! -name manifest.csv | wc -l)
    bytes=$(find "$data" -type f ! -name manifest.csv -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s}')
    nrows_c=$files
    gb=$(( bytes / 1000000000 * 3 + 4 ))
    local label="corpus $(fmt_rate "$bytes" 1 | sed 's|/s||'), $files files"
    warm "$data"

    # 1. import vs cp -a + sync (and borg, restic when installed), alternating who goes first.
    local imp_t=() imp_m=() imp_c=() imp_b=() cp_t=() cp_m=() cp_c=() cp_b=()
    echo "bench: corpus: kho import vs cp -a + sync, $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "cp kho" || echo "kho cp"); do
            fresh "$out" "$gb"; warm "$data"
            if [ "$who" = kho ]; then
                "$kho" init "$out/a" >/dev/null
                timed imp "$kho" import "$data/manifest.csv" --storage "$out/a" --report "$out/result.csv"
            else
                timed cp cp -a "$data" "$out/copy"
            fi
            gone "$out"
        done
    done
    echo "bench:   import runs (s): $(runs_of imp_t); cp -a runs (s): $(runs_of cp_t); import peak RSS (KB): $(runs_of imp_m)" >&2
    local it ct x; it=$(med imp_t); ct=$(med cp_t); x=$(ratio "$ct" "$it")
    row "import, $label" "$(fmt_rate "$bytes" "$it")" "cp -a + sync $(fmt_rate "$bytes" "$ct")" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    local rps; rps=$(awk -v n="$nrows_c" -v s="$it" 'BEGIN{printf "%.0f", n/s}')
    row "import, rows per second" "$rps rows/s" "-" "-" ">= 1500/s" "$(verdict "$rps" 1500)"
    row "import, peak memory (worst run)" "$(peak_mb imp_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb imp_m))) 0)"
    cpu_row import imp cp "cp -a"
    for tool in borg restic; do
        command -v "$tool" >/dev/null || { echo "bench: corpus: $tool not installed (apt-get install ${tool/borg/borgbackup}); skipped" >&2; continue; }
        local ref_t=() ref_m=() ref_c=() ref_b=()
        for r in $(seq "$runs"); do
            fresh "$out" "$gb"; warm "$data"
            if [ "$tool" = borg ]; then
                BORG_PASSPHRASE="" borg init --encryption=none "$out/repo" >/dev/null 2>&1
                timed ref env BORG_PASSPHRASE="" BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes borg create "$out/repo::a" "$data"
            else
                RESTIC_PASSWORD=bench restic init --repo "$out/repo" >/dev/null 2>&1
                timed ref env RESTIC_PASSWORD=bench restic backup -q --repo "$out/repo" "$data"
            fi
            gone "$out"
        done
        echo "bench:   $tool runs (s): $(runs_of ref_t)" >&2
        local bt; bt=$(med ref_t)
        row "import vs $tool (default settings)" "$(fmt_rate "$bytes" "$it")" "$tool $(fmt_rate "$bytes" "$bt")" "$(ratio "$bt" "$it")x" "> 1x" "$(verdict "$(ratio "$bt" "$it")" 1.0)"
    done

    # The archive the other steps read: imported once, on the scratch disk, warm.
    rm -rf "$arch"; "$kho" init "$arch" >/dev/null
    "$kho" import "$data/manifest.csv" --storage "$arch" --report "$scratch/corpus-result.csv" >/dev/null 2>&1
    local blobs="$arch/blobs/sha256" blob_bytes; blob_bytes=$(bytes_of "$blobs")

    # 2. export --format tar vs tar -cf of the blob folder, both + sync.
    local exp_t=() exp_m=() exp_c=() exp_b=() tar_t=() tar_m=() tar_c=() tar_b=()
    echo "bench: corpus: kho export vs tar -cf + sync, $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "tar kho" || echo "kho tar"); do
            fresh "$out" "$gb"; warm "$blobs"
            if [ "$who" = kho ]; then timed exp "$kho" export --storage "$arch" -o "$out/bag.tar"
            else timed tar tar -cf "$out/ref.tar" -C "$blobs" .; fi
            [ "$who" = kho ] && [ "$r" = "$runs" ] && cp "$out/bag.tar" "$scratch/bag.tar"
            gone "$out"
        done
    done
    local bag_bytes; bag_bytes=$(stat -c %s "$scratch/bag.tar")
    echo "bench:   export runs (s): $(runs_of exp_t); tar -cf runs (s): $(runs_of tar_t); export peak RSS (KB): $(runs_of exp_m)" >&2
    local et tt; et=$(med exp_t); tt=$(med tar_t); x=$(ratio "$tt" "$et")
    row "export --format tar, $(fmt_rate "$bag_bytes" 1 | sed 's|/s||') bag" "$(fmt_rate "$bag_bytes" "$et")" "tar -cf + sync $(fmt_rate "$blob_bytes" "$tt")" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    row "export, peak memory (worst run)" "$(peak_mb exp_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb exp_m))) 0)"
    cpu_row export exp tar "tar -cf"

    # 3. bundle verify vs one openssl process over the same file (and bagit.py, unpacked).
    local bv_t=() bv_m=() bv_c=() bv_b=() os_t=() os_m=() os_c=() os_b=()
    echo "bench: corpus: kho bundle verify vs openssl dgst -sha256, $runs runs each" >&2
    for r in $(seq "$runs"); do
        # Who goes first alternates, as in the other steps: the first read after the step
        # before runs slower, whoever makes it.
        for who in $( [ $((r % 2)) = 1 ] && echo "openssl kho" || echo "kho openssl"); do
            cat "$scratch/bag.tar" >/dev/null
            if [ "$who" = kho ]; then timed bv "$kho" bundle verify "$scratch/bag.tar"
            else timed os openssl dgst -sha256 "$scratch/bag.tar"; fi
        done
    done
    echo "bench:   bundle verify runs (s): $(runs_of bv_t); openssl runs (s): $(runs_of os_t); peak RSS (KB): $(runs_of bv_m)" >&2
    local bt ot; bt=$(med bv_t); ot=$(med os_t); x=$(ratio "$ot" "$bt")
    row "bundle verify of that bag" "$(fmt_rate "$bag_bytes" "$bt")" "openssl (1 process) $(fmt_rate "$bag_bytes" "$ot")" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    row "bundle verify, peak memory (worst run)" "$(peak_mb bv_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb bv_m))) 0)"
    cpu_row "bundle verify" bv os openssl
    if [ -x "${KHO_BAGIT_PY:-$repo/.build/tools/venv/bin/bagit.py}" ]; then
        local bagit="${KHO_BAGIT_PY:-$repo/.build/tools/venv/bin/bagit.py}" bp_t=() bp_m=() bp_c=() bp_b=()
        rm -rf "$scratch/unpacked"; mkdir -p "$scratch/unpacked"; tar -xf "$scratch/bag.tar" -C "$scratch/unpacked"
        for r in $(seq "$runs"); do warm "$scratch/unpacked"; timed bp "$bagit" --validate --processes 2 "$scratch/unpacked"/*; done
        rm -rf "$scratch/unpacked"
        echo "bench:   bagit.py runs (s): $(runs_of bp_t)" >&2
        local pt; pt=$(med bp_t)
        row "bundle verify vs bagit.py (unpacked)" "$(fmt_rate "$bag_bytes" "$bt")" "bagit.py -p 2 $(fmt_rate "$bag_bytes" "$pt")" "$(ratio "$pt" "$bt")x" "> 1x" "$(verdict "$(ratio "$pt" "$bt")" 1.0)"
    else
        echo "bench: corpus: bagit.py not installed (see above); its comparison skipped" >&2
    fi

    # 4. bundle import into an empty archive vs tar -xf, both + sync.
    local bi_t=() bi_m=() bi_c=() bi_b=() tx_t=() tx_m=() tx_c=() tx_b=()
    echo "bench: corpus: kho bundle import vs tar -xf + sync, $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "tar kho" || echo "kho tar"); do
            fresh "$out" "$gb"; cat "$scratch/bag.tar" >/dev/null
            if [ "$who" = kho ]; then "$kho" init "$out/a" >/dev/null; timed bi "$kho" bundle import "$scratch/bag.tar" --storage "$out/a"
            else mkdir -p "$out/x"; timed tx tar -xf "$scratch/bag.tar" -C "$out/x"; fi
            gone "$out"
        done
    done
    echo "bench:   bundle import runs (s): $(runs_of bi_t); tar -xf runs (s): $(runs_of tx_t); peak RSS (KB): $(runs_of bi_m)" >&2
    local it2 xt; it2=$(med bi_t); xt=$(med tx_t); x=$(ratio "$xt" "$it2")
    row "bundle import of that bag" "$(fmt_rate "$bag_bytes" "$it2")" "tar -xf + sync $(fmt_rate "$bag_bytes" "$xt")" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    row "bundle import, peak memory (worst run)" "$(peak_mb bi_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb bi_m))) 0)"
    cpu_row "bundle import" bi tx "tar -xf"

    # 5. verify vs two openssl processes over the same blobs.
    find "$blobs" -type f -printf '%s %p\n' | sort -rn | awk -v a="$scratch/half1" -v b="$scratch/half2" '{ if (x<=y) {print $2 > a; x+=$1} else {print $2 > b; y+=$1} }'
    local v_t=() v_m=() v_c=() v_b=() o_t=()
    echo "bench: corpus: kho verify vs two openssl processes, $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "openssl kho" || echo "kho openssl"); do
            warm "$blobs"
            if [ "$who" = kho ]; then timed v "$kho" verify --storage "$arch"; continue; fi
            local t0; t0=$(now)
            xargs -a "$scratch/half1" openssl dgst -sha256 >/dev/null & local p1=$!
            xargs -a "$scratch/half2" openssl dgst -sha256 >/dev/null & local p2=$!
            wait "$p1" "$p2"; o_t+=("$(elapsed "$t0" "$(now)")")
        done
    done
    echo "bench:   verify runs (s): $(runs_of v_t); 2x openssl runs (s): $(runs_of o_t)" >&2
    local vt vo; vt=$(med v_t); vo=$(med o_t); x=$(ratio "$vo" "$vt")
    row "verify of the archive" "$(fmt_rate "$blob_bytes" "$vt")" "2x openssl $(fmt_rate "$blob_bytes" "$vo")" "${x}x" ">= 0.9x" "$(verdict "$x" 0.9)"

    # 6. ingest of the three largest files (the videos) vs cp + sync, median of 6: each tool
    # goes first in three runs (with an odd count, one order would weigh more in the median).
    local -a bigs; mapfile -t bigs < <(find "$data" -type f ! -name manifest.csv -printf '%s\t%p\n' | sort -rn | awk -F'\t' 'NR <= 3 { print $2 }')
    local big_bytes; big_bytes=$(stat -c %s "${bigs[@]}" | awk '{s+=$1} END {printf "%.0f", s}')
    local ig_t=() ig_m=() ig_c=() ig_b=() c3_t=() c3_m=() c3_c=() c3_b=()
    echo "bench: corpus: kho ingest of the 3 largest files vs cp + sync, 6 runs each" >&2
    for r in 1 2 3 4 5 6; do
        for who in $( [ $((r % 2)) = 1 ] && echo "cp kho" || echo "kho cp"); do
            fresh "$out" "$gb"; warm "${bigs[@]}"
            if [ "$who" = kho ]; then "$kho" init "$out/a" >/dev/null
                timed ig "$kho" ingest "${bigs[@]}" --title "Ba phóng sự $r" --kind tv_report --lang vi --unit 23293 --storage "$out/a"
            else mkdir -p "$out/c"; timed c3 cp "${bigs[@]}" "$out/c/"; fi
            gone "$out"
        done
    done
    echo "bench:   ingest runs (s): $(runs_of ig_t); cp runs (s): $(runs_of c3_t) (odd runs: cp first)" >&2
    local gt c3; gt=$(med ig_t); c3=$(med c3_t); x=$(ratio "$c3" "$gt")
    row "ingest of 3 videos ($((big_bytes / 1000000)) MB)" "$gt s" "cp + sync $c3 s" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    cpu_row ingest ig c3 cp

    rm -rf "$data" "$arch" "$scratch/bag.tar"
}
