# The `oai` section of Scripts/bench (sourced by it): a full OAI-PMH harvest of the report
# section's 1,000,000-product catalog by Sickle (PyPI), ListRecords in oai_dc, following every
# resumption token: records per second, the time of the first pages against the last ones, and
# the server's peak memory (VmHWM). Reference in the same run: the sqlite3 shell reading the same
# rows' keys in the same order (the catalog's own speed, no XML, no HTTP).

oai_bench() {
    local arch="$scratch/report-archive" dir="$scratch/oai"
    rm -rf "$dir"; mkdir -p "$dir"
    million_catalog "$arch" "$dir" || return 1
    local venv="$repo/.build/tools/venv"
    if ! "$venv/bin/python" -c "import sickle" 2>/dev/null; then
        echo "bench: installing sickle (PyPI) into $venv" >&2
        [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet sickle
    fi
    # Open it once: a catalog of an older Kho is migrated now, not during the harvest.
    "$kho" list --limit 1 --storage "$arch" >/dev/null
    local count; count=$(sqlite3 "$arch/catalog.sqlite" "SELECT count(*) FROM products")
    local t0 t1 ref_s
    t0=$(now)
    sqlite3 "$arch/catalog.sqlite" "SELECT p.id, p.updated_at, p.title FROM products p INDEXED BY products_changed ORDER BY p.updated_at, p.pk" > /dev/null
    t1=$(now); ref_s=$(elapsed "$t0" "$t1")
    start_server "$arch" "$dir/serve.log" || return 1
    local pid=$server_pid base=$server_base
    echo "bench: oai: harvesting $count products with Sickle (ListRecords, oai_dc, 100 a page)" >&2
    "$venv/bin/python" Scripts/bench.d/oai_harvest.py "$base/oai" oai_dc > "$dir/harvest.json" || { kill "$pid"; return 1; }
    local peak; peak=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    # records, seconds, and the medians of the first and the last ten pages (ms).
    local figures; figures=$(python3 -c '
import json, statistics, sys
h = json.load(open(sys.argv[1]))
p = h["pages"]
print(h["records"], "%.2f" % h["seconds"], "%.1f" % (statistics.median(p[:10]) * 1000), "%.1f" % (statistics.median(p[-10:]) * 1000),
      "%.1f" % (p[0] * 1000), "%.1f" % (p[-1] * 1000), len(p))' "$dir/harvest.json")
    local records seconds first10 last10 first last pages
    read -r records seconds first10 last10 first last pages <<< "$figures"
    echo "bench:   $records records in $seconds s, $pages pages; first page $first ms, last $last ms; medians of the first and last ten: $first10 / $last10 ms; sqlite3 read of the same keys $ref_s s" >&2
    local rps; rps=$(awk -v n="$records" -v s="$seconds" 'BEGIN{printf "%.0f", n/s}')
    local ref_rps; ref_rps=$(awk -v n="$count" -v s="$ref_s" 'BEGIN{printf "%.0f", n/s}')
    row "oai: full harvest, oai_dc, Sickle" "$rps records/s" "sqlite3 keys $ref_rps rows/s" "-" ">= 2000/s" "$(verdict "$rps" 2000)"
    row "oai: harvest complete" "$records of $count" "-" "-" "all" "$( [ "$records" = "$count" ] && echo met || echo MISSED)"
    row "oai: last page vs first (medians of ten)" "$last10 ms" "first $first10 ms" "$(ratio "$last10" "$first10")" "<= 1.5x" \
        "$(awk -v a="$last10" -v b="$first10" 'BEGIN{print (a/b<=1.5?"met":"MISSED")}')"
    row "oai: first page (counts the list) / last" "$first ms" "last $last ms" "$(ratio "$last" "$first")" "<= 1.5x" \
        "$(awk -v a="$last" -v b="$first" 'BEGIN{print (a/b<=1.5?"met":"MISSED")}')"
    row "oai: server peak memory (VmHWM)" "$peak MB" "-" "-" "<= 150 MB" "$(verdict $((150 - peak)) 0)"
    rm -rf "$dir"
    [ "$keep" = 1 ] || rm -rf "$arch"
}
