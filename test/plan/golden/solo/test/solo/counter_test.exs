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
end
