/** Attribute mappings of the RAT and of columns. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RatZarr, RatZarrError, ZarrGroup } from "../../src/node/index.js";
import { removeLocalPaths, testBackends } from "../helpers/backends.js";
import { rejects } from "./helpers.js";

for (const backend of await testBackends()) {
  const t = suite(`RatZarr: attribute mappings [${backend.name}]`);
  const o = backend.options;

  t("read: get, has, keys, entries, toJSON, size, iteration", async () => {
    const rz = await RatZarr.open(await backend.newPath("attrs"), o);
    const m = await rz.getRatAttributeMapping();
    assert.equal(m.keys(), ["ROWCOUNT", "CHUNKSIZE"]);
    assert.is(m.get("ROWCOUNT"), 0);
    assert.ok(m.has("CHUNKSIZE"));
    assert.not.ok(m.has("nope"));
    assert.is(m.get("nope"), undefined);
    assert.is(m.size, 2);
    assert.equal(m.entries(), [["ROWCOUNT", 0], ["CHUNKSIZE", 500000]]);
    assert.equal([...m], m.entries());
    assert.equal(m.toJSON(), { ROWCOUNT: 0, CHUNKSIZE: 500000 });
    assert.not.ok(m.has("toString"), "inherited names are not keys");
  });

  t("set, update, delete; values are copies", async () => {
    const path = await backend.newPath("attrs");
    const rz = await RatZarr.open(path, o);
    await rz.setRowCount(2);
    await rz.createColumn("a", "int8");
    const m = await rz.getColumnAttributeMapping("a");
    const nested = { units: "m", scale: [1, 2] };
    await m.set("info", nested);
    nested.scale.push(3);
    assert.equal(m.get("info"), { units: "m", scale: [1, 2] });
    (m.get("info") as { units: string }).units = "changed";
    assert.equal(m.get("info"), { units: "m", scale: [1, 2] });
    await m.update({ x: 1, y: "é", z: null });
    await m.update([["w", true]]);
    assert.equal(m.keys(), ["MODIFICATIONLOG", "info", "x", "y", "z", "w"]);
    assert.ok(await m.delete("x"));
    assert.not.ok(await m.delete("x"));
    const again = await (await RatZarr.open(path, o)).getColumnAttributeMapping("a");
    assert.equal(again.toJSON(), { MODIFICATIONLOG: [], info: { units: "m", scale: [1, 2] }, y: "é", z: null, w: true });
  });

  t("managed keys can be read, not set or deleted", async () => {
    const rz = await RatZarr.open(await backend.newPath("attrs"), o);
    await rz.setRowCount(1);
    await rz.createColumn("a", "int8");
    const rat = await rz.getRatAttributeMapping();
    const col = await rz.getColumnAttributeMapping("a");
    for (const [m, key] of [[rat, "ROWCOUNT"], [rat, "CHUNKSIZE"], [col, "MODIFICATIONLOG"], [col, "ROWCOUNT"]] as const) {
      await rejects(() => m.set(key, 5), RatZarrError, new RegExp(`attribute "${key}" is managed by ratzarr`));
      await rejects(() => m.delete(key), RatZarrError, /managed by ratzarr/);
      await rejects(() => m.update({ ok: 1, [key]: 2 }), RatZarrError, /managed by ratzarr/);
    }
    assert.is(rat.get("ROWCOUNT"), 1);
    assert.not.ok(col.has("ok"), "a refused update changes nothing");
  });

  t("values must be JSON", async () => {
    const m = await (await RatZarr.open(await backend.newPath("attrs"), o)).getRatAttributeMapping();
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    for (const [bad, why] of [[undefined, /undefined, not a JSON value/], [() => 1, /function/], [new Date(), /a Date, not a plain JSON value/], [cyclic, /refers to itself/], [{ a: [1, undefined] }, /value.a\[1\] is undefined/]] as const) {
      await rejects(() => m.set("k", bad as never), RatZarrError, /RAT attribute "k"/, why);
    }
    await m.set("nan", NaN);
    await m.set("big", 2n ** 70n);
    assert.ok(Number.isNaN(m.get("nan") as number));
    assert.is(m.get("big"), 2n ** 70n);
  });

  t("a change re-reads the stored attributes: another handle's keys survive", async () => {
    const path = await backend.newPath("attrs");
    const a = await RatZarr.open(path, o);
    const b = await RatZarr.open(path, o);
    const ma = await a.getRatAttributeMapping();
    const mb = await b.getRatAttributeMapping();
    await ma.set("fromA", 1);
    assert.not.ok(mb.has("fromA"), "b's snapshot is older");
    await mb.set("fromB", 2);
    assert.equal(mb.toJSON(), { ROWCOUNT: 0, CHUNKSIZE: 500000, fromA: 1, fromB: 2 });
    await ma.refresh();
    assert.is(ma.get("fromB"), 2);
    assert.equal((await ZarrGroup.open(a.store, "RAT")).attributes, { ROWCOUNT: 0, CHUNKSIZE: 500000, fromA: 1, fromB: 2 });
  });

  t.after(removeLocalPaths);
  t.run();
}
