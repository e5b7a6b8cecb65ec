"""zarr-python side of the benchmarks: write then read one RAT column, block by block.

Does what Python ratzarr does: open the root group with mode "a", use a "RAT"
subgroup, create the column with create_array(name, dtype, shape, chunks) and
default codecs (bytes + zstd level 0 in zarr 3.1.6; vlen-utf8 + zstd for
numpy's StringDType) and write/read it with arr[a:b] = block / arr[a:b].

    .venv/bin/python bench/zarr_python_bench.py --path /tmp/bench.zarr \
        --rows 20000000 --chunk 500000 --block 500000 --dtype float64 --repeat 3
    ... --dtype uint16 --width 3        # 2-d column [rows, 3], chunks [chunk, 3]
    ... --mode random --reads 1000      # write aligned (setup), time 1000 a[row:row+1]

Data, reproducible without an RNG on any side (i is the row number, k the
position in a row of a --width N column, 0 for 1-d columns); bench/ratzarr_bench.ts
implements the same definition:

    h  = (i * 2654435761) mod 2**32        (Knuth's multiplicative hash)
    hk = (h + k * 7919) mod 2**32
    float64:      value[i, k] = (hk % 100000) / 100   (0.00 .. 999.99, like a mean reflectance)
    int32:        value[i, k] = hk % 1000000
    uint16:       value[i, k] = hk % 65536
    string-short: value[i, k] = "s" + str(hk % 100000) + ("é" if i % 7 == 0 else "")
    string-long:  seg = hex8(hk ^ (0 * 0x9E3779B9 mod 2**32)) + ... + hex8(hk ^ (4 * 0x9E3779B9 mod 2**32))
                  (5 lowercase, zero-padded 8-digit hex numbers, 40 chars)
                  value[i, k] = seg * 5 + ("é" if i % 7 == 0 else "")   (200 or 201 chars)

The hash keeps the data about as compressible as real attributes (zstd ~1.3x
on the floats), so the codec does real work. "bytes" is the uncompressed size:
rows * width * itemsize, or the UTF-8 bytes of the strings.

Random mode: the row list is x = (1664525 * x + 1013904223) mod 2**32 from
x = --seed, row = x mod rows, --reads rows; each read is timed on its own and
summed; a fresh group handle is opened per run.

Timing: write_s/read_s are the best of --repeat runs; each run sums the time of
the `arr[start:stop] = block` (or `arr[start:stop]`) calls only. Generating the
data and checking are outside the timed calls. The column is deleted and
recreated before each write run; read runs follow all write runs, so they see
a warm page cache. Each read run checks a checksum (sum of the values, or total
string length) against the written data, and strings also every 997th row.

Tight runs (numeric stream cases of at most 400 MB, as on the TypeScript side):
write_tight_s / read_tight_s time the whole loop with the blocks made before
the clock starts, written (or read) back to back, nothing checked. zarr-python
does no work in the background, so these differ from the per-call times only
by the loop itself. peak_rss_mb is taken before the tight runs.

Prints one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np

# zarr is imported in main(): bench/tensorstore_bench.py shares the data helpers
# below (values_at, block_sum, ...) without loading zarr into its process.

DTYPES = ("float64", "int32", "uint16", "string-short", "string-long")
COLUMN = "col"
STR = np.dtypes.StringDType()


def values_at(i: np.ndarray, dtype: str, width: int) -> np.ndarray:
    """Values of rows i (uint64 array): shape (n,) for width 1, else (n, width)."""
    h = (i * np.uint64(2654435761)) % np.uint64(2**32)   # uint64 wraps mod 2**64; 2**32 divides it: exact
    k = np.arange(width, dtype=np.uint64)
    hk = (h[:, None] + k[None, :] * np.uint64(7919)) % np.uint64(2**32)
    if dtype == "float64":
        out = (hk % np.uint64(100000)).astype(np.float64) / 100.0
    elif dtype == "int32":
        out = (hk % np.uint64(1000000)).astype(np.int32)
    elif dtype == "uint16":
        out = (hk % np.uint64(65536)).astype(np.uint16)
    else:
        tails = ["é" if r % 7 == 0 else "" for r in i.tolist()]
        cols = []
        for kk in range(width):
            col = hk[:, kk]
            if dtype == "string-short":
                strs = [f"s{v}{t}" for v, t in zip((col % np.uint64(100000)).tolist(), tails)]
            else:
                segs = [(col ^ np.uint64((n * 0x9E3779B9) % 2**32)).tolist() for n in range(5)]
                strs = [f"{a:08x}{b:08x}{c:08x}{d:08x}{e:08x}" * 5 + t for a, b, c, d, e, t in zip(*segs, tails)]
            cols.append(np.array(strs, dtype=STR))
        out = np.stack(cols, axis=1)
    return out[:, 0] if width == 1 else out


def block_values(start: int, stop: int, args: argparse.Namespace) -> np.ndarray:
    return values_at(np.arange(start, stop, dtype=np.uint64), args.dtype, args.width)


def as_str(values: np.ndarray) -> np.ndarray:
    return values if values.dtype == STR else values.astype(STR)


def block_sum(values: np.ndarray) -> float | int:
    # Exact for the integer types; for floats every block is summed the same
    # way on write and read, so the totals match bit for bit. Strings: characters.
    if values.dtype.kind == "f":
        return float(np.sum(values, dtype=np.float64))
    if values.dtype.kind in "iu":
        return int(np.sum(values, dtype=np.int64))
    return int(np.sum(np.strings.str_len(as_str(values)), dtype=np.int64))


def utf8_bytes(values: np.ndarray, start: int, stop: int) -> int:
    if values.dtype.kind in "fiu":
        return values.nbytes
    # Every character is ASCII but the "é" (2 bytes in UTF-8) on rows i % 7 == 0.
    n_tail = (stop - 1) // 7 - (start - 1) // 7 if start > 0 else (stop - 1) // 7 + 1
    return block_sum(values) + n_tail * (values.shape[1] if values.ndim == 2 else 1)


def blocks(rows: int, block: int):
    for start in range(0, rows, block):
        yield start, min(start + block, rows)


def create(grp: zarr.Group, args: argparse.Namespace):
    if COLUMN in grp:
        del grp[COLUMN]
    dtype = STR if args.dtype.startswith("string") else args.dtype
    shape = (args.rows,) if args.width == 1 else (args.rows, args.width)
    chunks = (args.chunk,) if args.width == 1 else (args.chunk, args.width)
    return grp.create_array(COLUMN, dtype=dtype, shape=shape, chunks=chunks, attributes={"MODIFICATIONLOG": []})


def write_run(grp: zarr.Group, args: argparse.Namespace, block: int) -> tuple[float, float | int, int]:
    arr = create(grp, args)
    elapsed = 0.0
    total: float | int = 0
    nbytes = 0
    for start, stop in blocks(args.rows, block):
        data = block_values(start, stop, args)
        total += block_sum(data)
        nbytes += utf8_bytes(data, start, stop)
        t0 = time.perf_counter()
        if not args.caller_only:
            arr[start:stop] = data
        elapsed += time.perf_counter() - t0
    return elapsed, total, nbytes


def read_run(grp: zarr.Group, args: argparse.Namespace) -> tuple[float, float | int]:
    arr = grp[COLUMN]
    elapsed = 0.0
    total: float | int = 0
    for start, stop in blocks(args.rows, args.block):
        t0 = time.perf_counter()
        # --caller-only: the block the read would give, made instead of read.
        data = block_values(start, stop, args) if args.caller_only else arr[start:stop]
        elapsed += time.perf_counter() - t0
        total += block_sum(data)
        if data.dtype.kind not in "fiu":
            idx = np.arange(start, stop, 997, dtype=np.uint64)
            if not np.array_equal(as_str(data[idx - np.uint64(start)]), values_at(idx, args.dtype, args.width)):
                sys.exit(f"spot check failed in rows {start}..{stop}")
    return elapsed, total


def random_run(grp: zarr.Group, args: argparse.Namespace, rows: list[int]) -> float:
    arr = grp[COLUMN]
    elapsed = 0.0
    for row in rows:
        t0 = time.perf_counter()
        data = arr[row:row + 1]
        elapsed += time.perf_counter() - t0
        want = values_at(np.array([row], dtype=np.uint64), args.dtype, args.width)
        if not np.array_equal(data if data.dtype.kind in "fiu" else as_str(data), want):
            sys.exit(f"row {row}: read {data!r}, wrote {want!r}")
    return elapsed


def random_rows(n: int, rows: int, seed: int) -> list[int]:
    x = seed % 2**32
    out = []
    for _ in range(n):
        x = (1664525 * x + 1013904223) % 2**32
        out.append(x % rows)
    return out


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
    p.add_argument("--caller-only", action="store_true",
                   help="the caller's work alone (blocks made and checked, no zarr call): the memory floor of this process (bench/rss_floor.ts)")
    p.add_argument("--s3", default=None,
                   help='for s3:// paths: JSON {"endpoint", "accessKeyId", "secretAccessKey", "region"} of the server')
    args = p.parse_args()
    import zarr
    from zarr.storage import LocalStore
    if min(args.rows, args.chunk, args.block, args.repeat, args.width, args.reads) < 1:
        p.error("--rows, --chunk, --block, --width, --reads and --repeat must be positive")

    def open_rat() -> zarr.Group:
        if args.path.startswith("s3://"):
            # The way a zarr-python user (and Python ratzarr) reaches S3: fsspec/s3fs.
            from zarr.storage import FsspecStore
            s3 = json.loads(args.s3)
            store = FsspecStore.from_url(args.path, storage_options={
                "endpoint_url": s3["endpoint"], "key": s3["accessKeyId"], "secret": s3["secretAccessKey"],
                "client_kwargs": {"region_name": s3["region"]}})
        else:
            store = LocalStore(args.path)
        return zarr.open_group(store, mode="a").require_group("RAT")

    grp = open_rat()
    grp.attrs.update({"ROWCOUNT": args.rows, "CHUNKSIZE": args.chunk})

    write_runs, read_runs = [], []
    expected: float | int | None = None
    nbytes = 0
    if args.mode == "random":
        # Setup: one aligned write (block = chunk); reported, but not the case's result.
        elapsed, expected, nbytes = write_run(grp, args, args.chunk)
        write_runs.append(elapsed)
        rows = random_rows(args.reads, args.rows, args.seed)
        for _ in range(args.repeat):
            read_runs.append(random_run(open_rat(), args, rows))
    else:
        for _ in range(args.repeat):
            elapsed, expected, nbytes = write_run(grp, args, args.block)
            write_runs.append(elapsed)
        for _ in range(args.repeat):
            elapsed, got = read_run(open_rat(), args)
            if got != expected:
                sys.exit(f"checksum mismatch: read sum {got!r}, written sum {expected!r}")
            read_runs.append(elapsed)

    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    itemsize = {"float64": 8, "int32": 4, "uint16": 2}.get(args.dtype, 0)
    tight = {}
    if args.mode == "stream" and itemsize and not args.caller_only and args.rows * args.width * itemsize <= 400e6:
        made = {start: block_values(start, stop, args) for start, stop in blocks(args.rows, args.block)}
        wt, rt = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            arr = create(grp, args)
            for start, stop in blocks(args.rows, args.block):
                arr[start:stop] = made[start]
            wt.append(time.perf_counter() - t0)
        made.clear()
        for _ in range(args.repeat):
            arr = open_rat()[COLUMN]
            t0 = time.perf_counter()
            for start, stop in blocks(args.rows, args.block):
                arr[start:stop]
            rt.append(time.perf_counter() - t0)
        tight = {"write_tight_s": round(min(wt), 4), "read_tight_s": round(min(rt), 4),
                 "write_tight_runs": [round(t, 4) for t in wt], "read_tight_runs": [round(t, 4) for t in rt]}

    print(json.dumps({
        "impl": "zarr-python",
        "zarr": zarr.__version__,
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
