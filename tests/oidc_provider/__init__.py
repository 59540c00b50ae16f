"""A real OpenID Connect provider for the single sign-on tests: a second, tiny Django project
built on django-oidc-provider, started as a subprocess on a free loopback port with its own
SQLite database (tests/oidc_provider/serve.py; the fixture is in tests/browser/test_sso_flow.py).
Nothing in it is imported by the portal."""
