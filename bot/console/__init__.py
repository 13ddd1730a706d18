"""The live operator console: queue, chats, transcript, summary, replies (web, WebSocket)."""
