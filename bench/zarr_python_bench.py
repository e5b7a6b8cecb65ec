"""zarr-python side of benchmark 1: write then read one RAT column, block by block.

Does what Python ratzarr does: open the root group with mode "a", use a "RAT"
subgroup, create the column with default codecs (bytes + zstd level 0 in
zarr 3.1.6) and write/read it in blocks.

    .venv/bin/python bench/zarr_python_bench.py --path /tmp/bench.zarr \
        --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3

Data, reproducible without an RNG on any side (i is the row number):

    h = (i * 2654435761) mod 2**32        (Knuth's multiplicative hash)
    float64, float32: value[i] = (h % 100000) / 100   (0.00 .. 999.99, like a mean reflectance)
    int32, int64:     value[i] = h % 1000000

The hash keeps the data about as compressible as real attributes (zstd ~1.3x
on the floats), so the codec does real work.

Timing: write_s/read_s are the best of --repeat runs; each run sums the time of
the `arr[start:stop] = block` (or `arr[start:stop]`) calls only. Generating the
data and checksumming are outside the timed calls. The column is deleted and
recreated before each write run; read runs follow all write runs, so they see
a warm page cache. Each read run checks the sum of the values against the sum
of the generated data.

Prints one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np
import zarr
from zarr.storage import LocalStore

DTYPES = ("float64", "float32", "int32", "int64")
COLUMN = "col"


def block_values(start: int, stop: int, dtype: str) -> np.ndarray:
    i = np.arange(start, stop, dtype=np.uint64)
    # uint64 products wrap mod 2**64, and 2**32 divides 2**64, so this is exact.
    h = (i * np.uint64(2654435761)) % np.uint64(2**32)
    if dtype.startswith("float"):
        return ((h % np.uint64(100000)).astype(np.float64) / 100.0).astype(dtype)
    return (h % np.uint64(1000000)).astype(dtype)


def block_sum(values: np.ndarray) -> float | int:
    # Exact for the integer types; for floats every block is summed the same
    # way on write and read, so the totals match bit for bit.
    if values.dtype.kind == "f":
        return float(np.sum(values, dtype=np.float64))
    return int(np.sum(values, dtype=np.int64))


def blocks(rows: int, block: int):
    for start in range(0, rows, block):
        yield start, min(start + block, rows)


def write_run(grp: zarr.Group, args: argparse.Namespace) -> tuple[float, float | int]:
    if COLUMN in grp:
        del grp[COLUMN]
    arr = grp.create_array(COLUMN, dtype=args.dtype, shape=(args.rows,), chunks=(args.chunk,),
                           attributes={"MODIFICATIONLOG": []})
    elapsed = 0.0
    total: float | int = 0
    for start, stop in blocks(args.rows, args.block):
        data = block_values(start, stop, args.dtype)
        total += block_sum(data)
        t0 = time.perf_counter()
        arr[start:stop] = data
        elapsed += time.perf_counter() - t0
    return elapsed, total


def read_run(grp: zarr.Group, args: argparse.Namespace) -> tuple[float, float | int]:
    arr = grp[COLUMN]
    elapsed = 0.0
    total: float | int = 0
    for start, stop in blocks(args.rows, args.block):
        t0 = time.perf_counter()
        data = arr[start:stop]
        elapsed += time.perf_counter() - t0
        total += block_sum(data)
    return elapsed, total


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--path", required=True, help="root of the Zarr store (created if missing)")
    p.add_argument("--rows", type=int, default=20_000_000)
    p.add_argument("--chunk", type=int, default=500_000)
    p.add_argument("--block", type=int, default=500_000)
    p.add_argument("--dtype", choices=DTYPES, default="float64")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--s3", default=None,
                   help='for s3:// paths: JSON {"endpoint", "accessKeyId", "secretAccessKey", "region"} of the server')
    args = p.parse_args()
    if args.rows < 1 or args.chunk < 1 or args.block < 1 or args.repeat < 1:
        p.error("--rows, --chunk, --block and --repeat must be positive")

    if args.path.startswith("s3://"):
        # The way a zarr-python user (and Python ratzarr) reaches S3: fsspec/s3fs.
        from zarr.storage import FsspecStore
        s3 = json.loads(args.s3)
        store = FsspecStore.from_url(args.path, storage_options={
            "endpoint_url": s3["endpoint"], "key": s3["accessKeyId"], "secret": s3["secretAccessKey"],
            "client_kwargs": {"region_name": s3["region"]}})
    else:
        store = LocalStore(args.path)
    root = zarr.open_group(store, mode="a")
    grp = root.require_group("RAT")
    grp.attrs.update({"ROWCOUNT": args.rows, "CHUNKSIZE": args.chunk})

    write_runs, read_runs = [], []
    expected: float | int | None = None
    for _ in range(args.repeat):
        elapsed, expected = write_run(grp, args)
        write_runs.append(elapsed)
    for _ in range(args.repeat):
        elapsed, got = read_run(grp, args)
        if got != expected:
            sys.exit(f"checksum mismatch: read sum {got!r}, written sum {expected!r}")
        read_runs.append(elapsed)

    print(json.dumps({
        "impl": "zarr-python",
        "zarr": zarr.__version__,
        "dtype": args.dtype,
        "rows": args.rows,
        "chunk": args.chunk,
        "block": args.block,
        "write_s": round(min(write_runs), 4),
        "read_s": round(min(read_runs), 4),
        "write_runs": [round(t, 4) for t in write_runs],
        "read_runs": [round(t, 4) for t in read_runs],
        "bytes": args.rows * np.dtype(args.dtype).itemsize,
        "checksum": expected,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
