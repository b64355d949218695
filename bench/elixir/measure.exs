# Measures the generated app and the hand-written baseline side by side in ONE VM (same scheduler, same load),
# alternating them repetition by repetition (A B B A …):
#
#   MIX_ENV=prod BENCH_APPS=bench_gen:BenchGen,bench_base:BenchBase BENCH_PATHS=<baseline ebin> BENCH_N=1000 \
#     mix run --no-start measure.exs
#
# Workers are `<Module>.W0 .. W<n-1>`, registered under their module names, answering `:ping` with `:pong`.
# Prints one line `BENCH_RESULT {json}`: per app, every sample (times in microseconds, throughput in calls/s).
#
# - boot: `Application.ensure_all_started/1` (it returns once the root supervisor's start_link has returned, i.e.
#   every child's init has run), then `Application.stop/1`, repeated. Each app's first start in the VM, which also
#   loads its code, is reported apart.
# - restart: kill a worker (`:kill`, untrappable) and wait until a new pid is registered under its name *and*
#   answers a `:ping` (so its init has finished). Kills are spaced so no root reaches its intensity (100 restarts
#   in `max_seconds: 1`).
# - call throughput: `GenServer.call(worker, :ping)` in a tight loop by one caller, then by several callers at
#   once, each on its own worker.

Logger.configure(level: :warning)

env = fn name, default -> System.get_env(name, default) end

for path <- String.split(env.("BENCH_PATHS", ""), ":", trim: true) do
  true = Code.prepend_path(path)
end

n = String.to_integer(System.fetch_env!("BENCH_N"))
boot_reps = String.to_integer(env.("BENCH_BOOT_REPS", "20"))
kills = String.to_integer(env.("BENCH_KILLS", "200"))
calls = String.to_integer(env.("BENCH_CALLS", "100000"))
call_reps = String.to_integer(env.("BENCH_CALL_REPS", "6"))
callers = String.to_integer(env.("BENCH_CALLERS", "4"))

apps =
  for spec <- String.split(System.fetch_env!("BENCH_APPS"), ",") do
    [app, root] = String.split(spec, ":")
    {String.to_atom(app), List.to_tuple(for i <- 0..(n - 1), do: Module.concat([root, "W#{i}"]))}
  end

now = fn -> System.monotonic_time(:microsecond) end

defmodule Bench do
  @moduledoc false

  def start!(app) do
    t0 = System.monotonic_time(:microsecond)
    {:ok, _} = Application.ensure_all_started(app)
    System.monotonic_time(:microsecond) - t0
  end

  def all_up!(workers) do
    for i <- 0..(tuple_size(workers) - 1) do
      is_pid(Process.whereis(elem(workers, i))) || raise("#{inspect(elem(workers, i))} is not running")
    end

    :ok
  end

  # Spins until `name` is registered to a process other than `old`. Every 10 000 spins it looks at the clock, so a
  # supervisor that gave up (its application is gone) fails the run instead of spinning forever.
  def replaced(name, old, deadline, spins \\ 0) do
    case Process.whereis(name) do
      pid when pid == nil or pid == old ->
        if rem(spins, 10_000) == 9_999 and System.monotonic_time(:millisecond) > deadline do
          raise "#{inspect(name)} was not restarted within 5 s (did its supervisor give up?)"
        end

        replaced(name, old, deadline, spins + 1)

      pid ->
        pid
    end
  end

  def calls(_worker, 0), do: :ok

  def calls(worker, k) do
    :pong = GenServer.call(worker, :ping)
    calls(worker, k - 1)
  end

  # A B, then B A, then A B…: neither app always goes first.
  def alternate(apps, round), do: if(rem(round, 2) == 0, do: apps, else: Enum.reverse(apps))

  def collect(apps, rounds, fun) do
    samples =
      for round <- 1..rounds, {app, workers} <- alternate(apps, round) do
        {app, fun.(app, workers, round)}
      end

    Map.new(apps, fn {app, _} -> {app, for({^app, x} <- samples, do: x)} end)
  end
end

first_boot =
  Map.new(apps, fn {app, workers} ->
    t = Bench.start!(app)
    :ok = Bench.all_up!(workers)
    :ok = Application.stop(app)
    {app, t}
  end)

boots =
  Bench.collect(apps, boot_reps, fn app, _workers, _round ->
    t = Bench.start!(app)
    :ok = Application.stop(app)
    t
  end)

for {app, workers} <- apps do
  _ = Bench.start!(app)
  :ok = Bench.all_up!(workers)
end

restarts =
  Bench.collect(apps, kills, fn _app, workers, round ->
    worker = elem(workers, rem(round * 7919, n))
    old = Process.whereis(worker)
    t0 = now.()
    Process.exit(old, :kill)
    _new = Bench.replaced(worker, old, System.monotonic_time(:millisecond) + 5_000)
    :pong = GenServer.call(worker, :ping)
    t = now.() - t0
    # 20 ms between kills, so ~25 restarts per second per app. OTP counts restarts in whole seconds and keeps
    # those of the previous second too: `max_seconds: 1` is a window of up to 2 s, and 50 stays under its 100.
    Process.sleep(20)
    t
  end)

for {_app, workers} <- apps, do: :ok = Bench.all_up!(workers)

throughput = fn workers, callers ->
  per = div(calls, callers)
  t0 = now.()

  1..callers
  |> Enum.map(fn c -> Task.async(fn -> Bench.calls(elem(workers, c - 1), per) end) end)
  |> Enum.each(&Task.await(&1, :infinity))

  round(per * callers * 1_000_000 / max(now.() - t0, 1))
end

single = Bench.collect(apps, call_reps, fn _app, workers, _round -> throughput.(workers, 1) end)
multi = Bench.collect(apps, call_reps, fn _app, workers, _round -> throughput.(workers, callers) end)
for {app, _} <- apps, do: :ok = Application.stop(app)

list = fn xs -> "[" <> Enum.map_join(xs, ",", &to_string/1) <> "]" end

per_app =
  Enum.map_join(apps, ",", fn {app, _} ->
    ~s("#{app}":{"first_boot_us":#{first_boot[app]},"boot_us":#{list.(boots[app])},) <>
      ~s("restart_us":#{list.(restarts[app])},"single_caller_calls_per_s":#{list.(single[app])},) <>
      ~s("multi_caller_calls_per_s":#{list.(multi[app])}})
  end)

IO.puts(
  ~s(BENCH_RESULT {"apps":{#{per_app}},"callers":#{callers},"schedulers":#{System.schedulers_online()},) <>
    ~s("otp":"#{System.otp_release()}"})
)
