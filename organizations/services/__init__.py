"""The organization's operations, one module per concept: authorize -> validate -> write -> audit."""
