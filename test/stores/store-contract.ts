/** The behaviour every Store must show; each store's test file runs it. */
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import type { Store } from "../../src/stores/store.js";
import { collectKeys } from "../../src/stores/store.js";
import { StoreError } from "../../src/errors.js";

export function storeContract(suite: Test, make: () => Promise<Store>): void {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

  suite("get of a missing key is undefined", async () => {
    const s = await make();
    assert.is(await s.get("nope"), undefined);
    assert.is(await s.get("a/b/c"), undefined);
  });

  suite("set then get, nested keys, overwrite", async () => {
    const s = await make();
    await s.set("RAT/col/c/0", bytes("hello"));
    assert.is(text(await s.get("RAT/col/c/0")), "hello");
    await s.set("RAT/col/c/0", bytes("bye"));
    assert.is(text(await s.get("RAT/col/c/0")), "bye");
  });

  suite("a stored value does not change when the caller's buffer does", async () => {
    const s = await make();
    const b = bytes("abc");
    await s.set("k", b);
    b[0] = 0x7a;
    const got = (await s.get("k"))!;
    assert.is(text(got), "abc");
    got[0] = 0x7a;
    assert.is(text(await s.get("k")), "abc");
  });

  suite("subarray values store only their view", async () => {
    const s = await make();
    const big = bytes("xxhelloxx");
    await s.set("k", big.subarray(2, 7));
    assert.is(text(await s.get("k")), "hello");
  });

  suite("byte ranges, including suffix and past the end", async () => {
    const s = await make();
    await s.set("k", bytes("0123456789"));
    assert.is(text(await s.get("k", { range: { offset: 2, length: 3 } })), "234");
    assert.is(text(await s.get("k", { range: { suffix: 4 } })), "6789");
    assert.is(text(await s.get("k", { range: { suffix: 40 } })), "0123456789");
    assert.is(text(await s.get("k", { range: { offset: 8, length: 10 } })), "89");
    assert.is(await s.get("missing", { range: { offset: 0, length: 1 } }), undefined);
  });

  suite("delete, and deleting a missing key is fine", async () => {
    const s = await make();
    await s.set("a/b", bytes("1"));
    await s.delete("a/b");
    assert.is(await s.get("a/b"), undefined);
    await s.delete("a/b");
    await s.delete("never/was");
  });

  suite("list by prefix is exact and sorted", async () => {
    const s = await make();
    for (const k of ["rat.zarr/zarr.json", "rat.zarr/RAT/zarr.json", "rat.zarr2/zarr.json", "rat.zarr/RAT/a/c/0", "other"]) await s.set(k, bytes(k));
    assert.equal(await collectKeys(s.list("rat.zarr/")), ["rat.zarr/RAT/a/c/0", "rat.zarr/RAT/zarr.json", "rat.zarr/zarr.json"]);
    assert.equal(await collectKeys(s.list("rat.zarr")), ["rat.zarr/RAT/a/c/0", "rat.zarr/RAT/zarr.json", "rat.zarr/zarr.json", "rat.zarr2/zarr.json"]);
    assert.equal(await collectKeys(s.list("rat.zarr/RAT/a/")), ["rat.zarr/RAT/a/c/0"]);
    assert.equal(await collectKeys(s.list("nothing/")), []);
    assert.equal((await collectKeys(s.list(""))).length, 5);
  });

  suite("listDir gives the immediate children", async () => {
    const s = await make();
    for (const k of ["g/zarr.json", "g/a/zarr.json", "g/a/c/0", "g/b/zarr.json", "g/x"]) await s.set(k, bytes(k));
    assert.equal(await s.listDir("g"), { keys: ["x", "zarr.json"], prefixes: ["a", "b"] });
    assert.equal(await s.listDir("missing"), { keys: [], prefixes: [] });
    assert.equal((await s.listDir("")).prefixes, ["g"]);
  });

  suite("an aborted signal stops the call with a StoreError", async () => {
    const s = await make();
    const ac = new AbortController();
    ac.abort();
    for (const call of [() => s.get("k", { signal: ac.signal }), () => s.set("k", bytes("1"), { signal: ac.signal }), () => s.delete("k", { signal: ac.signal }), () => collectKeys(s.list("", { signal: ac.signal }))]) {
      try {
        await call();
        assert.unreachable("not aborted");
      } catch (e) {
        assert.instance(e, StoreError);
        assert.match((e as Error).message, "aborted");
      }
    }
  });

  suite("conditional writes: versions, create-only, stale versions refused", async () => {
    const s = await make();
    if (s.getVersioned === undefined || s.setIfVersion === undefined) return assert.unreachable("store has no conditional writes");
    assert.is(await s.getVersioned("k"), undefined);
    const v1 = await s.setIfVersion("k", bytes("one"), null);
    assert.type(v1, "string");
    assert.is(await s.setIfVersion("k", bytes("again"), null), undefined, "create-only refuses an existing key");
    const got = (await s.getVersioned("k"))!;
    assert.is(text(got.data), "one");
    assert.is(got.version, v1);
    const v2 = await s.setIfVersion("k", bytes("two"), v1!);
    assert.type(v2, "string");
    assert.is.not(v2, v1);
    assert.is(await s.setIfVersion("k", bytes("stale"), v1!), undefined, "a stale version is refused");
    assert.is(text(await s.get("k")), "two");
    await s.set("k", bytes("three"));
    assert.is(await s.setIfVersion("k", bytes("x"), v2!), undefined, "a plain set changes the version");
    const v3 = (await s.getVersioned("k"))!.version;
    // Conditional delete is optional (S3 has none: the engine stores an all-fill chunk instead).
    if (s.deleteIfVersion === undefined) return;
    assert.not.ok(await s.deleteIfVersion("k", v2!));
    assert.ok(await s.deleteIfVersion("k", v3));
    assert.is(await s.get("k"), undefined);
    assert.not.ok(await s.deleteIfVersion("k", v3), "deleting a missing key at a version fails");
  });

  suite("empty values", async () => {
    const s = await make();
    await s.set("e", new Uint8Array(0));
    assert.equal(await s.get("e"), new Uint8Array(0));
  });
}
