defmodule Shop.Application do
  @moduledoc """
  The `:shop` application: starts the supervision tree under `Shop.Supervisor`.

  Children, in start order: `Shop.CoreChain`, `Shop.Background`, `Shop.Ops`,
  `{Task.Supervisor, name: Shop.ExternalTasks}` and `Shop.Batching`. Strategy: `:one_for_one`.
  At most 3 restarts in 5 s, after which it gives up and exits.

  Why this strategy: one_for_one: the top-level parts are independent.

  Why this order: dependencies first.

  Why this intensity: 3 in 5 s.
  """

  use Application

  @impl true
  def start(_type, _args) do
    :ok = Shop.Telemetry.setup()
    :ok = Shop.Lifecycle.setup()

    children = [
      Shop.CoreChain,
      Shop.Background,
      Shop.Ops,
      {Task.Supervisor, name: Shop.ExternalTasks},
      Shop.Batching
    ]

    opts = [strategy: :one_for_one, max_restarts: 3, max_seconds: 5, name: Shop.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
