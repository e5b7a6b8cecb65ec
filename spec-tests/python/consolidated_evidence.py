"""
What happens to zarr-python's consolidated metadata when Python ratzarr
changes a RAT afterwards (it never re-consolidates). Usage:

    python consolidated_evidence.py PATH

Writes a RAT at PATH the way Python ratzarr does (one float64 column, 8 rows,
chunk 4), consolidates it with zarr.consolidate_metadata, then changes it the
way Python ratzarr does (a new int32 column, row count 12), and prints one
JSON object: what a reader sees through the consolidated metadata (zarr-python's
default when it is present) and without it.
"""
import json
import shutil
import sys
import warnings

import zarr

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from ratzarr_helper import PyRat  # noqa: E402

warnings.simplefilter("ignore")
path = sys.argv[1]
shutil.rmtree(path, ignore_errors=True)
r = PyRat(path)
r.setChunkSize(4)
r.setRowCount(8)
r.createColumn("a", "float64")
r.writeBlock("a", [1.0] * 8, 0)
zarr.consolidate_metadata(path)
later = PyRat(path)
later.createColumn("b", "int32")
later.setRowCount(12)
consolidated = zarr.open_group(path, mode="r")
live = zarr.open_group(path, mode="r", use_consolidated=False)
print(json.dumps({
    "zarr": zarr.__version__,
    "consolidated": {"columns": sorted(k for k, _ in consolidated["RAT"].members()), "shape_a": list(consolidated["RAT"]["a"].shape), "ROWCOUNT": consolidated["RAT"].attrs["ROWCOUNT"]},
    "live": {"columns": sorted(k for k, _ in live["RAT"].members()), "shape_a": list(live["RAT"]["a"].shape), "ROWCOUNT": live["RAT"].attrs["ROWCOUNT"]},
}))
