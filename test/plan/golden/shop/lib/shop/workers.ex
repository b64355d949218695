defmodule Shop.Workers do
  @moduledoc """
  A `DynamicSupervisor`. Starts `Shop.Worker` instances on demand with `start_child/1`, at most
  100 at a time.

  Every child's `start_link` receives the extra arguments `:pool_a` before its own.
  """

  use DynamicSupervisor

  @child Shop.Worker

  @doc "Starts the supervisor, registered under its module name."
  @spec start_link(term()) :: Supervisor.on_start()
  def start_link(init_arg \\ []) do
    DynamicSupervisor.start_link(__MODULE__, init_arg, name: __MODULE__)
  end

  @doc "Starts a `Shop.Worker` under this supervisor; `opts` go to its `start_link`."
  @spec start_child(keyword()) :: DynamicSupervisor.on_start_child()
  def start_child(opts \\ []) do
    DynamicSupervisor.start_child(__MODULE__, {@child, opts})
  end

  @impl true
  def init(_init_arg) do
    DynamicSupervisor.init(strategy: :one_for_one, max_children: 100, extra_arguments: [:pool_a])
  end
end
