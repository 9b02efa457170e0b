"""Leaf utilities every layer may use: settings, the text catalog, masking, exports, the clock, retries."""
