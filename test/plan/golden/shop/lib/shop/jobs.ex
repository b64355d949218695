defmodule Shop.Jobs do
  @moduledoc """
  A `Task.Supervisor` for fire-and-forget and async work (at most 10 at a time).
  `async_nolink/2` runs a task that can crash without taking the caller down; await it with
  `Task.yield/2` or `Task.await/2`.
  """

  @doc false
  @spec child_spec(term()) :: Supervisor.child_spec()
  def child_spec(_arg) do
    [name: __MODULE__, max_children: 10]
    |> Task.Supervisor.child_spec()
    |> Supervisor.child_spec(restart: :transient)
  end

  @doc "Runs `fun` in a task under this supervisor, not linked to the caller."
  @spec async_nolink(fun(), keyword()) :: Task.t()
  def async_nolink(fun, opts \\ []) do
    Task.Supervisor.async_nolink(__MODULE__, fun, opts)
  end
end
