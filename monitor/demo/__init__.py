"""A first-run demo and the scenario generator it shares with the benchmarks."""
