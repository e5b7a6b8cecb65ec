/**
 * `--format gdal-aux` for `export` and `import`: a RAT as GDAL's own PAM
 * `.aux.xml` (`ratzarr export seg.zarr -o raster.tif.aux.xml`, which
 * `gdalinfo raster.tif` and QGIS then show) and back. Unlike the table
 * formats it is not a row sink: the GDAL exchange (`src/gdal/`, the
 * `ratzarr/gdal` entry) reads the RAT and writes the XML itself, streamed
 * block by block, and carries what tables lack: column usages, the table
 * type and linear binning. What GDAL cannot hold is a warning on stderr.
 */
import { createReadStream } from "node:fs";
import type { RatZarr } from "../../node/index.js";
import { exportAuxXml, importAuxXml } from "../../gdal/index.js";
import type { ByteSink } from "./output.js";

/** What the GDAL hooks of a format need from the command. */
export interface RatFormatContext {
  readonly columns?: readonly string[] | undefined;
  readonly signal: AbortSignal;
  warn(message: string): void;
}

/** The whole RAT (or `columns`) to `out` as a PAM `.aux.xml`; resolves with the rows written. */
export async function exportGdalAux(rz: RatZarr, out: ByteSink, ctx: RatFormatContext): Promise<number> {
  const summary = await exportAuxXml(rz, (text) => out.write(text), { ...(ctx.columns === undefined ? {} : { columns: ctx.columns }), signal: ctx.signal, onWarning: ctx.warn });
  return summary.rows;
}

/** The first table of the `.aux.xml` (or VRT) at `file` into the new, empty RAT `rz`; resolves with the rows and columns. */
export async function importGdalAux(file: string, rz: RatZarr, ctx: RatFormatContext): Promise<{ rows: number; columns: { name: string; dtype: string; width: number }[] }> {
  const summary = await importAuxXml(createReadStream(file), rz, { signal: ctx.signal, onWarning: ctx.warn });
  return { rows: summary.rows, columns: summary.fields.map((f) => ({ name: f.name, dtype: f.dtype, width: 1 })) };
}
