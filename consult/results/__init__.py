"""What the Administration reads: participation, tallies, comments and the CSV report."""
