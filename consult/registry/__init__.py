"""The registry's pages: member states, observers and regions, with what they read from
accounts, consultations and responses (hence a layer above them)."""
