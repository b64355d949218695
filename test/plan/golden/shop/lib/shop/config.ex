defmodule Shop.Config do
  @moduledoc """
  Loads configuration.

      \#{System.halt()}

  Ends here.

  `init/1` returns at once; the slow part of start-up belongs in
  `handle_continue(:init, state)`.

  The callbacks are placeholders to fill in: each call replies with the simplest value its
  `@spec` allows (`:ok` if it can, else its `{:error, reason}`, else a value such as `nil`, `0`
  or `[]`); casts and messages keep the state as it is. `when_ready/0` replies
  `{:error, :not_implemented}`: no value of its return type can be written down.
  """

  use GenServer

  @vsn "3f35bf87c6a8"

  defstruct settings: %{},
            loaded: false,
            name: "shop \"main\" \#{oops}",
            ratio: 1.0,
            tags: ["a", "b"],
            limits: %{max: 10, "with space": true}

  @type t :: %__MODULE__{
          settings: map(),
          loaded: boolean(),
          name: String.t(),
          ratio: float(),
          tags: [atom()],
          limits: map()
        }

  @doc "Starts the server, registered under its module name."
  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  end

  @doc "Sends `{:get, key}` to the server and waits for the reply."
  @spec get(key :: term()) :: term()
  def get(key) do
    GenServer.call(__MODULE__, {:get, key})
  end

  @doc "Sends `{:fetch, key}` to the server and waits for the reply."
  @spec fetch(key :: term()) :: {:ok, term()} | {:error, :not_found}
  def fetch(key) do
    GenServer.call(__MODULE__, {:fetch, key})
  end

  @doc "Sends `:all` to the server and waits for the reply."
  @spec all() :: %{optional(atom()) => term()}
  def all do
    GenServer.call(__MODULE__, :all)
  end

  @doc "Sends `:loaded?` to the server and waits for the reply."
  @spec loaded?() :: boolean()
  def loaded? do
    GenServer.call(__MODULE__, :loaded?)
  end

  @doc "Sends `:owner` to the server and waits for the reply."
  @spec owner() :: pid()
  def owner do
    GenServer.call(__MODULE__, :owner)
  end

  @doc "Sends `:when_ready` to the server and waits for the reply."
  @spec when_ready() :: DateTime.t()
  def when_ready do
    GenServer.call(__MODULE__, :when_ready)
  end

  @impl true
  def init(_opts) do
    Process.flag(:trap_exit, true)
    :ok = Shop.Lifecycle.started(:config, __MODULE__)
    {:ok, %__MODULE__{}, {:continue, :init}}
  end

  @impl true
  def handle_continue(:init, state) do
    {:noreply, state}
  end

  @impl true
  def handle_call({:get, _key}, _from, state) do
    {:reply, :ok, state}
  end

  def handle_call({:fetch, _key}, _from, state) do
    {:reply, {:error, :not_found}, state}
  end

  def handle_call(:all, _from, state) do
    {:reply, %{}, state}
  end

  def handle_call(:loaded?, _from, state) do
    {:reply, false, state}
  end

  def handle_call(:owner, _from, state) do
    {:reply, self(), state}
  end

  def handle_call(:when_ready, _from, state) do
    {:reply, {:error, :not_implemented}, state}
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
    :ok = Shop.Lifecycle.stopped(:config, __MODULE__, reason)
  end

  @impl true
  def code_change(_old_vsn, state, _extra) do
    {:ok, struct(__MODULE__, Map.delete(state, :__struct__))}
  end
end
