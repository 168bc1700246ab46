"""Responses of member states: answers, drafts, revisions and receipts."""
