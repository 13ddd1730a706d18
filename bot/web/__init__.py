"""Web assets shared by the pages the server serves."""
