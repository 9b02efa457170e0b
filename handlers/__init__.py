"""The dialogue: channel-neutral events in, replies out. Nothing here imports a channel library."""
