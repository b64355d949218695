import type { Diagnostic, SourceFile } from "../diagnostics/types.js";
import { spanAt } from "../diagnostics/span.js";

const BOM = "\uFEFF";

/**
 * Manifest bytes → text. TOML is UTF-8: invalid bytes are an error at their place (instead of silently becoming
 * U+FFFD); a leading byte-order mark, which some editors write, is dropped.
 */
export function decodeManifest(path: string, bytes: Uint8Array): { source: SourceFile } | { diagnostic: Diagnostic } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    const at = lossy.indexOf("\uFFFD");
    return {
      diagnostic: {
        code: "E001",
        severity: "error",
        message: "invalid TOML: the manifest is not valid UTF-8",
        file: path,
        span: spanAt(lossy, Math.max(0, at)),
        hint: "save the file as UTF-8",
      },
    };
  }
  return { source: { path, text: text.startsWith(BOM) ? text.slice(BOM.length) : text } };
}
