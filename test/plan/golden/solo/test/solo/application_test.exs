defmodule Solo.ApplicationTest do
  use Solo.SupervisionCase, async: false

  # Crashes log errors on purpose; they are shown only when a test fails.
  @moduletag :capture_log

  test "crashing counter restarts only counter" do
    restarted = restarted_after_crash(:counter)

    expected = [:counter]
    assert restarted == MapSet.new(expected)
  end
end
