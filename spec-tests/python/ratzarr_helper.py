"""The Python side of ratzarr's conformance harness.

A long-running process that reads one JSON command per line on stdin and
answers one JSON line on stdout. It opens and writes RATs exactly the way
Python ratzarr 1.0.2 does (the same zarr-python calls in the same order:
``zarr.open_group(store, path="RAT", mode="a")``, ``create_array(name, dtype,
shape, chunks)`` with default codecs, numpy ``StringDType`` strings,
``attrs``, ``resize``), and also makes and reads plain arrays the way a
user of zarr-python would. Run by spec-tests/harness/python.ts inside the
pinned environment (spec-tests/requirements.txt).

Request:  {"id": 1, "cmd": "open", "path": "...", ...}
Answer:   {"id": 1, "ok": true, "result": ...}
          {"id": 1, "ok": false, "error": "RatZarrError: ...", "traceback": "..."}

JSON both ways allows bare NaN/Infinity tokens and integers of any size, so
int64/uint64 and non-finite floats travel as themselves.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import traceback
from typing import Any

import numcodecs
import numpy as np
import zarr
from zarr.storage import LocalStore

RAT = "RAT"
DEFAULT_CHUNKSIZE = 500000


class RatZarrError(Exception):
    pass


def numpy_dtype(name: str) -> Any:
    return np.dtypes.StringDType() if name == "string" else np.dtype(name)


def zarr_dtype_name(arr: Any) -> str:
    dt = arr.dtype
    return "string" if dt.kind in ("T", "U", "O") else str(dt)


def to_json_values(a: np.ndarray) -> list[Any]:
    flat = a.reshape(-1)
    if flat.dtype.kind == "T" or flat.dtype.kind == "U" or flat.dtype.kind == "O":
        return [str(x) for x in flat]
    if flat.dtype.kind == "b":
        return [bool(x) for x in flat]
    if flat.dtype.kind in "iu":
        return [int(x) for x in flat]
    return [float(x) for x in flat]


def from_json_values(values: list[Any], dtype: str, width: int) -> np.ndarray:
    a = np.array(values, dtype=numpy_dtype(dtype))
    return a.reshape((-1, width)) if width > 1 else a


def s3_store(url: str, s3: dict[str, Any], read_only: bool = False) -> Any:
    """An fsspec/s3fs store for an s3:// URL on a test server, as a zarr-python user makes one."""
    from zarr.storage import FsspecStore
    options = {"endpoint_url": s3["endpoint"], "key": s3["accessKeyId"], "secret": s3["secretAccessKey"],
               "client_kwargs": {"region_name": s3["region"]}}
    return FsspecStore.from_url(url, storage_options=options, read_only=read_only)


def location(path: str, s3: dict[str, Any] | None) -> tuple[Any, bool, bool]:
    """The store for `path`, whether anything exists there, and whether it holds zarr.json and RAT/."""
    if s3 is None:
        exists = os.path.exists(path)
        valid = exists and os.path.exists(os.path.join(path, "zarr.json")) and os.path.exists(os.path.join(path, RAT))
        return path, exists, valid
    import s3fs
    store = s3_store(path, s3)
    # zarr's store wraps an async filesystem; existence checks use a plain synchronous one.
    fs = s3fs.S3FileSystem(key=s3["accessKeyId"], secret=s3["secretAccessKey"], endpoint_url=s3["endpoint"],
                           client_kwargs={"region_name": s3["region"]})
    root = path[len("s3://"):].rstrip("/")
    # What Python ratzarr asks boto3 (list the prefix), but exact: the folder itself.
    exists = len(fs.ls(root, detail=False, refresh=True)) > 0 if fs.exists(root) else False
    valid = exists and fs.exists(f"{root}/zarr.json") and fs.exists(f"{root}/{RAT}/zarr.json")
    return store, exists, valid


class PyRat:
    """What Python ratzarr 1.0.2's RatZarr does, call for call, on a local path or s3:// URL."""

    def __init__(self, path: str, readOnly: bool = False, create: bool = True,
                 user: str = "pyuser", argv: list[str] | None = None, s3: dict[str, Any] | None = None) -> None:
        self.path = path
        self.readOnly = readOnly
        self.user = user
        self.argv = argv if argv is not None else ["python-helper"]
        self.store, exists, valid = location(path, s3)
        if not exists and readOnly:
            raise RatZarrError(f"readOnly is True, but file '{path}' does not exist")
        if not exists and not create:
            raise RatZarrError(f"File '{path}' does not exist, but create is False")
        if exists and not valid:
            raise RatZarrError(f"Zarr '{path}' exists, but has no RAT group")
        self.grp = zarr.open_group(store=self.store, path=RAT, mode="r" if readOnly else "a")
        self.columns: dict[str, Any] = {}
        self.rowCount = self.grp.attrs.get("ROWCOUNT", None)
        if exists and self.rowCount is None:
            names = list(self.grp.keys())
            self.rowCount = self.open_column(names[0]).shape[0] if names else 0
            if not readOnly:
                self.grp.attrs["ROWCOUNT"] = self.rowCount
        elif not exists:
            self.rowCount = 0
            self.grp.attrs["ROWCOUNT"] = self.rowCount
        self.chunksize = self.grp.attrs.get("CHUNKSIZE", DEFAULT_CHUNKSIZE)
        if "CHUNKSIZE" not in self.grp.attrs and not readOnly:
            self.grp.attrs["CHUNKSIZE"] = self.chunksize
        self.modified: set[str] = set()

    def open_column(self, name: str) -> Any:
        if name not in self.grp:
            raise RatZarrError(f"Column {name} not found in Zarr file {self.path}")
        if name not in self.columns:
            self.columns[name] = zarr.open_array(store=self.store, path=f"{RAT}/{name}")
        return self.columns[name]

    def getRowCount(self) -> int:
        return self.rowCount

    def setRowCount(self, n: int) -> None:
        if n != self.rowCount:
            self.rowCount = n
            self.grp.attrs["ROWCOUNT"] = n
            for name in self.grp:
                arr = self.open_column(name)
                width = arr.shape[1] if len(arr.shape) > 1 else 1
                arr.resize((n, width) if width > 1 else (n,))

    def getRATChunkSize(self) -> int:
        return self.grp.attrs.get("CHUNKSIZE", DEFAULT_CHUNKSIZE)

    def setChunkSize(self, n: int) -> None:
        self.chunksize = n
        self.grp.attrs["CHUNKSIZE"] = n

    def getColumnNames(self) -> list[str]:
        return sorted(self.grp.keys())

    def colExists(self, name: str) -> bool:
        return name in self.grp

    def createColumn(self, name: str, dtype: str, width: int = 1) -> None:
        if self.colExists(name):
            raise RatZarrError(f"Column '{name}' already exists")
        shape = (self.rowCount,) if width == 1 else (self.rowCount, width)
        chunks = (self.chunksize,) if width == 1 else (self.chunksize, width)
        arr = self.grp.create_array(name=name, dtype=numpy_dtype(dtype), shape=shape, chunks=chunks)
        self.columns[name] = arr
        arr.attrs["MODIFICATIONLOG"] = []

    def deleteColumn(self, name: str) -> None:
        del self.grp[name]
        self.columns.pop(name, None)

    def getColumnDtype(self, name: str) -> str:
        return zarr_dtype_name(self.open_column(name))

    def getColumnWidth(self, name: str) -> int:
        shape = self.open_column(name).shape
        return shape[1] if len(shape) > 1 else 1

    def getColumnChunkSize(self, name: str) -> int:
        return self.open_column(name).chunks[0]

    def readBlock(self, name: str, start: int, length: int) -> list[Any]:
        return to_json_values(self.open_column(name)[start:start + length])

    def writeBlock(self, name: str, values: list[Any], start: int) -> None:
        arr = self.open_column(name)
        width = arr.shape[1] if len(arr.shape) > 1 else 1
        block = from_json_values(values, self.getColumnDtype(name), width)
        if start + block.shape[0] > self.rowCount:
            raise RatZarrError(f"Current rowCount {self.rowCount} too small for block of "
                               f"length {block.shape[0]} at startRow {start}")
        arr[start:start + block.shape[0]] = block
        if name not in self.modified:
            self.modified.add(name)
            now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            log = arr.attrs.get("MODIFICATIONLOG", [])
            log.append((now, self.user, self.argv))
            arr.attrs["MODIFICATIONLOG"] = log

    def getModificationLog(self, name: str) -> list[Any]:
        return [list(e) for e in self.open_column(name).attrs.get("MODIFICATIONLOG")]

    def setRatAttribute(self, key: str, value: Any) -> None:
        self.grp.attrs[key] = value

    def setColumnAttribute(self, name: str, key: str, value: Any) -> None:
        self.open_column(name).attrs[key] = value

    def getRatAttributes(self) -> dict[str, Any]:
        return self.grp.attrs.asdict()

    def getColumnAttributes(self, name: str) -> dict[str, Any]:
        return self.open_column(name).attrs.asdict()


def dump(path: str, s3: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything in a RAT, read with plain zarr-python: what a Python user sees."""
    store = LocalStore(path, read_only=True) if s3 is None else s3_store(path, s3, read_only=True)
    grp = zarr.open_group(store=store, path=RAT, mode="r")
    out: dict[str, Any] = {"attributes": grp.attrs.asdict(), "columns": {}}
    for name in sorted(grp.keys()):
        arr = grp[name]
        out["columns"][name] = {
            "dtype": zarr_dtype_name(arr),
            "shape": list(arr.shape),
            "chunks": list(arr.chunks),
            "attributes": arr.attrs.asdict(),
            "values": to_json_values(arr[...]),
        }
    return out


def create_array(path: str, spec: dict[str, Any]) -> None:
    """An array made by a zarr-python user outside ratzarr (codecs, key encodings, sharding...)."""
    from zarr import codecs as zc
    kwargs: dict[str, Any] = {"shape": tuple(spec["shape"]), "chunks": tuple(spec["chunks"]),
                              "dtype": numpy_dtype(spec["dtype"])}
    if "fill_value" in spec:
        kwargs["fill_value"] = spec["fill_value"]
    if "shards" in spec:
        kwargs["shards"] = tuple(spec["shards"])
    if "chunk_key_encoding" in spec:
        kwargs["chunk_key_encoding"] = spec["chunk_key_encoding"]
    comp = spec.get("compressor")
    if comp is not None:
        kind = comp["name"]
        if kind == "none":
            kwargs["compressors"] = None
        elif kind == "gzip":
            kwargs["compressors"] = [zc.GzipCodec(level=comp.get("level", 5))]
        elif kind == "zstd":
            kwargs["compressors"] = [zc.ZstdCodec(level=comp.get("level", 0), checksum=comp.get("checksum", False))]
        elif kind == "blosc":
            kwargs["compressors"] = [zc.BloscCodec(cname=comp.get("cname", "zstd"), clevel=comp.get("clevel", 5),
                                                   shuffle=comp.get("shuffle", "shuffle"))]
        elif kind == "crc32c":
            kwargs["compressors"] = [zc.Crc32cCodec()]
        else:
            raise ValueError(f"unknown compressor {kind}")
    if spec.get("endian") == "big":
        kwargs["serializer"] = zc.BytesCodec(endian="big")
    if "transpose" in spec:
        kwargs["filters"] = [zc.TransposeCodec(order=spec["transpose"])]
    if "attributes" in spec:
        kwargs["attributes"] = spec["attributes"]
    arr = zarr.create_array(store=LocalStore(path), **kwargs)
    if "values" in spec:
        data = np.array(spec["values"], dtype=numpy_dtype(spec["dtype"])).reshape(spec["shape"])
        rows = spec.get("write_rows")
        if rows is None:
            arr[...] = data
        else:
            # Only these row ranges are written: the other chunks stay missing.
            for a, b in rows:
                arr[a:b] = data[a:b]


def read_array(path: str, node: str = "") -> dict[str, Any]:
    arr = zarr.open_array(store=LocalStore(path, read_only=True), path=node, mode="r")
    return {"dtype": zarr_dtype_name(arr), "shape": list(arr.shape), "chunks": list(arr.chunks),
            "attributes": arr.attrs.asdict(), "values": to_json_values(arr[...]),
            "fill_value": arr.metadata.to_dict()["fill_value"]}


def main() -> None:
    handles: dict[int, PyRat] = {}
    next_handle = 1
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        rid = req.get("id")
        try:
            cmd = req["cmd"]
            if cmd == "versions":
                result: Any = {"zarr": zarr.__version__, "numcodecs": numcodecs.__version__,
                               "numpy": np.__version__, "python": sys.version.split()[0]}
            elif cmd == "open":
                handles[next_handle] = PyRat(req["path"], req.get("readOnly", False), req.get("create", True),
                                             req.get("user", "pyuser"), req.get("argv"), req.get("s3"))
                result = next_handle
                next_handle += 1
            elif cmd == "close":
                handles.pop(req["handle"], None)
                result = None
            elif cmd == "call":
                result = getattr(handles[req["handle"]], req["method"])(*req.get("args", []))
            elif cmd == "dump":
                result = dump(req["path"], req.get("s3"))
            elif cmd == "createArray":
                create_array(req["path"], req["spec"])
                result = None
            elif cmd == "readArray":
                result = read_array(req["path"], req.get("node", ""))
            elif cmd == "shutdown":
                print(json.dumps({"id": rid, "ok": True, "result": None}), flush=True)
                return
            else:
                raise ValueError(f"unknown command {cmd!r}")
            out = {"id": rid, "ok": True, "result": result}
        except Exception as e:  # noqa: BLE001 - every error goes back to the caller
            out = {"id": rid, "ok": False, "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
