defmodule Shop.Release do
  @moduledoc """
  Boot-time work called by otpiser's generated steps. This module is yours: otpiser wrote it
  once and will not touch it again. Return `:ok` to let the boot continue; raise to stop it.
  """

  @doc "Called once at boot by `Shop.Migrate`."
  @spec migrate() :: :ok
  def migrate do
    :ok
  end
end
