defmodule Shop.CoreChain do
  @moduledoc """
  A sub-supervisor introduced by otpiser to give this part of the tree its own restart strategy.

  Children, in start order: `Shop.Config`, `Shop.Migrate`, `Shop.DbPool` and `Shop.Cache`.
  Strategy: `:rest_for_one`. At most 5 restarts in 10 s, after which it gives up and exits.

  Why this strategy: rest_for_one: config → db_pool → cache is a depends_on chain.

  Why this order: config before db_pool before cache.

  Why this intensity: 5 in 10 s from the SLA.
  """

  use Supervisor

  @doc "Starts the supervisor, registered under its module name."
  @spec start_link(term()) :: Supervisor.on_start()
  def start_link(init_arg \\ []) do
    Supervisor.start_link(__MODULE__, init_arg, name: __MODULE__)
  end

  @impl true
  def init(_init_arg) do
    :ok = Shop.Lifecycle.started(:core_chain, __MODULE__)

    children = [
      Shop.Config,
      Shop.Migrate,
      Shop.DbPool,
      Shop.Cache
    ]

    Supervisor.init(children, strategy: :rest_for_one, max_restarts: 5, max_seconds: 10)
  end
end
