"""The Administration's consultation pages, one module a concern, on one blueprint
(``base.bp``): overview and settings, the cycle (open, close, outcome, publish), questions and
options, write-in groups, and the template helpers they share."""

from consult.consultations.pages import cycle, overview, questions, templating, writeins
from consult.consultations.pages.base import bp

__all__ = ["bp", "cycle", "overview", "questions", "templating", "writeins"]
