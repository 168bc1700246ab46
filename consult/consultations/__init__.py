"""Consultations, their questions and options, and their lifecycle."""
