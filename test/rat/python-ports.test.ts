/** Python ratzarr 1.0.2's own tests (test_simple, test_flags, test_resize, test_colnames, test_chunksize, test_2d), ported. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr, RatZarrError } from "../../src/node/index.js";
import { removeLocalPaths, testBackends } from "../helpers/backends.js";
import { rejects } from "./helpers.js";

for (const backend of await testBackends()) {
  const t = suite(`Python ratzarr's tests [${backend.name}]`);
  const o = backend.options;

  t("test_simple: int32, float32 and string columns in two blocks", async () => {
    const rz = await RatZarr.open(await backend.newPath("rat"), o);
    const n = 100;
    await rz.setRowCount(n);
    await rz.setChunkSize(n / 2);
    const blocks = {
      int32col: Int32Array.from({ length: n / 2 }, (_, i) => i),
      float32col: Float32Array.from({ length: n / 2 }, (_, i) => i),
      stringcol: Array.from({ length: n / 2 }, (_, i) => String(i)),
    } as const;
    const dtypes = { int32col: "int32", float32col: "float32", stringcol: "string" } as const;
    for (const [name, block] of Object.entries(blocks) as [keyof typeof blocks, (typeof blocks)[keyof typeof blocks]][]) {
      await rz.createColumn(name, dtypes[name]);
      await rz.writeBlock(name, block, 0);
      await rz.writeBlock(name, block, n / 2);
      const col = await rz.readBlock(name, 0, n);
      assert.is(await rz.getColumnDtype(name), dtypes[name]);
      assert.is(col.constructor, block.constructor, "array type");
      assert.equal(Array.from(col as ArrayLike<unknown>), [...Array.from(block as ArrayLike<unknown>), ...Array.from(block as ArrayLike<unknown>)]);
    }
    await rz.close();
  });

  t("test_flags: readOnly or create=false on a missing file", async () => {
    const path = await backend.newPath("rat");
    await rejects(() => RatZarr.open(path, { ...o, readOnly: true }), RatZarrError, /readOnly is true/);
    await rejects(() => RatZarr.open(path, { ...o, create: false }), RatZarrError, /create is false/);
    assert.not.ok(await RatZarr.exists(path, o), "nothing was created");
  });

  t("test_resize: shrink then grow", async () => {
    const rz = await RatZarr.open(await backend.newPath("rat"), o);
    const n = 100;
    await rz.setRowCount(n);
    await rz.createColumn("col1", "int32");
    await rz.writeBlock("col1", Int32Array.from({ length: n }, (_, i) => i), 0);
    await rz.setRowCount(n / 2);
    assert.is((await rz.readBlock("col1", 0, n)).length, n / 2);
    await rz.setRowCount(n);
    assert.is((await rz.readBlock("col1", 0, n)).length, n);
  });

  t("test_colnames: create, list, delete", async () => {
    const rz = await RatZarr.open(await backend.newPath("rat"), o);
    await rz.setRowCount(100);
    await rz.createColumn("col1", "int32");
    await rz.createColumn("col2", "int32");
    assert.ok(await rz.colExists("col1"));
    assert.equal(await rz.getColumnNames(), ["col1", "col2"]);
    await rz.deleteColumn("col1");
    assert.not.ok(await rz.colExists("col1"));
    assert.equal(await rz.getColumnNames(), ["col2"]);
  });

  t("test_chunksize: default, set, per column, kept on disk", async () => {
    const path = await backend.newPath("rat");
    const rz = await RatZarr.open(path, o);
    await rz.setRowCount(1000000);
    assert.is(rz.getRATChunkSize(), 500000);
    await rz.setChunkSize(100000);
    assert.is(rz.getRATChunkSize(), 100000);
    await rz.createColumn("col1", "int32");
    assert.is(await rz.getColumnChunkSize("col1"), 100000);
    const rz2 = await RatZarr.open(path, o);
    assert.is(rz2.getRATChunkSize(), 100000, "chunk size kept on disk");
  });

  t("test_2d: a uint16 column of width 3", async () => {
    const rz = await RatZarr.open(await backend.newPath("rat"), o);
    const n = 1000, width = 3;
    await rz.setRowCount(n);
    await rz.createColumn("colWidth3", "uint16", { width });
    const col = new Uint16Array(n * width);
    for (let i = 0; i < n; i++) {
      col[i * 3] = i;
      col[i * 3 + 1] = i + n;
      col[i * 3 + 2] = i + 5 * n;
    }
    await rz.writeBlock("colWidth3", col, 0);
    assert.is(await rz.getColumnWidth("colWidth3"), width);
    assert.equal(await rz.readBlock("colWidth3", 0, n), col);
  });

  t.after(removeLocalPaths);
  t.run();
}
