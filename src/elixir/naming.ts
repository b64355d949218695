/** Names and paths, following Elixir's own conventions. */

const isUpper = (c: string | undefined): boolean => c !== undefined && c >= "A" && c <= "Z";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** A port of `Macro.underscore/1`: `Payments.DbPool` → `payments/db_pool`, `HTTPClient` → `http_client`. */
export function underscore(alias: string): string {
  if (alias === "") return "";
  let out = alias[0]!.toLowerCase();
  let prev = alias[0]!;
  let i = 1;
  while (i < alias.length) {
    const h = alias[i]!;
    const t = alias[i + 1];
    if (h === ".") {
      out += "/";
      if (i + 1 < alias.length) {
        out += alias[i + 1]!.toLowerCase();
        prev = alias[i + 1]!;
        i += 2;
      } else {
        i += 1;
      }
      continue;
    }
    if (isUpper(h) && t !== undefined && !isUpper(t) && !isDigit(t) && t !== "." && t !== "_") {
      out += `_${h.toLowerCase()}${t}`;
      prev = t;
      i += 2;
      continue;
    }
    if (isUpper(h) && !isUpper(prev) && prev !== "_") {
      out += `_${h.toLowerCase()}`;
    } else {
      out += h.toLowerCase();
    }
    prev = h;
    i += 1;
  }
  return out;
}

/** `Payments.DbPool` → `lib/payments/db_pool.ex`. */
export function modulePath(module: string): string {
  return `lib/${underscore(module)}.ex`;
}

/** `Payments.DbPool` → `test/payments/db_pool_test.exs`. */
export function testPath(module: string): string {
  return `test/${underscore(module)}_test.exs`;
}
