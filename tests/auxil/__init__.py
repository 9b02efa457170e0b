"""Test helpers shared by the test suite: fakes of the outside services the bot talks to."""
