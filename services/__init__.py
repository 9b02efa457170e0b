"""The centre's work as plain async functions with role checks: bookings, consultations, the ledger, misses.

Telegram commands, the CLI and the web console call these; flows never reach another flow's helpers."""
