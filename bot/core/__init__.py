"""The channel-agnostic core: accept → persist → understand → decide → outbox → deliver."""
