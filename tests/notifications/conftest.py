from .smtp import smtp_server  # noqa: F401 - a fixture for every test here
