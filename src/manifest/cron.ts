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

/**
 * The fields of an expression: separated by spaces and tabs only. (JavaScript's `\s` and Elixir's `String.split/1`,
 * which the generated scheduler uses, disagree on no-break and other Unicode spaces; fields never contain either.)
 */
function fields(expr: string): string[] {
  return expr.replace(/^[ \t]+|[ \t]+$/g, "").split(/[ \t]+/);
}

export function validateCron(expr: string): string | undefined {
  const parts = fields(expr);
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

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/**
 * A human-readable description of a valid expression, e.g. "every 5 minutes", "at 06:00, Monday to Friday".
 * Exact for the common shapes; other fields are quoted as written ("at minute 0,30 past hour 9-17").
 */
export function describeCron(expr: string): string {
  const [minute = "*", hour = "*", dom = "*", month = "*", dow = "*"] = fields(expr.toLowerCase());
  const number = (s: string) => /^[0-9]+$/.test(s);
  const pad = (s: string) => s.padStart(2, "0");
  let time: string;
  if (minute === "*" && hour === "*") time = "every minute";
  else if (/^\*\/[0-9]+$/.test(minute) && hour === "*") time = `every ${minute.slice(2)} minutes`;
  else if (number(minute) && number(hour)) time = `at ${pad(hour)}:${pad(minute)}`;
  else if (number(minute) && hour === "*") time = `at minute ${minute} of every hour`;
  else if (number(minute) && /^\*\/[0-9]+$/.test(hour)) time = `at minute ${minute} of every ${hour.slice(2)} hours`;
  else time = `at minute ${minute} past hour ${hour}`;
  const parts = [time];
  if (dom !== "*") parts.push(`on day ${dom} of the month`);
  if (dow !== "*") parts.push(describeList(dow, (v) => DAY_NAMES[dayValue(v)] ?? v, " to "));
  if (month !== "*") parts.push(`in ${describeList(month, (v) => MONTH_NAMES[monthValue(v) - 1] ?? v, " to ")}`);
  return parts.join(", ");
}

function describeList(field: string, name: (v: string) => string, to: string): string {
  return field
    .split(",")
    .map((item) => {
      const [range = "", step] = item.split("/");
      const text = range === "*" ? "every" : range.split("-").map(name).join(to);
      return step === undefined ? text : `${text} (every ${step})`;
    })
    .join(" and ");
}

function dayValue(v: string): number {
  const named = FIELDS[4]!.names.indexOf(v);
  return named >= 0 ? named : Number(v);
}

function monthValue(v: string): number {
  const named = FIELDS[3]!.names.indexOf(v);
  return named >= 0 ? named + 1 : Number(v);
}

/** `every 5 minutes`-style wording of an `every_ms` interval. */
export function describeInterval(ms: number): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];
  for (const [size, name] of units) {
    if (ms % size === 0) return ms === size ? `every ${name}` : `every ${ms / size} ${name}s`;
  }
  return `every ${ms} ms`;
}
