/**
 * The hand-written baseline of the Elixir figures: `n` bare GenServers (no trap_exit, no lifecycle telemetry, no
 * otpiser hooks) under one Supervisor. The supervision shape is the one otpiser generates for `flatManifest(n)`:
 * every worker a direct child of the application's root supervisor, one_for_one, `max_restarts: 100,
 * max_seconds: 1`, registered under its module name, answering `:ping` with `:pong`.
 */
export function baselineProject(n: number): Record<string, string> {
  const workers = Array.from({ length: n }, (_, i) => `BenchBase.W${i}`);
  const files: Record<string, string> = {
    "mix.exs": `defmodule BenchBase.MixProject do
  use Mix.Project

  def project do
    [app: :bench_base, version: "0.1.0", elixir: "~> 1.14", deps: []]
  end

  def application do
    [extra_applications: [:logger], mod: {BenchBase.Application, []}]
  end
end
`,
    "config/config.exs": "import Config\n\nconfig :logger, level: :info\n",
    "lib/bench_base/application.ex": `defmodule BenchBase.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    children = [
${workers.map((w) => `      ${w}`).join(",\n")}
    ]

    opts = [strategy: :one_for_one, max_restarts: 100, max_seconds: 1, name: BenchBase.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
`,
  };
  for (let i = 0; i < n; i++) {
    files[`lib/bench_base/w${i}.ex`] = `defmodule BenchBase.W${i} do
  @moduledoc false
  use GenServer

  def start_link(opts \\\\ []), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  def ping, do: GenServer.call(__MODULE__, :ping)

  @impl true
  def init(_opts), do: {:ok, %{}}

  @impl true
  def handle_call(:ping, _from, state), do: {:reply, :pong, state}
end
`;
  }
  return files;
}
