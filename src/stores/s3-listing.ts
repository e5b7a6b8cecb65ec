/**
 * An S3 ListObjectsV2 answer read by a small tag scan (no XML parser exists on
 * every runtime): keys, common prefixes and the continuation token. Used by
 * the HTTP store for servers that answer S3-style listings.
 */
import { StoreError } from "../errors.js";

/** One page of a listing. */
export interface ListingPage {
  readonly keys: string[];
  readonly prefixes: string[];
  readonly next: string | undefined;
}

/** The keys, common prefixes and continuation token of a ListObjectsV2 answer, by a small tag scan (no XML parser on every runtime). */
export function parseListing(xml: string, shown: string): ListingPage {
  if (!xml.includes("<ListBucketResult")) throw new StoreError(shown, `LIST ${shown}: the answer is not an S3 ListBucketResult`);
  const keys = blocks(xml, "Contents").map((c) => blocks(c, "Key")[0]).filter((k): k is string => k !== undefined).map(unescapeXml);
  const prefixes = blocks(xml, "CommonPrefixes").map((c) => blocks(c, "Prefix")[0]).filter((k): k is string => k !== undefined).map(unescapeXml);
  const truncated = blocks(xml, "IsTruncated")[0]?.trim() === "true";
  const token = blocks(xml, "NextContinuationToken")[0];
  if (truncated && (token === undefined || token === "")) throw new StoreError(shown, `LIST ${shown}: a truncated listing without a NextContinuationToken`);
  return { keys, prefixes, next: truncated ? unescapeXml(token!) : undefined };
}

/** The texts inside every `<tag>…</tag>` (attributes allowed on the opening tag; the tags we read do not nest). */
function blocks(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
}

const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** XML character data: the five entities and numeric references. */
function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (all, e: string) => {
    if (e.startsWith("#")) {
      const cp = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return ENTITIES[e] ?? all;
  });
}
