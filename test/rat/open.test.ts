/** RatZarr.open, exists, isValidRatZarr, delete, close, read-only handles: on local disk and on every S3 server of the run. */
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RatZarr, RatZarrError, MemoryStore, NodeError, ReadOnlyError, ZarrArray, ZarrGroup, MetadataError, type AttributeMapping } from "../../src/node/index.js";
import { collectKeys } from "../../src/stores/store.js";
import { CountingStore } from "../helpers/counting-store.js";
import { removeLocalPaths, testBackends } from "../helpers/backends.js";
import { cleanup, rejects, snapshot, tempRatPath } from "./helpers.js";


/** Every change a read-only handle must refuse, named, on a RAT with an int32 column "a" of 10 rows. */
function readOnlyChanges(ro: RatZarr, ratAttrs: AttributeMapping, colAttrs: AttributeMapping): [string, () => Promise<unknown>][] {
  return [
    ["setRowCount", () => ro.setRowCount(5)],
    ["setChunkSize", () => ro.setChunkSize(5)],
    ["createColumn", () => ro.createColumn("b", "int8")],
    ["deleteColumn", () => ro.deleteColumn("a")],
    ["writeBlock", () => ro.writeBlock("a", new Int32Array(10), 0)],
    ["RAT attribute set", () => ratAttrs.set("x", 1)],
    ["RAT attribute delete", () => ratAttrs.delete("x")],
    ["column attribute update", () => colAttrs.update({ x: 1 })],
  ];
}

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const bytes = (s: string) => new TextEncoder().encode(s);

// Local by nature: file:// URLs, stores built or corrupted key by key in memory, counted store calls.
const t = suite("RatZarr: open and the static methods (stores and file:// URLs)");

t("a RAT with a corrupt RAT/zarr.json is refused with the file and key named", async () => {
  const store = new MemoryStore();
  await (await RatZarr.open(store)).close();
  store.data.set("RAT/zarr.json", new TextEncoder().encode('{"attributes": {"ROWCOUNT": -3}, "zarr_format": 3, "node_type": "group"}'));
  await rejects(() => RatZarr.open(store), MetadataError, /RAT\/zarr.json/, /ROWCOUNT/, /-3/);
});

t("a RAT without ROWCOUNT (older Python files) takes the first column's length and stores it", async () => {
  const store = new MemoryStore();
  await ZarrGroup.create(store, "");
  await ZarrGroup.create(store, "RAT", { other: 1 });
  await ZarrArray.create(store, "RAT/b", { shape: [9], dataType: "int32", chunkShape: [4] });
  await ZarrArray.create(store, "RAT/a", { shape: [7], dataType: "int32", chunkShape: [4] });
  const ro = await RatZarr.open(store, { readOnly: true });
  assert.is(ro.getRowCount(), 7);
  assert.equal((await ZarrGroup.open(store, "RAT")).attributes, { other: 1 }, "read-only: nothing stored");
  const rz = await RatZarr.open(store);
  assert.is(rz.getRowCount(), 7);
  assert.equal((await ZarrGroup.open(store, "RAT")).attributes, { other: 1, ROWCOUNT: 7, CHUNKSIZE: 500000 });
  const empty = new MemoryStore();
  await ZarrGroup.create(empty, "");
  await ZarrGroup.create(empty, "RAT");
  assert.is((await RatZarr.open(empty)).getRowCount(), 0);
});

t("a read-only handle refuses every change before touching the store", async () => {
  const store = new CountingStore();
  const rw = await RatZarr.open(store);
  await rw.setRowCount(10);
  await rw.createColumn("a", "int32");
  await rw.writeBlock("a", new Int32Array(10).fill(3), 0);
  const ro = await RatZarr.open(store, { readOnly: true });
  const ratAttrs = await ro.getRatAttributeMapping();
  const colAttrs = await ro.getColumnAttributeMapping("a");
  store.reset();
  const changes = readOnlyChanges(ro, ratAttrs, colAttrs);
  for (const [what, change] of changes) {
    await rejects(change, ReadOnlyError, /read-only/);
    assert.is(store.sets + store.deletes, 0, `${what} touched the store`);
    assert.is(store.gets, 0, `${what} read the store before refusing`);
  }
  assert.equal(await ro.readBlock("a", 0, 10), new Int32Array(10).fill(3));
});

t("a Store argument: a Zarr group without RAT/ is no RAT; exists, isValidRatZarr and delete", async () => {
  const group = new MemoryStore();
  await ZarrGroup.create(group, "");
  await rejects(() => RatZarr.open(group), NodeError, /holds no RAT/);
  assert.equal([...group.data.keys()], ["zarr.json"]);
  const store = new MemoryStore();
  assert.not.ok(await RatZarr.exists(store));
  await store.set("x", new Uint8Array(1));
  assert.ok(await RatZarr.exists(store));
  assert.not.ok(await RatZarr.isValidRatZarr(store));
  const valid = new MemoryStore();
  await ZarrGroup.create(valid, "");
  assert.not.ok(await RatZarr.isValidRatZarr(valid));
  await ZarrGroup.create(valid, "RAT");
  assert.ok(await RatZarr.isValidRatZarr(valid));
  valid.data.delete("zarr.json");
  assert.not.ok(await RatZarr.isValidRatZarr(valid));
  valid.data.set("zarr.json", new TextEncoder().encode("not json"));
  assert.not.ok(await RatZarr.isValidRatZarr(valid));
  const m = await RatZarr.open(new MemoryStore());
  await m.setRowCount(3);
  await m.createColumn("s", "string");
  await m.writeBlock("s", ["a", "b", "c"], 0);
  await RatZarr.delete(m.store);
  assert.is((m.store as MemoryStore).data.size, 0);
});

t("paths: file:// URLs work; s3:// and unknown schemes are clear errors", async () => {
  const path = tempRatPath();
  const rz = await RatZarr.open(pathToFileURL(path).href);
  await rz.setRowCount(2);
  await rz.close();
  assert.is((await RatZarr.open(path)).getRowCount(), 2);
  await rejects(() => RatZarr.open("s3://"), RatZarrError, /"s3:\/\/" is not an s3:\/\/bucket\/key URL/);
  await rejects(() => RatZarr.open("ftp://host/rat.zarr"), RatZarrError, /unsupported scheme "ftp:\/\/"/);
  await rejects(() => RatZarr.open(""), RatZarrError, /must not be empty/);
});

t.after(cleanup);
t.run();

// About paths in general: every backend.
for (const backend of await testBackends()) {
  const b = suite(`RatZarr: open and the static methods [${backend.name}]`);
  const o = backend.options;
  const local = backend.name === "local disk";

  b("a new RAT writes the root group and RAT/zarr.json with ROWCOUNT 0 and CHUNKSIZE 500000", async () => {
    const path = await backend.newPath("new");
    const rz = await RatZarr.open(path, o);
    assert.is(rz.getRowCount(), 0);
    assert.is(rz.getRATChunkSize(), 500000);
    assert.is(text(await rz.store.get("zarr.json")), '{\n  "attributes": {},\n  "zarr_format": 3,\n  "node_type": "group"\n}');
    assert.is(text(await rz.store.get("RAT/zarr.json")), '{\n  "attributes": {\n    "ROWCOUNT": 0,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "node_type": "group"\n}');
    assert.equal(await collectKeys(rz.store.list("")), ["RAT/zarr.json", "zarr.json"]);
    await rz.close();
  });

  b("a path that exists but holds no RAT is an error and is left untouched", async () => {
    const path = await backend.newPath("stray");
    const store = backend.store(path);
    await store.set("precious.txt", bytes("keep me"));
    for (const options of [{}, { readOnly: true }, { create: false }]) {
      await rejects(() => RatZarr.open(path, { ...o, ...options }), NodeError, /exists but holds no RAT/, /left untouched/);
    }
    assert.equal(await collectKeys(store.list("")), ["precious.txt"]);
    assert.is(text(await store.get("precious.txt")), "keep me");
    if (local) assert.equal(readdirSync(path), ["precious.txt"]);
    // A Zarr group that is not a RAT (no RAT/ group) is not one either.
    const groupPath = await backend.newPath("group");
    const groupStore = backend.store(groupPath);
    await ZarrGroup.create(groupStore, "");
    await rejects(() => RatZarr.open(groupPath, o), NodeError, /holds no RAT/);
    assert.equal(await collectKeys(groupStore.list("")), ["zarr.json"]);
  });

  b("a read-only handle refuses every change and leaves the stored bytes as they were", async () => {
    const path = await backend.newPath("readonly");
    const rw = await RatZarr.open(path, o);
    await rw.setRowCount(10);
    await rw.createColumn("a", "int32");
    await rw.writeBlock("a", new Int32Array(10).fill(3), 0);
    await rw.close();
    const ro = await RatZarr.open(path, { ...o, readOnly: true });
    const ratAttrs = await ro.getRatAttributeMapping();
    const colAttrs = await ro.getColumnAttributeMapping("a");
    const before = await snapshot(ro.store);
    const changes = readOnlyChanges(ro, ratAttrs, colAttrs);
    for (const [what, change] of changes) {
      await rejects(change, ReadOnlyError, /read-only/);
      assert.equal(await snapshot(ro.store), before, `${what} changed the store`);
    }
    assert.equal(await ro.readBlock("a", 0, 10), new Int32Array(10).fill(3));
    assert.is(ro.getRowCount(), 10);
    assert.is((await ro.getModificationLog("a")).length, 1);
  });

  b("exists is exact: rat.zarr does not match rat.zarr2", async () => {
    const path = `${await backend.newPath("exact")}2`;
    await (await RatZarr.open(path, o)).close();
    const sibling = path.slice(0, -1);
    assert.ok(await RatZarr.exists(path, o));
    assert.not.ok(await RatZarr.exists(sibling, o));
    assert.ok(await RatZarr.isValidRatZarr(path, o));
    assert.not.ok(await RatZarr.isValidRatZarr(sibling, o));
    const other = await backend.newPath("anything");
    assert.not.ok(await RatZarr.exists(other, o));
    await backend.store(other).set("x", new Uint8Array(1));
    assert.ok(await RatZarr.exists(other, o));
    assert.not.ok(await RatZarr.isValidRatZarr(other, o));
  });

  b("isValidRatZarr needs zarr.json and RAT/zarr.json", async () => {
    const path = await backend.newPath("valid");
    const store = backend.store(path);
    assert.not.ok(await RatZarr.isValidRatZarr(path, o));
    await ZarrGroup.create(store, "");
    assert.not.ok(await RatZarr.isValidRatZarr(path, o));
    await ZarrGroup.create(store, "RAT");
    assert.ok(await RatZarr.isValidRatZarr(path, o));
    await store.delete("zarr.json");
    assert.not.ok(await RatZarr.isValidRatZarr(path, o));
    await store.set("zarr.json", bytes("not json"));
    assert.not.ok(await RatZarr.isValidRatZarr(path, o));
  });

  b("delete: quiet when nothing is there, refuses a non-RAT, removes every key", async () => {
    const path = await backend.newPath("delete");
    await RatZarr.delete(path, o);
    const store = backend.store(path);
    await store.set("data.txt", bytes("x"));
    await rejects(() => RatZarr.delete(path, o), NodeError, /not a RAT/);
    assert.equal(await collectKeys(store.list("")), ["data.txt"]);
    assert.is(text(await store.get("data.txt")), "x");
    if (local) assert.ok(existsSync(join(path, "data.txt")));
    const rat = await backend.newPath("delete-rat");
    const rz = await RatZarr.open(rat, o);
    await rz.setRowCount(10);
    await rz.setChunkSize(5);
    await rz.createColumn("a", "float64");
    await rz.createColumn("s", "string");
    await rz.writeBlock("a", new Float64Array(10).fill(1), 0);
    await rz.writeBlock("s", Array.from({ length: 10 }, (_, i) => `s${i}`), 0);
    await rz.close();
    assert.ok((await collectKeys(rz.store.list(""))).length > 4, "chunks were stored");
    await RatZarr.delete(rat, o);
    assert.equal(await collectKeys(backend.store(rat).list("")), []);
    assert.not.ok(await RatZarr.exists(rat, o));
    if (local) assert.not.ok(existsSync(rat));
    await RatZarr.delete(rat, o);
  });

  b("close, and await using", async () => {
    const path = await backend.newPath("close");
    {
      await using rz = await RatZarr.open(path, o);
      await rz.setRowCount(4);
      await rz.createColumn("a", "uint8");
      await rz.writeBlock("a", Uint8Array.from([1, 2, 3, 4]), 0);
    }
    const rz = await RatZarr.open(path, o);
    assert.equal(await rz.readBlock("a", 0, 4), Uint8Array.from([1, 2, 3, 4]));
    await rz.close();
    await rz.close();
    await rejects(() => rz.readBlock("a", 0, 4), RatZarrError, /closed/);
    assert.throws(() => rz.getRowCount(), /closed/);
  });

  b.after(removeLocalPaths);
  b.run();
}

const race = suite("RatZarr.open: another writer finishing a new RAT while this one looks");

race("the root zarr.json appearing between the validity check and the second look: valid, not 'holds no RAT'", async () => {
  // A RAT made to the point another creator leaves it (RAT group written, root not yet);
  // the root appears right after this opener's first look, as when 8 jobs create one RAT.
  class RootLate extends MemoryStore {
    rootReads = 0;
    override get(key: string, options?: Parameters<MemoryStore["get"]>[1]): Promise<Uint8Array | undefined> {
      if (key === "zarr.json" && this.rootReads++ === 0) {
        const p = super.get("__none__", options);
        void super.set("zarr.json", bytes('{\n  "attributes": {},\n  "zarr_format": 3,\n  "consolidated_metadata": null,\n  "node_type": "group"\n}'));
        return p;
      }
      return super.get(key, options);
    }
  }
  const store = new RootLate();
  await store.set("RAT/zarr.json", bytes('{\n  "attributes": {\n    "ROWCOUNT": 0,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "consolidated_metadata": null,\n  "node_type": "group"\n}'));
  const rz = await RatZarr.open(store, { readOnly: true });
  assert.is(rz.getRowCount(), 0);
  assert.ok(store.rootReads >= 2);
  await rz.close();
});

race("folders made by another creator before its RAT/zarr.json lands: wait for it rather than call the path 'holds no RAT'", async () => {
  // What 8 jobs creating one RAT on local disk can see: RAT/ exists (mkdir), RAT/zarr.json a moment later.
  class RatLate extends MemoryStore {
    looks = 0;
    override get(key: string, options?: Parameters<MemoryStore["get"]>[1]): Promise<Uint8Array | undefined> {
      // The opener's first two looks (validity check, then the closer look) find no RAT/zarr.json; it lands before the third.
      if (key === "RAT/zarr.json" && this.looks++ === 2) {
        void super.set("RAT/zarr.json", bytes('{\n  "attributes": {\n    "ROWCOUNT": 7,\n    "CHUNKSIZE": 500000\n  },\n  "zarr_format": 3,\n  "consolidated_metadata": null,\n  "node_type": "group"\n}'));
        void super.set("zarr.json", bytes('{\n  "attributes": {},\n  "zarr_format": 3,\n  "consolidated_metadata": null,\n  "node_type": "group"\n}'));
      }
      return super.get(key, options);
    }
  }
  const store = new RatLate();
  await store.set("RAT/c0/placeholder", bytes("x")); // something at the path, under a folder only
  const rz = await RatZarr.open(store, { readOnly: true });
  assert.is(rz.getRowCount(), 7);
  await rz.close();
  // A file at the top that is not zarr.json: not a RAT, at once.
  const other = new MemoryStore();
  await other.set("data.txt", bytes("x"));
  await rejects(() => RatZarr.open(other, { readOnly: true }), NodeError, /holds no RAT/);
});

race.run();
