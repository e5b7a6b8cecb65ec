"""tensorstore side of the benchmarks: write then read one RAT column, block by block.

The same command line, data, checks and JSON line as bench/zarr_python_bench.py
(its data helpers are shared: values_at, block_sum, ...; zarr itself is not
loaded here), done with tensorstore's zarr3 driver (C++):

    .venv-zarr34/bin/python bench/tensorstore_bench.py --path /tmp/bench.zarr \
        --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3
    ... --path s3://bucket/b.zarr --s3 '{"endpoint": ..., "accessKeyId": ..., "secretAccessKey": ..., "region": ...}'

Layout: the root group and its "RAT" subgroup (attributes ROWCOUNT and
CHUNKSIZE) are written as zarr.json documents through a tensorstore KvStore,
then the column is the zarr3 array RAT/col: shape [rows] (or [rows, width]),
one regular chunk grid [chunk] (or [chunk, width]), codecs bytes (little
endian) + zstd level 3 without checksum (what zarr-python's default level 0
means), fill value 0, as the RAT this library and zarr-python write. The
column is recreated ("delete_existing") before every write run.

Each write is `arr[a:b].write(block).result()`, each read
`arr[a:b].read().result()`, the same block loop as the other sides; every read
run opens the array afresh (tensorstore's default context: no chunk cache, so
each read goes to the store). Local paths use the "file" kvstore, s3:// paths
the "s3" kvstore with the given endpoint (credentials from the environment).

tensorstore's zarr3 driver has no variable-length string data type (0.1.86:
numeric types only), so the string dtypes exit with status 3 and a message on
stderr; the benchmark does not run this script for them.

Timing as in bench/zarr_python_bench.py: write_s / read_s sum the calls only
("pipeline"; tensorstore does its work inside each call, so this is the same
work as the tight loop plus nothing hidden); write_tight_s / read_tight_s time
the whole loop with the blocks made first (numeric stream cases of at most
400 MB). peak_rss_mb is taken before the tight runs. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from importlib.metadata import version

import numpy as np
import tensorstore as ts

from zarr_python_bench import DTYPES, block_sum, block_values, blocks, random_rows, utf8_bytes, values_at

COLUMN = "col"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--path", required=True, help="root of the Zarr store (created if missing)")
    p.add_argument("--rows", type=int, default=20_000_000)
    p.add_argument("--chunk", type=int, default=500_000)
    p.add_argument("--block", type=int, default=500_000)
    p.add_argument("--dtype", choices=DTYPES, default="float64")
    p.add_argument("--width", type=int, default=1)
    p.add_argument("--mode", choices=("stream", "random"), default="stream")
    p.add_argument("--reads", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--s3", default=None,
                   help='for s3:// paths: JSON {"endpoint", "accessKeyId", "secretAccessKey", "region"} of the server')
    args = p.parse_args()
    if min(args.rows, args.chunk, args.block, args.repeat, args.width, args.reads) < 1:
        p.error("--rows, --chunk, --block, --width, --reads and --repeat must be positive")
    if args.dtype.startswith("string"):
        print("tensorstore_bench: tensorstore's zarr3 driver has no string data type", file=sys.stderr)
        sys.exit(3)

    if args.path.startswith("s3://"):
        s3 = json.loads(args.s3)
        bucket, _, prefix = args.path[len("s3://"):].partition("/")
        os.environ["AWS_ACCESS_KEY_ID"] = s3["accessKeyId"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = s3["secretAccessKey"]
        base = {"driver": "s3", "bucket": bucket, "endpoint": s3["endpoint"], "aws_region": s3["region"]}
        root = prefix.rstrip("/") + "/"
    else:
        base = {"driver": "file"}
        root = os.path.abspath(args.path).rstrip("/") + "/"

    def kv(path: str) -> dict:
        return {**base, "path": root + path}

    # The RAT's groups, once (not timed): what Python ratzarr creates.
    store = ts.KvStore.open(kv("")).result()
    store.write("zarr.json", json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {}}).encode()).result()
    store.write("RAT/zarr.json", json.dumps({"zarr_format": 3, "node_type": "group",
                                             "attributes": {"ROWCOUNT": args.rows, "CHUNKSIZE": args.chunk}}).encode()).result()

    shape = [args.rows] if args.width == 1 else [args.rows, args.width]
    chunks = [args.chunk] if args.width == 1 else [args.chunk, args.width]
    metadata = {
        "shape": shape,
        "data_type": args.dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 3, "checksum": False}}],
        "fill_value": 0,
        "attributes": {"MODIFICATIONLOG": []},
    }

    def create():
        return ts.open({"driver": "zarr3", "kvstore": kv(f"RAT/{COLUMN}/"), "metadata": metadata},
                       create=True, delete_existing=True).result()

    def open_existing():
        return ts.open({"driver": "zarr3", "kvstore": kv(f"RAT/{COLUMN}/")}, open=True).result()

    def write_run(block: int) -> tuple[float, float | int, int]:
        arr = create()
        elapsed = 0.0
        total: float | int = 0
        nbytes = 0
        for start, stop in blocks(args.rows, block):
            data = block_values(start, stop, args)
            total += block_sum(data)
            nbytes += utf8_bytes(data, start, stop)
            t0 = time.perf_counter()
            arr[start:stop].write(data).result()
            elapsed += time.perf_counter() - t0
        return elapsed, total, nbytes

    def read_run() -> tuple[float, float | int]:
        arr = open_existing()
        elapsed = 0.0
        total: float | int = 0
        for start, stop in blocks(args.rows, args.block):
            t0 = time.perf_counter()
            data = arr[start:stop].read().result()
            elapsed += time.perf_counter() - t0
            total += block_sum(data)
        return elapsed, total

    def random_run(rows: list[int]) -> float:
        arr = open_existing()
        elapsed = 0.0
        for row in rows:
            t0 = time.perf_counter()
            data = arr[row:row + 1].read().result()
            elapsed += time.perf_counter() - t0
            want = values_at(np.array([row], dtype=np.uint64), args.dtype, args.width)
            if not np.array_equal(data, want):
                sys.exit(f"row {row}: read {data!r}, wrote {want!r}")
        return elapsed

    write_runs, read_runs = [], []
    expected: float | int | None = None
    nbytes = 0
    if args.mode == "random":
        elapsed, expected, nbytes = write_run(args.chunk)
        write_runs.append(elapsed)
        rows = random_rows(args.reads, args.rows, args.seed)
        for _ in range(args.repeat):
            read_runs.append(random_run(rows))
    else:
        for _ in range(args.repeat):
            elapsed, expected, nbytes = write_run(args.block)
            write_runs.append(elapsed)
        for _ in range(args.repeat):
            elapsed, got = read_run()
            if got != expected:
                sys.exit(f"checksum mismatch: read sum {got!r}, written sum {expected!r}")
            read_runs.append(elapsed)

    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    itemsize = {"float64": 8, "int32": 4, "uint16": 2}[args.dtype]
    tight = {}
    if args.mode == "stream" and args.rows * args.width * itemsize <= 400e6:
        made = {start: block_values(start, stop, args) for start, stop in blocks(args.rows, args.block)}
        wt, rt = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            arr = create()
            for start, stop in blocks(args.rows, args.block):
                arr[start:stop].write(made[start]).result()
            wt.append(time.perf_counter() - t0)
        made.clear()
        for _ in range(args.repeat):
            arr = open_existing()
            t0 = time.perf_counter()
            for start, stop in blocks(args.rows, args.block):
                arr[start:stop].read().result()
            rt.append(time.perf_counter() - t0)
        tight = {"write_tight_s": round(min(wt), 4), "read_tight_s": round(min(rt), 4),
                 "write_tight_runs": [round(t, 4) for t in wt], "read_tight_runs": [round(t, 4) for t in rt]}

    print(json.dumps({
        "impl": "tensorstore",
        "tensorstore": version("tensorstore"),
        "dtype": args.dtype,
        "width": args.width,
        "rows": args.rows,
        "chunk": args.chunk,
        "block": args.block,
        "mode": args.mode,
        **({"reads": args.reads, "seed": args.seed} if args.mode == "random" else {}),
        "write_s": round(min(write_runs), 4),
        "read_s": round(min(read_runs), 4),
        "write_runs": [round(t, 4) for t in write_runs],
        "read_runs": [round(t, 4) for t in read_runs],
        **tight,
        "bytes": nbytes,
        "checksum": expected,
        "peak_rss_mb": round(peak_rss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
