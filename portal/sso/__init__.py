"""Single sign-on with the organisations' own identity providers (OpenID Connect).

- config.py     the providers: parsed from the SSO_PROVIDERS setting or rows in the admin, one
                per organisation, with the client secret read from a named environment variable
- discovery.py  the provider's discovery document and signing keys, fetched and cached
- tokens.py     ID token verification (signature, iss, aud, exp, nonce)
- claims.py     claims -> the identity we key users on (issuer + subject), e-mail and name
- services.py   the writes: first login creates or links the user, the password-login flag
- selectors.py  who may still log in with a password
- oidc.py       the authorization code flow, on mozilla-django-oidc's views and backend
- views.py      start page, error page, the organisation admin's login settings
"""
