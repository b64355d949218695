import { describe, expect, it } from "vitest";
import { parseMixOutput, problemLocation, stripAnsi } from "../../src/toolchain/mix-errors.js";

/**
 * The summary `otpiser build` prints comes from mix's own output. The Elixir 1.14 samples are verbatim output of
 * `mix compile` (the version the end-to-end tests also run); the later ones follow the formats of 1.15–1.17
 * (snippet boxes, `└─ file:line:col`, "errors have been logged").
 */
describe("parseMixOutput: Elixir 1.14", () => {
  it("reads warnings with their location line, and ignores the rest of a successful compile", () => {
    const out = `Compiling 1 file (.ex)
warning: variable "x" is unused (if the variable is not meant to be used, prefix it with an underscore)
  lib/w.ex:2: W.a/1

warning: Foo.bar/0 is undefined (module Foo is not available or is yet to be defined)
  lib/w.ex:4: W.a/1

warning: String.nope/0 is undefined or private
  lib/w.ex:7: W.b/0

Generated keeper app
`;
    expect(parseMixOutput(out)).toEqual([
      { severity: "warning", message: 'variable "x" is unused (if the variable is not meant to be used, prefix it with an underscore)', file: "lib/w.ex", line: 2 },
      { severity: "warning", message: "Foo.bar/0 is undefined (module Foo is not available or is yet to be defined)", file: "lib/w.ex", line: 4 },
      { severity: "warning", message: "String.nope/0 is undefined or private", file: "lib/w.ex", line: 7 },
    ]);
  });

  it("reads a CompileError with file and line", () => {
    const out = `Compiling 1 file (.ex)

== Compilation error in file lib/e.ex ==
** (CompileError) lib/e.ex:3: undefined function undefined_fun/1 (expected E to define such a function or for it to be imported, but none are available)

`;
    expect(parseMixOutput(out)).toEqual([
      {
        severity: "error", exception: "CompileError", file: "lib/e.ex", line: 3,
        message: "undefined function undefined_fun/1 (expected E to define such a function or for it to be imported, but none are available)",
      },
    ]);
  });

  it("reads syntax errors with line and column and skips the compiler's stack trace", () => {
    const out = `Compiling 1 file (.ex)

== Compilation error in file lib/e.ex ==
** (SyntaxError) lib/e.ex:4:3: unexpected reserved word: end. The "[" at line 3 is missing terminator "]"
    (elixir 1.14.0) lib/kernel/parallel_compiler.ex:346: anonymous fn/5 in Kernel.ParallelCompiler.spawn_workers/7
`;
    const [p, ...rest] = parseMixOutput(out);
    expect(rest).toEqual([]);
    expect(p).toEqual({ severity: "error", exception: "SyntaxError", file: "lib/e.ex", line: 4, column: 3, message: 'unexpected reserved word: end. The "[" at line 3 is missing terminator "]"' });
    expect(problemLocation(p!)).toBe("lib/e.ex:4:3");
  });

  it("takes the file from the header when the exception has no location", () => {
    const out = `== Compilation error in file lib/boom.ex ==\n** (RuntimeError) boom at compile time\n    lib/boom.ex:2: (module)\n`;
    expect(parseMixOutput(out)).toEqual([{ severity: "error", exception: "RuntimeError", file: "lib/boom.ex", message: "boom at compile time" }]);
  });

  it("reads ** (Mix) errors and --warnings-as-errors failures, which have no place", () => {
    const out = `Unchecked dependencies for environment dev:
* telemetry (Hex package)
  the dependency is not available, run "mix deps.get"
** (Mix) Can't continue due to errors on dependencies
`;
    expect(parseMixOutput(out)).toEqual([{ severity: "error", exception: "Mix", message: "Can't continue due to errors on dependencies" }]);
    expect(parseMixOutput("Compilation failed due to warnings while using the --warnings-as-errors option\n")).toEqual([
      { severity: "error", message: "compilation failed because of warnings (--warnings-as-errors)" },
    ]);
  });

  it("joins a warning message continued on an indented line", () => {
    const out = `warning: this clause for a/1 cannot match because a previous clause at line 2 always matches\n  lib/w.ex:3\n`;
    expect(parseMixOutput(out)).toEqual([{ severity: "warning", message: "this clause for a/1 cannot match because a previous clause at line 2 always matches", file: "lib/w.ex", line: 3 }]);
  });

  it("ignores colours, application logs and blank output", () => {
    expect(parseMixOutput("")).toEqual([]);
    expect(parseMixOutput("\n02:52:24.367 [warning] something: lib/x.ex:3\n02:52:24.367 [error] boom\n")).toEqual([]);
    const coloured = "\u001b[33mwarning: \u001b[0mvariable \"x\" is unused\n  lib/w.ex:2: W.a/1\n";
    expect(stripAnsi(coloured)).toBe('warning: variable "x" is unused\n  lib/w.ex:2: W.a/1\n');
    expect(parseMixOutput(coloured)).toEqual([{ severity: "warning", message: 'variable "x" is unused', file: "lib/w.ex", line: 2 }]);
  });
});

describe("parseMixOutput: Elixir 1.15–1.17 formats", () => {
  it("reads logged errors and drops the summary exception that repeats them", () => {
    const out = `Compiling 1 file (.ex)
error: undefined function undefined_fun/1 (expected E to define such a function or for it to be imported, but none are available)
  lib/e.ex:3: E.a/0


== Compilation error in file lib/e.ex ==
** (CompileError) lib/e.ex: cannot compile module E (errors have been logged)

`;
    expect(parseMixOutput(out)).toEqual([
      { severity: "error", file: "lib/e.ex", line: 3, message: "undefined function undefined_fun/1 (expected E to define such a function or for it to be imported, but none are available)" },
    ]);
  });

  it("reads diagnostics with snippet boxes", () => {
    const out = `Compiling 2 files (.ex)
     warning: variable "x" is unused (if the variable is not meant to be used, prefix it with an underscore)
     │
   2 │   def a(x) do
     │         ~
     │
     └─ lib/w.ex:2:9: W.a/1

    error: undefined variable "y"
    │
  3 │     y
    │     ^
    │
    └─ lib/e.ex:3:5: E.a/0

== Compilation error in file lib/e.ex ==
** (CompileError) lib/e.ex: cannot compile module E (errors have been logged)
`;
    expect(parseMixOutput(out)).toEqual([
      { severity: "warning", file: "lib/w.ex", line: 2, column: 9, message: 'variable "x" is unused (if the variable is not meant to be used, prefix it with an underscore)' },
      { severity: "error", file: "lib/e.ex", line: 3, column: 5, message: 'undefined variable "y"' },
    ]);
  });

  it("reads 1.16 syntax errors whose message is in the box below the exception", () => {
    const out = `== Compilation error in file lib/e.ex ==
** (TokenMissingError) token missing on lib/e.ex:5:1:
    error: missing terminator: end
    │
  1 │ defmodule E do
    │             └ unclosed delimiter
 ...
  5 │
    │ └ missing closing delimiter (expected "end")
    │
    └─ lib/e.ex:5:1
    (elixir 1.16.0) lib/kernel/parallel_compiler.ex:428: anonymous fn/5 in Kernel.ParallelCompiler.spawn_workers/8
`;
    expect(parseMixOutput(out)).toEqual([
      { severity: "error", exception: "TokenMissingError", file: "lib/e.ex", line: 5, column: 1, message: "missing terminator: end" },
    ]);
  });

  it("reads Erlang compiler diagnostics", () => {
    expect(parseMixOutput("src/x.erl:3:5: syntax error before: ')'\nsrc/x.erl:7: Warning: variable 'Y' is unused\n")).toEqual([
      { severity: "error", file: "src/x.erl", line: 3, column: 5, message: "syntax error before: ')'" },
      { severity: "warning", file: "src/x.erl", line: 7, message: "variable 'Y' is unused" },
    ]);
  });

  it("lists each problem once", () => {
    const block = `warning: unused alias Foo\n  lib/a.ex:2\n\n`;
    expect(parseMixOutput(block + block)).toHaveLength(1);
    expect(problemLocation({ severity: "error", message: "x" })).toBe("");
    expect(problemLocation({ severity: "error", message: "x", file: "lib/a.ex" })).toBe("lib/a.ex");
  });
});
