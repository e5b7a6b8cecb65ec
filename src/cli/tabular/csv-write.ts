/**
 * CSV out, per RFC 4180 through `csv-stringify`: a header row, then one
 * record per RAT row, CRLF line ends, a field quoted when it holds a comma,
 * a quote, CR or LF (and an empty field of a one-column table, which would
 * otherwise be a blank line). Cell text is `text.ts`'s; a width>1 column is
 * the fields `name[0]` .. `name[k-1]` (`columns.ts`).
 */
import { stringify, type Options } from "csv-stringify/sync";
import type { ArrayFor, DataType } from "../../data-types.js";
import { headerNames, type TableBlock, type TableColumn } from "./columns.js";
import type { ByteSink } from "./output.js";
import type { TableSink } from "./sink.js";
import { elementTexts } from "./text.js";

/** A CSV writer of `columns` on `out`. */
export function csvSink(columns: readonly TableColumn[], out: ByteSink): TableSink {
  const headers = columns.flatMap(headerNames);
  const options: Options = { record_delimiter: "windows", quoted_match: /[\r\n]/, quoted_empty: headers.length === 1 };
  const texts = columns.map((c) => elementTexts(c.dtype));
  let headerDone = false;
  const header = async (): Promise<void> => {
    if (headerDone) return;
    headerDone = true;
    await out.write(stringify([headers], options));
  };
  return {
    async block(b: TableBlock): Promise<void> {
      await header();
      const records: string[][] = new Array<string[]>(b.rows);
      for (let r = 0; r < b.rows; r++) {
        const record: string[] = [];
        for (let c = 0; c < columns.length; c++) {
          const w = columns[c]!.width;
          const values: ArrayFor<DataType> = b.values[c]!;
          const text = texts[c]!;
          for (let j = 0; j < w; j++) record.push(text(values, r * w + j));
        }
        records[r] = record;
      }
      if (b.rows > 0) await out.write(stringify(records, options));
    },
    // A table with no rows is its header alone.
    finish: header,
  };
}
