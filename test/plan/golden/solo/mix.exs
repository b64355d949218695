defmodule Solo.MixProject do
  use Mix.Project

  def project do
    [
      app: :solo,
      version: "0.2.0",
      elixir: "~> 1.14",
      description: "A counter",
      elixirc_paths: elixirc_paths(Mix.env()),
      start_permanent: Mix.env() == :prod,
      deps: deps()
    ]
  end

  def application do
    [
      extra_applications: [:logger],
      mod: {Solo.Application, []}
    ]
  end

  # test/support holds helpers shared by the generated tests.
  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_env), do: ["lib"]

  defp deps do
    []
  end
end
