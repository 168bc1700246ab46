"""The audit page and the verification of the chained records (audit trail, ballot revisions)."""
