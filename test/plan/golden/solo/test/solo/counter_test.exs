defmodule Solo.CounterTest do
  use ExUnit.Case, async: true

  alias Solo.Counter

  test "starts with the initial state" do
    assert %Counter{} = :sys.get_state(Counter)
  end

  test "value/0 replies and the server stays alive" do
    assert Counter.value() == 0
    assert Process.alive?(Process.whereis(Counter))
  end

  test "bump/1 is handled" do
    assert :ok = Counter.bump(nil)
    assert %Counter{} = :sys.get_state(Counter)
  end

  test "handles :tick" do
    send(Counter, :tick)
    assert %Counter{} = :sys.get_state(Counter)
  end

  test "has an @vsn and code_change/3 migrates an older state to the current struct" do
    assert Counter.__info__(:attributes)[:vsn] == ["b1ad0320adc5"]
    fields = Map.from_struct(%Counter{})
    older = Map.put(fields, :retired_field, :gone)
    assert {:ok, %Counter{} = state} = Counter.code_change("older", older, [])
    assert state == %Counter{}
  end
end
