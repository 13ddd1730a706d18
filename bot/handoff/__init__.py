"""Call-centre handoff: the queue, operator presence, routing and live events."""
