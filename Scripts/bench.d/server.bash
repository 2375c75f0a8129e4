# The `server` section of Scripts/bench (sourced by it): uploads through `kho serve` on
# loopback with curl as the client. A 1 GiB file (256 MiB with --quick) in one tus PATCH
# against `cp` + `sync` of the same file, alternating, medians of --runs; then 100 clients
# uploading 10 MB each at once (create + PATCH), all of which must be stored; the server's
# peak memory (VmHWM) through both. Page latencies under wrk are still to come.
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
    "$kho" serve --port 0 --storage "$arch" 2> "$dir/serve.log" &
    local pid=$!
    local port="" i
    for i in $(seq 600); do
        port=$(grep -o 'at http://127.0.0.1:[0-9]*' "$dir/serve.log" | head -1 | sed 's/.*://') || true
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: the server did not start: $(cat "$dir/serve.log")" >&2; kill "$pid"; return 1; }
    local base="http://127.0.0.1:$port" jar="$dir/cookies"
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
