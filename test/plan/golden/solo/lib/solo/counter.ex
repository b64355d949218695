defmodule Solo.Counter do
  @moduledoc """
  Counts things. A doc with \#{System.halt()} must stay text, as must ""\" and \\ and "quotes".

  The callbacks are placeholders to fill in: each call replies with the simplest value its
  `@spec` allows (`:ok` if it can, else its `{:error, reason}`, else a value such as `nil`, `0`
  or `[]`); casts and messages keep the state as it is.
  """

  use GenServer

  @vsn "b1ad0320adc5"

  defstruct count: 0, label: nil

  @type t :: %__MODULE__{count: non_neg_integer(), label: String.t() | nil}

  @doc "Starts the server, registered under its module name."
  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  end

  @doc "Sends `:value` to the server and waits for the reply."
  @spec value() :: non_neg_integer()
  def value do
    GenServer.call(__MODULE__, :value)
  end

  @doc "Sends `{:bump, by}` to the server without waiting."
  @spec bump(by :: term()) :: :ok
  def bump(by) do
    GenServer.cast(__MODULE__, {:bump, by})
  end

  @impl true
  def init(_opts) do
    Process.flag(:trap_exit, true)
    :ok = Solo.Lifecycle.started(:counter, __MODULE__)
    {:ok, %__MODULE__{}}
  end

  @impl true
  def handle_call(:value, _from, state) do
    {:reply, 0, state}
  end

  @impl true
  def handle_cast({:bump, _by}, state) do
    {:noreply, state}
  end

  @impl true
  def handle_info(:tick, state) do
    {:noreply, state}
  end

  def handle_info({:EXIT, _pid, :normal}, state), do: {:noreply, state}
  def handle_info({:EXIT, _pid, reason}, state), do: {:stop, reason, state}

  def handle_info(message, state) do
    :logger.warning("~p received an unexpected message: ~p", [__MODULE__, message])
    {:noreply, state}
  end

  @impl true
  def terminate(reason, _state) do
    :ok = Solo.Lifecycle.stopped(:counter, __MODULE__, reason)
  end

  @impl true
  def code_change(_old_vsn, state, _extra) do
    {:ok, struct(__MODULE__, Map.delete(state, :__struct__))}
  end
end
