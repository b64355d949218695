defmodule Shop.CoreChainTest do
  use Shop.SupervisionCase, async: false

  # Crashes log errors on purpose; they are shown only when a test fails.
  @moduletag :capture_log

  test "crashing config restarts exactly config, cache, db_pool" do
    restarted = restarted_after_crash(:config)

    expected = [:cache, :config, :db_pool]
    assert restarted == MapSet.new(expected)
    # Everything that depends on it (`depends_on`, transitively) is restarted with it.
    dependents = [:cache, :db_pool]
    assert MapSet.subset?(MapSet.new(dependents), restarted)
  end

  test "crashing db_pool restarts exactly db_pool, cache" do
    restarted = restarted_after_crash(:db_pool)

    expected = [:cache, :db_pool]
    assert restarted == MapSet.new(expected)
    # Everything that depends on it (`depends_on`, transitively) is restarted with it.
    dependents = [:cache]
    assert MapSet.subset?(MapSet.new(dependents), restarted)
  end

  test "crashing cache restarts only cache" do
    restarted = restarted_after_crash(:cache)

    expected = [:cache]
    assert restarted == MapSet.new(expected)
  end
end
