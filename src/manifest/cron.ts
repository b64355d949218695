/**
 * Standard 5-field cron (minute hour day-of-month month day-of-week), the rules the generated scheduler shares:
 * `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`, month and weekday names (jan, mon).
 * Returns a description of the first problem, or undefined when valid.
 */
const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] as string[] },
  { name: "day of month", min: 1, max: 31, names: [] as string[] },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

export function validateCron(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields, found ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const field = FIELDS[i]!;
    for (const item of parts[i]!.split(",")) {
      const problem = checkItem(item.toLowerCase(), field);
      if (problem) return `${field.name}: ${problem}`;
    }
  }
  return undefined;
}

function checkItem(item: string, field: (typeof FIELDS)[number]): string | undefined {
  const [range, step, extra] = item.split("/");
  if (extra !== undefined) return `"${item}" has more than one step`;
  if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `step "${step}" must be a positive integer`;
  if (range === "*") return undefined;
  const bounds = (range ?? "").split("-");
  if (bounds.length > 2) return `"${range}" is not a range`;
  const values = bounds.map((b) => value(b, field));
  if (values.some((v) => v === undefined)) return `"${range}" is not between ${field.min} and ${field.max}`;
  if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" is backwards`;
  return undefined;
}

function value(text: string, field: (typeof FIELDS)[number]): number | undefined {
  const named = field.names.indexOf(text);
  if (named >= 0) return field.name === "month" ? named + 1 : named;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}
