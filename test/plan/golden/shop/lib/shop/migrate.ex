defmodule Shop.Migrate do
  @moduledoc """
  Boot step: runs `Shop.Release.migrate/0` once, synchronously, when its supervisor starts it,
  so the services after it start only once it has finished; then returns `:ignore`. It is
  `:temporary`: never restarted. If the step raises, the supervisor (and the boot) fails.
  """

  @doc false
  @spec child_spec(term()) :: Supervisor.child_spec()
  def child_spec(arg) do
    %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}, restart: :temporary}
  end

  @doc false
  @spec start_link(term()) :: :ignore
  def start_link(_arg) do
    :ok = Shop.Release.migrate()
    :ignore
  end
end
