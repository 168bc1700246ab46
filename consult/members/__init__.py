"""Member states, observer states and observer organisations."""
