# The `catalog` section of Scripts/bench (sourced by it): registering rows must not slow down
# as the catalog grows. 1,000,000 physical products over 2023-2028 and every unit, imported
# into one archive in ten manifests of 100,000; rows per second of each part, the first and
# the last compared. The reference: the sqlite3 shell replaying the last part's rows (the same
# products, events, search entries and source links, taken from Kho's own result) into a copy
# of the catalog as it was before that part, in transactions of Kho's size there (Archive.stagedGroupRows: the catalog is large)
# with Kho's page cache: what SQLite itself does with this schema on this disk; and again with a
# page cache of 1 GB, which holds every page the part touches (nothing spilled): what SQLite
# does with this schema when memory is no limit at all (the 128 MB budget set aside). The last part's
# time is also split as Kho reports it (its rows into the catalog, then each new product's
# sidecar: a large renewal writes them as packs, many to a file), and the sidecars have their own
# reference: the files that hold them (packs, and any sidecar in a file of its own) copied by two
# tar processes + sync. Both references together are the floor of this machine.
# The last part runs three times, each into the archive as it was before it (a copy taken
# then): its rate is the median of the three, and the split and the references are those of the
# median run. (The machine's speed drifts by 20-40% within an hour: one run says little.)
# The archive, the catalog copy and the sidecar copies are on a fresh ext4 (as in the corpus
# section, when run as root) with inodes for every sidecar: on a disk aged by earlier runs,
# ext4's inode allocation passes over recently freed inodes one by one, and the figures drift.
# One import of manifest FILE into ARCH, its output to SAID: prints its seconds; its peak RSS (KB) in $scratch/rss.
import_part() { # arch file said
    local t0; t0=$(now)
    /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" import "$2" --storage "$1" --report "${2%.csv}.result.csv" > "$3" 2>/dev/null
    elapsed "$t0" "$(now)"
}

catalog_bench() {
    local nrows=1000000 parts=10 group=32768
    [ "$quick" = 1 ] && { nrows=200000; parts=4; }
    local fs="$scratch/catalog-fs"
    corpus_fs_check
    fresh "$fs" 24 $((nrows * 3 / 2))
    [ "$corpus_fs_ok" = 1 ] && echo "bench: catalog: on a fresh ext4 file system (loop device, direct I/O, $((nrows * 3 / 2)) inodes)" >&2 \
        || echo "bench: catalog: NOTE: not root or no loop devices; the archive is on the scratch disk" >&2
    local dir="$scratch/catalog" arch="$fs/archive" before="$fs/catalog-before-last.sqlite"
    rm -rf "$dir"; mkdir -p "$dir"
    make_product_manifests "$dir" "$nrows" "$parts"
    "$kho" init "$arch" >/dev/null
    local per=$((nrows / parts)) rates=() rss=()
    local kept="$fs/archive-before-last" last_runs=()
    for p in $(seq "$parts"); do
        if [ "$p" = "$parts" ]; then cp "$arch/catalog.sqlite" "$before"; cp -a "$arch" "$kept"; sync; fi
        local s; s=$(import_part "$arch" "$dir/m$p.csv" "$scratch/said1")
        rates+=("$(awk -v n="$per" -v s="$s" 'BEGIN{printf "%.0f", n/s}')")
        rss+=("$(tail -1 "$scratch/rss")")
        echo "bench:   part $p of $parts: $per rows in $s s (${rates[-1]} rows/s), catalog $(du -sh "$arch/catalog.sqlite" | cut -f1)" >&2
    done
    echo "bench:   rows/s per part: ${rates[*]}; peak RSS (KB): ${rss[*]}" >&2
    # The last part twice more, into a copy of the archive as it was before it.
    last_runs+=("$s")
    for run in 2 3; do
        rm -rf "$arch"; cp -a "$kept" "$arch"; sync
        last_runs+=("$(import_part "$arch" "$dir/m$parts.csv" "$scratch/said$run")")
        rss+=("$(tail -1 "$scratch/rss")")
        echo "bench:   part $parts again (run $run of 3): $per rows in ${last_runs[-1]} s, peak RSS $(tail -1 "$scratch/rss") KB" >&2
    done
    rm -rf "$kept"
    # The median run: its rate is the last part's; its split, below, the one compared.
    local mid; mid=$(for i in 0 1 2; do echo "${last_runs[$i]} $((i + 1))"; done | sort -g | sed -n 2p | cut -d' ' -f2)
    rates[-1]=$(awk -v n="$per" -v s="${last_runs[$((mid - 1))]}" 'BEGIN{printf "%.0f", n/s}')
    echo "bench:   last part, three runs: ${last_runs[*]} s; the median (run $mid): ${rates[-1]} rows/s" >&2
    # The last part as Kho said it: "stored ... in N s" is its rows; the rest of the command its sidecars.
    local whole; whole=$(awk -v n="$per" -v r="${rates[-1]}" 'BEGIN{printf "%.4f", n/r}')
    local rows_s; rows_s=$(sed -n 's/^stored .* in \([0-9.]*\) s (.*/\1/p' "$scratch/said$mid")
    local side_s; side_s=$(awk -v a="$whole" -v b="$rows_s" 'BEGIN{printf "%.4f", a-b}')
    local last_first; last_first=$(sqlite3 "$before" "SELECT max(pk) + 1 FROM products")   # before the replay adds them
    cp "$before" "$before.unlimited"
    local sq; sq=$(replay_last_part "$arch/catalog.sqlite" "$before" "$group" 28672)
    local sq_rate; sq_rate=$(awk -v n="$per" -v s="$sq" 'BEGIN{printf "%.0f", n/s}')
    echo "bench:   sqlite3 replaying the last part: $per rows in $sq s ($sq_rate rows/s)" >&2
    local squ; squ=$(replay_last_part "$arch/catalog.sqlite" "$before.unlimited" "$group" 1048576)
    rm -f "$before.unlimited"*
    echo "bench:   the same with a 1 GB page cache: $per rows in $squ s ($(awk -v n="$per" -v s="$squ" 'BEGIN{printf "%.0f", n/s}') rows/s)" >&2
    local tc; tc=$(copy_last_sidecars "$arch" "$last_first" "$fs/sidecar-copy")
    echo "bench:   last part: rows $rows_s s, sidecars $side_s s (Kho); tar | tar of those sidecars + sync: $tc s" >&2
    local floor; floor=$(awk -v n="$per" -v a="$sq" -v b="$tc" 'BEGIN{printf "%.0f", n/(a+b)}')
    local floor_u; floor_u=$(awk -v n="$per" -v a="$squ" -v b="$tc" 'BEGIN{printf "%.0f", n/(a+b)}')
    row "register, first $per rows into an empty archive" "${rates[0]} rows/s" "-" "-" "-" ""
    row "register, last $per of $nrows rows (median of 3)" "${rates[-1]} rows/s" "-" "$(ratio "${rates[-1]}" "${rates[0]}")x of first" ">= 15000/s" "$(verdict "${rates[-1]}" 15000)"
    row "  its rows into the catalog" "$rows_s s" "sqlite3 replay $sq s" "$(ratio "$sq" "$rows_s")x" "-" ""
    row "  its $per sidecars" "$side_s s" "tar | tar + sync $tc s" "$(ratio "$tc" "$side_s")x" "-" ""
    row "  both references together" "$floor rows/s" "-" "-" "" "(this machine's floor)"
    row "  its rows, memory no limit" "$rows_s s" "sqlite3 replay, 1 GB cache $squ s" "$(ratio "$squ" "$rows_s")x" "-" ""
    row "  both references, memory no limit" "$floor_u rows/s" "-" "-" "" "(the floor without the 128 MB budget)"
    local peak; peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')
    row "register, peak memory (worst part)" "$peak MB" "-" "-" "<= 128 MB" "$(verdict $((128 - peak)) 0)"
    rm -rf "$dir"
    whole_archive_bundle "$arch"
    gone "$fs"
}

# Memory flat whatever the size of the archive: the whole catalog archive (registrations: each
# product a metadata.json and a dc.xml, 2 payload files) exported as one tar bag, that bag
# verified, and imported into an empty archive; peak memory of each against the 128 MB budget,
# and its time against a reference in the same run (tar -cf of the archive's sidecar files +
# sync; openssl dgst -sha256 of the bag; tar -xf + sync of it). One run each: the steps take
# minutes at this size, and what is measured is memory.
whole_archive_bundle() { # archive
    local arch=$1 bag="$scratch/whole.tar" into="$scratch/whole-import"
    echo "bench: catalog: the whole archive exported, its bag verified and imported (one run each)" >&2
    rm -f "$bag"
    local t0; t0=$(now)
    /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" export --storage "$arch" -o "$bag" > "$scratch/said" 2>/dev/null
    sync; local ex; ex=$(elapsed "$t0" "$(now)"); local ex_m; ex_m=$(tail -1 "$scratch/rss")
    # "exported N product(s), M payload files (...) to ...": Kho's own count of the bag's payload.
    local bytes files; bytes=$(stat -c %s "$bag"); files=$(sed -n 's/^exported .* product(s), \([0-9]*\) payload files.*/\1/p' "$scratch/said")
    rm -rf "$scratch/sidecar-tar"; warm "$arch/sidecars"
    t0=$(now); tar -cf "$scratch/sidecar-tar" -C "$arch" sidecars; sync; local tc; tc=$(elapsed "$t0" "$(now)"); rm -f "$scratch/sidecar-tar"
    cat "$bag" > /dev/null
    t0=$(now); /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" bundle verify "$bag" >/dev/null 2>&1
    local bv; bv=$(elapsed "$t0" "$(now)"); local bv_m; bv_m=$(tail -1 "$scratch/rss")
    t0=$(now); openssl dgst -sha256 "$bag" >/dev/null; local os; os=$(elapsed "$t0" "$(now)")
    rm -rf "$into"; "$kho" init "$into" >/dev/null; sync; cat "$bag" > /dev/null
    t0=$(now); /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" bundle import "$bag" --storage "$into" >/dev/null 2>&1
    sync; local bi; bi=$(elapsed "$t0" "$(now)"); local bi_m; bi_m=$(tail -1 "$scratch/rss")
    rm -rf "$into"; mkdir -p "$into"; sync
    t0=$(now); tar -xf "$bag" -C "$into"; sync; local tx; tx=$(elapsed "$t0" "$(now)")
    rm -rf "$into" "$bag"
    echo "bench:   export $ex s ($ex_m KB), tar -cf of the sidecars $tc s; verify $bv s ($bv_m KB), openssl $os s; import $bi s ($bi_m KB), tar -xf $tx s; $files payload files, $bytes bytes" >&2
    local mb
    mb=$(awk -v k="$ex_m" 'BEGIN{printf "%.0f", k/1024}')
    row "export, whole archive ($files payload files)" "$ex s, $mb MB" "tar -cf sidecars $tc s" "$(ratio "$tc" "$ex")x" "<= 128 MB" "$(verdict $((128 - mb)) 0)"
    mb=$(awk -v k="$bv_m" 'BEGIN{printf "%.0f", k/1024}')
    row "bundle verify of that bag" "$bv s, $mb MB" "openssl $os s" "$(ratio "$os" "$bv")x" "<= 128 MB" "$(verdict $((128 - mb)) 0)"
    mb=$(awk -v k="$bi_m" 'BEGIN{printf "%.0f", k/1024}')
    row "bundle import of that bag" "$bi s, $mb MB" "tar -xf + sync $tx s" "$(ratio "$tx" "$bi")x" "<= 128 MB" "$(verdict $((128 - mb)) 0)"
}

# Seconds two tar processes (one reading, one writing) + sync take to copy the files that hold the
# sidecars of the archive's products from key `first` on (their packs, and those in files of their
# own) into a fresh folder `to`: the files Kho wrote for them.
copy_last_sidecars() { # archive first to
    local arch=$1 first=$2 to=$3
    rm -rf "$to"; mkdir -p "$to"
    sqlite3 "$arch/catalog.sqlite" "SELECT DISTINCT CASE WHEN pack IS NULL THEN 'sidecars/' || substr(sha256, 1, 2) || '/' || sha256 || '.json'
        ELSE 'sidecars/packs/' || substr('0000000000' || pack, -10) || '.tar' END FROM sidecars WHERE product_pk >= $first" > "$scratch/sidecar-list"
    [ -s "$scratch/sidecar-list" ] || { echo "bench: no sidecars from product $first on in $arch" >&2; exit 1; }
    (cd "$arch" && xargs -a "$scratch/sidecar-list" cat > /dev/null)   # in the page cache, as Kho's rows were
    sync
    local t0; t0=$(now)
    tar -C "$arch" -cf - -T "$scratch/sidecar-list" | tar -C "$to" -xf -
    sync
    local s; s=$(elapsed "$t0" "$(now)")
    rm -rf "$to" "$scratch/sidecar-list"
    echo "$s"
}

# Seconds the sqlite3 shell takes to insert into `before` the rows `after` has beyond it, with a
# page cache of `cache_kib`.
replay_last_part() { # after before group cache_kib
    local after=$1 before=$2 group=$3 cache_kib=$4 first last
    first=$(sqlite3 "$before" "SELECT max(pk) + 1 FROM products")
    last=$(sqlite3 "$after" "SELECT max(pk) FROM products")
    local cols="id, title, title_sort, kind, unit, produced, published, reference_date, campaign, description, creator, access, origin, carrier,
        digitized_on, digitization_method, digitized, created_at, updated_at, languages, channels, topics, digital, title_key, minority,
        foreign_language, unit_era, province_now, home_archive"
    {
        echo "PRAGMA cache_size = -$cache_kib; PRAGMA synchronous = FULL; ATTACH '$after' AS src;"
        for s in $(seq "$first" "$group" "$last"); do
            local e=$((s + group - 1))
            cat <<SQL
BEGIN;
INSERT INTO main.products (pk, $cols) SELECT pk, $cols FROM src.products WHERE pk BETWEEN $s AND $e ORDER BY pk;
INSERT INTO main.products_search (rowid, title, description, keywords) SELECT pk, title, description, '' FROM src.products WHERE pk BETWEEN $s AND $e ORDER BY pk;
INSERT INTO main.events (at, type, object, product_id, agent, outcome, detail, imported_from, product_pk)
    SELECT e.at, e.type, e.object, e.product_id, e.agent, e.outcome, e.detail, e.imported_from, e.product_pk
    FROM src.events e WHERE e.product_pk BETWEEN $s AND $e ORDER BY e.pk;
INSERT INTO main.product_sources SELECT * FROM src.product_sources WHERE product_pk BETWEEN $s AND $e;
COMMIT;
SQL
        done
    } > "$scratch/replay.sql"
    sync
    local t0; t0=$(now)
    sqlite3 "$before" < "$scratch/replay.sql"
    elapsed "$t0" "$(now)"
}
