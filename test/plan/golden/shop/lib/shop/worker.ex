defmodule Shop.Worker do
  @moduledoc """
  A GenServer started on demand by `Shop.Workers.start_child/1` (not at boot). Instances are
  unnamed unless `opts` has a `:name`.

  The callbacks are placeholders to fill in: each call replies with the simplest value its
  `@spec` allows (`:ok` if it can, else its `{:error, reason}`, else a value such as `nil`, `0`
  or `[]`); casts and messages keep the state as it is.
  """

  use GenServer

  @vsn "03973324ae6d"

  defstruct jobs: []

  @type t :: %__MODULE__{jobs: list(term())}

  @doc "Starts an instance. Pass `name: ...` in `opts` to register it."
  @spec start_link(term(), keyword()) :: GenServer.on_start()
  def start_link(extra_1, opts \\ []) do
    GenServer.start_link(__MODULE__, {extra_1, opts}, Keyword.take(opts, [:name]))
  end

  @doc "Sends `:status` to the server and waits for the reply."
  @spec status(GenServer.server()) :: :idle | :busy
  def status(server) do
    GenServer.call(server, :status)
  end

  @doc "Sends `{:run, job}` to the server without waiting."
  @spec run(GenServer.server(), job :: term()) :: :ok
  def run(server, job) do
    GenServer.cast(server, {:run, job})
  end

  @impl true
  def init({_extra_1, _opts}) do
    Process.flag(:trap_exit, true)
    :ok = Shop.Lifecycle.instance_started(:worker, __MODULE__)
    {:ok, %__MODULE__{}}
  end

  @impl true
  def handle_call(:status, _from, state) do
    {:reply, :idle, state}
  end

  @impl true
  def handle_cast({:run, _job}, state) do
    {:noreply, state}
  end

  @impl true
  def handle_info({:EXIT, _pid, :normal}, state), do: {:noreply, state}
  def handle_info({:EXIT, _pid, reason}, state), do: {:stop, reason, state}

  def handle_info(message, state) do
    :logger.warning("~p received an unexpected message: ~p", [__MODULE__, message])
    {:noreply, state}
  end

  @impl true
  def terminate(reason, _state) do
    :ok = Shop.Lifecycle.stopped(:worker, __MODULE__, reason)
  end

  @impl true
  def code_change(_old_vsn, state, _extra) do
    {:ok, struct(__MODULE__, Map.delete(state, :__struct__))}
  end
end
