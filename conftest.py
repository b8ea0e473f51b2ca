"""Root conftest: loads the auth-chaos pytest plugin for every test under tests/."""

pytest_plugins = ["fixtures.plugin"]
