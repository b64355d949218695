defmodule Solo.SupervisionCase do
  @moduledoc """
  Helpers for the generated supervision tests.

  Each test starts from a freshly started `:solo` application (so restarts counted by earlier
  tests cannot add up to the intensity limit), crashes one child, waits until its supervisor has
  started a new one, and compares the pid of every node of the tree before and after.

  Workers are killed with `Process.exit(pid, :kill)`. Supervisors are stopped with an abnormal
  reason instead, which shuts their children down in order first, as happens when a supervisor
  gives up after too many restarts: killing one outright would leave its children still shutting
  down (and holding their registered names) while the replacement starts.
  """

  use ExUnit.CaseTemplate

  import ExUnit.Assertions

  @app :solo

  using do
    quote do
      import Solo.SupervisionCase
    end
  end

  setup do
    restart_application()
  end

  @doc "Stops and starts the application again: a fresh tree and a fresh restart budget."
  @spec restart_application() :: :ok
  def restart_application do
    # (Not started yet, e.g. under `mix test --no-start`, is fine too.)
    _ = Application.stop(@app)
    {:ok, _started} = Application.ensure_all_started(@app)
    :ok
  end

  @doc """
  Crashes the process of the tree node `node_id`, waits until its supervisor has replaced it,
  and returns the ids of every node whose pid changed.
  """
  @spec restarted_after_crash(atom()) :: MapSet.t(atom())
  def restarted_after_crash(node_id) do
    before = snapshot()
    {parent, child_id} = Map.fetch!(locations(), node_id)
    {pid, type} = child(parent, child_id)
    crash(pid, type)
    await_restart(parent, child_id, pid, 500)
    after_crash = snapshot()

    for {id, new_pid} <- after_crash, Map.get(before, id) != new_pid, into: MapSet.new(), do: id
  end

  @doc "The pid of every running node of the tree, by node id."
  @spec snapshot() :: %{atom() => pid()}
  def snapshot do
    for {node_id, {parent, child_id}} <- locations(),
        {pid, _type} = child(parent, child_id),
        is_pid(pid),
        into: %{},
        do: {node_id, pid}
  end

  defp crash(pid, :worker), do: Process.exit(pid, :kill)
  defp crash(pid, :supervisor), do: :ok = Supervisor.stop(pid, :crashed_by_test)

  defp await_restart(parent, child_id, old_pid, attempts_left) do
    case child(parent, child_id) do
      {pid, _type} when is_pid(pid) and pid != old_pid ->
        :ok

      _not_yet when attempts_left > 0 ->
        Process.sleep(10)
        await_restart(parent, child_id, old_pid, attempts_left - 1)

      _not_yet ->
        flunk("#{inspect(child_id)} was not restarted by #{inspect(parent)}")
    end
  end

  # {pid, type} of a child as its supervisor reports it ({nil, nil} when it is not there).
  defp child(parent, child_id) do
    Enum.find_value(Supervisor.which_children(parent), {nil, nil}, fn
      {^child_id, pid, type, _modules} -> {pid, type}
      _other -> nil
    end)
  end

  # Where each node of the tree lives: node id => {registered name of its supervisor, child id}.
  defp locations do
    %{
      counter: {Solo.Supervisor, Solo.Counter}
    }
  end
end
