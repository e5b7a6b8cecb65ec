/**
 * The Node platform of the RAT layer: local paths on the filesystem, the OS
 * user and `process.argv` in modification logs, `process.emitWarning`.
 */
import { rm, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Platform } from "../rat/platform.js";
import type { RatLocation } from "../rat/location.js";
import { FileSystemStore } from "../stores/fs.js";
import { createRequire } from "node:module";
import { RatZarrError, StoreError } from "../errors.js";
import { processEnv } from "./env.js";

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back as getpass.getuser() does.
    return processEnv("LOGNAME") ?? processEnv("USER") ?? processEnv("USERNAME") ?? "";
  }
}

/** A local path or `file://` URL as a RAT location on the filesystem. */
export async function localLocation(path: string, options: { readonly readOnly: boolean }): Promise<RatLocation> {
  const dir = path.startsWith("file://") ? fileURLToPath(path) : resolve(path);
  const store = new FileSystemStore(dir, { readOnly: options.readOnly });
  return {
    store,
    description: path,
    async exists() {
      try {
        await stat(dir);
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === "ENOENT") return false;
        throw new StoreError("", `cannot stat ${dir}: ${(e as Error).message}`, { cause: e });
      }
    },
    async removeAll() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The AWS SDK, an optional peer dependency: what to install when it is not there. */
export const S3_SDK_INSTALL = "npm install @aws-sdk/client-s3";

/** True when `@aws-sdk/client-s3` cannot be found from this package (asked by resolving it, not by reading an error message). */
function sdkMissing(): boolean {
  try {
    createRequire(import.meta.url).resolve("@aws-sdk/client-s3");
    return false;
  } catch (e) {
    return (e as { code?: unknown }).code === "MODULE_NOT_FOUND";
  }
}

/** The S3 store module; without the AWS SDK installed, a `RatZarrError` (code "missing") saying what to install. */
async function loadS3Store(url: string): Promise<typeof import("../stores/s3.js")> {
  try {
    return await import("../stores/s3.js");
  } catch (e) {
    if (!sdkMissing()) throw e;
    throw new RatZarrError(`opening ${url} needs the AWS SDK, an optional peer dependency of ratzarr that is not installed: ${S3_SDK_INSTALL}`, { code: "missing", cause: e });
  }
}

/** An `s3://bucket/key` URL as a RAT location; the S3 store (and the AWS SDK, an optional peer dependency) load on first use. */
export async function s3Location(url: string, options: { readonly readOnly: boolean; readonly s3?: unknown }): Promise<RatLocation> {
  const { S3Store } = await loadS3Store(url);
  const store = S3Store.fromUrl(url, { ...(options.s3 as object | undefined), readOnly: options.readOnly });
  return {
    store,
    description: url,
    exists: (o) => store.existsAt("", o),
    removeAll: (o) => store.deleteDir("", o),
    close: () => store.close(),
  };
}

export const nodePlatform: Platform = {
  name: "node",
  openLocal: localLocation,
  openUrl: (url, _scheme, options) => s3Location(url, options),
  user: osUser,
  argv: () => [...process.argv],
  warn: (message) => process.emitWarning(message, { type: "RatZarrWarning" }),
};
