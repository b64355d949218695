/**
 * The payload catalogue: texts that try to break out of every format otpiser writes user text into. Each one is
 * injected into every field of the manifest (fields.ts); `pwned` marks what would run if a payload were interpreted
 * (`Pwned.boom()` in Elixir, a file under /tmp for shells), so the checks can tell "escaped" from "executed".
 */

/** The file a shell payload would create if it ever ran; the tests check that it never exists. */
export const PWNED_FILE = `/tmp/otpiser-injection-pwned-${process.pid}`;

export interface Payload {
  name: string;
  /** The format the payload targets (for the report; every payload goes into every field anyway). */
  targets: string;
  text: string;
}

export const PAYLOADS: readonly Payload[] = [
  // ---- Elixir strings, atoms, heredocs
  { name: "double quote", targets: "elixir yaml json toml nix", text: 'say "hi" to "#{Pwned.boom()}"' },
  { name: "single quote", targets: "elixir shell yaml", text: "it's 'quoted'" },
  { name: "backslashes", targets: "elixir yaml toml nix", text: "C:\\path\\n\\u0041 trailing \\" },
  { name: "interpolation", targets: "elixir", text: "#{Pwned.boom()}" },
  { name: "escaped interpolation", targets: "elixir", text: "\\#{Pwned.boom()}" },
  { name: "heredoc close (double)", targets: "elixir", text: '"""\nPwned.boom()\n"""' },
  { name: "heredoc close (single)", targets: "elixir", text: "'''\nPwned.boom()\n'''" },
  { name: "heredoc then module", targets: "elixir", text: '  """\nend\ndefmodule Pwned do\n  def boom, do: :ok\nend\ndefmodule X do\n  @moduledoc """' },
  { name: "four quotes", targets: "elixir toml", text: 'x""""y""""""' },
  { name: "sigils", targets: "elixir", text: "~s(pwned) ~r/x/ ~w[a b] ~S\"\"\"" },
  { name: "atom breakers", targets: "elixir", text: ':pwned :"a b" a: 1 ::' },
  { name: "binary and operators", targets: "elixir", text: "<<1, 2>> |> Pwned.boom() <> \"x\"" },
  { name: "end keyword", targets: "elixir", text: "end\nend\nPwned.boom()" },
  { name: "elixir comment", targets: "elixir", text: "# Pwned.boom()" },
  { name: "eex tag", targets: "eex", text: "<%= Pwned.boom() %> <% x %> <%% y %>" },
  // ---- line breaks and control characters
  { name: "newline", targets: "all", text: "line one\nline two" },
  { name: "carriage returns", targets: "all", text: "line one\r\nline two\rline three" },
  { name: "unicode line breaks", targets: "yaml json", text: "a\u2028b\u2029c\u0085d" },
  { name: "NUL", targets: "nix shell", text: "before\u0000after" },
  { name: "terminal escape", targets: "terminal", text: "\u001b[31mred\u001b[0m\u001b]0;title\u0007" },
  { name: "C1 CSI", targets: "terminal", text: "x\u009b31my" },
  { name: "DEL and backspace", targets: "terminal", text: "ab\u007f\bc" },
  { name: "tab", targets: "all", text: "a\tb\t" },
  { name: "bidi overrides", targets: "elixir", text: "safe\u202Eevil\u2066x\u2069" },
  // ---- YAML
  { name: "yaml mapping", targets: "yaml", text: "key: value" },
  { name: "yaml sequence", targets: "yaml", text: "- item" },
  { name: "yaml comment", targets: "yaml", text: "value # comment" },
  { name: "yaml anchor alias", targets: "yaml", text: "&anchor *alias" },
  { name: "yaml tag", targets: "yaml", text: '!!python/object/apply:os.system ["touch /tmp/x"]' },
  { name: "yaml flow", targets: "yaml", text: "{a: 1, b: [2, 3]}" },
  { name: "yaml block scalar", targets: "yaml", text: "|\n  literal\n>\n  folded" },
  { name: "yaml directive", targets: "yaml", text: "%YAML 1.1" },
  { name: "yaml reserved @", targets: "yaml", text: "@at `tick`" },
  { name: "yaml documents", targets: "yaml", text: "---\nkind: Pwned\n...\n---" },
  { name: "yaml 1.1 scalars", targets: "yaml", text: "yes" },
  { name: "number-like", targets: "yaml toml json", text: "0x10" },
  { name: "null-like", targets: "yaml json", text: "null" },
  // ---- TOML
  { name: "toml multi-line", targets: "toml", text: '"""\npwned = true\n"""' },
  { name: "toml table", targets: "toml", text: "]]\n[pwned]\nx = 1\n[[" },
  // ---- shell, Dockerfile, systemd
  { name: "command substitution", targets: "shell", text: `$(touch ${PWNED_FILE})` },
  { name: "backticks", targets: "shell", text: `\`touch ${PWNED_FILE}\`` },
  { name: "shell operators", targets: "shell", text: `; touch ${PWNED_FILE} && echo x | cat > ${PWNED_FILE} || true &` },
  { name: "shell variables", targets: "shell nix", text: "${HOME} $HOME $1 $@" },
  { name: "globs", targets: "shell", text: "* ? [a-z] ~ {a,b}" },
  { name: "leading dash", targets: "shell", text: "-rf --help" },
  { name: "dockerfile continuation", targets: "dockerfile", text: "text \\\nRUN touch /pwned" },
  { name: "dockerfile newline", targets: "dockerfile", text: "\nRUN touch /pwned\n" },
  { name: "systemd specifiers", targets: "systemd", text: "100% %n %h %% %" },
  { name: "systemd section", targets: "systemd", text: "x\n[Service]\nExecStart=/bin/sh -c pwned" },
  // ---- Nix
  { name: "nix antiquotation", targets: "nix", text: '${builtins.abort "pwned"}' },
  { name: "nix indented string", targets: "nix", text: "'' ${x} ''$ '''" },
  // ---- HTML, Markdown, Mermaid
  { name: "html script", targets: "html", text: "</script><script>alert(1)</script><!--" },
  { name: "html image", targets: "html markdown", text: '<img src=x onerror="alert(1)">' },
  { name: "markdown fence", targets: "markdown", text: "intro\n```\n## Pwned\n" },
  { name: "markdown heading", targets: "markdown", text: "# Pwned\n\n---\n| a | b |" },
  { name: "mermaid", targets: "mermaid", text: '"]) --> pwned[("x %%{init: {}}%%' },
  // ---- names that are Elixir keywords (accepted by the name patterns)
  { name: "keyword end", targets: "elixir", text: "end" },
  { name: "keyword nil", targets: "elixir", text: "nil" },
  { name: "keyword do", targets: "elixir", text: "do" },
  { name: "keyword true", targets: "elixir", text: "true" },
  { name: "keyword when", targets: "elixir", text: "when" },
  { name: "special form", targets: "elixir", text: "unquote" },
  { name: "struct field", targets: "elixir", text: "__struct__" },
  { name: "module attribute", targets: "elixir", text: "@moduledoc false" },
  // ---- near-valid values: each passes a field's first-glance check, and must then still work where it lands
  { name: "invalid escapes", targets: "elixir", text: "\\x \\u{110000} \\uD800 \\u12" },
  { name: "cron with unicode spaces", targets: "cron", text: "*/5\u00a0*\u2007*\u202f* *" },
  { name: "cron with a line break", targets: "cron", text: "*/5\n* * * *" },
  { name: "requirement with a line break", targets: "mix.exs", text: "~> 1.14\n" },
  { name: "requirement Elixir refuses", targets: "mix.exs", text: "~> 1" },
  // ---- the rest
  { name: "unicode", targets: "all", text: "ünïcødé ✓ 🎉 👩‍👩‍👧 \u200d\ufeff" },
  { name: "empty", targets: "all", text: "" },
  { name: "blank", targets: "all", text: "  \t " },
  { name: "long", targets: "all", text: `${"long text ".repeat(600)}end` },
];
