/**
 * The demo page: opens a RAT over HTTP(S) with the core entry (no Node, no
 * AWS SDK), shows its columns (type, width, chunk rows) and its first rows.
 * `?url=…&columns=a,b&rows=N` open one at once; the page sets
 * `document.body.dataset.state` to "done" or "error" for tests.
 */
import { RatZarr } from "../../src/index.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function cell(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return String(value);
}

async function show(url: string, columns: string[] | undefined, rows: number): Promise<void> {
  const status = $("status");
  const out = $("out");
  status.textContent = `opening ${url} …`;
  out.replaceChildren();
  const rz = await RatZarr.open(url, columns === undefined ? {} : { columns });
  try {
    const names = await rz.getColumnNames();
    const count = rz.getRowCount();
    const n = Math.min(rows, count);
    const info = await Promise.all(names.map(async (name) => ({ name, dtype: await rz.getColumnDtype(name), width: await rz.getColumnWidth(name), chunk: await rz.getColumnChunkSize(name), values: await rz.readBlock(name, 0, n) })));
    const summary = document.createElement("table");
    summary.id = "columns";
    summary.innerHTML = "<tr><th>column</th><th>type</th><th>width</th><th>rows per chunk</th></tr>";
    for (const c of info) {
      const tr = summary.insertRow();
      for (const [v, cls] of [[c.name, "s"], [c.dtype, "s"], [c.width, ""], [c.chunk, ""]] as const) {
        const td = tr.insertCell();
        td.textContent = String(v);
        if (cls) td.className = cls;
      }
    }
    const data = document.createElement("table");
    data.id = "rows";
    const head = data.insertRow();
    for (const h of ["row", ...info.map((c) => c.name)]) {
      const th = document.createElement("th");
      th.textContent = h;
      head.append(th);
    }
    for (let r = 0; r < n; r++) {
      const tr = data.insertRow();
      tr.insertCell().textContent = String(r);
      for (const c of info) {
        const td = tr.insertCell();
        const values = Array.from(c.values as ArrayLike<unknown>).slice(r * c.width, (r + 1) * c.width);
        td.textContent = values.map(cell).join(", ");
        if (c.dtype === "string") td.className = "s";
      }
    }
    status.textContent = `${url}: ${count.toLocaleString("en")} rows, ${names.length} columns; first ${n} rows below`;
    out.append(summary, data);
    document.body.dataset["state"] = "done";
  } finally {
    await rz.close();
  }
}

function fail(e: unknown): void {
  const status = $("status");
  status.className = "error";
  status.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  document.body.dataset["state"] = "error";
}

const params = new URLSearchParams(location.search);
const given = params.get("url");
const columnsOf = (text: string | null) => (text === null || text.trim() === "" ? undefined : text.split(",").map((s) => s.trim()).filter((s) => s !== ""));
$<HTMLFormElement>("open").addEventListener("submit", (ev) => {
  ev.preventDefault();
  show($<HTMLInputElement>("url").value, columnsOf($<HTMLInputElement>("columns").value), 20).catch(fail);
});
if (given !== null) {
  $<HTMLInputElement>("url").value = given;
  $<HTMLInputElement>("columns").value = params.get("columns") ?? "";
  show(new URL(given, location.href).href, columnsOf(params.get("columns")), Number(params.get("rows") ?? 20)).catch(fail);
}
