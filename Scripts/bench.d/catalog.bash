# The `catalog` section of Scripts/bench (sourced by it): registering rows must not slow down
# as the catalog grows. 1,000,000 physical products over 2023-2028 and every unit, imported
# into one archive in ten manifests of 100,000; rows per second of each part, the first and
# the last compared. The reference: the sqlite3 shell replaying the last part's rows (the same
# products, events, search entries and source links, taken from Kho's own result) into a copy
# of the catalog as it was before that part, in transactions of Kho's size (Archive.groupRows)
# with Kho's page cache: what SQLite itself does with this schema on this disk.
catalog_bench() {
    local nrows=1000000 parts=10 group=16384
    [ "$quick" = 1 ] && { nrows=200000; parts=4; }
    local dir="$scratch/catalog" arch="$scratch/catalog-archive" before="$scratch/catalog-before-last.sqlite"
    rm -rf "$dir" "$arch" "$before"; mkdir -p "$dir"
    make_product_manifests "$dir" "$nrows" "$parts"
    "$kho" init "$arch" >/dev/null
    local per=$((nrows / parts)) rates=() rss=()
    for p in $(seq "$parts"); do
        [ "$p" = "$parts" ] && cp "$arch/catalog.sqlite" "$before"
        local t0; t0=$(now)
        /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" import "$dir/m$p.csv" --storage "$arch" --report "$dir/r$p.csv" >/dev/null 2>&1
        local s; s=$(elapsed "$t0" "$(now)")
        rates+=("$(awk -v n="$per" -v s="$s" 'BEGIN{printf "%.0f", n/s}')")
        rss+=("$(tail -1 "$scratch/rss")")
        echo "bench:   part $p of $parts: $per rows in $s s (${rates[-1]} rows/s), catalog $(du -sh "$arch/catalog.sqlite" | cut -f1)" >&2
    done
    echo "bench:   rows/s per part: ${rates[*]}; peak RSS (KB): ${rss[*]}" >&2
    local sq; sq=$(replay_last_part "$arch/catalog.sqlite" "$before" "$group")
    local sq_rate; sq_rate=$(awk -v n="$per" -v s="$sq" 'BEGIN{printf "%.0f", n/s}')
    echo "bench:   sqlite3 replaying the last part: $per rows in $sq s ($sq_rate rows/s)" >&2
    row "register, first $per rows into an empty archive" "${rates[0]} rows/s" "-" "-" "-" ""
    row "register, last $per of $nrows rows" "${rates[-1]} rows/s" "-" "$(ratio "${rates[-1]}" "${rates[0]}")x of first" ">= 15000/s" "$(verdict "${rates[-1]}" 15000)"
    row "  same rows replayed by sqlite3" "$sq_rate rows/s" "Kho / sqlite3" "$(ratio "${rates[-1]}" "$sq_rate")x" "-" ""
    local peak; peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')
    row "register, peak memory (worst part)" "$peak MB" "-" "-" "<= 128 MB" "$(verdict $((128 - peak)) 0)"
    rm -rf "$dir" "$arch" "$before"
}

# Seconds the sqlite3 shell takes to insert into `before` the rows `after` has beyond it.
replay_last_part() { # after before group
    local after=$1 before=$2 group=$3 first last
    first=$(sqlite3 "$before" "SELECT max(pk) + 1 FROM products")
    last=$(sqlite3 "$after" "SELECT max(pk) FROM products")
    local cols="id, title, title_sort, kind, unit, produced, published, reference_date, campaign, description, creator, access, origin, carrier,
        digitized_on, digitization_method, digitized, created_at, updated_at, languages, channels, topics, digital, title_key, minority,
        foreign_language, unit_era, province_now, home_archive"
    {
        echo "PRAGMA cache_size = -28672; PRAGMA synchronous = FULL; ATTACH '$after' AS src;"
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
