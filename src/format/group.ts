/**
 * Zarr v3 groups: create, open, attributes, and the children found by
 * listing (there is no index of children in a group; FORMAT.md, Layout).
 */
import type { Store, StoreOptions } from "../stores/store.js";
import type { JsonObject } from "../codecs/codec.js";
import { NodeError } from "../errors.js";
import { refuseIfReadOnly } from "./read-only.js";
import { createKey, KEEP, updateKey } from "./conditional.js";
import { metadataKey } from "./keys.js";
import { type CodecKinds, type GroupMetadata, type NodeMetadata, parseGroupMetadata, parseNodeMetadata, stringifyGroupMetadata } from "./metadata.js";
import { checkNodeName } from "./names.js";

/** The metadata of the node at `path`, or undefined when there is none; `kinds` knows the codecs (default: the built-in ones). */
export async function readNodeMetadata(store: Store, path: string, options: StoreOptions = {}, kinds?: CodecKinds): Promise<NodeMetadata | undefined> {
  const key = metadataKey(path);
  const bytes = await store.get(key, options);
  return bytes === undefined ? undefined : parseNodeMetadata(bytes, key, kinds);
}

export interface GroupOptions extends StoreOptions {
  readonly readOnly?: boolean | undefined;
}

/** A handle on one Zarr v3 group. */
export class ZarrGroup {
  private constructor(readonly store: Store, readonly path: string, private meta: GroupMetadata, private readonly options: GroupOptions) {}

  /** Open the group at `path`; a missing node or an array is an error. */
  static async open(store: Store, path: string, options: GroupOptions = {}): Promise<ZarrGroup> {
    const key = metadataKey(path);
    const bytes = await store.get(key, options);
    if (bytes === undefined) throw new NodeError(path, "no group here (zarr.json is missing)", { code: "missing" });
    return new ZarrGroup(store, path, parseGroupMetadata(bytes, key), options);
  }

  /** Create a group at `path` with `attributes`; an existing node is an error unless `overwrite`. */
  static async create(store: Store, path: string, attributes: JsonObject = {}, options: GroupOptions & { overwrite?: boolean } = {}): Promise<ZarrGroup> {
    refuseIfReadOnly(options.readOnly, store, `cannot create group "${path}": read-only`);
    for (const part of path.split("/").filter((p) => p !== "")) checkNodeName(part, "node");
    const key = metadataKey(path);
    const meta: GroupMetadata = { nodeType: "group", attributes, extraFields: {} };
    const bytes = new TextEncoder().encode(stringifyGroupMetadata(meta));
    if (options.overwrite) await store.set(key, bytes, options);
    else if (!(await createKey(store, key, bytes, options))) throw new NodeError(path, "a node already exists here", { code: "exists" });
    return new ZarrGroup(store, path, meta, options);
  }

  /** Open the group at `path`, or create it with `attributes` when nothing is there (safe when several processes do this at once). */
  static async require(store: Store, path: string, attributes: JsonObject = {}, options: GroupOptions = {}): Promise<ZarrGroup> {
    try {
      return await ZarrGroup.create(store, path, attributes, options);
    } catch (e) {
      if (e instanceof NodeError && e.code === "exists") return ZarrGroup.open(store, path, options);
      throw e;
    }
  }

  get metadata(): GroupMetadata { return this.meta; }
  get attributes(): JsonObject { return this.meta.attributes; }

  /** Re-read `zarr.json` from the store. */
  async refresh(options: StoreOptions = {}): Promise<void> {
    const key = metadataKey(this.path);
    const bytes = await this.store.get(key, options);
    if (bytes === undefined) throw new NodeError(this.path, "the group has been deleted (zarr.json is missing)", { code: "missing" });
    this.meta = parseGroupMetadata(bytes, key);
  }

  /** Replace the attributes (other writers' changes to them are overwritten; see `updateAttributes`). */
  async setAttributes(attributes: JsonObject, options: StoreOptions = {}): Promise<void> {
    await this.updateAttributes(() => attributes, options);
  }

  /** Re-read the stored attributes, apply `change` to them, and write the result; never loses another writer's update. */
  async updateAttributes(change: (attributes: JsonObject) => JsonObject, options: StoreOptions = {}): Promise<JsonObject> {
    refuseIfReadOnly(this.options.readOnly, this.store, `group "${this.path}": cannot change metadata, read-only`);
    const key = metadataKey(this.path);
    let next = this.meta;
    await updateKey(this.store, key, (current) => {
      if (current === undefined) throw new NodeError(this.path, "the group has been deleted (zarr.json is missing)", { code: "missing" });
      const m = parseGroupMetadata(current, key);
      next = { ...m, attributes: change(structuredClone(m.attributes)) };
      const text = stringifyGroupMetadata(next);
      return text === new TextDecoder().decode(current) ? KEEP : new TextEncoder().encode(text);
    }, options);
    this.meta = next;
    return next.attributes;
  }

  /** Names of the child nodes (folders under this group holding a `zarr.json`), sorted. */
  async children(options: StoreOptions = {}): Promise<string[]> {
    return [...(await this.childMetadata(options)).keys()];
  }

  /**
   * The child nodes with their `zarr.json` bytes as stored (one listing, then one GET per
   * child, all in flight at once), in name order: what a caller about to open many children
   * needs, without fetching each document twice.
   */
  async childMetadata(options: StoreOptions = {}): Promise<Map<string, Uint8Array>> {
    const listing = await this.store.listDir(this.path, options);
    const found = await Promise.all(
      listing.prefixes.map(async (name) => [name, await this.store.get(metadataKey(this.path === "" ? name : `${this.path}/${name}`), options)] as const),
    );
    return new Map(found.filter((f): f is readonly [string, Uint8Array] => f[1] !== undefined));
  }
}
