# The `server` section of Scripts/bench (sourced by it): uploads through `kho serve` on
# loopback with curl as the client. A 1 GiB file (256 MiB with --quick) in one tus PATCH
# against `cp` + `sync` of the same file, alternating, medians of --runs; then 100 clients
# uploading 10 MB each at once (create + PATCH), all of which must be stored; the server's
# peak memory (VmHWM) through both. Page latencies under wrk: `pages_bench` below.

# Starts `kho serve` on ARCH on a free port, its log in LOG; sets server_pid and server_base.
start_server() { # arch log
    "$kho" serve --port 0 --storage "$1" 2> "$2" &
    server_pid=$!
    local port="" i
    for i in $(seq 600); do
        port=$(grep -o 'at http://127.0.0.1:[0-9]*' "$2" | head -1 | sed 's/.*://') || true
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: the server did not start: $(cat "$2")" >&2; kill "$server_pid"; return 1; }
    server_base="http://127.0.0.1:$port"
}

server_bench() {
    local size_mb=1024 clients=100 each_mb=10
    [ "$quick" = 1 ] && { size_mb=256; clients=20; }
    local dir="$scratch/server" arch="$scratch/server/archive"
    rm -rf "$dir"; mkdir -p "$dir"
    "$kho" init "$arch" >/dev/null
    local password="một mật khẩu đủ dài để thử tải"
    echo "$password" | "$kho" users add bench --role staff --unit 21025 --password-stdin --storage "$arch" >/dev/null
    head -c "${size_mb}M" /dev/urandom > "$dir/big.bin"
    head -c "${each_mb}M" /dev/urandom > "$dir/each.bin"
    sync
    start_server "$arch" "$dir/serve.log" || return 1
    local pid=$server_pid base=$server_base jar="$dir/cookies"
    curl -s -c "$jar" -o /dev/null --data-urlencode "name=bench" --data-urlencode "password=$password" "$base/login"
    local csrf; csrf=$(curl -s -b "$jar" "$base/" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    tus=(-b "$jar" -H "X-CSRF-Token: $csrf" -H "Tus-Resumable: 1.0.0")
    create() { # bytes → the upload's path
        curl -s -D - -o /dev/null "${tus[@]}" -X POST -H "Upload-Length: $1" -H "Upload-Metadata: filename YmVuY2guYmlu" "$base/api/v1/uploads" \
            | tr -d '\r' | awk -F': ' 'tolower($1) == "location" { print $2 }'
    }
    patch_file() { # path file → HTTP status
        # As browsers do: no "Expect: 100-continue" (curl's own habit for large bodies, which
        # waits for an interim answer before sending; Hummingbird does not send one).
        curl -s -o /dev/null -w '%{http_code}' "${tus[@]}" -X PATCH -H "Content-Type: application/offset+octet-stream" -H "Upload-Offset: 0" \
            -H "Expect:" -T "$2" "$base$1"
    }
    local bytes=$((size_mb << 20)) up=() cp_t=() r
    for r in $(seq "$runs"); do
        local location; location=$(create "$bytes")
        local t0; t0=$(now)
        local status; status=$(patch_file "$location" "$dir/big.bin")
        up+=("$(elapsed "$t0" "$(now)")")
        [ "$status" = 204 ] || echo "bench: upload run $r answered $status" >&2
        curl -s -o /dev/null "${tus[@]}" -X DELETE "$base$location"
        rm -f "$dir/copy.bin"; sync
        t0=$(now)
        cp "$dir/big.bin" "$dir/copy.bin" && sync
        cp_t+=("$(elapsed "$t0" "$(now)")")
        rm -f "$dir/copy.bin"; sync
    done
    echo "bench:   upload of $size_mb MiB, runs (s): ${up[*]}; cp + sync runs (s): ${cp_t[*]}" >&2
    local up_m cp_m; up_m=$(printf '%s\n' "${up[@]}" | median); cp_m=$(printf '%s\n' "${cp_t[@]}" | median)
    row "tus upload, $size_mb MiB in one PATCH" "$(fmt_rate "$bytes" "$up_m")" "cp + sync $(fmt_rate "$bytes" "$cp_m")" "$(ratio "$cp_m" "$up_m")x" ">= 0.7x" "$(verdict "$(ratio "$cp_m" "$up_m")" 0.7)"
    # Many at once.
    export -f create patch_file
    export base csrf jar
    local t0; t0=$(now)
    mkdir -p "$dir/many"
    seq "$clients" | xargs -P "$clients" -I{} bash -c 'tus=(-b "$jar" -H "X-CSRF-Token: $csrf" -H "Tus-Resumable: 1.0.0"); l=$(create '"$((each_mb << 20))"'); patch_file "$l" "'"$dir/each.bin"'" > "'"$dir"'/many/{}.txt"'
    local many_s; many_s=$(elapsed "$t0" "$(now)")
    local ok; ok=$(grep -l '^204$' "$dir"/many/*.txt | wc -l)
    echo "bench:   $clients clients x $each_mb MB: $ok stored (204) in $many_s s; answers: $(for f in "$dir"/many/*.txt; do cat "$f"; echo; done | sort | uniq -c | tr -s ' ' | tr '\n' ';')" >&2
    row "$clients clients x $each_mb MB at once" "$ok of $clients stored" "$(fmt_rate $((clients * (each_mb << 20))) "$many_s")" "-" "all stored" "$([ "$ok" = "$clients" ] && echo met || echo missed)"
    local peak; peak=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    row "server peak memory (VmHWM)" "$peak MB" "-" "-" "<= 150 MB" "$(verdict $((150 - peak)) 0)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}

# Page latencies of `kho serve` on the 1,000,000-product catalog of the report section (built
# here when that section did not leave it: --keep, or an earlier section of the same run), under
# wrk in a second process on loopback: 32 connections, 30 s per page (5 s with --quick), as an
# admin of the whole country (the widest scope): the product list, a search, a product page, the
# API list, the country dashboard for a year. p99 and throughput per page; the server's peak memory.
wrk_case() { # label target_ms url [header]
    local label=$1 target=$2 url=$3 header=${4:-}
    local out; out=$(wrk -t2 -c32 -d"$wrk_seconds"s --latency ${header:+-H "$header"} "$url" 2>&1)
    local p99 rps errors
    p99=$(echo "$out" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } printf "%.1f", v }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ { print }' | tr '\n' ' ')
    echo "bench:   $label: p99 $p99 ms, $rps requests/s ${errors:+($errors)}" >&2
    row "$label" "p99 $p99 ms" "$rps req/s" "-" "<= $target ms" "$(awk -v p="$p99" -v t="$target" -v e="$errors" 'BEGIN{print (p<=t && e=="" ? "met" : "MISSED")}')"
}

# The report section's 1,000,000-product catalog at ARCH (made in DIR when it is not there).
million_catalog() { # arch dir
    local arch=$1 dir=$2 nrows=1000000 parts=10
    [ "$quick" = 1 ] && { nrows=100000; parts=2; }
    [ -f "$arch/catalog.sqlite" ] && return 0
    make_product_manifests "$dir" "$nrows" "$parts"
    "$kho" init "$arch" >/dev/null
    for p in $(seq "$parts"); do
        echo "bench:   importing part $p of $parts" >&2
        "$kho" import "$dir/m$p.csv" --storage "$arch" --report "$dir/r$p.csv" >/dev/null 2>&1
    done
    sqlite3 "$arch/catalog.sqlite" "UPDATE products SET digitized = 1 WHERE pk % 5 != 0; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
}

pages_bench() {
    wrk_seconds=30; [ "$quick" = 1 ] && wrk_seconds=5
    local arch="$scratch/report-archive" dir="$scratch/pages"
    rm -rf "$dir"; mkdir -p "$dir"
    million_catalog "$arch" "$dir"
    local count; count=$(sqlite3 "$arch/catalog.sqlite" "SELECT count(*) FROM products")
    local password="một mật khẩu đủ dài để đo trang"
    "$kho" users list --storage "$arch" | grep -q "^bench.admin" \
        || echo "$password" | "$kho" users add bench.admin --role admin --password-stdin --storage "$arch" >/dev/null
    echo "$password" | "$kho" users passwd bench.admin --password-stdin --storage "$arch" >/dev/null
    local token; token=$("$kho" users token bench.admin --json --storage "$arch" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
    start_server "$arch" "$dir/serve.log" || return 1
    local pid=$server_pid base=$server_base
    local cookie; cookie=$(curl -s -D - -o /dev/null --data-urlencode "name=bench.admin" --data-urlencode "password=$password" "$base/login" \
        | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: kho_session=\([^;]*\).*/\1/p' | head -1)
    local id; id=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/products?limit=1" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' | head -1)
    [ -n "$cookie" ] && [ -n "$id" ] || { echo "bench: could not log in or read a product" >&2; kill "$pid"; return 1; }
    echo "bench:   $count products; pages as bench.admin (the whole country)" >&2
    wrk_case "page: product list (first page)" 50 "$base/products" "Cookie: kho_session=$cookie"
    wrk_case "page: product list, one unit and kind" 50 "$base/products?unit=51&kind=leaflet" "Cookie: kho_session=$cookie"
    wrk_case "page: search 'san pham 4242'" 50 "$base/products?q=san+pham+4242" "Cookie: kho_session=$cookie"
    wrk_case "page: a product" 50 "$base/products/$id" "Cookie: kho_session=$cookie"
    wrk_case "API: product list" 50 "$base/api/v1/products" "Authorization: Bearer $token"
    wrk_case "page: country dashboard, 2025" 300 "$base/reports?period=2025" "Cookie: kho_session=$cookie"
    local peak; peak=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    row "server peak memory under wrk (VmHWM)" "$peak MB" "-" "-" "<= 150 MB" "$(awk -v p="$peak" 'BEGIN{print (p<=150?"met":"MISSED")}')"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
    [ "$keep" = 1 ] || want oai || rm -rf "$arch"
}
