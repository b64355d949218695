defmodule Solo.Application do
  @moduledoc """
  A counter

  The `:solo` application: starts the supervision tree under `Solo.Supervisor`.

  Children, in start order: `Solo.Counter`. Strategy: `:one_for_one`. At most 3 restarts in 5 s,
  after which it gives up and exits.

  Why this strategy: one_for_one: the children are independent.

  Why this order: manifest order.

  Why this intensity: the OTP default.
  """

  use Application

  @impl true
  def start(_type, _args) do
    :ok = Solo.Telemetry.setup()
    :ok = Solo.Lifecycle.setup()

    children = [
      Solo.Counter
    ]

    opts = [strategy: :one_for_one, max_restarts: 3, max_seconds: 5, name: Solo.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
