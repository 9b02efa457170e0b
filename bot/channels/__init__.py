"""Channel adapters: each turns its platform's messages into `Incoming` events and renders replies."""
