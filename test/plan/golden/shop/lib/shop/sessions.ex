defmodule Shop.Sessions do
  @moduledoc """
  A `Registry` with unique keys in 2 partitions. Name processes with `via/1`, e.g.
  `GenServer.start_link(MyServer, arg, name: via(key))`, and find them with `lookup/1`.
  """

  @doc false
  @spec child_spec(term()) :: Supervisor.child_spec()
  def child_spec(_arg) do
    Registry.child_spec(keys: :unique, name: __MODULE__, partitions: 2)
  end

  @doc "A `:via` tuple naming a process under `key` in this registry."
  @spec via(term()) :: {:via, Registry, {module(), term()}}
  def via(key) do
    {:via, Registry, {__MODULE__, key}}
  end

  @doc "The process registered under `key`, as `[{pid, value}]`, or `[]`."
  @spec lookup(term()) :: [{pid(), term()}]
  def lookup(key) do
    Registry.lookup(__MODULE__, key)
  end
end
