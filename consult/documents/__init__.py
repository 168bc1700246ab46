"""Documents of a consultation: the discussion note and its annexes, one file per language."""
