/**
 * JSON Lines out: one object per RAT row, keys in column order. Numbers are
 * JSON numbers, 64-bit integers written exactly (digits, never rounded
 * through a double); floats in shortest round-trip form (-0 as `-0.0`); NaN and the
 * infinities, which JSON has no numbers for, as the strings "NaN",
 * "Infinity", "-Infinity" (as `--json` everywhere in ratzarr); bool as
 * true/false; a width>1 column as an array.
 */
import type { ArrayFor, DataType } from "../../data-types.js";
import type { TableBlock, TableColumn } from "./columns.js";
import type { ByteSink } from "./output.js";
import type { TableSink } from "./sink.js";
import { float32Text, float64Text } from "./text.js";

/** Element `i` as JSON text. */
function jsonTexts(dtype: DataType): (values: ArrayFor<DataType>, i: number) => string {
  // "-0.0", not "-0": Python's json reads "-0" as the integer 0.
  const nonFinite = (v: number, text: (v: number) => string): string => (Number.isFinite(v) ? (Object.is(v, -0) ? "-0.0" : text(v)) : `"${float64Text(v)}"`);
  switch (dtype) {
    case "string":
      return (values, i) => JSON.stringify((values as string[])[i]);
    case "bool":
      return (values, i) => ((values as Uint8Array)[i] ? "true" : "false");
    case "float64":
      return (values, i) => nonFinite((values as Float64Array)[i]!, float64Text);
    case "float32":
    case "float16":
      return (values, i) => nonFinite((values as Float32Array)[i]!, float32Text);
    default:
      return (values, i) => String(values[i]);
  }
}

/** A JSON Lines writer of `columns` on `out`. */
export function jsonlSink(columns: readonly TableColumn[], out: ByteSink): TableSink {
  const keys = columns.map((c) => JSON.stringify(c.name));
  const texts = columns.map((c) => jsonTexts(c.dtype));
  return {
    async block(b: TableBlock): Promise<void> {
      const lines: string[] = new Array<string>(b.rows);
      for (let r = 0; r < b.rows; r++) {
        let line = "{";
        for (let c = 0; c < columns.length; c++) {
          const w = columns[c]!.width;
          const values = b.values[c]!;
          const text = texts[c]!;
          line += `${c === 0 ? "" : ","}${keys[c]!}:`;
          if (w === 1) line += text(values, r);
          else {
            const parts: string[] = [];
            for (let j = 0; j < w; j++) parts.push(text(values, r * w + j));
            line += `[${parts.join(",")}]`;
          }
        }
        lines[r] = line + "}\n";
      }
      if (b.rows > 0) await out.write(lines.join(""));
    },
    finish: async () => undefined,
  };
}
