# The `catalog` section of Scripts/bench (sourced by it): registering rows must not slow down
# as the catalog grows. 1,000,000 physical products over 2023-2028 and every unit, imported
# into one archive in ten manifests of 100,000; rows per second of each part, the first and
# the last compared.
catalog_bench() {
    local nrows=1000000 parts=10
    [ "$quick" = 1 ] && { nrows=200000; parts=4; }
    local dir="$scratch/catalog" arch="$scratch/catalog-archive"
    rm -rf "$dir" "$arch"; mkdir -p "$dir"
    make_product_manifests "$dir" "$nrows" "$parts"
    "$kho" init "$arch" >/dev/null
    local per=$((nrows / parts)) rates=() rss=()
    for p in $(seq "$parts"); do
        local t0; t0=$(now)
        /usr/bin/time -o "$scratch/rss" -f '%M' "$kho" import "$dir/m$p.csv" --storage "$arch" --report "$dir/r$p.csv" >/dev/null 2>&1
        local s; s=$(elapsed "$t0" "$(now)")
        rates+=("$(awk -v n="$per" -v s="$s" 'BEGIN{printf "%.0f", n/s}')")
        rss+=("$(tail -1 "$scratch/rss")")
        echo "bench:   part $p of $parts: $per rows in $s s (${rates[-1]} rows/s), catalog $(du -sh "$arch/catalog.sqlite" | cut -f1)" >&2
    done
    echo "bench:   rows/s per part: ${rates[*]}; peak RSS (KB): ${rss[*]}" >&2
    row "register, first $per rows into an empty archive" "${rates[0]} rows/s" "-" "-" "-" ""
    row "register, last $per of $nrows rows" "${rates[-1]} rows/s" "-" "$(ratio "${rates[-1]}" "${rates[0]}")x of first" ">= 15000/s" "$(verdict "${rates[-1]}" 15000)"
    local peak; peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')
    row "register, peak memory (worst part)" "$peak MB" "-" "-" "<= 128 MB" "$(verdict $((128 - peak)) 0)"
    rm -rf "$dir" "$arch"
}
