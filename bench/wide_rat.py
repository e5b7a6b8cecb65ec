"""The Python side of the wide-RAT benchmark (bench/wide_rat.ts runs it).

The same operations as bench/wide_rat_worker.ts, each from a fresh handle,
made with the zarr-python calls Python ratzarr 1.0.x makes, in its order:
``zarr.open_group(store, path="RAT", mode=...)``, ``grp.attrs``,
``create_array(name, shape, chunks, dtype)`` with default codecs,
``zarr.open_array(store, path="RAT/name")`` per column, ``arr[a:b] = block``,
``list(grp.keys())``, ``resize`` per column. Plain loops, as a Python
ratzarr user writes them. Prints one JSON line like the TypeScript worker.

    python bench/wide_rat.py --path P --columns 300 --rows 100000 [--s3 JSON]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import zarr
from zarr.storage import FsspecStore, LocalStore

RAT = "RAT"


def column_spec(i: int) -> tuple[str, str]:
    name = f"col{i:04d}"
    return name, "string" if i % 10 == 9 else "int32" if i % 3 == 2 else "float64"


def values(i: int, n: int) -> np.ndarray:
    r = np.arange(n)
    kind = column_spec(i)[1]
    if kind == "string":
        return np.array([f"s{(x * 7 + i) % 1000}" for x in range(n)], dtype=np.dtypes.StringDType())
    if kind == "int32":
        return ((r * 31 + i) % 100000).astype(np.int32)
    return r * 0.5 + i


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--path", required=True)
    p.add_argument("--columns", type=int, default=300)
    p.add_argument("--rows", type=int, default=100000)
    p.add_argument("--s3", default=None)
    a = p.parse_args()

    def store(read_only: bool):
        if a.path.startswith("s3://"):
            s3 = json.loads(a.s3)
            return FsspecStore.from_url(a.path, read_only=read_only, storage_options={
                "endpoint_url": s3["endpoint"], "key": s3["accessKeyId"], "secret": s3["secretAccessKey"],
                "client_kwargs": {"region_name": s3["region"]}})
        return LocalStore(a.path, read_only=read_only)

    timings: dict[str, float] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - t0

    rows, columns = a.rows, a.columns

    def create_and_fill():
        s = store(False)
        zarr.open_group(store=s, mode="a")
        grp = zarr.open_group(store=s, path=RAT, mode="a")
        grp.attrs["ROWCOUNT"] = 0
        grp.attrs["CHUNKSIZE"] = 500000
        grp.attrs["ROWCOUNT"] = rows
        for i in range(columns):
            name, kind = column_spec(i)
            dtype = np.dtypes.StringDType() if kind == "string" else np.dtype(kind)
            arr = grp.create_array(name, shape=(rows,), chunks=(500000,), dtype=dtype)
            arr.attrs["MODIFICATIONLOG"] = []
            arr[0:rows] = values(i, rows)

    def open_rat(read_only: bool):
        s = store(read_only)
        grp = zarr.open_group(store=s, path=RAT, mode="r" if read_only else "a")
        return s, grp, grp.attrs.get("ROWCOUNT", None), grp.attrs.get("CHUNKSIZE", 500000)

    seen = {}

    def get_column_names():
        _, grp, _, _ = open_rat(True)
        seen["n"] = len(list(grp.keys()))

    def set_row_count_grow():
        s, grp, _, _ = open_rat(False)
        new = rows + rows // 2
        grp.attrs["ROWCOUNT"] = new
        for name in grp:
            if name not in grp:
                raise RuntimeError(name)
            arr = zarr.open_array(store=s, path=f"{RAT}/{name}")
            arr.resize((new,))

    row = rows // 3 + 17

    def one_row_of_every_column():
        s, grp, _, _ = open_rat(True)
        got = []
        for name in list(grp.keys()):
            if name not in grp:
                raise RuntimeError(name)
            arr = zarr.open_array(store=s, path=f"{RAT}/{name}", mode="r")
            got.append(arr[row:row + 1])
        assert len(got) == columns

    def every_column_whole():
        s, grp, _, _ = open_rat(True)
        n = 0
        for name in list(grp.keys()):
            if name not in grp:
                raise RuntimeError(name)
            arr = zarr.open_array(store=s, path=f"{RAT}/{name}", mode="r")
            n += len(arr[0:rows])
        assert n == columns * rows, n

    timed("create and fill", create_and_fill)
    timed("getColumnNames", get_column_names)
    assert seen["n"] == columns, seen
    timed("setRowCount grow", set_row_count_grow)
    timed("one row of every column", one_row_of_every_column)
    timed("every column whole", every_column_whole)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": f"zarr-python {zarr.__version__}", "timings": timings, "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
