"""Pure economics shared by the simulator and the optimizer (finance, settlement, effects)."""
